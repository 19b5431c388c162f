/** Reading one raw record into what the pipeline goes on with: the one place a message's text is read. */
import type { RawRecord } from './batch.ts';
import type { ChangeRows, MessageReader } from './change-envelope.ts';
import type { Order } from './order.ts';
import { internalReason } from './reject.ts';

/** A reading whose handling threw: `internal: ...`, a bug or a limit, counted apart. */
export interface InternalFailure {
  readonly internal: string;
}

/** What reading one message gave: an order, a reject reason, the rows of a change message, or an internal failure. */
export type ReadOutcome = Order | string | ChangeRows | InternalFailure;

// A byte order mark is kept in the text, so that a message starting with one is named for it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads one record with `read`; never throws: whatever throws becomes an internal failure. */
export function readOutcome(record: RawRecord, maxBytes: number, read: MessageReader): ReadOutcome {
  try {
    return readRecord(record, maxBytes, read);
  } catch (error) {
    return { internal: internalReason(error) };
  }
}

function readRecord(record: RawRecord, maxBytes: number, read: MessageReader): Order | string | ChangeRows {
  const { value } = record;
  if (record.truncatedFrom !== undefined) return `message larger than ${maxBytes} bytes`;
  let text: string;
  if (typeof value === 'string') {
    // A UTF-16 string never has fewer bytes in UTF-8 than characters, so this check is cheap.
    if (value.length > maxBytes && Buffer.byteLength(value) > maxBytes) return `message larger than ${maxBytes} bytes`;
    text = value;
  } else {
    if (value.byteLength > maxBytes) return `message larger than ${maxBytes} bytes`;
    try {
      text = utf8.decode(value);
    } catch {
      return 'not valid UTF-8';
    }
  }
  return read(text, record);
}
