/**
 * Reading threads: batches of raw records parsed and validated beside the main thread, which
 * keeps the state (dedupe, aggregate) and gets back each batch's outcomes, in order, encoded.
 */
import { startThread } from './start-thread.ts';
import type { RawRecord } from '../core/batch.ts';
import type { EncodedOutcomes, OutcomeReading } from '../core/outcome-codec.ts';
import type { StreamLayout } from '../core/stream-layout.ts';

/** Options of {@link readPool}. */
export interface ReadPoolOptions {
  /** How many reading threads. */
  readonly threads: number;
  /** The stream's layout (its reader is built in each thread). Default: the tutorial's. */
  readonly layout?: StreamLayout;
  /** The business zone instants are read in. */
  readonly zone: string;
  /** Larger messages are rejected unread. */
  readonly maxRecordBytes: number;
  /**
   * Batches given to each thread before {@link OutcomeReading.ready} waits. Default: 8: a source
   * hands over a read (a file's 1 MiB, a few batches) at once, and with 2 the thread went idle
   * while the next was read and split (the 1M-order replay with 2 workers, 7 alternating runs:
   * median 7.8 s with 2, 6.3 s with 8).
   */
  readonly perThread?: number;
}

/** What a reading thread is started with. */
export interface ReadThreadData {
  readonly layout: StreamLayout;
  readonly zone: string;
  readonly maxRecordBytes: number;
}

/** One batch posted to a thread: texts as strings, or bytes packed into one buffer (transferred). */
export interface ReadRequest {
  readonly id: number;
  readonly texts?: readonly string[];
  readonly bytes?: Uint8Array;
  /** Where each record of `bytes` ends. */
  readonly ends?: Uint32Array;
  /** [index, size] of the records that hold only the start of a larger message. */
  readonly truncated: readonly [number, number][];
}

/** A pool of reading threads; `close` ends them. A thread that fails fails every batch from then on, with one line. */
export interface ReadPool extends OutcomeReading {
  close(): Promise<void>;
}

interface Pending {
  resolve(encoded: EncodedOutcomes): void;
  reject(error: Error): void;
}

/** Starts the reading threads. */
export function readPool(options: ReadPoolOptions): ReadPool {
  const { threads, zone, maxRecordBytes, perThread = 8 } = options;
  const data: ReadThreadData = { layout: options.layout ?? {}, zone, maxRecordBytes };
  const pending = new Map<number, Pending>();
  const waiting: (() => void)[] = [];
  let failure: Error | undefined;
  let closing = false;
  let next = 0;
  const fail = (error: Error): void => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
    for (const wake of waiting.splice(0)) wake();
  };
  const workers = Array.from({ length: threads }, (_, index) => {
    const worker = startThread(import.meta.url, 'read-thread', { workerData: data });
    worker.on('message', ({ id, encoded }: { id: number; encoded: EncodedOutcomes }) => {
      const waiter = pending.get(id);
      pending.delete(id);
      waiter?.resolve(encoded);
      waiting.shift()?.();
    });
    worker.on('error', (error) => fail(new Error(`Cannot read orders: reading thread ${index + 1} failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`Cannot read orders: reading thread ${index + 1} exited with code ${code}`));
    });
    return worker;
  });
  return {
    read: (records) => {
      if (failure !== undefined) return Promise.reject(failure);
      if (closing) return Promise.reject(new Error('Cannot read orders: the reading threads are closed'));
      const id = next++;
      const request = requestOf(id, records);
      return new Promise<EncodedOutcomes>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % threads]!.postMessage(request, request.bytes === undefined ? [] : [request.bytes.buffer as ArrayBuffer, request.ends!.buffer as ArrayBuffer]);
      });
    },
    ready: async () => {
      while (failure === undefined && pending.size >= threads * perThread) await new Promise<void>((wake) => waiting.push(wake));
    },
    close: async () => {
      closing = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** A batch as posted: strings as they are; bytes copied into one buffer, so that one transfer carries them all. */
function requestOf(id: number, records: readonly RawRecord[]): ReadRequest {
  const truncated: [number, number][] = [];
  records.forEach((record, index) => record.truncatedFrom !== undefined && truncated.push([index, record.truncatedFrom]));
  if (records.every((record) => typeof record.value === 'string')) return { id, texts: records.map((record) => record.value as string), truncated };
  const parts = records.map((record) => (typeof record.value === 'string' ? Buffer.from(record.value) : record.value));
  const ends = new Uint32Array(parts.length);
  let size = 0;
  parts.forEach((part, index) => (ends[index] = size += part.byteLength));
  const bytes = new Uint8Array(size);
  parts.forEach((part, index) => bytes.set(part, index === 0 ? 0 : ends[index - 1]));
  return { id, bytes, ends, truncated };
}
