/** State blobs stored as rows of a few MB, under MariaDB's default max_allowed_packet (16 MB) with room to spare. */

const CHUNK_BYTES = 4 << 20;

/** The pieces of `data` to store one row each, in order (at least one, empty for an empty state). */
export function chunksOf(data: Buffer): Buffer[] {
  const count = Math.max(1, Math.ceil(data.length / CHUNK_BYTES));
  return Array.from({ length: count }, (_, chunk) => data.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES));
}
