import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, orderStream } from './support/order-arbitraries.ts';
import { bruteForce, bruteForceMinutes, tutorialSql } from './support/reference.ts';
import { replay } from './support/replay.ts';

const RUNS = 1000;

describe('the sales pipeline', () => {
  it('gives the table of a brute-force recomputation and of the tutorial SQL for any stream of one day', () => {
    fc.assert(
      fc.property(orderStream, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 40 }), (records, batchSize, flushRows) => {
        const { rows } = replay(records.map((r) => r.json), { kind: 'fixed', day: DAY }, { batchSize, flushRows });
        const meanings = records.map((r) => r.meaning);
        expect(rows).toEqual(bruteForce(meanings, [DAY]));
        expect(rows).toEqual(tutorialSql(meanings, DAY));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('gives, with --days all, what running each day on its own gives', () => {
    fc.assert(
      fc.property(orderStream, fc.integer({ min: 1, max: 25 }), (records, batchSize) => {
        const { rows } = replay(records.map((r) => r.json), { kind: 'all' }, { batchSize });
        const meanings = records.map((r) => r.meaning);
        expect(rows).toEqual(bruteForce(meanings, 'all'));
        const days = [...new Set(rows.map((row) => row.beginTime.slice(0, 10)))];
        expect(rows).toEqual(days.sort().flatMap((day) => tutorialSql(meanings, day)));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('does not depend on how the stream is cut into micro-batches and flushes', () => {
    fc.assert(
      fc.property(orderStream, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), (records, batchSize, flushRows) => {
        const lines = records.map((r) => r.json);
        const whole = replay(lines, { kind: 'all' });
        const cut = replay(lines, { kind: 'all' }, { batchSize, flushRows });
        expect(cut.rows).toEqual(whole.rows);
        expect(cut.rejects.map((r) => r.offset)).toEqual(whole.rejects.map((r) => r.offset));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('keeps per group and minute of pay_time what a brute-force recomputation gives, however the stream is cut', () => {
    fc.assert(
      fc.property(orderStream, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 40 }), (records, batchSize, flushRows) => {
        const { rows, minutes } = replay(records.map((r) => r.json), { kind: 'all' }, { batchSize, flushRows });
        const meanings = records.map((r) => r.meaning);
        expect(minutes).toEqual(bruteForceMinutes(meanings, 'all'));
        // The minutes of a group add up to its row.
        for (const row of rows) {
          const ofRow = [...minutes].filter(([key]) => key.startsWith(`${row.beginTime}|${row.channelCode}|`)).map(([, figures]) => figures);
          expect(ofRow.reduce((sum, m) => sum + m.gmvAttos, 0n)).toBe(row.gmvAttos);
          expect(ofRow.reduce((sum, m) => sum + m.orders, 0)).toBe(row.orderCount);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('rejects exactly the records that break a rule, each once, with its line', () => {
    fc.assert(
      fc.property(orderStream, (records) => {
        const { rejects, counters } = replay(records.map((r) => r.json), { kind: 'fixed', day: DAY }, { batchSize: 7, flushRows: 5 });
        const expected = records.flatMap((r, i) => (r.meaning.order === null ? [i + 1] : []));
        expect(rejects.map((r) => r.offset)).toEqual(expected);
        expect(counters.rejected).toBe(expected.length);
        expect(counters.read).toBe(records.length);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
