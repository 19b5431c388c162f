/**
 * Incremental checkpoints of the dedupe state: a delta holds only what changed since the last
 * capture (see `takeChanges`), and a stored base plus its deltas, in order, fold into the state
 * or into a new base, from bytes alone (compaction needs no live state).
 */
import { decodeEncodedDays, decodeIds, encodeDays, type EncodedDay } from './dedupe-snapshot.ts';
import { createDedupeState, restoreDay, type DedupeChanges, type DedupeState } from './dedupe-state.ts';

const DELTA_FORMAT = 'delta-1';
const KEYS_PER_SLICE = 100_000;

interface DeltaHeader {
  format: string;
  seq: number;
  dropped: string[];
  days: { day: string; from: number; size: number; changed: number; keySlices: number[]; sections: number[]; usersFrom: number; users: string[]; channelsFrom: number; channels: string[]; bigAmounts: [number, string][] }[];
}

/** The changes as one buffer, numbered `seq` (a restore checks that none is missing); ids encoded a slice at a time. */
export async function encodeDelta(changes: DedupeChanges, seq: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const days: DeltaHeader['days'] = [];
  for (const change of changes.days) {
    const keySlices: number[] = [];
    for (let start = 0; start < change.appendedIds.length; start += KEYS_PER_SLICE) {
      const slice = Buffer.from(JSON.stringify(change.appendedIds.slice(start, start + KEYS_PER_SLICE)), 'utf8');
      parts.push(slice);
      keySlices.push(slice.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const sections = [change.changed, change.orderTime, change.paySecond, change.amount, change.user, change.channel].map((view) => Buffer.from(view.buffer, view.byteOffset, view.byteLength));
    parts.push(...sections);
    days.push({
      day: change.day,
      from: change.from,
      size: change.size,
      changed: change.changed.length,
      keySlices,
      sections: sections.map((section) => section.length),
      usersFrom: change.usersFrom,
      users: [...change.users],
      channelsFrom: change.channelsFrom,
      channels: [...change.channels],
      bigAmounts: [...change.bigAmounts].map(([slot, attos]) => [slot, attos.toString()]),
    });
  }
  const header = Buffer.from(JSON.stringify({ format: DELTA_FORMAT, seq, dropped: [...changes.dropped], days } satisfies DeltaHeader), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, ...parts]);
}

/** A day being folded: columns with room to grow. */
interface FoldedDay {
  /** The ids, still encoded: a fold only appends them. */
  idSlices: Buffer[];
  size: number;
  orderTime: Float64Array;
  paySecond: Int32Array;
  amount: Float64Array;
  user: Int32Array;
  channel: Int32Array;
  users: string[];
  channels: string[];
  bigAmounts: Map<number, bigint>;
}

/** The state that a base snapshot and the deltas after it (in order) hold; RangeError when a delta does not follow. */
export function restoreIncremental(base: Buffer, deltas: readonly Buffer[]): DedupeState {
  const state = createDedupeState();
  for (const [day, { idSlices, ...columns }] of fold(base, deltas)) restoreDay(state, day, { ...columns, orderIds: decodeIds(idSlices) });
  return state;
}

/** A stored blob: whole, or as the rows it is stored in, in order. */
export type StoredBytes = Buffer | readonly Buffer[];

/** A new base snapshot holding what `base` and its `deltas` hold: what compaction writes in their place. */
export async function compactIncremental(base: StoredBytes, deltas: readonly StoredBytes[]): Promise<Buffer> {
  return encodeDays([...fold(joined(base), deltas.map(joined))]);
}

function joined(bytes: StoredBytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.concat(bytes as readonly Buffer[]);
}

/** The sequence number of a delta (RangeError when the bytes are not a delta). */
export function deltaSeq(delta: Buffer): number {
  return readHeader(delta).header.seq;
}

function fold(base: Buffer, deltas: readonly Buffer[]): Map<string, EncodedDay> {
  const days = new Map<string, FoldedDay>();
  for (const [day, columns] of decodeEncodedDays(base)) days.set(day, { ...columns, idSlices: [...columns.idSlices], users: [...columns.users], channels: [...columns.channels], bigAmounts: new Map(columns.bigAmounts) });
  const headers = deltas.map(readHeader);
  // Each day's columns grow once, to the largest size a delta states, not by doubling.
  const finalSizes = new Map<string, number>();
  for (const { header } of headers) for (const change of header.days) finalSizes.set(change.day, Math.max(change.size, finalSizes.get(change.day) ?? 0));
  let previous: number | undefined;
  for (const [i, { header, at }] of headers.entries()) {
    if (previous !== undefined && header.seq !== previous + 1) throw new RangeError(`Cannot restore the checkpoint: delta ${header.seq} follows delta ${previous}`);
    previous = header.seq;
    applyDelta(days, deltas[i]!, header, at, finalSizes);
  }
  return new Map([...days].map(([day, folded]) => [day, view(folded)]));
}

function readHeader(delta: Buffer): { header: DeltaHeader; at: number } {
  const length = delta.readUInt32LE(0);
  const header = JSON.parse(delta.toString('utf8', 4, 4 + length)) as DeltaHeader;
  if (header.format !== DELTA_FORMAT) throw new RangeError(`Cannot restore the checkpoint: a delta of format ${String(header.format)}, expected ${DELTA_FORMAT}`);
  return { header, at: 4 + length };
}

function applyDelta(days: Map<string, FoldedDay>, bytes: Buffer, header: DeltaHeader, start: number, finalSizes: ReadonlyMap<string, number>): void {
  let at = start;
  const take = (length: number): Buffer => {
    const part = Buffer.from(bytes.subarray(at, at + length)); // copied: aligned for typed arrays
    at += length;
    return part;
  };
  for (const day of header.dropped) days.delete(day);
  for (const change of header.days) {
    const folded = days.get(change.day) ?? emptyDay();
    days.set(change.day, folded);
    if (folded.size !== change.from) throw new RangeError(`Cannot restore the checkpoint: delta ${header.seq} follows ${change.from} orders of ${change.day}, the state has ${folded.size}`);
    if (folded.users.length !== change.usersFrom || folded.channels.length !== change.channelsFrom) throw new RangeError(`Cannot restore the checkpoint: delta ${header.seq} does not follow the users and channels of ${change.day}`);
    for (const length of change.keySlices) folded.idSlices.push(take(length));
    const [changed, orderTime, paySecond, amount, user, channel] = change.sections.map(take) as Buffer[] & { length: 6 };
    const rows = change.changed + change.size - change.from;
    const slots = new Int32Array(changed!.buffer, changed!.byteOffset, change.changed);
    grow(folded, change.size, finalSizes.get(change.day) ?? change.size);
    const scatter = <A extends Float64Array | Int32Array>(target: A, source: A): void => {
      for (let i = 0; i < slots.length; i++) target[slots[i]!] = source[i]!;
      target.set(source.subarray(slots.length), change.from);
    };
    scatter(folded.orderTime, new Float64Array(orderTime!.buffer, orderTime!.byteOffset, rows));
    scatter(folded.paySecond, new Int32Array(paySecond!.buffer, paySecond!.byteOffset, rows));
    scatter(folded.amount, new Float64Array(amount!.buffer, amount!.byteOffset, rows));
    scatter(folded.user, new Int32Array(user!.buffer, user!.byteOffset, rows));
    scatter(folded.channel, new Int32Array(channel!.buffer, channel!.byteOffset, rows));
    for (const slot of slots) folded.bigAmounts.delete(slot);
    for (const [slot, attos] of change.bigAmounts) folded.bigAmounts.set(slot, BigInt(attos));
    append(folded.users, change.users);
    append(folded.channels, change.channels);
    folded.size = change.size;
  }
}

/** Appends one by one: a spread of 100,000 arguments can overflow the stack. */
function append(target: string[], values: readonly string[]): void {
  for (const value of values) target.push(value);
}

function emptyDay(): FoldedDay {
  return { idSlices: [], size: 0, orderTime: new Float64Array(0), paySecond: new Int32Array(0), amount: new Float64Array(0), user: new Int32Array(0), channel: new Int32Array(0), users: [], channels: [], bigAmounts: new Map() };
}

/** Room for `size` orders: when there is too little, room for `final` (at least `size`). */
function grow(day: FoldedDay, size: number, final: number): void {
  if (size <= day.orderTime.length) return;
  const capacity = Math.max(size, final);
  const larger = <A extends Float64Array | Int32Array>(column: A, make: (n: number) => A): A => {
    const target = make(capacity);
    target.set(column.subarray(0, day.size));
    return target;
  };
  day.orderTime = larger(day.orderTime, (n) => new Float64Array(n));
  day.paySecond = larger(day.paySecond, (n) => new Int32Array(n));
  day.amount = larger(day.amount, (n) => new Float64Array(n));
  day.user = larger(day.user, (n) => new Int32Array(n));
  day.channel = larger(day.channel, (n) => new Int32Array(n));
}

function view(day: FoldedDay): EncodedDay {
  return { ...day, orderTime: day.orderTime.subarray(0, day.size), paySecond: day.paySecond.subarray(0, day.size), amount: day.amount.subarray(0, day.size), user: day.user.subarray(0, day.size), channel: day.channel.subarray(0, day.size) };
}
