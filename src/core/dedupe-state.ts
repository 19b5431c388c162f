/**
 * Dedupe by order: per day and `order_id`, the version with the greatest `order_time` counts,
 * the first one to arrive on a tie (Flink's Rank keeps the first of equal keys). A version that
 * replaces another retracts the old contribution before adding its own.
 *
 * The state is compact by design: a day's orders are columns of typed arrays indexed by the
 * number of their `order_id` in an interned numbering (its slot), and user ids and channels are
 * interned per day too, so a tracked order costs its id's text and about 40 bytes, not a parsed
 * JSON object.
 */
import { intern, interned, lookup, type Interned } from './interned.ts';
import type { Amount } from './money.ts';
import { dayOf, secondOfDay, timestampAt } from './order-time.ts';
import type { PaidVersion } from './order.ts';

/** What one order version adds to (sign 1) or takes from (sign -1) its day's figures. */
export interface Contribution {
  readonly sign: 1 | -1;
  /** `yyyy-MM-dd` of `pay_time`: the business day it counts toward. */
  readonly day: string;
  readonly channel: string | null;
  readonly userId: string | null;
  readonly amount: Amount;
  readonly payTime: string;
  /**
   * The interned users of its day in the dedupe state that made it, and `user`, the number of
   * `userId` among them (-1 for none): a group of the same numbering counts its users by number,
   * without a look-up of the text. Absent on a contribution read from the changes topic.
   */
  readonly users?: Interned | undefined;
  readonly user?: number | undefined;
}

/** The orders of one day, column by column. */
interface DayOrders {
  /** The order ids, numbered by slot (append-only within a day). */
  readonly ids: Interned;
  size: number;
  orderTime: Float64Array;
  paySecond: Int32Array;
  /** Micro-units; NaN where the amount is a bigint of atto-units kept in `bigAmounts`. */
  amount: Float64Array;
  user: Int32Array;
  channel: Int32Array;
  readonly bigAmounts: Map<number, bigint>;
  /** Interned per day, so that dropping a day frees its users too. */
  readonly users: Interned;
  readonly channels: Interned;
  /** Change tracking (see {@link trackChanges}): how many orders, users and channels the last capture had. */
  captured: number;
  capturedUsers: number;
  capturedChannels: number;
  /** Slots below `captured` changed since the last capture; undefined while nothing is tracked. */
  changed: Set<number> | undefined;
}

/** The dedupe state of every day being tracked. */
export interface DedupeState {
  readonly days: Map<string, DayOrders>;
  /** While changes are tracked: the days dropped since the last capture. */
  dropped?: Set<string>;
  /** The day the last order was of, and its orders: nearly every order is of the same day as the one before. */
  recent?: { readonly day: string; readonly orders: DayOrders } | undefined;
}

const INITIAL_CAPACITY = 1024;

/** An empty state. */
export function createDedupeState(): DedupeState {
  return { days: new Map() };
}

/**
 * Applies one paid order version of its day, pushing the contributions it changes to `out`:
 * nothing (an older version, or a tie), an insert (a new order), or a retract then an insert.
 */
export function applyOrder(state: DedupeState, order: PaidVersion, out: Contribution[]): void {
  const { day, orders } = state.recent !== undefined && order.payTime.startsWith(state.recent.day) ? state.recent : (state.recent = dayOrdersOf(state, dayOf(order.payTime)));
  const slot = intern(orders.ids, order.orderId);
  if (slot === orders.size) {
    if (slot === orders.orderTime.length) grow(orders);
    orders.size += 1;
    if (order.deleted === true) return markDeleted(orders, slot, order.orderTime);
  } else {
    const counted = orders.paySecond[slot] !== DELETED;
    if (order.deleted === true) return applyDelete(orders, slot, order.orderTime, counted, day, out);
    if (!(order.orderTime > (orders.orderTime[slot] ?? Infinity))) return;
    if (counted) out.push(retraction(orders, slot, day));
  }
  const user = store(orders, slot, order);
  out.push({ sign: 1, day, channel: order.channel, userId: order.userId, amount: order.realPay, payTime: order.payTime, users: orders.users, user });
}

