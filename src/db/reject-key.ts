/** The identity of a reject in `trade_order_rejects`. */
import { createHash } from 'node:crypto';

/** The key of a reject: the same message at the same position of the same source has the same key. */
export function rejectKey(source: string, partition: number, offset: number, rawBytes: number, raw: string): string {
  return createHash('sha256').update(`${source}\n${partition}\n${offset}\n${rawBytes}\n${raw}`).digest('hex');
}
