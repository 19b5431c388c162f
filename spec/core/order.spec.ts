import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/core/batch.ts';
import { readOrder, type Order } from '../../src/core/order.ts';

const GOOD = {
  order_id: '202103251202020001',
  order_channel: 'miniAppShop',
  order_time: '2021-03-25 12:02:02',
  pay_amount: '60.00',
  real_pay: '60.00',
  pay_time: '2021-03-25 12:03:00',
  user_id: '0002',
  user_name: 'Bob',
  area_id: '330110',
};
const REST = '"order_time":"2021-03-25 12:02:02","real_pay":"1","pay_time":"2021-03-25 12:03:00"';

function readText(text: string): Order | string {
  const record: RawRecord = { value: text, partition: 0, offset: 1 };
  return readOrder(text, record);
}

function read(fields: Record<string, unknown>): Order | string {
  return readText(JSON.stringify({ ...GOOD, ...fields }));
}

describe('an order record', () => {
  it('accepts the tutorial sample record', () => {
    expect(read({})).toMatchObject({ orderId: '202103251202020001', payTime: '2021-03-25 12:03:00', realPay: 60_000_000, userId: '0002', channel: 'miniAppShop' });
  });

  it.each([
    ['order_id missing', { order_id: undefined }, 'order_id: must be a non-empty string or an integer (got nothing)'],
    ['order_id empty', { order_id: '' }, 'order_id: must be a non-empty string or an integer (got "")'],
    ['order_id not an integer', { order_id: 1.5 }, 'order_id: must be a non-empty string or an integer (got 1.5)'],
    ['order_id a boolean', { order_id: true }, 'order_id: must be a non-empty string or an integer (got true)'],
    ['order_time in another format', { order_time: '25/03/2021 12:02' }, 'order_time: not a yyyy-MM-dd HH:mm:ss timestamp (got "25/03/2021 12:02")'],
    ['order_time not a real date', { order_time: '2021-02-30 12:00:00' }, 'order_time: not a yyyy-MM-dd HH:mm:ss timestamp (got "2021-02-30 12:00:00")'],
    ['pay_time malformed', { pay_time: '2021-03-25 24:00:00' }, 'pay_time: not a yyyy-MM-dd HH:mm:ss timestamp (got "2021-03-25 24:00:00")'],
    ['pay_time a number', { pay_time: 20210325 }, 'pay_time: not a yyyy-MM-dd HH:mm:ss timestamp (got 20210325)'],
    ['real_pay not numeric', { real_pay: '12.x' }, 'real_pay: not a decimal number (got "12.x")'],
    ['real_pay an object', { real_pay: {} }, 'real_pay: not a decimal number (got {})'],
    ['real_pay a boolean', { real_pay: true }, 'real_pay: not a decimal number (got true)'],
    ['real_pay "NaN"', { real_pay: 'NaN' }, 'real_pay: not a decimal number (got "NaN")'],
    ['real_pay negative', { real_pay: -5 }, 'real_pay: negative; a refund is not a payment (got -5)'],
    ['real_pay negative text', { real_pay: '-0.0000001' }, 'real_pay: negative; a refund is not a payment (got "-0.0000001")'],
    ['real_pay above 10^15', { real_pay: '1000000000000000.01' }, 'real_pay: above 10^15 (got "1000000000000000.01")'],
    ['real_pay with 19 decimal places', { real_pay: '0.0000000000000000001' }, 'real_pay: more than 18 decimal places (got "0.0000000000000000001")'],
  ])('rejects %s, naming the field and quoting it', (_name, fields, reason) => {
    expect(read(fields)).toBe(reason);
  });

  it('rejects a JSON value that is not an object, and text that is not JSON, saying where', () => {
    expect(readText('[1,2]')).toBe('not a JSON object (got [1,2])');
    expect(readText('null')).toBe('not a JSON object (got null)');
    expect(readText('{"order_id":"1" "x":1}')).toBe("not valid JSON: unexpected '\"' at character 17, where ',' or '}' was expected");
    expect(readText('{"order_id":"1",')).toBe('not valid JSON: the message ends before the JSON is complete');
    expect(readText('{"a":"x\ty"}')).toMatch(/^not valid JSON: unexpected U\+0009 at character 8/);
    expect(readText('')).toBe('empty message');
  });

  it('names a byte order mark, which is invisible in the message', () => {
    expect(readText(`\ufeff${JSON.stringify(GOOD)}`)).toBe('not valid JSON: it starts with a byte order mark (U+FEFF)');
  });

  it('keeps integer ids of any length exactly as written, beyond 2^53 and beyond a double', () => {
    const huge = '9'.repeat(400);
    expect(readText(`{"order_id":9007199254740993,${REST},"user_id":12345678901234567890}`)).toMatchObject({ orderId: '9007199254740993', userId: '12345678901234567890' });
    expect(readText(`{"order_id":${huge.slice(0, 120)},${REST}}`)).toMatchObject({ orderId: huge.slice(0, 120) });
    expect(readText(`{"order_id":${huge},${REST}}`)).toMatchObject({ orderId: expect.stringMatching(/^sha256:/) });
    expect(readText(`{"order_id":-0,${REST}}`)).toMatchObject({ orderId: '-0' });
  });

  it('rejects an order_id in any number syntax but the integer one, quoting it as written', () => {
    for (const id of ['1.0', '1e2', '1.0000000000000001', '1E+2', '-1.5e-3']) {
      expect(readText(`{"order_id":${id},${REST}}`)).toBe(`order_id: must be a non-empty string or an integer (got ${id})`);
    }
  });

  it('counts the order but not the user when user_id is not a string or an integer as written', () => {
    for (const userId of ['null', 'true', '1.5', '7.0', '7e0', '{}', '[]']) expect(readText(`{"order_id":"1",${REST},"user_id":${userId}}`)).toMatchObject({ userId: null });
    expect(readText(`{"order_id":"1",${REST}}`)).toMatchObject({ userId: null });
  });

  it('is not confused by escapes, duplicate keys, nesting or the length of fields it does not use', () => {
    const order = '{"order_id":12345678901234567890123,"order_channel":"webShop","order_time":"2021-03-25 10:00:00","pay_time":"2021-03-25 10:00:01","real_pay":"5","user_name":"a\\nb","area_id":"1","area_id":"2"}';
    expect(readText(order)).toMatchObject({ orderId: '12345678901234567890123', realPay: 5_000_000 });
    const padded = `{"pad":"${'x'.repeat(5000)}","order_id":12345678901234567890123,${REST}}`;
    expect(readText(padded)).toMatchObject({ orderId: '12345678901234567890123' });
    const deep = `{"order_id":12345678901234567890123,"area_id":${'['.repeat(200_000)}${']'.repeat(200_000)},${REST}}`;
    expect(readText(deep)).toMatchObject({ orderId: '12345678901234567890123' });
    const nested = `{"x":{"order_id":9007199254740995},"order_id":9007199254740993,${REST}}`;
    expect(readText(nested)).toMatchObject({ orderId: '9007199254740993' });
  });

  it('reads keys and values through their escapes, and the last of duplicate keys, as JSON.parse does', () => {
    expect(readText(`{"x \\"order_id":9007199254740995,"order\\u005fid":9007199254740993,${REST}}`)).toMatchObject({ orderId: '9007199254740993' });
    expect(readText(`{"order_id":"1","order_id":"2",${REST}}`)).toMatchObject({ orderId: '2' });
    expect(readText(`{"order_id":"a\\u0062c",${REST},"order_channel":"web\\u0053hop"}`)).toMatchObject({ orderId: 'abc', channel: 'webShop' });
  });

  it('keeps a 10,000-character id as a digest that still tells ids apart', () => {
    const long = 'x'.repeat(10_000);
    const a = read({ order_id: long, user_id: long });
    const b = read({ order_id: `${long}y` });
    expect(a).toMatchObject({ orderId: expect.stringMatching(/^sha256:/), userId: expect.stringMatching(/^sha256:/) });
    expect((a as Order).orderId.length).toBeLessThan(60);
    expect((b as Order).orderId).not.toBe((a as Order).orderId);
    expect(read({ order_id: 'x'.repeat(128) })).toMatchObject({ orderId: 'x'.repeat(128) });
  });

  it('takes 7 and "7" as one user and one order id', () => {
    expect(read({ user_id: 7, order_id: 7 })).toMatchObject({ userId: '7', orderId: '7' });
    expect(read({ user_id: '7', order_id: '7' })).toMatchObject({ userId: '7', orderId: '7' });
  });

  it('lets unpaid records through as unpaid (the day filter counts them), not as rejects', () => {
    expect(read({ pay_time: null })).toMatchObject({ payTime: null });
    expect(read({ pay_time: undefined })).toMatchObject({ payTime: null });
    expect(read({ real_pay: null })).toMatchObject({ realPay: null });
  });

  it('reads amounts as numbers and as numeric strings with white space, to the last digit written', () => {
    expect(read({ real_pay: ' 7 ' })).toMatchObject({ realPay: 7_000_000 });
    expect(read({ real_pay: '\u00a07\u3000' })).toMatchObject({ realPay: 7_000_000 });
    expect(read({ real_pay: 66.6 })).toMatchObject({ realPay: 66_600_000 });
    expect(readText(`{"order_id":"1",${REST.replace('"real_pay":"1"', '"real_pay":123456789012.123456789')}}`)).toMatchObject({ realPay: 123_456_789_012_123_456_789_000_000_000n });
    expect(readText(`{"order_id":"1",${REST.replace('"real_pay":"1"', '"real_pay":0.12345650000000000001')}}`)).toMatch(/^real_pay: more than 18 decimal places \(got 0\.12345650000000000001\)$/);
  });

  it('quotes the amount as the message has it, never as a double', () => {
    expect(readText(`{"order_id":"1",${REST.replace('"real_pay":"1"', '"real_pay":1e400')}}`)).toBe('real_pay: above 10^15 (got 1e400)');
    expect(readText(`{"order_id":"1",${REST.replace('"real_pay":"1"', '"real_pay":1000000000000000.000001')}}`)).toBe('real_pay: above 10^15 (got 1000000000000000.000001)');
    expect(readText(`{"order_id":"1",${REST.replace('"real_pay":"1"', '"real_pay":-1e-400')}}`)).toBe('real_pay: negative; a refund is not a payment (got -1e-400)');
  });

  it('quotes a long or multi-line culprit on one line, cut to a bound', () => {
    const reason = readText(`{"order_id":"1",${REST.replace('"real_pay":"1"', `"real_pay":[1,\n2,"\u2028${'z'.repeat(500)}"]`)}}`);
    expect(reason).toMatch(/^real_pay: not a decimal number \(got \[1, 2,"\\u2028z+\.\.\.\)$/);
    expect((reason as string).length).toBeLessThan(120);
  });

  it('never rejects for pay_amount, user_name or area_id, and treats a non-string channel as unknown', () => {
    expect(read({ pay_amount: 'lots', user_name: 5, area_id: null, order_channel: 42 })).toMatchObject({ channel: null });
  });
});
