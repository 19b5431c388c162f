import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Observable } from 'rxjs';
import type { Batch, RawRecord } from '../core/batch.ts';
import { positionAfter } from '../core/positions.ts';
import { MAX_MESSAGE_BYTES, MAX_REJECT_TEXT } from '../core/reject.ts';
import { isBlank } from '../core/white-space.ts';
import type { FlowControl, OrderSource } from './order-source.ts';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** Records per micro-batch. Default: 1000. */
  readonly batchSize?: number;
  /** Bytes read at a time. Default: 1 MiB. */
  readonly chunkBytes?: number;
  /**
   * A longer line is never held whole: past this many bytes the rest of it is skipped to the next
   * newline, and it becomes a record of its first 4 KiB that says how long it was. Default: 1 MiB.
   */
  readonly maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A recorded stream: one JSON order per line (`.jsonl`), read to its end. Lines of white space
 * only are skipped, and so is a byte order mark at the start of the file; a line that is not
 * valid UTF-8 is passed on as bytes, to be rejected with its number. The source is named by the
 * file's absolute path, so that rejects of two files never share a position.
 */
export function fileSource(path: string, options: FileSourceOptions = {}): OrderSource {
  const { batchSize = 1000, chunkBytes = 1 << 20, maxLineBytes = MAX_MESSAGE_BYTES } = options;
  const name = `file:${resolve(path)}`;
  let linesRead = 0;
  return {
    name,
    batches: (flow) => new Observable<Batch<RawRecord>>((subscriber) => {
      const stop = new AbortController();
      readLines(path, { chunkBytes, maxLineBytes, batchSize }, flow, stop.signal, (records) => {
        const last = records[records.length - 1];
        linesRead = last?.offset ?? linesRead;
        subscriber.next({ source: name, items: records, rejects: [], progress: last ? [{ partition: 0, next: positionAfter(last.offset) }] : [] });
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

/**
 * Reads the file chunk by chunk. Whole lines within a chunk are decoded at once; a line that
 * crosses chunks is kept in pieces (at most `maxLineBytes`), so that time is linear in the bytes
 * and memory bounded by the cap, whatever the length of a line.
 */
async function readLines(
  path: string,
  sizes: { readonly chunkBytes: number; readonly maxLineBytes: number; readonly batchSize: number },
  flow: FlowControl,
  stopped: AbortSignal,
  emit: (records: RawRecord[]) => void,
): Promise<void> {
  const { chunkBytes, maxLineBytes, batchSize } = sizes;
  const handle = await open(path, 'r');
  try {
    let lineNumber = 0;
    let records: RawRecord[] = [];
    const push: PushLine = (value, truncatedFrom) => {
      lineNumber += 1;
      if (truncatedFrom !== undefined) records.push({ value, partition: 0, offset: lineNumber, truncatedFrom });
      else if (typeof value !== 'string' || !isBlank(value)) records.push({ value, partition: 0, offset: lineNumber });
      else return;
      if (records.length >= batchSize) {
        emit(records);
        records = [];
      }
    };
    const line = pendingLine(maxLineBytes, push);
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let first = true;
    for (;;) {
      if (flow.signal.aborted || stopped.aborted) return;
      await flow.ready();
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      let data = chunk.subarray(0, bytesRead);
      if (first && data.subarray(0, 3).equals(BYTE_ORDER_MARK)) data = data.subarray(3);
      first = false;
      const end = data.lastIndexOf(NEWLINE);
      if (end < 0) {
        line.add(data);
        continue;
      }
      // The line cut by the last chunk is finished on its own, so the rest needs no copy.
      let start = 0;
      if (line.started()) {
        start = data.indexOf(NEWLINE) + 1;
        line.finish(data.subarray(0, start - 1));
      }
      if (start <= end) splitLines(data.subarray(start, end), maxLineBytes, push);
      line.add(data.subarray(end + 1));
      if (records.length > 0) {
        emit(records);
        records = [];
      }
    }
    if (line.started()) line.finish(Buffer.alloc(0));
    if (records.length > 0) emit(records);
  } finally {
    await handle.close();
  }
}

/** Takes the next line: its text (bytes when it is not UTF-8), and its size when it holds only its start. */
type PushLine = (value: string | Uint8Array, truncatedFrom?: number) => void;

/** The line being read across chunks: its pieces while they fit the cap, only its start beyond. */
function pendingLine(maxLineBytes: number, push: PushLine) {
  let pieces: Buffer[] = [];
  let bytes = 0;
  let head: Buffer | undefined; // set once the line is over the cap
  return {
    started: (): boolean => bytes > 0 || pieces.length > 0,
    add(data: Buffer): void {
      if (data.length === 0) return;
      if (head === undefined && bytes + data.length > maxLineBytes) head = startOf(Buffer.concat([...pieces, data]));
      if (head === undefined) pieces.push(Buffer.from(data)); // copied: the chunk is read into again
      else pieces = [];
      bytes += data.length;
    },
    finish(rest: Buffer): void {
      if (head === undefined && bytes + rest.length > maxLineBytes) head = startOf(Buffer.concat([...pieces, rest]));
      if (head !== undefined) push(lenient.decode(head), bytes + rest.length);
      else splitLines(Buffer.concat([...pieces, rest]), maxLineBytes, push);
      pieces = [];
      bytes = 0;
      head = undefined;
    },
  };
}

/** The start of an overlong line that its reject keeps. */
function startOf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.subarray(0, MAX_REJECT_TEXT));
}

/** Splits whole lines: one decode for the block when it is valid UTF-8, line by line when not. */
function splitLines(data: Buffer, maxLineBytes: number, push: PushLine): void {
  if (isUtf8(data)) {
    for (const line of data.toString('utf8').split('\n')) {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      // Only a block longer than the cap can hold a line longer than it (a chunk larger than the cap).
      if (data.length > maxLineBytes && Buffer.byteLength(text) > maxLineBytes) push(lenient.decode(startOf(Buffer.from(text))), Buffer.byteLength(text));
      else push(text);
    }
    return;
  }
  let start = 0;
  while (start <= data.length) {
    let end = data.indexOf(NEWLINE, start);
    if (end < 0) end = data.length;
    const bytes = data.subarray(start, end > start && data[end - 1] === 0x0d ? end - 1 : end);
    if (bytes.length > maxLineBytes) {
      push(lenient.decode(startOf(bytes)), bytes.length);
    } else {
      try {
        push(utf8.decode(bytes));
      } catch {
        push(Uint8Array.prototype.slice.call(bytes));
      }
    }
    start = end + 1;
  }
}
