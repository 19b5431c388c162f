/**
 * The Kafka boundary of the offset convention: inside, a position is the next offset to read
 * (`NextOffset`); Kafka's committed, assigned and watermark offsets mean the same, and a message's
 * own offset is the one thing converted.
 */
import { asNextOffset, positionAfter, type NextOffset } from '../core/positions.ts';

/** The position after a message: what a batch that includes it has read up to. */
export function nextToRead(message: { readonly offset: number }): NextOffset {
  return positionAfter(message.offset);
}

/** A group's committed offset (librdkafka's: the next to read; negative when none) as a position; `none` when there is none. */
export function committedToNext(committed: number, none: NextOffset = asNextOffset(0)): NextOffset {
  return committed >= 0 ? asNextOffset(committed) : none;
}

/** A watermark or an offsetsForTimes answer (the next offset there is to read) as a position. */
export function watermarkToNext(offset: number): NextOffset {
  return asNextOffset(offset);
}

/** A position as the offset to commit or assign (Kafka's are next-to-read too). */
export function nextToCommit(next: NextOffset): number {
  return next;
}
