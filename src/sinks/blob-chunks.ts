/** State blobs stored as rows of a few MB, under MariaDB's default max_allowed_packet (16 MB) with room to spare. */

const CHUNK_BYTES = 4 << 20;

/** The pieces of `data` to store one row each, in order, of `bytes` each (at least one, empty for an empty state). */
export function chunksOf(data: Buffer, bytes = CHUNK_BYTES): Buffer[] {
  const count = Math.max(1, Math.ceil(data.length / bytes));
  return Array.from({ length: count }, (_, chunk) => data.subarray(chunk * bytes, (chunk + 1) * bytes));
}
