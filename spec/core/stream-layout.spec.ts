/**
 * Any shop's layout gives the table the tutorial's layout gives for the same orders: random
 * streams written with renamed fields, in every time format, and as Canal and Debezium change
 * messages with deletes (applied as retractions by the reference).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamReader } from '../../src/core/stream-layout.ts';
import { jobFileOf, writeInLayout, type LayoutName } from '../../src/generate/layouts.ts';
import { readJobFile } from '../../src/cli/job-file.ts';
import { orderStream, type GeneratedRecord } from '../support/order-arbitraries.ts';
import { bruteForce, bruteForceChanges } from '../support/reference.ts';
import { replay } from '../support/replay.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../support/cli.ts';

const RUNS = 300;
// Half an hour off UTC: a conversion that handles only whole hours is caught.
const ZONE = 'Asia/Kolkata';

/** The reader the CLI makes of a layout's job file. */
function readerOf(layout: LayoutName) {
  const config = jobFileOf(layout);
  const file = join(scratchDir(), 'tradeflow.json');
  writeFileSync(file, JSON.stringify(config ?? {}));
  return streamReader(readJobFile(file).layout, ZONE);
}

describe('a stream in any layout', () => {
  it.each(['camel-case', 'iso-8601', 'epoch-seconds', 'epoch-millis'] as const)('gives in the %s layout the table of the same orders in the tutorial layout', (layout) => {
    const read = readerOf(layout);
    fc.assert(
      fc.property(orderStream, fc.integer({ min: 1, max: 25 }), (records, batchSize) => {
        const lines = records.map((record, i) => writeInLayout(layout, [record.json], ZONE, 'insert', i));
        const { rows } = replay(lines, { kind: 'all' }, { batchSize, read });
        expect(rows).toEqual(bruteForce(records.map((r) => r.meaning), 'all'));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  /** Records, each an upsert or a delete, cut into messages (Canal: consecutive records of one kind, up to 3 rows a message). */
  const changeStream = fc.array(fc.tuple(fc.constantFrom(false, false, false, true), fc.integer({ min: 1, max: 3 })), { maxLength: 60 }).chain((ops) =>
    orderStream.map((records) => records.map((record, i): [GeneratedRecord, boolean, number] => [record, ops[i]?.[0] ?? false, ops[i]?.[1] ?? 1])),
  );

  it.each(['canal-json', 'debezium-json'] as const)('gives in %s with deletes the table of the same orders with the deletes as retractions', (layout) => {
    const read = readerOf(layout);
    fc.assert(
      fc.property(changeStream, fc.integer({ min: 1, max: 25 }), (changes, batchSize) => {
        const lines: string[] = [];
        const applied: { meaning: GeneratedRecord['meaning']; deleted: boolean }[] = [];
        for (let i = 0; i < changes.length; ) {
          const [, deleted, rows] = changes[i]!;
          // Canal: several rows in one message when the records are objects of one kind; Debezium: one row each.
          let end = i + 1;
          const objects = (n: number) => changes[n]![0].json.startsWith('{') && changes[n]![0].meaning.order !== null;
          if (layout === 'canal-json' && objects(i)) while (end < changes.length && end - i < rows && changes[end]![1] === deleted && objects(end)) end += 1;
          const part = changes.slice(i, end);
          lines.push(writeInLayout(layout, part.map(([record]) => record.json), ZONE, deleted ? 'delete' : 'update', lines.length));
          for (const [record] of part) applied.push({ meaning: record.meaning, deleted });
          i = end;
        }
        const { rows } = replay(lines, { kind: 'all' }, { batchSize, read });
        expect(rows).toEqual(bruteForceChanges(applied, 'all'));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
