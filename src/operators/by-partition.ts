import { map, Subject, type OperatorFunction } from 'rxjs';
import type { Batch, RawRecord } from '../core/batch.ts';

/** One partition's own instance of a stage: a batch of its records in, what the stage made of it out. */
export type PartitionLane<T> = (batch: Batch<RawRecord>) => Batch<T>[];

/**
 * Runs a synchronous stage (an operator built of `map`s, like the dedupe stage) as a function,
 * so that each partition can have its own instance with its own state, kept across rebalances.
 */
export function partitionLane<T>(stage: OperatorFunction<Batch<RawRecord>, Batch<T>>): PartitionLane<T> {
  const input = new Subject<Batch<RawRecord>>();
  let out: Batch<T>[] = [];
  let failure: { error: unknown } | undefined;
  stage(input).subscribe({ next: (batch) => out.push(batch), error: (error: unknown) => (failure = { error }) });
  return (batch) => {
    input.next(batch);
    if (failure !== undefined) throw failure.error;
    const made = out;
    out = [];
    return made;
  };
}

/**
 * Splits each batch by partition (keeping the order within each), runs every part through its
 * partition's lane, and joins what they made into one batch again: items, rejects, offsets.
 */
export function byPartition<T>(lanes: ReadonlyMap<number, PartitionLane<T>>): OperatorFunction<Batch<RawRecord>, Batch<T>> {
  return map((batch) => {
    const parts = new Map<number, RawRecord[]>();
    for (const record of batch.items) {
      const part = parts.get(record.partition);
      if (part === undefined) parts.set(record.partition, [record]);
      else part.push(record);
    }
    const items: T[] = [];
    const rejects = [...batch.rejects];
    for (const [partition, records] of parts) {
      const lane = lanes.get(partition);
      if (lane === undefined) throw new RangeError(`Cannot process partition ${partition}: this instance has no state for it`);
      const progress = batch.progress.filter((p) => p.partition === partition);
      for (const made of lane({ source: batch.source, items: records, rejects: [], progress })) {
        for (const item of made.items) items.push(item);
        for (const reject of made.rejects) rejects.push(reject);
      }
    }
    return { source: batch.source, items, rejects, progress: batch.progress };
  });
}
