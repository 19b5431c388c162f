/** The edge where orders come in: a recorded file, the simulator, or Kafka. */
import type { Observable } from 'rxjs';
import type { Batch, RawRecord, SourceOffset } from '../core/batch.ts';

/** How the pipeline holds a source back. */
export interface FlowControl {
  /** Resolves when the sink can take more; a source waits for it before reading on. */
  ready(): Promise<void>;
  /** Aborted when the run must stop: the source completes. */
  readonly signal: AbortSignal;
}

/** A source of raw order messages, read in micro-batches. */
export interface OrderSource {
  /** Its name in rejects and logs, e.g. `file:orders.jsonl`. */
  readonly name: string;
  /** The messages, in micro-batches; completes at the end of a recording or when aborted. */
  batches(flow: FlowControl): Observable<Batch<RawRecord>>;
  /** Everything up to these offsets is written: a source that can, remembers it. */
  commit(progress: readonly SourceOffset[]): Promise<void>;
  /** How far the source has been read, for the eye ("line 1,200"). */
  describeProgress?(): string;
  /** Kafka: messages not read yet, per assigned partition. */
  lag?(): { readonly partition: number; readonly messages: number }[];
  /** Lets go of connections, after the last commit. */
  close?(): Promise<void>;
}
