/**
 * The checkpoints of one Kafka run: after the base, each is a delta of what changed since the one
 * before (the pause is the copy of the changes only), and when the deltas add up to the base's
 * size they are folded into a new base on a worker thread (the pipeline goes on meanwhile), and
 * written in a transaction of its own.
 */
import type { Knex } from 'knex';
import { encodeDelta } from '../core/dedupe-delta.ts';
import { takeChanges, type DedupeState } from '../core/dedupe-state.ts';
import type { Logger } from '../core/log.ts';
import { compactCheckpoint } from '../sinks/checkpoint-writes.ts';
import type { CheckpointState } from '../sinks/result-sink.ts';
import { foldInWorker } from '../workers/fold-in-worker.ts';

/** Where the stored chain of a restored (or new) run stands. */
export interface StoredChain {
  /** The seq of the last delta stored (the base's when none). */
  readonly lastSeq: number;
  readonly baseBytes: number;
  readonly deltaBytes: number;
}

/** The take of {@link CheckpointOptions} for a tracked state, and the compaction it leads to. */
export interface IncrementalCheckpoints {
  /** Captures the changes now, encodes them as the next delta. */
  take(): Promise<CheckpointState>;
  /** After a flush with a checkpoint is committed: starts a compaction when the deltas outweigh the base. */
  written(): void;
  /** Waits for a compaction under way (at the end of a run). */
  finish(): Promise<void>;
}

/** Incremental checkpoints of `state` (tracked, see `trackChanges`) under `key`. */
export function incrementalCheckpoints(db: Knex, key: string, state: DedupeState, chain: StoredChain, log: Logger, savedAt: () => string): IncrementalCheckpoints {
  let seq = chain.lastSeq;
  let baseBytes = chain.baseBytes;
  let deltaBytes = chain.deltaBytes;
  let compacting: Promise<void> | undefined;
  return {
    take: () => {
      seq += 1;
      const at = seq;
      const changes = takeChanges(state);
      return encodeDelta(changes, at).then((delta) => {
        deltaBytes += delta.length;
        return { delta, seq: at };
      });
    },
    written: () => {
      if (compacting !== undefined || deltaBytes < baseBytes) return;
      const covering = deltaBytes;
      compacting = compactCheckpoint(db, key, foldInWorker, savedAt())
        .then(({ bytes }) => {
          baseBytes = bytes;
          deltaBytes -= covering;
        })
        // Nothing is lost: the base and the deltas stay as they were, and the next one tries again.
        .catch((error: unknown) => log.warn(`checkpoint compaction of ${key} failed, retried later: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          compacting = undefined;
        });
    },
    finish: async () => {
      await compacting;
    },
  };
}
