import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../src/core/channel-aggregate.ts';
import { createDedupeState } from '../../src/core/dedupe-state.ts';
import { addGroups, allRows, createGroupTable, groupTableOf, restoreGroups, snapshotGroups, tableOfGroups } from '../../src/core/group-table.ts';
import type { PaidOrder } from '../../src/core/order.ts';
import { orderStream } from '../support/order-arbitraries.ts';
import { bruteForce } from '../support/reference.ts';
import { batchesOf, byPayDay, finalTable, paidOrders, runSteps } from '../support/steps.ts';

const RUNS = 300;
const batchSize = fc.integer({ min: 1, max: 25 });

/** A row without its stamp, to compare rows computed at different times. */
const figuresOf = (rows: readonly ResultRow[]) => rows.map((row) => ({ ...row, figures: row.figures && { ...row.figures, computedAt: '' } }));

describe('the group table and the aggregate step', () => {
  it('gives, batch by batch after the dedupe step, the table of a brute-force recomputation (property)', () => {
    fc.assert(
      fc.property(orderStream, batchSize, (records, size) => {
        const rows = runSteps(createDedupeState(), createGroupTable(), batchesOf(paidOrders(records.map((r) => r.meaning)), size));
        expect(finalTable(rows)).toEqual(bruteForce(records.map((r) => r.meaning), 'all'));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('goes on after a snapshot and a restore exactly as it would have gone on, rows and minutes alike (property)', () => {
    fc.assert(
      fc.property(orderStream, orderStream, batchSize, fc.boolean(), (before, after, size, latestDayOnly) => {
        // The snapshot is taken somewhere in the paid orders of before + after.
        // Live mode sees the days in order (see byPayDay).
        const inOrder = (orders: PaidOrder[]): PaidOrder[] => (latestDayOnly ? byPayDay(orders) : orders);
        const both = inOrder(paidOrders([...before, ...after].map((r) => r.meaning)));
        const dedupeState = createDedupeState();
        const table = createGroupTable();
        runSteps(dedupeState, table, batchesOf(both.slice(0, before.length), size), latestDayOnly);
        const restored = restoreGroups(snapshotGroups(table));
        expect(snapshotGroups(restored)).toEqual(snapshotGroups(table));
        const tail = batchesOf(both.slice(before.length), size);
        const dedupeCopy = structuredClone(dedupeState);
        const continued = runSteps(dedupeState, table, tail, latestDayOnly);
        expect(runSteps(dedupeCopy, restored, tail, latestDayOnly)).toEqual(continued);
        expect(allRows(restored, 'now')).toEqual(allRows(table, 'now'));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('split into the groups of each partition, snapshotted part by part and put back together, goes on as the whole table would (property)', () => {
    fc.assert(
      fc.property(orderStream, orderStream, batchSize, fc.integer({ min: 1, max: 4 }), (before, after, size, partitions) => {
        const both = paidOrders([...before, ...after].map((r) => r.meaning));
        const dedupeState = createDedupeState();
        const table = createGroupTable();
        runSteps(dedupeState, table, batchesOf(both.slice(0, before.length), size));
        // Any assignment of groups to partitions, as the changes topic's keys make one.
        const partitionOf = (key: string): number => [...key].reduce((sum, c) => sum + c.charCodeAt(0), 0) % partitions;
        const merged = createGroupTable();
        for (let partition = 0; partition < partitions; partition++) addGroups(merged, restoreGroups(snapshotGroups(tableOfGroups(table, (key) => partitionOf(key) === partition))));
        const byKey = (rows: ResultRow[]): ResultRow[] => rows.sort((a, b) => `${a.beginTime} ${a.channelCode}`.localeCompare(`${b.beginTime} ${b.channelCode}`));
        expect(byKey(allRows(merged, 'now'))).toEqual(byKey(allRows(table, 'now')));
        const tail = batchesOf(both.slice(before.length), size);
        const dedupeCopy = structuredClone(dedupeState);
        expect(runSteps(dedupeCopy, merged, tail)).toEqual(runSteps(dedupeState, table, tail));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('keeps exact money through a snapshot: sums beyond 2^53 micro-units and to the last of 18 places', () => {
    const table = createGroupTable();
    const big = 10n ** 33n + 1n; // atto-units: 10^15 units and one atto
    runSteps(createDedupeState(), table, [
      {
        source: 'test',
        items: [
          { orderId: '1', orderTime: 1, payTime: '2021-03-25 10:00:00', realPay: big, userId: 'u1', channel: 'webShop', record: { value: '', partition: 0, offset: 0 } },
          { orderId: '2', orderTime: 1, payTime: '2021-03-25 10:00:01', realPay: Number.MAX_SAFE_INTEGER, userId: 'u2', channel: 'webShop', record: { value: '', partition: 0, offset: 1 } },
        ],
        rejects: [],
        progress: [],
      },
    ]);
    const [row] = allRows(restoreGroups(snapshotGroups(table)), 'now');
    expect(row?.figures?.gmvText).toBe('1000009007199254.740991000000000001');
  });

  it('is rebuilt from a dedupe state with the figures the steps reached, and its first rows carry every minute (property)', () => {
    fc.assert(
      fc.property(orderStream, batchSize, (records, size) => {
        const dedupeState = createDedupeState();
        const table = createGroupTable();
        runSteps(dedupeState, table, batchesOf(paidOrders(records.map((r) => r.meaning)), size));
        const rebuilt = groupTableOf(dedupeState);
        // Groups that became empty are dropped from the rebuilt table; their rows are deletions already written.
        const kept = allRows(table, 'now').filter((row) => row.figures !== null);
        const rows = allRows(rebuilt, 'now');
        expect(finalTable(rows)).toEqual(finalTable(kept));
        expect(rows.every((row) => row.history.whole)).toBe(true);
        expect(finalTable(rows)).toEqual(bruteForce(records.map((r) => r.meaning), 'all'));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('in live mode keeps only the groups of the latest day, with the figures that day has without eviction (property)', () => {
    fc.assert(
      fc.property(orderStream, batchSize, (records, size) => {
        const batches = batchesOf(byPayDay(paidOrders(records.map((r) => r.meaning))), size);
        const evicting = createGroupTable();
        const keeping = createGroupTable();
        const evictingState = createDedupeState();
        const keepingState = createDedupeState();
        let latest = '';
        for (const batch of batches) {
          runSteps(evictingState, evicting, [batch], true);
          runSteps(keepingState, keeping, [batch], false);
          for (const order of batch.items) if (order.payTime.slice(0, 10) > latest) latest = order.payTime.slice(0, 10);
          expect(new Set([...evicting.groups.values()].map((group) => group.day))).toEqual(new Set(batch.items.length > 0 ? [latest] : []));
          const ofLatest = [...keeping.groups].filter(([, group]) => group.day === latest);
          expect(figuresOf(allRows(structuredClone(evicting), 'now'))).toEqual(figuresOf(allRows({ groups: new Map(structuredClone(ofLatest)), latestDay: latest }, 'now')));
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
