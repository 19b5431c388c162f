/**
 * The dedupe state as bytes and back, for checkpoints. The figures of the groups are not
 * stored: they follow from the orders that count, and are rebuilt from them on restore.
 */
import { createDedupeState, dayColumns, restoreDay, type DayColumns, type DedupeState } from './dedupe-state.ts';

/** Format 4: big amounts in atto-units (10^-18). Format 3 had them in micro-units, and is still read. */
const FORMAT = 4;
const MICRO_FORMAT = 3;

/** A copy of the state, taken at once; encoding it can wait (see {@link encodeCapture}). */
export interface DedupeCapture {
  readonly days: readonly (readonly [string, DayColumns])[];
}

const KEYS_PER_SLICE = 100_000;

/**
 * Copies the state synchronously: the typed columns (a memory copy) and the user and channel
 * lists; the ids are append-only, so their count is enough. The pipeline pauses only for this.
 */
export function captureDedupe(state: DedupeState): DedupeCapture {
  return {
    days: [...state.days.keys()].map((day) => {
      const columns = dayColumns(state, day);
      return [
        day,
        {
          ...columns,
          orderTime: columns.orderTime.slice(),
          paySecond: columns.paySecond.slice(),
          amount: columns.amount.slice(),
          user: columns.user.slice(),
          channel: columns.channel.slice(),
          users: columns.users.slice(),
          channels: columns.channels.slice(),
          bigAmounts: new Map(columns.bigAmounts),
        },
      ] as const;
    }),
  };
}

/**
 * A capture as one buffer (a JSON header, then each day's ids as JSON arrays of 100,000 and its
 * columns as raw bytes), written a slice at a time so that the event loop keeps running.
 */
export async function encodeCapture(capture: DedupeCapture): Promise<Buffer> {
  const days: [string, EncodedDay][] = [];
  for (const [day, columns] of capture.days) {
    const idSlices: Buffer[] = [];
    for (let start = 0; start < columns.size; start += KEYS_PER_SLICE) {
      idSlices.push(Buffer.from(JSON.stringify(columns.orderIds.slice(start, Math.min(start + KEYS_PER_SLICE, columns.size))), 'utf8'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    days.push([day, { ...columns, idSlices }]);
  }
  return encodeDays(days);
}

/** A day's columns with its ids still encoded, as JSON arrays: a fold appends them, never parses them. */
export interface EncodedDay extends Omit<DayColumns, 'orderIds'> {
  readonly idSlices: readonly Buffer[];
}

/** Days with encoded ids as one snapshot buffer. */
export function encodeDays(encoded: readonly (readonly [string, EncodedDay])[]): Buffer {
  const parts: Buffer[] = [];
  const days = [];
  for (const [day, columns] of encoded) {
    parts.push(...columns.idSlices);
    const sections = [columns.orderTime, columns.paySecond, columns.amount, columns.user, columns.channel].map(bytesOf);
    parts.push(...sections);
    days.push({
      day,
      size: columns.size,
      keySlices: columns.idSlices.map((slice) => slice.length),
      sections: sections.map((section) => section.length),
      users: columns.users,
      channels: columns.channels,
      bigAmounts: [...columns.bigAmounts].map(([slot, attos]) => [slot, attos.toString()]),
    });
  }
  const header = Buffer.from(JSON.stringify({ format: FORMAT, days }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, ...parts]);
}

/** The ids of encoded slices. */
export function decodeIds(slices: readonly Buffer[]): string[] {
  const ids: string[] = [];
  for (const slice of slices) for (const id of JSON.parse(slice.toString('utf8')) as string[]) ids.push(id);
  return ids;
}

/** The state as one buffer, now (tests, small states). */
export function snapshotDedupe(state: DedupeState): Promise<Buffer> {
  return encodeCapture(captureDedupe(state));
}

/** The state a snapshot holds; RangeError when the bytes are not a snapshot of this format. */
export function restoreDedupe(bytes: Buffer): DedupeState {
  const state = createDedupeState();
  for (const [day, columns] of decodeSnapshot(bytes)) restoreDay(state, day, columns);
  return state;
}

/** The days a snapshot holds, as columns; RangeError when the bytes are not a snapshot of this format. */
export function decodeSnapshot(bytes: Buffer): [string, DayColumns][] {
  return decodeEncodedDays(bytes).map(([day, { idSlices, ...columns }]) => [day, { ...columns, orderIds: decodeIds(idSlices) }]);
}

/** The days a snapshot holds, their ids left encoded; RangeError when the bytes are not a snapshot of this format. */
export function decodeEncodedDays(bytes: Buffer): [string, EncodedDay][] {
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as SnapshotHeader;
  if (header.format !== FORMAT && header.format !== MICRO_FORMAT) throw new RangeError(`Cannot restore the checkpoint: format ${String(header.format)}, expected ${FORMAT}`);
  const bigScale = header.format === MICRO_FORMAT ? 10n ** 12n : 1n;
  let at = 4 + headerLength;
  const take = (length: number): Buffer => {
    const part = Buffer.from(bytes.subarray(at, at + length)); // copied: aligned for typed arrays
    at += length;
    return part;
  };
  return header.days.map((day) => {
    const idSlices = day.keySlices.map((length) => bytes.subarray(at, (at += length)));
    const [orderTime, paySecond, amount, user, channel] = day.sections.map(take) as Buffer[] & { length: 5 };
    return [
      day.day,
      {
        idSlices,
        size: day.size,
        orderTime: new Float64Array(orderTime!.buffer, orderTime!.byteOffset, day.size),
        paySecond: new Int32Array(paySecond!.buffer, paySecond!.byteOffset, day.size),
        amount: new Float64Array(amount!.buffer, amount!.byteOffset, day.size),
        user: new Int32Array(user!.buffer, user!.byteOffset, day.size),
        channel: new Int32Array(channel!.buffer, channel!.byteOffset, day.size),
        users: day.users,
        channels: day.channels,
        bigAmounts: new Map(day.bigAmounts.map(([slot, amount]) => [slot, BigInt(amount) * bigScale])),
      },
    ];
  });
}

interface SnapshotHeader {
  format: number;
  days: { day: string; size: number; keySlices: number[]; sections: number[]; users: string[]; channels: string[]; bigAmounts: [number, string][] }[];
}

function bytesOf(view: ArrayBufferView | Buffer): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
