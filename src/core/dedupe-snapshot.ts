/**
 * The dedupe state as bytes and back, for checkpoints. The figures of the groups are not
 * stored: they follow from the orders that count, and are rebuilt from them on restore.
 */
import { createDedupeState, dayColumns, restoreDay, type DayColumns, type DedupeState } from './dedupe-state.ts';

const FORMAT = 1;

/** The state as one buffer: a JSON header, then each day's columns and keys as raw bytes. */
export function snapshotDedupe(state: DedupeState): Buffer {
  const parts: Buffer[] = [];
  const days = [];
  for (const [day, columns] of exportDays(state)) {
    const keys = Buffer.from(columns.orderIds.join(''), 'utf8');
    const keyBytes = Uint32Array.from(columns.orderIds, (id) => Buffer.byteLength(id, 'utf8'));
    const sections = [keyBytes, keys, columns.orderTime, columns.paySecond, columns.amount, columns.user, columns.channel].map(bytesOf);
    parts.push(...sections);
    days.push({
      day,
      size: columns.orderIds.length,
      sections: sections.map((s) => s.length),
      users: columns.users,
      channels: columns.channels,
      bigAmounts: [...columns.bigAmounts].map(([slot, micros]) => [slot, micros.toString()]),
    });
  }
  const header = Buffer.from(JSON.stringify({ format: FORMAT, days }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([length, header, ...parts]);
}

/** The state a snapshot holds; RangeError when the bytes are not a snapshot of this format. */
export function restoreDedupe(bytes: Buffer): DedupeState {
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as SnapshotHeader;
  if (header.format !== FORMAT) throw new RangeError(`Cannot restore the checkpoint: format ${String(header.format)}, expected ${FORMAT}`);
  const state = createDedupeState();
  let at = 4 + headerLength;
  const take = (length: number): Buffer => {
    const part = Buffer.from(bytes.subarray(at, at + length)); // copied: aligned for typed arrays
    at += length;
    return part;
  };
  for (const day of header.days) {
    const [keyBytes, keys, orderTime, paySecond, amount, user, channel] = day.sections.map(take) as Buffer[] & { length: 7 };
    const lengths = new Uint32Array(keyBytes!.buffer, keyBytes!.byteOffset, day.size);
    const orderIds: string[] = new Array<string>(day.size);
    let offset = 0;
    for (let i = 0; i < day.size; i++) {
      const length = lengths[i] ?? 0;
      orderIds[i] = keys!.toString('utf8', offset, offset + length);
      offset += length;
    }
    restoreDay(state, day.day, {
      orderIds,
      orderTime: new Float64Array(orderTime!.buffer, orderTime!.byteOffset, day.size),
      paySecond: new Int32Array(paySecond!.buffer, paySecond!.byteOffset, day.size),
      amount: new Float64Array(amount!.buffer, amount!.byteOffset, day.size),
      user: new Int32Array(user!.buffer, user!.byteOffset, day.size),
      channel: new Int32Array(channel!.buffer, channel!.byteOffset, day.size),
      users: day.users,
      channels: day.channels,
      bigAmounts: new Map(day.bigAmounts.map(([slot, micros]) => [slot, BigInt(micros)])),
    });
  }
  return state;
}

interface SnapshotHeader {
  format: number;
  days: { day: string; size: number; sections: number[]; users: string[]; channels: string[]; bigAmounts: [number, string][] }[];
}

function exportDays(state: DedupeState): [string, DayColumns][] {
  return [...state.days.keys()].map((day) => [day, dayColumns(state, day)]);
}

function bytesOf(view: ArrayBufferView | Buffer): Buffer {
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
