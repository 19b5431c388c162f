import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch, type RawRecord, type Reject } from '../core/batch.ts';
import { decodeMessage } from '../core/change-message.ts';
import type { Contribution } from '../core/dedupe-state.ts';

/** Options of {@link decodeChanges}. */
export interface DecodeChangesOptions {
  /**
   * Keep the rejects that travel on the changes topic. Default: true; false when the messages
   * are read again to rebuild state, since those rejects are in the table already.
   */
  readonly keepRejects?: boolean;
  /** Told the changes of each message with its partition (which partition carries which group). Default: nothing. */
  readonly seen?: (partition: number, changes: readonly Contribution[]) => void;
}

/**
 * Reads the messages of the changes topic back into contributions (and the rejects of the
 * dedupe stage). A message this version cannot read stops the run with its partition and
 * offset: the topic is internal, so that is a bug or another program writing to it, and
 * skipping it would make the figures wrong without a word.
 */
export function decodeChanges(options: DecodeChangesOptions = {}): OperatorFunction<Batch<RawRecord>, Batch<Contribution>> {
  const { keepRejects = true, seen } = options;
  return map((batch) => {
    const changes: Contribution[] = [];
    const rejects: Reject[] = [...batch.rejects];
    for (const record of batch.items) {
      const text = typeof record.value === 'string' ? record.value : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength).toString('utf8');
      let decoded;
      try {
        decoded = decodeMessage(text);
      } catch (error) {
        throw new TypeError(`${batch.source} partition ${record.partition} offset ${record.offset}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (decoded.kind === 'changes') {
        for (const change of decoded.changes) changes.push(change);
        seen?.(record.partition, decoded.changes);
      }
      else if (keepRejects) rejects.push(decoded.reject);
    }
    return { ...withItems(batch, changes), rejects };
  });
}
