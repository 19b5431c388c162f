import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotChunks, snapshotChunks, snapshotToRestore, type SnapshotMeta, type StoredSnapshot } from '../../src/core/partition-snapshot.ts';

const meta = (position: number, overrides: Partial<SnapshotMeta> = {}): SnapshotMeta => ({ partition: 2, position, orders: 7, fingerprint: 'days', slot: 0, ...overrides });
const stored = (position: number, overrides: Partial<SnapshotMeta> = {}): StoredSnapshot => ({ meta: meta(position, overrides), body: Buffer.from([position % 256]) });

/** What a reader of the partition gets for these messages, in log order. */
function readBack(values: readonly Buffer[]): ReturnType<SnapshotChunks['complete']> {
  const chunks = new SnapshotChunks();
  for (const value of values) chunks.add(value);
  return chunks.complete();
}

describe('a partition snapshot in chunks', () => {
  it('reads back byte for byte, whatever its size against the chunk size (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (bytes, chunkBytes) => {
        const body = Buffer.from(bytes);
        const chunks = snapshotChunks(meta(42), body, chunkBytes);
        expect(chunks.length).toBe(Math.max(1, Math.ceil(body.length / chunkBytes)));
        const { snapshots, broken } = readBack(chunks.map((chunk) => chunk.value));
        expect(broken).toBe(0);
        expect(snapshots).toHaveLength(1);
        expect(snapshots[0]!.meta).toEqual(meta(42));
        expect(snapshots[0]!.body.equals(body)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('is not complete when any chunk is missing (a writer that died mid-way) (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), fc.nat(), (bytes, pick) => {
        const chunks = snapshotChunks(meta(42), Buffer.from(bytes), 16);
        const missing = pick % chunks.length;
        const { snapshots } = readBack(chunks.filter((_, index) => index !== missing || chunks.length === 1).map((chunk) => chunk.value));
        expect(snapshots).toHaveLength(chunks.length === 1 ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });

  it('is not complete when any byte of its state is changed (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (bytes, pick) => {
        const values = snapshotChunks(meta(42), Buffer.from(bytes), 32).map((chunk) => Buffer.from(chunk.value));
        const value = values[pick % values.length]!;
        const headerEnd = 4 + value.readUInt32LE(0);
        if (value.length === headerEnd) return; // an empty chunk has no state byte to change
        const at = headerEnd + (pick % (value.length - headerEnd));
        value[at] = value[at]! ^ 0xff;
        const { snapshots, broken } = readBack(values);
        expect(snapshots).toEqual([]);
        expect(broken).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the newest message per key, as a compacted topic does: a torn newer snapshot leaves the one in the other slot whole', () => {
    const older = snapshotChunks(meta(100, { slot: 0 }), Buffer.alloc(100, 1), 10);
    const newer = snapshotChunks(meta(200, { slot: 1 }), Buffer.alloc(100, 2), 10);
    const { snapshots, broken } = readBack([...older, ...newer.slice(0, 4)].map((chunk) => chunk.value));
    expect(snapshots.map((s) => s.meta.position)).toEqual([100]);
    expect(broken).toBe(1);
    // The same slot written again with fewer chunks: the old ones left under the other keys do not make it whole.
    const rewritten = snapshotChunks(meta(300, { slot: 0 }), Buffer.alloc(30, 3), 10);
    expect(readBack([...older, ...rewritten].map((chunk) => chunk.value)).snapshots.map((s) => s.meta.position)).toEqual([300]);
  });

  it('ignores messages that are not chunks of this format', () => {
    const { snapshots, broken } = readBack([Buffer.from('garbage'), Buffer.alloc(0), ...snapshotChunks(meta(5), Buffer.from('x')).map((c) => c.value)]);
    expect(snapshots).toHaveLength(1);
    expect(broken).toBe(2);
  });
});

describe('the snapshot a new owner restores', () => {
  it('is the newest one at or before the committed offset, never one past it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { maxLength: 10 }), fc.nat({ max: 1000 }), (positions, committed) => {
        const choice = snapshotToRestore(positions.map((position) => stored(position)), 0, committed, 'days');
        const usable = positions.filter((position) => position <= committed);
        if (usable.length === 0) expect(choice.snapshot).toBeUndefined();
        else expect(choice.snapshot?.meta.position).toBe(Math.max(...usable));
      }),
      { numRuns: 500 },
    );
  });

  it('is at exactly the committed offset when the old owner saved it after its last write', () => {
    expect(snapshotToRestore([stored(90), stored(120)], 0, 120, 'days').snapshot?.meta.position).toBe(120);
  });

  it('is none, with the reason for the log, when the snapshots are past the committed offset, for other days, broken or missing', () => {
    expect(snapshotToRestore([stored(130)], 0, 120, 'days')).toEqual({ reason: 'its snapshots are past the committed offset 120' });
    expect(snapshotToRestore([stored(100, { fingerprint: 'other' })], 0, 120, 'days')).toEqual({ reason: 'its snapshots were taken for other days' });
    expect(snapshotToRestore([], 2, 120, 'days')).toEqual({ reason: 'its snapshot is incomplete or corrupt (2 unusable)' });
    expect(snapshotToRestore([], 0, 120, 'days')).toEqual({ reason: 'no snapshot saved yet' });
  });
});
