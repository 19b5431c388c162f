/**
 * Positions in a partitioned source, in one convention everywhere inside: the next offset to
 * read (everything before it is done). Kafka commits, assigns and reports offsets the same way,
 * so only a message's own offset needs converting (see `src/kafka/offsets.ts`).
 */

/** The next offset to read in a partition: every record before it is done. Branded, so that a record's own offset cannot pass for one. */
export type NextOffset = number & { readonly __nextOffset: true };

/** Nothing read yet: the position at a partition's start. */
export const START = 0 as NextOffset;

/** The position after the record at `offset` (a Kafka offset, a line number): that record included. */
export function positionAfter(offset: number): NextOffset {
  return (offset + 1) as NextOffset;
}

/** A number that already is a next offset to read (a stored position, a Kafka committed offset), as one. */
export function asNextOffset(next: number): NextOffset {
  return next as NextOffset;
}

/** The later of two positions of a partition (undefined counts as none). */
export function laterPosition(a: NextOffset | undefined, b: NextOffset): NextOffset {
  return a === undefined || b > a ? b : a;
}
