import { describe, expect, it } from 'vitest';
import { toOrder, type Order } from '../../src/core/order.ts';

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

function read(fields: Record<string, unknown>, text?: string): Order | string {
  const record = { ...GOOD, ...fields };
  return toOrder(record, text ?? JSON.stringify(record));
}

function readText(text: string): Order | string {
  return toOrder(JSON.parse(text), text);
}

describe('an order record', () => {
  it('accepts the tutorial sample record', () => {
    expect(read({})).toMatchObject({ orderId: '202103251202020001', payTime: '2021-03-25 12:03:00', realPay: 60_000_000, userId: '0002', channel: 'miniAppShop' });
  });

  it.each([
    ['order_id missing', { order_id: undefined }, /^order_id: /],
    ['order_id empty', { order_id: '' }, /^order_id: /],
    ['order_id not an integer', { order_id: 1.5 }, /^order_id: /],
    ['order_id a boolean', { order_id: true }, /^order_id: /],
    ['order_time in another format', { order_time: '25/03/2021 12:02' }, /^order_time: /],
    ['order_time not a real date', { order_time: '2021-02-30 12:00:00' }, /^order_time: /],
    ['pay_time malformed', { pay_time: '2021-03-25 24:00:00' }, /^pay_time: /],
    ['pay_time a number', { pay_time: 20210325 }, /^pay_time: /],
    ['real_pay not numeric', { real_pay: '12.x' }, /^real_pay: not a decimal/],
    ['real_pay an object', { real_pay: {} }, /^real_pay: not a decimal/],
    ['real_pay a boolean', { real_pay: true }, /^real_pay: not a decimal/],
    ['real_pay "NaN"', { real_pay: 'NaN' }, /^real_pay: not a decimal/],
    ['real_pay negative', { real_pay: -5 }, /^real_pay: negative/],
    ['real_pay negative text', { real_pay: '-0.0000001' }, /^real_pay: negative/],
    ['real_pay above 10^15', { real_pay: '1000000000000000.01' }, /^real_pay: above 10\^15/],
  ])('rejects %s, naming the field', (_name, fields, reason) => {
    const outcome = read(fields);
    expect(typeof outcome).toBe('string');
    expect(outcome).toMatch(reason);
    expect(outcome).not.toContain('\n');
  });

  it('rejects a JSON value that is not an object', () => {
    expect(toOrder([1, 2], '[1,2]')).toMatch(/^not a JSON object/);
    expect(toOrder(null, 'null')).toMatch(/^not a JSON object/);
  });

  it('keeps ids beyond 2^53 apart, exactly as written', () => {
    const a = readText('{"order_id":9007199254740993,"order_time":"2021-03-25 12:02:02","real_pay":1,"pay_time":"2021-03-25 12:03:00","user_id":12345678901234567890}');
    const b = readText('{"order_id":9007199254740992,"order_time":"2021-03-25 12:02:02","real_pay":1,"pay_time":"2021-03-25 12:03:00"}');
    expect(a).toMatchObject({ orderId: '9007199254740993', userId: '12345678901234567890' });
    expect(b).toMatchObject({ orderId: '9007199254740992' });
  });

  it('reads a big-number id exactly however the message spells, nests or repeats the key', () => {
    const rest = '"order_time":"2021-03-25 12:02:02","real_pay":1,"pay_time":"2021-03-25 12:03:00"';
    expect(readText(`{ "order_id" :\n 9007199254740993 ,${rest}}`)).toMatchObject({ orderId: '9007199254740993' });
    expect(readText(`{"x":{"order_id":9007199254740995},"order_id":9007199254740993,${rest}}`)).toMatchObject({ orderId: '9007199254740993' });
    expect(readText(`{"x \\"order_id":9007199254740995,"order\\u005fid":9007199254740993,${rest}}`)).toMatchObject({ orderId: '9007199254740993' });
    expect(readText(`{"order_id":1,${rest.replace('"real_pay":1', '"real_pay":0.12345650000000000001')}}`)).toMatchObject({ realPay: 123_457 });
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

  it('rejects, without throwing, a big-number id in a message nested too deep to read twice', () => {
    const text = `{"order_id":12345678901234567890,"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(readText(text)).toMatch(/^order_id: /);
  });

  it('takes 7 and "7" as one user and one order id', () => {
    expect(read({ user_id: 7, order_id: 7 })).toMatchObject({ userId: '7', orderId: '7' });
    expect(read({ user_id: '7', order_id: '7' })).toMatchObject({ userId: '7', orderId: '7' });
  });

  it('counts the order but not the user when user_id is null or of another type', () => {
    for (const userId of [null, undefined, true, 1.5, {}]) expect(read({ user_id: userId })).toMatchObject({ userId: null });
  });

  it('lets unpaid records through as unpaid (the day filter counts them), not as rejects', () => {
    expect(read({ pay_time: null })).toMatchObject({ payTime: null });
    expect(read({ pay_time: undefined })).toMatchObject({ payTime: null });
    expect(read({ real_pay: null })).toMatchObject({ realPay: null });
  });

  it('reads amounts as numbers and as numeric strings with spaces, exactly', () => {
    expect(read({ real_pay: ' 7 ' })).toMatchObject({ realPay: 7_000_000 });
    expect(read({ real_pay: 66.6 })).toMatchObject({ realPay: 66_600_000 });
    expect(readText('{"order_id":"1","order_time":"2021-03-25 12:02:02","real_pay":123456789012.123456,"pay_time":"2021-03-25 12:03:00"}')).toMatchObject({
      realPay: 123_456_789_012_123_456n,
    });
  });

  it('never rejects for pay_amount, user_name or area_id, and treats a non-string channel as unknown', () => {
    expect(read({ pay_amount: 'lots', user_name: 5, area_id: null, order_channel: 42 })).toMatchObject({ channel: null });
  });
});
