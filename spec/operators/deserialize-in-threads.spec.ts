import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createCounters, type Batch, type RawRecord } from '../../src/core/batch.ts';
import { messageReader } from '../../src/core/change-envelope.ts';
import { createFeedCheck } from '../../src/core/feed-check.ts';
import { readOrder } from '../../src/core/order.ts';
import { MAX_MESSAGE_BYTES } from '../../src/core/reject.ts';
import { deserialize } from '../../src/operators/deserialize.ts';
import { deserializeInThreads } from '../../src/operators/deserialize-in-threads.ts';
import { readPool } from '../../src/workers/read-pool.ts';
import { orderRecord } from '../support/order-arbitraries.ts';

const value = fc.oneof({ weight: 8, arbitrary: orderRecord.map((r) => r.json) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 30 }) }, { weight: 1, arbitrary: orderRecord.map((r) => new TextEncoder().encode(r.json)) });
const batches = fc.array(fc.array(value, { maxLength: 40 }), { maxLength: 12 });

function batchesOf(values: readonly (readonly (string | Uint8Array)[])[]): Batch<RawRecord>[] {
  let offset = 0;
  return values.map((items) => ({ source: 'kafka:orders', items: items.map((v) => ({ value: v, partition: offset % 3, offset: offset++ })), rejects: [], progress: [] }));
}

describe('deserialize in reading threads', () => {
  const tutorial = readPool({ threads: 3, zone: 'Asia/Shanghai', maxRecordBytes: MAX_MESSAGE_BYTES });
  const canal = readPool({ threads: 2, zone: 'Asia/Shanghai', maxRecordBytes: MAX_MESSAGE_BYTES, layout: { format: 'canal-json' } });
  afterAll(async () => {
    await tutorial.close();
    await canal.close();
  });

  it('gives, batch by batch and in order, the orders, rejects, counters and feed outcomes of reading on this thread (property)', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (values) => {
        const here = { counters: createCounters(), check: createFeedCheck({ maxRejectedShare: 0.5, firstMessages: 50 }) };
        const there = { counters: createCounters(), check: createFeedCheck({ maxRejectedShare: 0.5, firstMessages: 50 }) };
        const expected = await lastValueFrom(from(batchesOf(values)).pipe(deserialize({ counters: here.counters, clock: () => 7, feedCheck: here.check }), toArray()));
        const got = await lastValueFrom(from(batchesOf(values)).pipe(deserializeInThreads(tutorial, { counters: there.counters, clock: () => 7, feedCheck: there.check }), toArray()));
        expect(got).toEqual(expected);
        expect(there.counters).toEqual(here.counters);
        expect(there.check.refusal).toEqual(here.check.refusal);
      }),
      { numRuns: 60 },
    );
  });

  it('reads change messages with the layout the threads were started with, row by row as this thread does (property)', async () => {
    const read = messageReader('canal-json', readOrder);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.tuple(fc.array(orderRecord.map((r) => r.json), { maxLength: 3 }), fc.constantFrom('INSERT', 'DELETE')), { maxLength: 20 }), { maxLength: 6 }), async (messages) => {
        const values = messages.map((batch) => batch.map(([rows, type]) => `{"data":[${rows.join(',')}],"type":"${type}","isDdl":false}`));
        const [here, there] = [createCounters(), createCounters()];
        const expected = await lastValueFrom(from(batchesOf(values)).pipe(deserialize({ counters: here, clock: () => 7, read }), toArray()));
        const got = await lastValueFrom(from(batchesOf(values)).pipe(deserializeInThreads(canal, { counters: there, clock: () => 7 }), toArray()));
        expect(got).toEqual(expected);
        expect(there).toEqual(here);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a message over the size limit unread, as this thread does, and a line cut short by the file source by its size', async () => {
    const small = readPool({ threads: 1, zone: 'UTC', maxRecordBytes: 64 });
    try {
      const items: RawRecord[] = [{ value: 'x'.repeat(65), partition: 0, offset: 1 }, { value: '{"order_id":', partition: 0, offset: 2, truncatedFrom: 5_000_000 }];
      const [batch] = await lastValueFrom(from([{ source: 'file:x', items, rejects: [], progress: [] }]).pipe(deserializeInThreads(small, { counters: createCounters(), clock: () => 0 }), toArray()));
      expect(batch!.rejects.map((r) => r.reason)).toEqual(['message larger than 64 bytes', 'message larger than 64 bytes']);
      expect(batch!.rejects[1]!.rawBytes).toBe(5_000_000);
    } finally {
      await small.close();
    }
  });
});
