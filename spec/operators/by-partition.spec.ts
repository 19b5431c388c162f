import { lastValueFrom, map, of, scan, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Batch, RawRecord } from '../../src/core/batch.ts';
import { byPartition, partitionLane } from '../../src/operators/by-partition.ts';
import { positionAfter } from '../../src/core/positions.ts';

/** A stage with state: numbers each record it has seen, as `value#n`. */
const counting = () =>
  partitionLane<string>((batches) =>
    batches.pipe(
      scan((acc, batch) => ({ seen: acc.seen + batch.items.length, batch, first: acc.seen }), { seen: 0, batch: undefined as Batch<RawRecord> | undefined, first: 0 }),
      map(({ batch, first }) => ({ source: batch!.source, items: batch!.items.map((r, i) => `${String(r.value)}#${first + i + 1}`), rejects: [], progress: batch!.progress })),
    ),
  );

const record = (partition: number, offset: number, value: string): RawRecord => ({ value, partition, offset });

describe('byPartition', () => {
  it('gives each partition its own state, keeps each partition\'s order, and keeps the batch\'s offsets', async () => {
    const lanes = new Map([[0, counting()], [1, counting()]]);
    const batches: Batch<RawRecord>[] = [
      { source: 's', items: [record(0, 0, 'a'), record(1, 0, 'x'), record(0, 1, 'b')], rejects: [], progress: [{ partition: 0, next: positionAfter(1) }, { partition: 1, next: positionAfter(0) }] },
      { source: 's', items: [record(1, 1, 'y'), record(0, 2, 'c')], rejects: [], progress: [{ partition: 1, next: positionAfter(1) }, { partition: 0, next: positionAfter(2) }] },
    ];
    const out = await lastValueFrom(of(...batches).pipe(byPartition(lanes), toArray()));
    expect(out.map((b) => [...b.items].sort())).toEqual([['a#1', 'b#2', 'x#1'], ['c#3', 'y#2']]);
    expect(out.map((b) => b.progress)).toEqual(batches.map((b) => b.progress));
  });

  it('keeps a lane\'s state from one subscription to the next, as across rebalances', async () => {
    const lanes = new Map([[0, counting()]]);
    const batch: Batch<RawRecord> = { source: 's', items: [record(0, 0, 'a')], rejects: [], progress: [{ partition: 0, next: positionAfter(0) }] };
    await lastValueFrom(of(batch).pipe(byPartition(lanes)));
    expect((await lastValueFrom(of(batch).pipe(byPartition(lanes)))).items).toEqual(['a#2']);
  });

  it('refuses a record of a partition it has no state for, naming the partition', async () => {
    const batch: Batch<RawRecord> = { source: 's', items: [record(4, 0, 'a')], rejects: [], progress: [] };
    await expect(lastValueFrom(of(batch).pipe(byPartition(new Map())))).rejects.toThrow('Cannot process partition 4: this instance has no state for it');
  });
});
