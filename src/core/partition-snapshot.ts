/**
 * Per-partition snapshots of a stage's state, as chunks small enough for one Kafka message each,
 * and the rule for which one a new owner of the partition may restore.
 *
 * A snapshot holds the state after exactly the messages before its `position` (the next offset to
 * read). Each chunk carries the whole header, so a reader needs nothing else; a snapshot whose
 * chunks are not all there, or whose bytes do not hash to the header's digest, is not complete
 * and is ignored (a writer that died mid-way, a chunk compacted under a newer one).
 */
import { createHash, randomBytes } from 'node:crypto';

/** The format of a chunk's header; a chunk of another format is ignored. */
export const SNAPSHOT_CHUNK_FORMAT = 1;

/** Bytes of state per chunk: well under Kafka's default of 1 MB per message. */
export const SNAPSHOT_CHUNK_BYTES = 512 * 1024;

/** What a snapshot is of. */
export interface SnapshotMeta {
  /** The source partition whose state it is. */
  readonly partition: number;
  /** The next offset to read after the messages it holds. */
  readonly position: number;
  /** What the state counts (orders tracked), for the log. */
  readonly orders: number;
  /** What else the state depends on (`stateFingerprint`: the days counted): a snapshot taken for other days is not used. */
  readonly fingerprint: string;
  /**
   * One of two: a snapshot is written into the slot its predecessor is not in, so that one torn
   * while written (its keys compacted over the older one's) leaves the other whole.
   */
  readonly slot: 0 | 1;
}

/** One chunk as a Kafka message: a compaction key and the bytes. */
export interface SnapshotChunk {
  readonly key: string;
  readonly value: Buffer;
}

/** A complete snapshot, read back. */
export interface StoredSnapshot {
  readonly meta: SnapshotMeta;
  readonly body: Buffer;
}

interface ChunkHeader {
  readonly format: number;
  readonly id: string;
  readonly partition: number;
  readonly position: number;
  readonly orders: number;
  readonly fingerprint: string;
  readonly slot: 0 | 1;
  readonly chunk: number;
  readonly chunks: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** Splits a snapshot's body into chunks of at most `chunkBytes` bytes of it (at least one chunk). */
export function snapshotChunks(meta: SnapshotMeta, body: Buffer, chunkBytes = SNAPSHOT_CHUNK_BYTES): SnapshotChunk[] {
  if (!(chunkBytes > 0)) throw new RangeError(`Cannot chunk a snapshot: the chunk size is ${chunkBytes}`);
  const chunks = Math.max(1, Math.ceil(body.length / chunkBytes));
  const common = { format: SNAPSHOT_CHUNK_FORMAT, id: randomBytes(8).toString('hex'), ...meta, chunks, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  return Array.from({ length: chunks }, (_, chunk) => {
    const header = Buffer.from(JSON.stringify({ ...common, chunk } satisfies ChunkHeader), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    return { key: chunkKey(meta.partition, meta.slot, chunk), value: Buffer.concat([length, header, body.subarray(chunk * chunkBytes, (chunk + 1) * chunkBytes)]) };
  });
}

/** The compaction key of a chunk: the newest message per key is what a compacted topic keeps. */
function chunkKey(partition: number, slot: number, chunk: number): string {
  return `${partition}.${slot}.${chunk}`;
}

/**
 * Gathers the chunks of one partition read in log order, keeping only the newest message per
 * key, as the compacted topic itself will once it has cleaned: the same answer before and after
 * compaction. Unreadable messages are counted and dropped.
 */
export class SnapshotChunks {
  private readonly latest = new Map<string, { header: ChunkHeader; piece: Buffer }>();
  private unreadable = 0;

  /** Takes the next message of the log. */
  add(value: Uint8Array): void {
    const chunk = parseChunk(value);
    if (chunk === undefined) this.unreadable += 1;
    else this.latest.set(chunkKey(chunk.header.partition, chunk.header.slot, chunk.header.chunk), chunk);
  }

  /** The complete snapshots among what was added, and how many others were incomplete or unreadable. */
  complete(): { readonly snapshots: StoredSnapshot[]; readonly broken: number } {
    const byId = new Map<string, { header: ChunkHeader; piece: Buffer }[]>();
    for (const chunk of this.latest.values()) {
      const pieces = byId.get(chunk.header.id);
      if (pieces === undefined) byId.set(chunk.header.id, [chunk]);
      else pieces.push(chunk);
    }
    const snapshots: StoredSnapshot[] = [];
    let broken = this.unreadable;
    for (const pieces of byId.values()) {
      const snapshot = assemble(pieces);
      if (snapshot === undefined) broken += 1;
      else snapshots.push(snapshot);
    }
    return { snapshots, broken };
  }
}

function parseChunk(value: Uint8Array): { header: ChunkHeader; piece: Buffer } | undefined {
  try {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const length = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as Partial<ChunkHeader>;
    if (header.format !== SNAPSHOT_CHUNK_FORMAT || typeof header.id !== 'string' || !Number.isSafeInteger(header.chunk) || !Number.isSafeInteger(header.chunks)) return undefined;
    return { header: header as ChunkHeader, piece: bytes.subarray(4 + length) };
  } catch {
    return undefined;
  }
}

function assemble(pieces: { header: ChunkHeader; piece: Buffer }[]): StoredSnapshot | undefined {
  const first = pieces[0]!.header;
  if (pieces.length !== first.chunks) return undefined;
  pieces.sort((a, b) => a.header.chunk - b.header.chunk);
  if (pieces.some(({ header }, index) => header.chunk !== index)) return undefined;
  const body = Buffer.concat(pieces.map(({ piece }) => piece));
  if (body.length !== first.bytes || createHash('sha256').update(body).digest('hex') !== first.sha256) return undefined;
  const { partition, position, orders, fingerprint, slot } = first;
  return { meta: { partition, position, orders, fingerprint, slot }, body };
}

/** What a new owner of a partition does: restore a snapshot, or replay the whole log (and why). */
export type SnapshotChoice = { readonly snapshot: StoredSnapshot } | { readonly snapshot?: undefined; readonly reason: string };

/**
 * The snapshot a new owner restores: the newest complete one taken for the same days whose
 * position is at most the committed offset (the next offset the group reads). One past it would
 * hold messages whose effects were never committed, and the tail replay or the live read would
 * count them again. None such: the full replay, with the reason for the log.
 */
export function snapshotToRestore(found: readonly StoredSnapshot[], broken: number, committed: number, fingerprint: string): SnapshotChoice {
  const forDays = found.filter((snapshot) => snapshot.meta.fingerprint === fingerprint);
  const usable = forDays.filter((snapshot) => snapshot.meta.position <= committed);
  const best = usable.reduce<StoredSnapshot | undefined>((newest, snapshot) => (newest === undefined || snapshot.meta.position > newest.meta.position ? snapshot : newest), undefined);
  if (best !== undefined) return { snapshot: best };
  if (forDays.length > 0) return { reason: `its snapshots are past the committed offset ${committed}` };
  if (found.length > 0) return { reason: 'its snapshots were taken for other days' };
  if (broken > 0) return { reason: `its snapshot is incomplete or corrupt (${broken} unusable)` };
  return { reason: 'no snapshot saved yet' };
}
