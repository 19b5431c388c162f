/** The edge where results go out: a database table, upserted flush by flush. */
import type { SourceOffset } from '../core/batch.ts';
import type { Flush } from '../core/flush.ts';

/** What a flush completes, written with it in the same transaction. */
export interface FlushProgress {
  /** The source's checkpoint key, e.g. `kafka:topic:group`. */
  readonly key: string;
  /** Per partition, the position up to which (that offset excluded) the effects are in the table after this flush. */
  readonly covered: readonly SourceOffset[];
  /**
   * The pipeline's state at `covered` (or later: re-reading what it has seen is harmless), whole
   * or as a delta of what changed since the checkpoint before, captured when the flush left the
   * pipeline and encoded meanwhile.
   */
  readonly checkpoint?: Promise<CheckpointState>;
}

/** A checkpoint's bytes: a whole state (a new chain), or delta `seq` of what changed since the one before. */
export type CheckpointState = Buffer | { readonly delta: Buffer; readonly seq: number };

/** Where flushes are written. */
export interface ResultSink {
  /** Writes one flush (and what it completes) completely or not at all. */
  write(flush: Flush, progress?: FlushProgress): Promise<void>;
  /** After the last flush of a run: whatever is owed at the end (the rejects' retention, exactly). */
  finish?(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A write refused because the partitions it covers have another owner now: nothing of it was written. */
export class WriteFenced extends Error {}
