import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createCounters, type Batch, type RawRecord } from '../../src/core/batch.ts';
import { readOrder } from '../../src/core/order.ts';
import { deserialize } from '../../src/operators/deserialize.ts';
import { positionAfter } from '../../src/core/positions.ts';

const GOOD = '{"order_id":"1","order_channel":"webShop","order_time":"2021-03-25 10:00:00","real_pay":"5","pay_time":"2021-03-25 10:00:01","user_id":"u1"}';

function batchOf(values: readonly (string | Uint8Array)[]): Batch<RawRecord> {
  return { source: 'kafka:orders', items: values.map((value, i) => ({ value, partition: 0, offset: i })), rejects: [], progress: [{ partition: 0, next: positionAfter(values.length - 1) }] };
}

async function run(values: readonly (string | Uint8Array)[], read?: Parameters<typeof deserialize>[0]['read']) {
  const counters = createCounters();
  const [out] = await lastValueFrom(from([batchOf(values)]).pipe(deserialize({ counters, clock: () => 0, ...(read && { read }) }), toArray()));
  return { out: out!, counters };
}

describe('deserialize', () => {
  it('makes a record whose handling throws a reject with reason internal, counted apart, and goes on with the rest', async () => {
    const exploding = (text: string, record: RawRecord) => {
      if (record.offset === 1) throw new RangeError('Maximum call stack size exceeded\n    at describe (order.ts:1:1)');
      return readOrder(text, record);
    };
    const { out, counters } = await run([GOOD, GOOD, GOOD], exploding);
    expect(out.items.map((order) => order.record.offset)).toEqual([0, 2]);
    expect(out.rejects).toEqual([expect.objectContaining({ offset: 1, reason: 'internal: RangeError: Maximum call stack size exceeded at describe (order.ts:1:1)', raw: GOOD })]);
    expect(counters).toMatchObject({ read: 3, rejected: 1, internal: 1 });
  });

  it('survives a throw of anything, even a value that cannot be turned into text', async () => {
    const hostile = { toString: () => { throw new Error('no'); }, [Symbol.toPrimitive]: () => { throw new Error('no'); } };
    const { out } = await run([GOOD], () => { throw hostile; });
    expect(out.rejects[0]?.reason).toBe('internal: [object Object]');
  });

  it('rejects a JSON array nested 200,000 deep, in the message or in a field it reads, and counts the good ones around it', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const inField = GOOD.replace('"real_pay":"5"', `"real_pay":${deep}`);
    const { out, counters } = await run([GOOD, deep, inField, `{"x":${'{"":'.repeat(200_000)}1${'}'.repeat(200_000)},${GOOD.slice(1)}`]);
    expect(out.rejects.map((r) => [r.offset, r.reason])).toEqual([
      [1, 'not a JSON object (got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...)'],
      [2, 'real_pay: not a decimal number (got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...)'],
    ]);
    expect(out.items.map((order) => order.record.offset)).toEqual([0, 3]);
    expect(counters).toMatchObject({ read: 4, rejected: 2, internal: 0 });
  });

  it('rejects bytes that are not UTF-8, a message over the cap unread, and one that holds only its start', async () => {
    const huge = `{"order_id":"1","pad":"${'x'.repeat(1 << 20)}"}`;
    const { out } = await run([Uint8Array.from([0x7b, 0xff, 0x7d]), huge, GOOD]);
    const truncated: RawRecord = { value: '{"order_id":"1","pad":"xxxx', partition: 0, offset: 9, truncatedFrom: 200 * 2 ** 20 };
    const counters = createCounters();
    const [cut] = await lastValueFrom(from([{ ...batchOf([]), items: [truncated] }]).pipe(deserialize({ counters, clock: () => 0 }), toArray()));
    expect(out.rejects.map((r) => [r.reason, r.rawBytes])).toEqual([['not valid UTF-8', 3], ['message larger than 1048576 bytes', huge.length]]);
    expect(out.rejects[1]?.raw).toHaveLength(4096);
    expect(cut?.rejects).toEqual([expect.objectContaining({ reason: 'message larger than 1048576 bytes', rawBytes: 200 * 2 ** 20, raw: truncated.value })]);
  });

  it('names a byte order mark in a message instead of hiding it, and takes white space only as an empty message', async () => {
    const { out } = await run([Buffer.from(`\ufeff${GOOD}`), '\u00a0', ' \u00a0 \u3000', '']);
    expect(out.rejects.map((r) => r.reason)).toEqual(['not valid JSON: it starts with a byte order mark (U+FEFF)', 'empty message', 'empty message', 'empty message']);
  });
});
