import { describe, expect, it } from 'vitest';
import { partitionsToRebuild } from '../../src/core/partition-positions.ts';

describe('partitionsToRebuild', () => {
  const committed = new Map([[0, 100], [1, 200], [2, 300], [3, 0]]);

  it('keeps a state that is exactly at the committed offset', () => {
    expect(partitionsToRebuild(new Map([[0, 100], [3, 0]]), [0, 3], committed)).toEqual([]);
  });

  it('rebuilds a state ahead of the committed offset: it holds orders of an aborted transaction', () => {
    expect(partitionsToRebuild(new Map([[0, 150]]), [0], committed)).toEqual([0]);
  });

  it('rebuilds a state behind the committed offset: another instance went on meanwhile', () => {
    expect(partitionsToRebuild(new Map([[1, 120]]), [1], committed)).toEqual([1]);
  });

  it('rebuilds a partition new to the instance, and ignores kept states of partitions it no longer owns', () => {
    expect(partitionsToRebuild(new Map([[0, 100], [1, 200]]), [0, 2], committed)).toEqual([2]);
  });
});
