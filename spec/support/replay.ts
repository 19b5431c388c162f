/** Replays lines through the pipeline in virtual time and keeps the table its flushes make. */
import { from, VirtualTimeScheduler } from 'rxjs';
import { createCounters, type Batch, type PipelineCounters, type RawRecord, type Reject } from '../../src/core/batch.ts';
import type { DaySelection } from '../../src/core/business-day.ts';
import type { MessageReader } from '../../src/core/change-envelope.ts';
import type { Flush } from '../../src/operators/buffer-flush.ts';
import { salesPipeline } from '../../src/pipeline.ts';
import { sortRows, type ExpectedRow } from './reference.ts';
import { positionAfter } from '../../src/core/positions.ts';

/** What a replay left behind. */
export interface ReplayResult {
  readonly rows: ExpectedRow[];
  readonly rejects: Reject[];
  readonly counters: PipelineCounters;
  readonly flushes: Flush[];
  /** The history table its flushes make, per `begin_time|channel_code|minute`, without the minutes that hold zero. */
  readonly minutes: Map<string, { gmvAttos: bigint; orders: number }>;
}

/** Cuts lines into batches of `batchSize`, as a source would, numbering them like file lines. */
export function toBatches(lines: readonly string[], batchSize: number, source = 'file:test.jsonl'): Batch<RawRecord>[] {
  const batches: Batch<RawRecord>[] = [];
  for (let start = 0; start < lines.length; start += batchSize) {
    const items = lines.slice(start, start + batchSize).map((value, i) => ({ value, partition: 0, offset: start + i + 1 }));
    batches.push({ source, items, rejects: [], progress: [{ partition: 0, next: positionAfter(start + items.length) }] });
  }
  return batches;
}

/** Runs the lines through the whole pipeline and applies each flush to an in-memory table. */
export function replay(lines: readonly string[], days: DaySelection, cut: { batchSize?: number; flushRows?: number; read?: MessageReader } = {}): ReplayResult {
  const scheduler = new VirtualTimeScheduler();
  const counters = createCounters();
  const table = new Map<string, ExpectedRow>();
  const rejects: Reject[] = [];
  const flushes: Flush[] = [];
  const minutes = new Map<string, { gmvAttos: bigint; orders: number }>();
  from(toBatches(lines, cut.batchSize ?? 1000))
    .pipe(salesPipeline({ days, zone: 'UTC', counters, scheduler, flushRows: cut.flushRows ?? 1000, ...(cut.read && { read: cut.read }) }))
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
      for (const group of flush.history) {
        const prefix = `${group.beginTime}|${group.channelCode}|`;
        if (group.whole) for (const key of [...minutes.keys()]) if (key.startsWith(prefix)) minutes.delete(key);
        for (const m of group.minutes) minutes.set(`${prefix}${m.minute}`, { gmvAttos: exactAttos(m.gmvText), orders: m.orderCount });
      }
      rejects.push(...flush.rejects);
    });
  scheduler.flush();
  for (const [key, figures] of minutes) if (figures.orders === 0 && figures.gmvAttos === 0n) minutes.delete(key);
  return { rows: sortRows([...table.values()]), rejects, counters, flushes, minutes };
}

/** Exact decimal text ("986.5", "0.000001") as atto-units, of any size; -1 when it is not such text (never equal to a reference). */
export function exactAttos(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{0,18}))?$/.exec(text);
  return match === null ? -1n : BigInt(match[1]!) * 10n ** 18n + BigInt((match[2] ?? '').padEnd(18, '0'));
}
