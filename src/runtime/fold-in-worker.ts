/** The fold of a checkpoint compaction on a thread of its own, so that the pipeline does not pause for it. */
import { Worker } from 'node:worker_threads';
import type { StoredBytes } from '../core/dedupe-delta.ts';
import { asBuffer, handOver } from './hand-over.ts';

/**
 * What `compactIncremental(base, deltas)` returns, folded on a worker thread started for it and
 * ended after. The buffers are handed over (see {@link handOver}): not to be used after the call.
 * A worker that throws or dies rejects with a one-line Error.
 */
export function foldInWorker(base: StoredBytes, deltas: readonly StoredBytes[]): Promise<Buffer> {
  const { views, transfer } = handOver([base, ...deltas].map((bytes) => (Buffer.isBuffer(bytes) ? [bytes] : (bytes as readonly Buffer[]))));
  const worker = new Worker(ENTRY.url, ENTRY.options);
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

/**
 * The worker's file: the .js beside this one in dist. From src (tsx, vitest) the .ts, started by
 * a bootstrap that registers tsx first: a worker does not inherit a loader its parent registered,
 * nor honour `--import` in its execArgv (Node 20).
 */
const ENTRY = ((): { url: URL | string; options: { eval?: boolean } } => {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./fold-worker.js', import.meta.url), options: {} };
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const worker = JSON.stringify(new URL('./fold-worker.ts', import.meta.url).href);
  return { url: `import(${tsx}).then(({ register }) => { register(); return import(${worker}); });`, options: { eval: true } };
})();
