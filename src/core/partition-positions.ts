/** Which kept per-partition states a stage may go on with after a rebalance. */

/**
 * The owned partitions whose state must be rebuilt by reading them again: those without a kept
 * state, and those whose state is not exactly at the group's committed offset. Ahead of it, the
 * state holds orders of a transaction that was aborted; behind it, another instance owned the
 * partition meanwhile and went on.
 */
export function partitionsToRebuild(keptAt: ReadonlyMap<number, number>, owned: readonly number[], committed: ReadonlyMap<number, number>): number[] {
  return owned.filter((partition) => keptAt.get(partition) === undefined || keptAt.get(partition) !== committed.get(partition));
}
