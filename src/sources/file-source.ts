import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Observable } from 'rxjs';
import type { Batch, RawRecord } from '../core/batch.ts';
import type { FlowControl, OrderSource } from './order-source.ts';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** Records per micro-batch. Default: 1000. */
  readonly batchSize?: number;
  /** Bytes read at a time. Default: 1 MiB. */
  readonly chunkBytes?: number;
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A recorded stream: one JSON order per line (`.jsonl`), read to its end. Empty lines are
 * skipped; a line that is not valid UTF-8 is passed on as bytes, to be rejected with its number.
 */
export function fileSource(path: string, options: FileSourceOptions = {}): OrderSource {
  const { batchSize = 1000, chunkBytes = 1 << 20 } = options;
  const name = `file:${basename(path)}`;
  let linesRead = 0;
  return {
    name,
    batches: (flow) => new Observable<Batch<RawRecord>>((subscriber) => {
      const stop = new AbortController();
      readLines(path, chunkBytes, flow, stop.signal, batchSize, (records) => {
        const last = records[records.length - 1];
        linesRead = last?.offset ?? linesRead;
        subscriber.next({ source: name, items: records, rejects: [], progress: last ? [{ partition: 0, offset: last.offset }] : [] });
      }).then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
      return () => stop.abort();
    }),
    commit: async () => {},
    describeProgress: () => `line ${linesRead.toLocaleString('en-US')}`,
  };
}

async function readLines(
  path: string,
  chunkBytes: number,
  flow: FlowControl,
  stopped: AbortSignal,
  batchSize: number,
  emit: (records: RawRecord[]) => void,
): Promise<void> {
  const handle = await open(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    let lineNumber = 0;
    let records: RawRecord[] = [];
    const push = (value: string | Uint8Array): void => {
      lineNumber += 1;
      if (isBlank(value)) return;
      records.push({ value, partition: 0, offset: lineNumber });
      if (records.length >= batchSize) {
        emit(records);
        records = [];
      }
    };
    const chunk = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      if (flow.signal.aborted || stopped.aborted) return;
      await flow.ready();
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      const end = data.lastIndexOf(NEWLINE);
      if (end < 0) {
        carry = Buffer.concat([carry, data]);
        continue;
      }
      // The line cut by the last chunk is finished on its own, so the rest needs no copy.
      let start = 0;
      if (carry.length > 0) {
        start = data.indexOf(NEWLINE) + 1;
        splitLines(Buffer.concat([carry, data.subarray(0, start - 1)]), push);
      }
      if (start <= end) splitLines(data.subarray(start, end), push);
      carry = Buffer.from(data.subarray(end + 1));
      if (records.length > 0) {
        emit(records);
        records = [];
      }
    }
    if (carry.length > 0) splitLines(carry, push);
    if (records.length > 0) emit(records);
  } finally {
    await handle.close();
  }
}

/** Splits whole lines: one decode for the chunk when it is valid UTF-8, line by line when not. */
function splitLines(data: Buffer, push: (value: string | Uint8Array) => void): void {
  if (isUtf8(data)) {
    for (const line of data.toString('utf8').split('\n')) push(line.endsWith('\r') ? line.slice(0, -1) : line);
    return;
  }
  let start = 0;
  while (start <= data.length) {
    let end = data.indexOf(NEWLINE, start);
    if (end < 0) end = data.length;
    const bytes = data.subarray(start, end > start && data[end - 1] === 0x0d ? end - 1 : end);
    try {
      push(utf8.decode(bytes));
    } catch {
      push(Uint8Array.prototype.slice.call(bytes));
    }
    start = end + 1;
  }
}

function isBlank(value: string | Uint8Array): boolean {
  if (typeof value !== 'string') return false;
  return value.length === 0 || (value.charCodeAt(0) <= 32 && value.trim() === '');
}
