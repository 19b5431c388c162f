/**
 * The aggregate state: the figures of every (`begin_time`, `channel_code`) group, by group key,
 * and the step that applies a micro-batch of contributions to them. It is plain data, so that it
 * can be checkpointed (exact money, see {@link snapshotGroups}) or rebuilt from the dedupe state
 * (see {@link groupTableOf}) instead of hiding inside an operator.
 */
import { addPaySecond, applyChange, createChannelGroup, paySecondCounts, toResultRow, type ChannelGroup, type ResultRow } from './channel-aggregate.ts';
import { TUTORIAL_CHANNELS, type Channel, type ChannelMap } from './channel.ts';
import { currentContributions, type Contribution, type DedupeState } from './dedupe-state.ts';
import { groupKeyText } from './group-key.ts';
import { setUserCounts, userCounts } from './group-users.ts';

/** A contribution with its sales channel resolved (once, by `mapChannel`). */
export interface ChannelContribution extends Contribution {
  readonly channelOfOrder: Channel;
}

/** Every group being tracked, by {@link groupKeyText}, and the latest day a change was seen for. */
export interface GroupTable {
  readonly groups: Map<string, ChannelGroup>;
  /** `yyyy-MM-dd`; '' before the first change. */
  latestDay: string;
}

/** Options of {@link aggregate}. */
export interface AggregateStepOptions {
  /**
   * Let go of a day's groups once a later day's change arrives (live mode: after midnight the
   * old day's rows are final). Default: false, every day's groups are kept.
   */
  readonly latestDayOnly?: boolean;
}

/** An empty table. */
export function createGroupTable(): GroupTable {
  return { groups: new Map(), latestDay: '' };
}

/**
 * Applies one micro-batch of contributions, group by group in the order each group first appears,
 * and returns the row of every group it changed (a row with no figures: the group became empty
 * and its row must go), stamped `now` (`flink_current_time`, as written).
 */
export function aggregate(table: GroupTable, contributions: readonly ChannelContribution[], now: string, options: AggregateStepOptions = {}): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const [key, part] of splitByGroup(contributions)) {
    const { day } = part[0]!;
    if (day > table.latestDay) {
      table.latestDay = day;
      if (options.latestDayOnly === true) keepLatestDay(table);
    }
    let group = table.groups.get(key);
    if (group === undefined) table.groups.set(key, (group = createGroupFor(part[0]!)));
    for (const change of part) applyChange(group, change);
    rows.push(toResultRow(group, now));
  }
  return rows;
}

/** Drops the groups of every day before the table's latest day (their rows are final). */
export function keepLatestDay(table: GroupTable): void {
  for (const [key, group] of table.groups) if (group.day < table.latestDay) table.groups.delete(key);
}

/** The groups of `table` whose keys `keep` takes, as a table of their own (the same groups, not copies): what one partition's snapshot holds. */
export function tableOfGroups(table: GroupTable, keep: (key: string) => boolean): GroupTable {
  return { groups: new Map([...table.groups].filter(([key]) => keep(key))), latestDay: table.latestDay };
}

/** Adds the groups of `part` to `table` (tables of other partitions: no key is in both), and its latest day if later. */
export function addGroups(table: GroupTable, part: GroupTable): void {
  for (const [key, group] of part.groups) table.groups.set(key, group);
  if (part.latestDay > table.latestDay) table.latestDay = part.latestDay;
}

/** The row of every group, stamped `now`: what a restored table shows first. Takes their minutes, like {@link aggregate}. */
export function allRows(table: GroupTable, now: string): ResultRow[] {
  return [...table.groups.values()].map((group) => toResultRow(group, now));
}

/**
 * The groups of the orders that count in a dedupe state: the table a restored dedupe state
 * implies, built without replaying anything through the pipeline.
 */
export function groupTableOf(state: DedupeState, channels: ChannelMap = TUTORIAL_CHANNELS): GroupTable {
  const table = createGroupTable();
  const contributions = currentContributions(state).map((contribution): ChannelContribution => ({ ...contribution, channelOfOrder: channels.of(contribution.channel) }));
  for (const [key, part] of splitByGroup(contributions)) {
    const { day } = part[0]!;
    if (day > table.latestDay) table.latestDay = day;
    const group = createGroupFor(part[0]!);
    for (const change of part) applyChange(group, change);
    table.groups.set(key, group); // no row taken: its first row carries every minute
  }
  return table;
}

