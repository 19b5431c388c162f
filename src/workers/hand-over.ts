/** Buffers posted to another thread without a copy of what is big. */

/** Below this an ArrayBuffer may be a slab of Node's pool, shared with unrelated buffers: copied, never moved. */
const MOVABLE_BYTES = 64 << 10;

/**
 * Views of `groups` of buffers to post to a thread, and the memory that moves with them: an
 * ArrayBuffer the pieces fill (all but a tenth) is transferred, and is unusable here after; a piece
 * of a small or mostly foreign buffer (a pool slab, a socket read holding other packets) is copied.
 */
export function handOver(groups: readonly (readonly Uint8Array[])[]): { views: Uint8Array[][]; transfer: ArrayBuffer[] } {
  const used = new Map<ArrayBufferLike, number>();
  for (const group of groups) for (const piece of group) used.set(piece.buffer, (used.get(piece.buffer) ?? 0) + piece.byteLength);
  const movable = (buffer: ArrayBufferLike): buffer is ArrayBuffer => buffer instanceof ArrayBuffer && buffer.byteLength >= MOVABLE_BYTES && (used.get(buffer) ?? 0) >= buffer.byteLength * 0.9;
  return {
    views: groups.map((group) => group.map((piece) => (movable(piece.buffer) ? piece : new Uint8Array(piece)))),
    transfer: [...used.keys()].filter(movable),
  };
}

/** A posted view as a Buffer over the same memory. */
export function asBuffer(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
