/** Replays lines through the pipeline in virtual time and keeps the table its flushes make. */
import { from, VirtualTimeScheduler } from 'rxjs';
import { createCounters, type Batch, type PipelineCounters, type RawRecord, type Reject } from '../../src/core/batch.ts';
import type { DaySelection } from '../../src/core/business-day.ts';
import type { Flush } from '../../src/operators/buffer-flush.ts';
import { salesPipeline } from '../../src/pipeline.ts';
import { sortRows, type ExpectedRow } from './reference.ts';

/** What a replay left behind. */
export interface ReplayResult {
  readonly rows: ExpectedRow[];
  readonly rejects: Reject[];
  readonly counters: PipelineCounters;
  readonly flushes: Flush[];
}

/** Cuts lines into batches of `batchSize`, as a source would, numbering them like file lines. */
export function toBatches(lines: readonly string[], batchSize: number, source = 'file:test.jsonl'): Batch<RawRecord>[] {
  const batches: Batch<RawRecord>[] = [];
  for (let start = 0; start < lines.length; start += batchSize) {
    const items = lines.slice(start, start + batchSize).map((value, i) => ({ value, partition: 0, offset: start + i + 1 }));
    batches.push({ source, items, rejects: [], progress: [{ partition: 0, offset: start + items.length }] });
  }
  return batches;
}

/** Runs the lines through the whole pipeline and applies each flush to an in-memory table. */
export function replay(lines: readonly string[], days: DaySelection, cut: { batchSize?: number; flushRows?: number } = {}): ReplayResult {
  const scheduler = new VirtualTimeScheduler();
  const counters = createCounters();
  const table = new Map<string, ExpectedRow>();
  const rejects: Reject[] = [];
  const flushes: Flush[] = [];
  from(toBatches(lines, cut.batchSize ?? 1000))
    .pipe(salesPipeline({ days, zone: 'UTC', counters, scheduler, flushRows: cut.flushRows ?? 1000 }))
    .subscribe((flush) => {
      flushes.push(flush);
      for (const row of flush.upserts) {
        table.set(`${row.beginTime}|${row.channelCode}`, {
          beginTime: row.beginTime,
          channelCode: row.channelCode,
          channelName: row.figures.channelName,
          gmvAttos: exactAttos(row.figures.gmvText),
          userCount: row.figures.userCount,
          orderCount: row.figures.orderCount,
          lastPayTime: row.figures.lastPayTime,
        });
      }
      for (const key of flush.deletes) table.delete(`${key.beginTime}|${key.channelCode}`);
      rejects.push(...flush.rejects);
    });
  scheduler.flush();
  return { rows: sortRows([...table.values()]), rejects, counters, flushes };
}

/** Exact decimal text ("986.5", "0.000001") as atto-units, of any size; -1 when it is not such text (never equal to a reference). */
export function exactAttos(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{0,18}))?$/.exec(text);
  return match === null ? -1n : BigInt(match[1]!) * 10n ** 18n + BigInt((match[2] ?? '').padEnd(18, '0'));
}
