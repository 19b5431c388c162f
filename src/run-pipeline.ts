import { concatMap, lastValueFrom, tap } from 'rxjs';
import type { Flush } from './operators/buffer-flush.ts';
import { salesPipeline, type SalesPipelineOptions } from './pipeline.ts';
import type { ResultSink } from './sinks/result-sink.ts';
import type { FlowControl, OrderSource } from './sources/order-source.ts';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends SalesPipelineOptions {
  readonly source: OrderSource;
  readonly sink: ResultSink;
  /** Stops the run: the source completes, the last flush is written. Default: never. */
  readonly signal?: AbortSignal;
  /** Flushes that may wait for the sink before the source is held back. Default: 2. */
  readonly maxPendingFlushes?: number;
  /** Called after each flush is written and committed. */
  readonly onFlush?: (flush: Flush) => void;
}

/**
 * Runs a source through the sales pipeline into a sink until the source completes (end of a
 * recording, or the signal). Each flush is written, then its offsets are committed, in order;
 * while the sink is behind, the source is held back instead of buffering without bound.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<void> {
  const { source, sink, signal = new AbortController().signal, maxPendingFlushes = 2, onFlush } = options;
  let pending = 0;
  let waiting: (() => void)[] = [];
  const flow: FlowControl = {
    signal,
    ready: () => (pending < maxPendingFlushes ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
  };
  await lastValueFrom(
    source.batches(flow).pipe(
      salesPipeline(options),
      tap(() => (pending += 1)),
      concatMap(async (flush) => {
        await sink.write(flush);
        await source.commit(flush.progress);
        pending -= 1;
        const resume = waiting;
        waiting = [];
        for (const wake of resume) wake();
        onFlush?.(flush);
      }),
    ),
    { defaultValue: undefined },
  );
}
