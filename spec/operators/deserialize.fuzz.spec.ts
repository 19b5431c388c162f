/**
 * The input contract under fuzzing: arbitrary bytes, arbitrary JSON, valid orders with any field
 * replaced by arbitrary JSON, escapes and duplicate keys sprinkled in, nesting of any depth. For
 * every message, nothing throws out of the deserialize stage, it is exactly one of counted,
 * filtered or rejected, a valid order's fields come out exactly as written, and a reason is one line.
 * The expectations come from JSON.parse and plain rules written here, not from the code checked.
 */
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createCounters, type Batch, type RawRecord } from '../../src/core/batch.ts';
import { toAttos } from '../../src/core/money.ts';
import type { Order, PaidOrder } from '../../src/core/order.ts';
import { parseTimestamp } from '../../src/core/order-time.ts';
import { deserialize } from '../../src/operators/deserialize.ts';
import { filterDay } from '../../src/operators/filter-day.ts';

const DAY = '2021-03-25';
const RUNS = Number(process.env.TRADEFLOW_FUZZ_RUNS ?? 5000);

type Outcome = { kind: 'counted'; order: PaidOrder } | { kind: 'filtered' } | { kind: 'rejected'; reason: string };

/** One message through deserialize and the day filter, as the pipeline runs them. */
function outcomeOf(value: string | Uint8Array): Outcome {
  const counters = createCounters();
  const batch: Batch<RawRecord> = { source: 'fuzz', items: [{ value, partition: 0, offset: 1 }], rejects: [], progress: [] };
  let out: Batch<PaidOrder> | undefined;
  from([batch])
    .pipe(deserialize({ counters, clock: () => 0 }), filterDay({ days: { kind: 'fixed', day: DAY }, counters, clock: () => 0 }))
    .subscribe((made) => (out = made));
  const counted = out?.items.length ?? 0;
  expect(counters.read).toBe(1);
  expect(counted + counters.filtered + counters.rejected).toBe(1);
  if (counters.rejected === 1) {
    const reason = out?.rejects[0]?.reason ?? '';
    expect(reason).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(reason.length).toBeGreaterThan(0);
    expect(reason.length).toBeLessThanOrEqual(255);
    expect(reason).not.toMatch(/^internal:/); // nothing threw
    return { kind: 'rejected', reason };
  }
  return counted === 1 ? { kind: 'counted', order: out!.items[0]! } : { kind: 'filtered' };
}

const BASE: Readonly<Record<string, string>> = {
  order_id: '"o-1"', order_channel: '"webShop"', order_time: '"2021-03-25 10:00:00"', pay_amount: '"9.00"',
  real_pay: '"9.50"', pay_time: '"2021-03-25 10:00:05"', user_id: '"u1"', user_name: '"Bob"', area_id: '"330106"',
};
const FIELDS = Object.keys(BASE);
const USED = new Set(['order_id', 'order_channel', 'order_time', 'real_pay', 'pay_time', 'user_id']);

function message(fields: Readonly<Record<string, string>>): string {
  return `{${Object.entries(fields).map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(',')}}`;
}

/** What a message of these fields must come out as, by SEMANTICS.md section 1 (the field texts parse as JSON). */
function expected(fields: Readonly<Record<string, string>>): { kind: 'rejected'; field: string } | { kind: 'filtered' } | { kind: 'counted'; fields: Partial<Order> } {
  const value = (name: string): unknown => (fields[name] === undefined ? undefined : JSON.parse(fields[name]));
  const integerText = (name: string): string | undefined => (typeof value(name) === 'number' && /^-?\d+$/.test(fields[name]!) ? fields[name] : undefined);
  const text = (name: string): string | undefined => (typeof value(name) === 'string' ? (value(name) as string) : undefined);
  const orderId = text('order_id') || integerText('order_id');
  if (orderId === undefined || orderId === '') return { kind: 'rejected', field: 'order_id' };
  const orderTime = text('order_time');
  if (orderTime === undefined || parseTimestamp(orderTime) === undefined) return { kind: 'rejected', field: 'order_time' };
  const payValue = value('pay_time');
  const payTime = payValue === undefined || payValue === null ? null : text('pay_time');
  if (payTime === undefined || (payTime !== null && parseTimestamp(payTime) === undefined)) return { kind: 'rejected', field: 'pay_time' };
  const payJson = value('real_pay');
  let attos: bigint | null = null;
  if (payJson !== undefined && payJson !== null) {
    const amountText = typeof payJson === 'number' ? fields.real_pay! : typeof payJson === 'string' ? payJson.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '') : undefined;
    const exact = amountText === undefined ? undefined : exactAmount(amountText);
    if (exact === undefined) return { kind: 'rejected', field: 'real_pay' };
    attos = exact;
  }
  const userId = text('user_id') ?? integerText('user_id') ?? null;
  const channel = text('order_channel') ?? null;
  if (payTime === null || attos === null || !payTime.startsWith(DAY)) return { kind: 'filtered' };
  const short = (id: string): string | undefined => (id.length > 128 ? undefined : id);
  return { kind: 'counted', fields: { ...(short(orderId) && { orderId }), payTime, userId: userId === null ? null : (short(userId) ?? (expect.stringMatching(/^sha256:/) as unknown as string)), channel, realPay: attos as unknown as bigint } };
}

