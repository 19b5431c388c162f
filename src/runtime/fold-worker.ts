/** The worker of {@link foldInWorker}: folds the base and deltas of its workerData, posts the new base back and ends. */
import { parentPort, workerData } from 'node:worker_threads';
import { compactIncremental } from '../core/dedupe-delta.ts';
import { asBuffer, handOver } from './hand-over.ts';

const [base = [], ...deltas] = (workerData as Uint8Array[][]).map((pieces) => pieces.map(asBuffer));
const folded = await compactIncremental(base, deltas);
const { views, transfer } = handOver([[folded]]);
parentPort!.postMessage(views[0]![0], transfer);
