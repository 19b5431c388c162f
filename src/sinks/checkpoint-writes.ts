/** The checkpoint of a source: the pipeline's state with the offsets it covers, in one transaction. */
import type { Knex } from 'knex';
import type { SourceOffset } from '../core/batch.ts';
import type { StoredBytes } from '../core/dedupe-delta.ts';
import { asNextOffset, type NextOffset } from '../core/positions.ts';
import { chunksOf } from './blob-chunks.ts';

/** A saved checkpoint. */
export interface Checkpoint {
  /** Per partition, the position the state goes on from. */
  readonly offsets: readonly SourceOffset[];
  readonly state: Buffer;
}

/**
 * Replaces the checkpoint of `source` with this state and offsets: a new base that holds the
 * deltas up to `seq` (a compaction; they are deleted with the old base), or without `seq` a new
 * chain (every delta deleted).
 */
export async function saveCheckpoint(db: Knex | Knex.Transaction, source: string, checkpoint: Checkpoint, savedAt: string, halfWay = (): void => {}, seq?: number): Promise<void> {
  await db('tradeflow_checkpoints').where({ source }).delete();
  halfWay();
  await insertChunks(db, 'tradeflow_checkpoints', { source, seq: seq ?? 0 }, checkpoint, savedAt);
  const deltas = db('tradeflow_checkpoint_deltas').where({ source });
  await (seq === undefined ? deltas : deltas.andWhere('seq', '<=', seq)).delete();
}

/** Adds delta `seq` (what changed since delta `seq - 1` or the base) after the checkpoint of `source`, with the offsets it reaches. */
export async function saveDelta(db: Knex | Knex.Transaction, source: string, seq: number, delta: Checkpoint, savedAt: string): Promise<void> {
  await db('tradeflow_checkpoint_deltas').where({ source, seq }).delete(); // a retried write
  await insertChunks(db, 'tradeflow_checkpoint_deltas', { source, seq }, delta, savedAt);
}

/**
 * Checkpoint rows of 1 MB: the driver escapes each insert on the main thread in one go (about
 * 70 ms for 4 MB on this 2-core host, under load), and a run's checkpoints and compactions write
 * while the pipeline waits. Loads join rows of any size.
 */
const ROW_BYTES = 1 << 20;

async function insertChunks(db: Knex | Knex.Transaction, table: string, key: { source: string; seq: number }, checkpoint: Checkpoint, savedAt: string): Promise<void> {
  for (const [chunk, data] of chunksOf(checkpoint.state, ROW_BYTES).entries()) {
    await db(table).insert({
      ...key,
      chunk,
      offsets: chunk === 0 ? JSON.stringify(checkpoint.offsets.map(({ partition, next }) => ({ partition, next }))) : null,
      data,
      saved_at: savedAt,
    });
  }
}

/** A base and the deltas after it, in order: what a restore folds. */
export interface IncrementalCheckpoint {
  /** The offsets of the last delta (or of the base). */
  readonly offsets: readonly SourceOffset[];
  readonly base: Buffer;
  /** The last delta the base holds. */
  readonly baseSeq: number;
  readonly deltas: readonly { readonly seq: number; readonly state: Buffer }[];
}

/** The base of `source` and its deltas, or undefined when there is no checkpoint. */
export async function loadIncremental(db: Knex | Knex.Transaction, source: string): Promise<IncrementalCheckpoint | undefined> {
  const chain = await loadChain(db, source);
  if (chain === undefined) return undefined;
  return { offsets: chain.offsets, base: Buffer.concat(chain.base), baseSeq: chain.baseSeq, deltas: chain.deltas.map(({ seq, rows }) => ({ seq, state: Buffer.concat(rows) })) };
}

/** The chain of `source` as stored: the base's rows and each delta's, in order, not joined (a join of a large base holds the event loop). */
async function loadChain(db: Knex | Knex.Transaction, source: string): Promise<{ offsets: readonly SourceOffset[]; base: Buffer[]; baseSeq: number; deltas: { seq: number; rows: Buffer[] }[] } | undefined> {
  const stored = await loadBaseRows(db, source);
  if (stored === undefined) return undefined;
  const rows = (await db('tradeflow_checkpoint_deltas').where({ source }).andWhere('seq', '>', stored.baseSeq).orderBy([{ column: 'seq' }, { column: 'chunk' }])) as { seq: number; chunk: number; offsets: string | null; data: Buffer }[];
  const deltas: { seq: number; rows: Buffer[] }[] = [];
  let offsets = stored.offsets;
  for (const seq of [...new Set(rows.map((r) => Number(r.seq)))]) {
    const chunks = rows.filter((r) => Number(r.seq) === seq);
    if (chunks[0]?.offsets !== null && chunks[0] !== undefined) offsets = parseOffsets(chunks[0].offsets);
    deltas.push({ seq, rows: chunks.map((c) => c.data) });
  }
  return { offsets, base: stored.rows, baseSeq: stored.baseSeq, deltas };
}