/** The orders of `day`, made if new. */
function dayOrdersOf(state: DedupeState, day: string): { readonly day: string; readonly orders: DayOrders } {
  let orders = state.days.get(day);
  if (orders === undefined) {
    orders = createDayOrders();
    if (state.dropped !== undefined) orders.changed = new Set();
    state.days.set(day, orders);
  }
  return { day, orders };
}

/**
 * `paySecond` of an order whose latest version is its deletion (a change message's delete): it
 * counts nothing until a version with a later `order_time` comes.
 */
const DELETED = -1;

/**
 * A delete is a version that counts nothing, and it wins a tie: it deletes the version of its
 * `order_time` (or a later one never seen). A delete older than the version that counts deletes
 * a version already replaced: nothing changes, as Flink's Rank ignores the retraction of a row
 * that is not its top row.
 */
function applyDelete(orders: DayOrders, slot: number, orderTime: number, counted: boolean, day: string, out: Contribution[]): void {
  if (!(orderTime >= (orders.orderTime[slot] ?? Infinity))) return;
  if (counted) out.push(retraction(orders, slot, day));
  markDeleted(orders, slot, orderTime);
}

function markDeleted(orders: DayOrders, slot: number, orderTime: number): void {
  if (slot < orders.captured) orders.changed?.add(slot);
  orders.orderTime[slot] = orderTime;
  orders.paySecond[slot] = DELETED;
  orders.bigAmounts.delete(slot);
}

/** Forgets a day (live mode, after midnight): its orders no longer change anything. */
export function dropDay(state: DedupeState, day: string): void {
  if (state.recent?.day === day) state.recent = undefined;
  if (state.days.delete(day)) state.dropped?.add(day);
}

/** Forgets every day but `day` (a restart after midnight: the days before are final). */
export function keepOnlyDay(state: DedupeState, day: string): void {
  for (const tracked of [...state.days.keys()]) if (tracked !== day) dropDay(state, tracked);
}

/** How many orders are tracked, over all days. */
export function trackedOrders(state: DedupeState): number {
  let total = 0;
  for (const orders of state.days.values()) total += orders.size;
  return total;
}

/** Puts `order` in `slot`; returns its user's number. */
function store(orders: DayOrders, slot: number, order: PaidVersion): number {
  if (slot < orders.captured) orders.changed?.add(slot);
  orders.orderTime[slot] = order.orderTime;
  orders.paySecond[slot] = secondOfDay(order.payTime);
  if (typeof order.realPay === 'number') {
    orders.amount[slot] = order.realPay;
    orders.bigAmounts.delete(slot);
  } else {
    orders.amount[slot] = NaN;
    orders.bigAmounts.set(slot, order.realPay);
  }
  const user = intern(orders.users, order.userId);
  orders.user[slot] = user;
  orders.channel[slot] = intern(orders.channels, order.channel);
  return user;
}

function retraction(orders: DayOrders, slot: number, day: string): Contribution {
  const small = orders.amount[slot] ?? NaN;
  return {
    sign: -1,
    day,
    channel: lookup(orders.channels, orders.channel[slot] ?? -1),
    userId: lookup(orders.users, orders.user[slot] ?? -1),
    amount: Number.isNaN(small) ? (orders.bigAmounts.get(slot) ?? 0n) : small,
    payTime: timestampAt(day, orders.paySecond[slot] ?? 0),
    users: orders.users,
    user: orders.user[slot] ?? -1,
  };
}

