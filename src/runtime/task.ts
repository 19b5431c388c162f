/**
 * The one loop every mode runs on, as Kafka Streams runs a StreamTask: a task owns some source
 * partitions, their state, its step and a sink. The fused run is one task over its source; each
 * scaled-out stage runs one task per assignment of its partitions.
 */
import { lastValueFrom, mergeMap, type Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch.ts';
import type { FlowControl } from '../sources/order-source.ts';
import { boundedWrites, type BoundedWrites } from './bounded-writes.ts';

/** What a task does with its partitions; its state lives in the closures of these. */
export interface Task<In, Out> {
  /** Brings the state up to where reading begins (a checkpoint, a snapshot, a replay). Default: nothing. */
  restore?(): Promise<void>;
  /** The topology over the task's state: batches in, what to write out (synchronously, so that it may copy its state). */
  readonly step: OperatorFunction<Batch<In>, Out>;
  /** Writes one output to the sink. */
  write(out: Out): Promise<void>;
  /** After its write: commits the positions it covers (and tells whoever waits for them). */
  commit(out: Out): void | Promise<void>;
}

/** Options of {@link runTask}. */
export interface TaskOptions {
  /** Ends the reading: the source completes, what was read is written. Default: never. */
  readonly signal?: AbortSignal;
  /** Writes that may wait for the sink before the source is held back. Default: `boundedWrites`' (2). */
  readonly maxInFlight?: number;
  /** The writes to run on, when someone else must wait for those in flight (a revoke does). Default: new ones of `maxInFlight`. */
  readonly writes?: BoundedWrites;
  /** Holds the source back too until it resolves: a step with work of its own in flight (reading threads). Default: none. */
  readonly stepReady?: () => Promise<void>;
}

/**
 * Restores the task, then reads its batches (held back while `maxInFlight` writes wait), runs
 * them through its step and writes each output in order, committing it after its write; once a
 * write fails, none after it runs. Resolves when the source completes and every write is done;
 * on a failure, rejects only once the writes in flight are done, so that the partitions are let
 * go (or the sink closed) with nothing half written.
 */
export async function runTask<In, Out>(task: Task<In, Out>, batches: (flow: FlowControl) => Observable<Batch<In>>, options: TaskOptions = {}): Promise<void> {
  const { signal = new AbortController().signal, stepReady } = options;
  const writes = options.writes ?? boundedWrites(options.maxInFlight);
  await task.restore?.();
  try {
    await lastValueFrom(
      batches({ signal, ready: stepReady === undefined ? () => writes.ready() : () => writes.ready().then(stepReady) }).pipe(
        task.step,
        mergeMap((out) =>
          writes.run(async () => {
            await task.write(out);
            await task.commit(out);
          }),
        ),
      ),
      { defaultValue: undefined },
    );
  } finally {
    await writes.settled();
  }
}