/**
 * Folds the base of `source` and its deltas into a new base, in a transaction of its own that
 * replaces them (a kill half-way leaves them as they were); deltas written meanwhile stay after
 * it. `fold` gets the blobs as their stored rows, and may keep them (foldInWorker moves them).
 * Returns how many deltas it folded (0 when there was nothing to fold) and the new base's bytes.
 */
export async function compactCheckpoint(db: Knex, source: string, fold: (base: StoredBytes, deltas: readonly StoredBytes[]) => Promise<Buffer>, savedAt: string, halfWay = (): void => {}): Promise<{ folded: number; bytes: number }> {
  const stored = await loadChain(db, source);
  const last = stored?.deltas.at(-1);
  if (stored === undefined || last === undefined) return { folded: 0, bytes: stored?.base.reduce((sum, row) => sum + row.length, 0) ?? 0 };
  const { offsets, deltas } = stored;
  const state = await fold(stored.base, deltas.map((d) => d.rows));
  await db.transaction((trx) => saveCheckpoint(trx, source, { offsets, state }, savedAt, halfWay, last.seq));
  return { folded: deltas.length, bytes: state.length };
}

function parseOffsets(text: string): SourceOffset[] {
  return (JSON.parse(text) as { partition: number; next: number }[]).map(({ partition, next }) => ({ partition, next: asNextOffset(next) }));
}

/** The checkpoint of `source`, or undefined when there is none. */
export async function loadCheckpoint(db: Knex | Knex.Transaction, source: string): Promise<Checkpoint | undefined> {
  return (await loadBase(db, source))?.base;
}

/** The base of `source` and the last delta it holds, read in one query. */
async function loadBase(db: Knex | Knex.Transaction, source: string): Promise<{ base: Checkpoint; baseSeq: number } | undefined> {
  const stored = await loadBaseRows(db, source);
  return stored && { base: { offsets: stored.offsets, state: Buffer.concat(stored.rows) }, baseSeq: stored.baseSeq };
}

async function loadBaseRows(db: Knex | Knex.Transaction, source: string): Promise<{ offsets: SourceOffset[]; rows: Buffer[]; baseSeq: number } | undefined> {
  const rows = (await db('tradeflow_checkpoints').where({ source }).orderBy('chunk')) as { chunk: number; seq: number | null; offsets: string | null; data: Buffer }[];
  const first = rows[0];
  if (first === undefined || first.offsets === null) return undefined;
  return { offsets: parseOffsets(first.offsets), rows: rows.map((row) => row.data), baseSeq: Number(first.seq ?? 0) };
}

/** Records the positions the result table covers after a flush. */
export async function saveProgress(db: Knex | Knex.Transaction, source: string, covered: readonly SourceOffset[]): Promise<void> {
  if (covered.length === 0) return;
  await db('tradeflow_progress')
    .insert(covered.map(({ partition, next }) => ({ source, source_partition: partition, source_offset: next })))
    .onConflict(['source', 'source_partition'])
    .merge();
}

/** The positions the result table covered when the last run of `source` stopped. */
export async function loadProgress(db: Knex | Knex.Transaction, source: string): Promise<Map<number, NextOffset>> {
  const rows = (await db('tradeflow_progress').where({ source })) as { source_partition: number; source_offset: number | string }[];
  return new Map(rows.map((row) => [Number(row.source_partition), asNextOffset(Number(row.source_offset))]));
}

/** Drops the checkpoint of `source` and the offsets its table covered; says whether there was one. */
export async function dropCheckpoint(db: Knex, source: string): Promise<{ readonly checkpoint: Checkpoint | undefined }> {
  return db.transaction(async (trx) => {
    const checkpoint = await loadCheckpoint(trx, source);
    await trx('tradeflow_checkpoints').where({ source }).delete();
    await trx('tradeflow_checkpoint_deltas').where({ source }).delete();
    await trx('tradeflow_progress').where({ source }).delete();
    return { checkpoint };
  });
}