function createDayOrders(capacity = INITIAL_CAPACITY): DayOrders {
  return {
    ids: interned(),
    size: 0,
    orderTime: new Float64Array(capacity),
    paySecond: new Int32Array(capacity),
    amount: new Float64Array(capacity),
    user: new Int32Array(capacity),
    channel: new Int32Array(capacity),
    bigAmounts: new Map(),
    users: interned(),
    channels: interned(),
    captured: 0,
    capturedUsers: 0,
    capturedChannels: 0,
    changed: undefined,
  };
}

function grow(orders: DayOrders): void {
  // By half again, not double: the columns are most of an order's bytes, and their room to grow counts too.
  const capacity = Math.ceil(orders.orderTime.length * 1.5);
  orders.orderTime = copyInto(new Float64Array(capacity), orders.orderTime);
  orders.paySecond = copyInto(new Int32Array(capacity), orders.paySecond);
  orders.amount = copyInto(new Float64Array(capacity), orders.amount);
  orders.user = copyInto(new Int32Array(capacity), orders.user);
  orders.channel = copyInto(new Int32Array(capacity), orders.channel);
}

function copyInto<A extends Float64Array | Int32Array>(target: A, source: A): A {
  target.set(source);
  return target;
}

/** A day's orders as plain columns, in slot order (for snapshots). */
export interface DayColumns {
  readonly orderIds: readonly string[];
  /** How many orders (the first `size` of `orderIds`). */
  readonly size: number;
  readonly orderTime: Float64Array;
  readonly paySecond: Int32Array;
  readonly amount: Float64Array;
  readonly user: Int32Array;
  readonly channel: Int32Array;
  readonly users: string[];
  readonly channels: string[];
  readonly bigAmounts: ReadonlyMap<number, bigint>;
}

/**
 * The columns of a tracked day: views, not copies (copy the typed columns before the state
 * changes again). `orderIds` is the live append-only list: read only its first `size` entries.
 */
export function dayColumns(state: DedupeState, day: string): DayColumns {
  const orders = state.days.get(day);
  if (orders === undefined) throw new RangeError(`Cannot export day ${day}: it is not tracked`);
  const size = orders.size;
  return {
    orderIds: orders.ids.values,
    size,
    orderTime: orders.orderTime.subarray(0, size),
    paySecond: orders.paySecond.subarray(0, size),
    amount: orders.amount.subarray(0, size),
    user: orders.user.subarray(0, size),
    channel: orders.channel.subarray(0, size),
    users: orders.users.values,
    channels: orders.channels.values,
    bigAmounts: orders.bigAmounts,
  };
}

/** Puts a day back from its columns (a checkpoint being restored). */
export function restoreDay(state: DedupeState, day: string, columns: DayColumns): void {
  const size = columns.size;
  const orders = createDayOrders(Math.max(INITIAL_CAPACITY, size));
  for (let slot = 0; slot < size; slot++) intern(orders.ids, columns.orderIds[slot] ?? '');
  orders.size = size;
  orders.orderTime.set(columns.orderTime);
  orders.paySecond.set(columns.paySecond);
  orders.amount.set(columns.amount);
  orders.user.set(columns.user);
  orders.channel.set(columns.channel);
  for (const [slot, micros] of columns.bigAmounts) orders.bigAmounts.set(slot, micros);
  columns.users.forEach((user) => intern(orders.users, user));
  columns.channels.forEach((channel) => intern(orders.channels, channel));
  if (state.dropped !== undefined) {
    orders.changed = new Set();
    state.dropped.add(day); // put back whole: a delta resets the day, then appends every order
  }
  if (state.recent?.day === day) state.recent = undefined;
  state.days.set(day, orders);
}

/** The contribution of every order that counts now: what rebuilds the groups after a restore. */
export function currentContributions(state: DedupeState): Contribution[] {
  const out: Contribution[] = [];
  for (const [day, orders] of state.days) {
    for (let slot = 0; slot < orders.size; slot++) if (orders.paySecond[slot] !== DELETED) out.push({ ...retraction(orders, slot, day), sign: 1 });
  }
  return out;
}