/** An accepted amount in atto-units: a decimal, not negative, at most 18 places, at most 10^15; else undefined. */
function exactAmount(text: string): bigint | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const digits = BigInt(`${match[2] ?? ''}${match[3] ?? ''}` || '0');
  if (digits === 0n) return 0n;
  if (match[1] === '-') return undefined;
  const exponent = BigInt(match[4] ?? '0');
  if (exponent > 400n || exponent < -400n) return undefined; // far beyond 10^15, or far finer than 10^-18
  const scale = BigInt((match[3] ?? '').length) - exponent; // value = digits * 10^-scale
  const attos = scale <= 18n ? digits * 10n ** (18n - scale) : digits % 10n ** (scale - 18n) === 0n ? digits / 10n ** (scale - 18n) : undefined;
  if (attos === undefined || attos > 10n ** 33n) return undefined;
  return attos;
}

function check(fields: Readonly<Record<string, string>>, text = message(fields)): void {
  const want = expected(fields);
  const got = outcomeOf(text);
  if (want.kind === 'rejected') {
    expect(got.kind).toBe('rejected');
    expect((got as { reason: string }).reason.startsWith(`${want.field}: `)).toBe(true);
  } else if (want.kind === 'filtered') {
    expect(got).toEqual({ kind: 'filtered' });
  } else {
    expect(got.kind).toBe('counted');
    const order = (got as { order: PaidOrder }).order;
    expect({ ...order, realPay: toAttos(order.realPay) }).toMatchObject(want.fields);
  }
}

/** JSON texts of any kind: what JSON.stringify writes, and numbers as producers spell them. */
const jsonText = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.stringMatching(/^-?(0|[1-9]\d{0,40})(\.\d{1,25})?([eE][+-]?\d{1,3})?$/) },
  { weight: 1, arbitrary: fc.constantFrom('1.0', '1e2', '-0', '0', '7.0', '-1e-400', '1e400', '" 7 "', '"\\u0037"', '"2021-03-25 10:00:01"', '"-0.00"', '""', '"\\u2028"') },
);

describe('deserialize, fuzzed', () => {
  it('takes any bytes and any text without a throw, as exactly one of counted, filtered or rejected', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 })), (value) => {
        outcomeOf(value);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('rejects any JSON value that is not an order, saying so in one line', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const got = outcomeOf(JSON.stringify(value));
        if (typeof value !== 'object' || value === null || Array.isArray(value)) expect(got).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^not a JSON object \(got /) });
        else expect(got.kind).toBe('rejected'); // an object without order_id
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('reads a valid order with any one field replaced by arbitrary JSON by the contract, field by field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), jsonText, (field, json) => {
        const fields = { ...BASE, [field]: json };
        check(fields);
        if (!USED.has(field)) expect(outcomeOf(message(fields)).kind).toBe('counted'); // unused fields never reject
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('reads the same order through escapes and duplicate keys, the last of each key counting', () => {
    const escape = (text: string, mask: readonly boolean[]): string =>
      [...text].map((char, i) => (mask[i % mask.length] ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char === '"' || char === '\\' ? `\\${char}` : char)).join('');
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.constantFrom(...FIELDS), jsonText), { maxLength: 5 }),
        fc.constantFrom(...FIELDS),
        (mask, duplicates, escapedKey) => {
          const stringFields = Object.fromEntries(
            Object.entries(BASE).map(([key, json]) => [key, json.startsWith('"') ? `"${escape(JSON.parse(json) as string, mask)}"` : json]),
          );
          // Earlier duplicates with any value, then the order itself: JSON's last key wins.
          const parts = [
            ...duplicates.map(([key, json]) => `${JSON.stringify(key)}:${json}`),
            ...Object.entries(stringFields).map(([key, json]) => `"${key === escapedKey ? escape(key, [true]) : key}":${json}`),
          ];
          check(BASE, `{${parts.join(',')}}`);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('rejects nesting 200,000 deep in a field it reads, counts it in a field it does not, and never throws', () => {
    for (const field of FIELDS) {
      for (const [open, close] of [['[', ']'], ['{"":', '}']] as const) {
        const deep = `${open.repeat(200_000)}${open === '[' ? '' : '1'}${close.repeat(200_000)}`;
        const got = outcomeOf(message({ ...BASE, [field]: deep }));
        if (USED.has(field) && field !== 'order_channel' && field !== 'user_id') expect(got).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(new RegExp(`^${field}: `)) });
        else expect(got.kind).toBe('counted');
      }
    }
  }, 60_000);
});