/** Format 1: JSON, money as exact integer text. */
const FORMAT = 1;

/** The table as bytes, exact to the atto-unit, with what each group's next row must carry. */
export function snapshotGroups(table: GroupTable): Buffer {
  const groups = [...table.groups.values()].map((group) => ({
    day: group.day,
    channelCode: group.channelCode,
    gmv: [group.gmv.small, group.gmv.big.toString()],
    orders: group.orders,
    users: userCounts(group.users),
    paySeconds: paySecondCounts(group),
    lastPaySecond: group.lastPaySecond,
    minuteGmv: group.minuteGmv.flatMap((sum, minute) => (sum === undefined ? [] : [[minute, sum.small, sum.big.toString()]])),
    changedMinutes: [...group.changedMinutes],
    minutesTaken: group.minutesTaken,
  }));
  return Buffer.from(JSON.stringify({ format: FORMAT, latestDay: table.latestDay, groups }), 'utf8');
}

/** The table a snapshot of {@link snapshotGroups} holds, its groups named by the shop's channels; RangeError when the bytes are not one. */
export function restoreGroups(bytes: Buffer, channels: ChannelMap = TUTORIAL_CHANNELS): GroupTable {
  const snapshot = JSON.parse(bytes.toString('utf8')) as GroupsSnapshot;
  if (snapshot.format !== FORMAT) throw new RangeError(`Cannot restore the group table: format ${String(snapshot.format)}, expected ${FORMAT}`);
  const table: GroupTable = { groups: new Map(), latestDay: snapshot.latestDay };
  for (const saved of snapshot.groups) {
    const group = createChannelGroup(saved.day, saved.channelCode, channels.byCode(saved.channelCode).name);
    group.gmv.small = saved.gmv[0];
    group.gmv.big = BigInt(saved.gmv[1]);
    group.orders = saved.orders;
    setUserCounts(group.users, saved.users);
    for (const [second, count] of saved.paySeconds) addPaySecond(group, second, count);
    group.lastPaySecond = saved.lastPaySecond;
    for (const [minute, small, big] of saved.minuteGmv) group.minuteGmv[minute] = { small, big: BigInt(big) };
    for (const minute of saved.changedMinutes) group.changedMinutes.add(minute);
    group.minutesTaken = saved.minutesTaken;
    table.groups.set(groupKeyText(saved.day, saved.channelCode), group);
  }
  return table;
}

interface GroupsSnapshot {
  format: number;
  latestDay: string;
  groups: {
    day: string;
    channelCode: string;
    gmv: [number, string];
    orders: number;
    users: [string, number][];
    paySeconds: [number, number][];
    lastPaySecond: number;
    minuteGmv: [number, number, string][];
    changedMinutes: number[];
    minutesTaken: boolean;
  }[];
}

/** The contributions by group key, each group in the order it first appears (a key text per group, not per contribution). */
function splitByGroup(changes: readonly ChannelContribution[]): Map<string, ChannelContribution[]> {
  const byDay = new Map<string, Map<Channel, ChannelContribution[]>>();
  const parts = new Map<string, ChannelContribution[]>();
  for (const change of changes) {
    let ofDay = byDay.get(change.day);
    if (ofDay === undefined) byDay.set(change.day, (ofDay = new Map()));
    let part = ofDay.get(change.channelOfOrder);
    if (part === undefined) {
      // Two channels of one code (a shop's map may give several) share their group's part.
      const key = groupKeyText(change.day, change.channelOfOrder.code);
      part = parts.get(key);
      if (part === undefined) parts.set(key, (part = []));
      ofDay.set(change.channelOfOrder, part);
    }
    part.push(change);
  }
  return parts;
}

function createGroupFor({ day, channelOfOrder }: ChannelContribution): ChannelGroup {
  return createChannelGroup(day, channelOfOrder.code, channelOfOrder.name);
}
