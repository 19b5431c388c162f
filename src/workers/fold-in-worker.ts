/** The fold of a checkpoint compaction on a thread of its own, so that the pipeline does not pause for it. */
import type { StoredBytes } from '../core/dedupe-delta.ts';
import { asBuffer, handOver } from './hand-over.ts';
import { startThread } from './start-thread.ts';

/**
 * What `compactIncremental(base, deltas)` returns, folded on a worker thread started for it and
 * ended after. The buffers are handed over (see {@link handOver}): not to be used after the call.
 * A worker that throws or dies rejects with a one-line Error.
 */
export function foldInWorker(base: StoredBytes, deltas: readonly StoredBytes[]): Promise<Buffer> {
  const { views, transfer } = handOver([base, ...deltas].map((bytes) => (Buffer.isBuffer(bytes) ? [bytes] : (bytes as readonly Buffer[]))));
  const worker = startThread(import.meta.url, 'fold-worker');
  worker.postMessage(views, transfer); // not workerData: the worker keeps that to its end, and could not let the rows go
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
      void worker.terminate();
    };
    worker.once('message', (folded: Uint8Array) => settle(() => resolve(asBuffer(folded))));
    worker.once('error', (error: Error) => settle(() => reject(new Error(`checkpoint fold worker failed: ${firstLine(error)}`))));
    worker.once('exit', (code) => settle(() => reject(new Error(`checkpoint fold worker exited with code ${code} before its result`))));
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
