/** The worker of {@link foldInWorker}: folds the base and deltas it is posted, posts the new base back and ends. */
import { parentPort } from 'node:worker_threads';
import { compactIncremental } from '../core/dedupe-delta.ts';
import { asBuffer, handOver } from './hand-over.ts';

parentPort!.once('message', (groups: Uint8Array[][]) => {
  // Joined here, and the rows let go before the fold: they would otherwise stay alive beside their join.
  const [base = Buffer.alloc(0), ...deltas] = groups.splice(0).map((pieces) => Buffer.concat(pieces.splice(0).map(asBuffer)));
  void compactIncremental(base, deltas).then((folded) => {
    const { views, transfer } = handOver([[folded]]);
    parentPort!.postMessage(views[0]![0], transfer);
  });
});
