import { concatMap, map, pipe, type OperatorFunction } from 'rxjs';
import type { Batch, RawRecord } from '../core/batch.ts';
import { decodeOutcomes, type OutcomeReading } from '../core/outcome-codec.ts';
import type { Order } from '../core/order.ts';
import { settleOutcomes, type DeserializeOptions } from './deserialize.ts';

/**
 * {@link deserialize}, with the reading done by `reading` (threads beside this one): each batch is
 * handed over as it arrives, and its orders and rejects come out in the order the batches came in,
 * with the same counters, feed check and reject stamps as if read here.
 */
export function deserializeInThreads(reading: OutcomeReading, options: DeserializeOptions): OperatorFunction<Batch<RawRecord>, Batch<Order>> {
  return pipe(
    map((batch) => {
      const outcomes = reading.read(batch.items);
      outcomes.catch(() => {}); // awaited in turn below; a failure ends the run there, not as an unhandled rejection
      return { batch, outcomes };
    }),
    concatMap(async ({ batch, outcomes }) => {
      const decoded = decodeOutcomes(await outcomes, batch.items);
      return settleOutcomes(batch, (_, index) => decoded[index]!, options);
    }),
  );
}