/**
 * Starts tracking what changes from now on (the state as it is counts as captured): the orders
 * appended, the slots changed, the days dropped, for {@link takeChanges}.
 */
export function trackChanges(state: DedupeState): void {
  state.dropped = new Set();
  for (const orders of state.days.values()) markCaptured(orders);
}

function markCaptured(orders: DayOrders): void {
  orders.captured = orders.size;
  orders.capturedUsers = orders.users.values.length;
  orders.capturedChannels = orders.channels.values.length;
  orders.changed = new Set();
}

/** What changed in one day since the last capture: the changed slots first, then the appended ones. */
export interface DayChanges {
  readonly day: string;
  /** The day's order count at the last capture: appended orders take slots `from` to `size - 1`. */
  readonly from: number;
  readonly size: number;
  /** The slots below `from` that changed, ascending. */
  readonly changed: Int32Array;
  /** The ids of the appended orders. */
  readonly appendedIds: readonly string[];
  /** One entry per changed slot, then one per appended slot. */
  readonly orderTime: Float64Array;
  readonly paySecond: Int32Array;
  readonly amount: Float64Array;
  readonly user: Int32Array;
  readonly channel: Int32Array;
  /** The users and channels interned since the last capture (their indexes go on from `usersFrom`, `channelsFrom`). */
  readonly usersFrom: number;
  readonly users: readonly string[];
  readonly channelsFrom: number;
  readonly channels: readonly string[];
  /** Big amounts of the changed and appended slots, by slot. */
  readonly bigAmounts: ReadonlyMap<number, bigint>;
}

/** Everything that changed since the last capture. */
export interface DedupeChanges {
  /** Days dropped (or put back whole): a restore forgets them before it applies `days`. */
  readonly dropped: readonly string[];
  readonly days: readonly DayChanges[];
}

/**
 * Copies what changed since the last capture (or since {@link trackChanges}) and makes now the
 * last capture: synchronous, and proportional to the changes, not to the state.
 */
export function takeChanges(state: DedupeState): DedupeChanges {
  if (state.dropped === undefined) throw new RangeError('Cannot take the changes of the dedupe state: they are not tracked (trackChanges first)');
  const dropped = [...state.dropped];
  state.dropped.clear();
  const days: DayChanges[] = [];
  for (const [day, orders] of state.days) {
    const changed = Int32Array.from(orders.changed ?? []).sort();
    const from = orders.captured;
    const size = orders.size;
    if (changed.length === 0 && from === size && orders.capturedUsers === orders.users.values.length && orders.capturedChannels === orders.channels.values.length) continue;
    const gather = <A extends Float64Array | Int32Array>(target: A, column: A): A => {
      for (let i = 0; i < changed.length; i++) target[i] = column[changed[i]!]!;
      target.set(column.subarray(from, size), changed.length);
      return target;
    };
    const rows = changed.length + size - from;
    const bigAmounts = new Map<number, bigint>();
    for (const slot of changed) if (orders.bigAmounts.has(slot)) bigAmounts.set(slot, orders.bigAmounts.get(slot)!);
    for (const [slot, attos] of orders.bigAmounts) if (slot >= from) bigAmounts.set(slot, attos);
    days.push({
      day,
      from,
      size,
      changed,
      appendedIds: orders.ids.values.slice(from, size),
      orderTime: gather(new Float64Array(rows), orders.orderTime),
      paySecond: gather(new Int32Array(rows), orders.paySecond),
      amount: gather(new Float64Array(rows), orders.amount),
      user: gather(new Int32Array(rows), orders.user),
      channel: gather(new Int32Array(rows), orders.channel),
      usersFrom: orders.capturedUsers,
      users: orders.users.values.slice(orders.capturedUsers),
      channelsFrom: orders.capturedChannels,
      channels: orders.channels.values.slice(orders.capturedChannels),
      bigAmounts,
    });
    markCaptured(orders);
  }
  return { dropped, days };
}
