/**
 * A reading thread: parses and validates the batches the pool posts, with the stream's own reader,
 * and posts their outcomes back encoded. It holds no state: which thread reads a batch does not matter.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RawRecord } from '../core/batch.ts';
import { encodeOutcomes } from '../core/outcome-codec.ts';
import { readOutcome } from '../core/read-outcome.ts';
import { streamReader } from '../core/stream-layout.ts';
import type { ReadRequest, ReadThreadData } from './read-pool.ts';

const { layout, zone, maxRecordBytes } = workerData as ReadThreadData;
const read = streamReader(layout, zone);

parentPort!.on('message', ({ id, texts, bytes, ends, truncated }: ReadRequest) => {
  const records: RawRecord[] = [];
  if (texts !== undefined) for (const value of texts) records.push({ value, partition: 0, offset: 0 });
  else for (let i = 0, start = 0; i < ends!.length; start = ends![i++]!) records.push({ value: bytes!.subarray(start, ends![i]), partition: 0, offset: 0 });
  for (const [index, size] of truncated) records[index] = { ...records[index]!, truncatedFrom: size };
  const encoded = encodeOutcomes(records.map((record) => readOutcome(record, maxRecordBytes, read)));
  parentPort!.postMessage({ id, encoded }, [encoded.ends.buffer as ArrayBuffer, encoded.numbers.buffer as ArrayBuffer]);
});
