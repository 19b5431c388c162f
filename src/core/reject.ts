/** Rejects: how a refused message is kept, and the bounds that keep rejects small. */
import type { RawRecord, Reject } from './batch.ts';

/** Messages larger than this are rejected unread (a file line is not even held whole: see the file source). */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** How much of a rejected message is kept, in characters. */
export const MAX_REJECT_TEXT = 4096;
const MAX_INTERNAL_REASON = 200;

const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** The reject of a record, with the start of its text; never throws, whatever the record holds. */
export function rejectOf(source: string, record: RawRecord, reason: string, rejectedAt: number, maxText = MAX_REJECT_TEXT): Reject {
  const { value } = record;
  const bytes = record.truncatedFrom ?? (typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength);
  const raw = typeof value === 'string' ? value.slice(0, maxText) : lenient.decode(value.subarray(0, maxText * 4)).slice(0, maxText);
  return { source, partition: record.partition, offset: record.offset, reason, raw, rawBytes: bytes, rejectedAt };
}

/**
 * The reason of a record whose handling threw (a bug, or a limit reached): `internal: <message>`,
 * one line, bounded. Reading the message of an arbitrary thrown value cannot throw in turn.
 */
export function internalReason(error: unknown): string {
  let message: string;
  try {
    message = error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : Object.prototype.toString.call(error);
  } catch {
    message = 'an error that cannot be described';
  }
  const line = message.replace(/\s+/g, ' ').trim();
  return `internal: ${line.length > MAX_INTERNAL_REASON ? `${line.slice(0, MAX_INTERNAL_REASON - 3)}...` : line}`;
}
