import { describe, expect, it } from 'vitest';
import { messageReader } from '../../src/core/change-envelope.ts';
import { readOrder } from '../../src/core/order.ts';

const record = { value: '', partition: 0, offset: 7 };
const row = (id: string, pay = '"100.00"') => `{"order_id":"${id}","order_channel":"webShop","order_time":"2021-03-25 10:00:00","real_pay":${pay},"pay_time":"2021-03-25 10:00:05","user_id":"u1"}`;

describe('change messages', () => {
  const canal = messageReader('canal-json', readOrder);
  const debezium = messageReader('debezium-json', readOrder);

  it('reads each row of a Canal message as a record, a bad row a reject of its own naming the row and keeping its text', () => {
    const outcome = canal(`{"data":[${row('1')},${row('2', '"12.x"')},${row('3')}],"type":"DELETE","isDdl":false}`, record);
    expect(outcome).toMatchObject({ rows: [{ orderId: '1', deleted: true }, { reason: 'canal data[1] of 3: real_pay: not a decimal number (got "12.x")', raw: row('2', '"12.x"') }, { orderId: '3', deleted: true }] });
  });

  it('changes nothing for a Canal schema change, and rejects a type it does not know', () => {
    expect(canal('{"data":null,"type":"ALTER","isDdl":true,"sql":"alter table orders add x int"}', record)).toEqual({ rows: [] });
    expect(canal(`{"data":[${row('1')}],"type":"UPSERT"}`, record)).toBe('canal type: expected INSERT, UPDATE or DELETE (got "UPSERT")');
  });

  it('reads Debezium with and without the schema wrapper, takes a delete\'s before, and skips a tombstone', () => {
    expect(debezium(`{"before":null,"after":${row('1')},"op":"c"}`, record)).toMatchObject({ orderId: '1' });
    expect(debezium(`{"schema":{"type":"struct"},"payload":{"before":${row('1')},"after":null,"op":"d"}}`, record)).toMatchObject({ orderId: '1', deleted: true });
    expect(debezium('', record)).toEqual({ rows: [] });
    expect(debezium('{"before":null,"after":null,"op":"d"}', record)).toBe('debezium before: expected the row (got null): the table needs REPLICA IDENTITY FULL, or binlog_row_image FULL, for the deleted row');
  });
});
