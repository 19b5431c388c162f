import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/core/batch.ts';
import { messageReader } from '../../src/core/change-envelope.ts';
import { decodeOutcomes, encodeOutcomes } from '../../src/core/outcome-codec.ts';
import { readOrder } from '../../src/core/order.ts';
import { readOutcome, type ReadOutcome } from '../../src/core/read-outcome.ts';
import { orderRecord } from '../support/order-arbitraries.ts';

const canal = messageReader('canal-json', readOrder);
const recordsOf = (values: readonly (string | Uint8Array)[]): RawRecord[] => values.map((value, offset) => ({ value, partition: 3, offset }));
const roundTrip = (outcomes: readonly ReadOutcome[], records: readonly RawRecord[]): ReadOutcome[] => decodeOutcomes(encodeOutcomes(outcomes), records);

describe('the outcomes of a batch read on another thread', () => {
  it('come back exactly as read, orders with their records, rejects with their reasons (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 8, arbitrary: orderRecord.map((r) => r.json) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.string() }), { maxLength: 80 }), (values) => {
        const records = recordsOf(values);
        const outcomes = records.map((record) => readOutcome(record, 1 << 20, readOrder));
        expect(roundTrip(outcomes, records)).toEqual(outcomes);
      }),
      { numRuns: 300 },
    );
  });

  it('carry the rows of change messages, a delete, a bad row and one with no rows at all (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(orderRecord.map((r) => r.json), { maxLength: 4 }), fc.constantFrom('INSERT', 'UPDATE', 'DELETE')), { maxLength: 30 }), (messages) => {
        const records = recordsOf(messages.map(([rows, type]) => `{"data":[${rows.join(',')}],"type":"${type}","isDdl":false}`));
        const outcomes = records.map((record) => readOutcome(record, 1 << 20, canal));
        expect(roundTrip(outcomes, records)).toEqual(outcomes);
      }),
      { numRuns: 200 },
    );
  });

  it('keep an amount beyond 2^53 micro-units to its last digit, nulls as nulls, and an internal failure apart from a reject', () => {
    const big = '{"order_id":"9","order_channel":null,"order_time":"2021-03-25 10:00:00","real_pay":"999999999999999.123456789012345678","pay_time":"2021-03-25 10:00:01"}';
    const records = recordsOf([big, 'not json', '']);
    const outcomes: ReadOutcome[] = [readOutcome(records[0]!, 1 << 20, readOrder), 'not json at all', { internal: 'internal: RangeError: too deep' }];
    expect(typeof (outcomes[0] as { realPay: unknown }).realPay).toBe('bigint');
    expect(roundTrip(outcomes, records)).toEqual(outcomes);
    expect((roundTrip(outcomes, records)[0] as { record: RawRecord }).record).toBe(records[0]);
  });
});
