/**
 * Two independent references for the result table: a brute-force recomputation written as
 * plainly as possible, and the tutorial's SQL itself run by SQLite. Both read record meanings.
 */
import Database from 'better-sqlite3';
import type { RecordMeaning } from './order-arbitraries.ts';

/** A row of the result table, as the tests compare it (without flink_current_time). */
export interface ExpectedRow {
  readonly beginTime: string;
  readonly channelCode: string;
  readonly channelName: string;
  /** Exact GMV in atto-units (10^-18). */
  readonly gmvAttos: bigint;
  readonly userCount: number;
  readonly orderCount: number;
  readonly lastPayTime: string;
}

const NAMES: Record<string, string> = { webShop: 'Website', appShop: 'Shopping App', miniAppShop: 'Miniprogram' };

/** An order that counts, as the brute force sees it. */
interface CountedOrder {
  readonly day: string;
  readonly channelCode: string;
  readonly payTime: string;
  /** `real_pay` in atto-units. */
  readonly attos: bigint;
  readonly userId: string | null;
}

/** Brute force: for each day, per order the first record with the greatest order_time counts. */
function countedOrders(records: readonly RecordMeaning[], days: readonly string[] | 'all'): CountedOrder[] {
  const orders = records.flatMap((record) => (record.order === null ? [] : [record.order]));
  const paid = orders.filter((order) => order.payTime !== null && order.attos !== null);
  const dayList = days === 'all' ? [...new Set(paid.map((order) => order.payTime!.slice(0, 10)))] : days;
  const counted: CountedOrder[] = [];
  for (const day of dayList) {
    const ofDay = paid.filter((order) => order.payTime!.slice(0, 10) === day);
    const winners = new Map<string, (typeof ofDay)[number]>();
    for (const order of ofDay) {
      const current = winners.get(order.orderId);
      if (current === undefined || order.orderTime > current.orderTime) winners.set(order.orderId, order);
    }
    for (const order of winners.values()) {
      const channelCode = order.channel !== null && order.channel in NAMES ? order.channel : 'other';
      counted.push({ day, channelCode, payTime: order.payTime!, attos: order.attos!, userId: order.userId });
    }
  }
  return counted;
}

/** The result table by brute force. */
export function bruteForce(records: readonly RecordMeaning[], days: readonly string[] | 'all'): ExpectedRow[] {
  return rowsOf(countedOrders(records, days));
}

/**
 * The result table of a change stream by brute force, record after record: per day (after the
 * day filter, which a delete passes like any version), a version replaces the order's current one
 * when its order_time is later; a delete, when it is not earlier. The orders whose current one is
 * not a delete count.
 */
export function bruteForceChanges(changes: readonly { readonly meaning: RecordMeaning; readonly deleted: boolean }[], days: readonly string[] | 'all'): ExpectedRow[] {
  const current = new Map<string, { order: NonNullable<RecordMeaning['order']>; deleted: boolean }>();
  for (const { meaning, deleted } of changes) {
    const order = meaning.order;
    if (order === null || order.payTime === null || order.attos === null) continue;
    const day = order.payTime.slice(0, 10);
    if (days !== 'all' && !days.includes(day)) continue;
    const key = `${day}|${order.orderId}`;
    const now = current.get(key);
    if (now === undefined || order.orderTime > now.order.orderTime || (deleted && order.orderTime === now.order.orderTime)) current.set(key, { order, deleted });
  }
  const counted: CountedOrder[] = [];
  for (const { order, deleted } of current.values()) {
    if (deleted) continue;
    const channelCode = order.channel !== null && order.channel in NAMES ? order.channel : 'other';
    counted.push({ day: order.payTime!.slice(0, 10), channelCode, payTime: order.payTime!, attos: order.attos!, userId: order.userId });
  }
  return rowsOf(counted);
}

function rowsOf(counted: readonly CountedOrder[]): ExpectedRow[] {
  const groups = new Map<string, CountedOrder[]>();
  for (const order of counted) {
    const key = `${order.day}|${order.channelCode}`;
    groups.set(key, [...(groups.get(key) ?? []), order]);
  }
  const rows: ExpectedRow[] = [];
  for (const group of groups.values()) {
    const { day, channelCode: code } = group[0]!;
    rows.push({
      beginTime: `${day} 00:00:00`,
      channelCode: code,
      channelName: NAMES[code] ?? 'Other',
      gmvAttos: group.reduce((sum, order) => sum + order.attos, 0n),
      userCount: new Set(group.flatMap((order) => (order.userId === null ? [] : [order.userId]))).size,
      orderCount: group.length,
      lastPayTime: group.map((order) => order.payTime).sort().at(-1)!,
    });
  }
  return sortRows(rows);
}

/** The history table by brute force: per `begin_time|channel_code|minute`, the GMV in atto-units and the orders paid in that minute. */
export function bruteForceMinutes(records: readonly RecordMeaning[], days: readonly string[] | 'all'): Map<string, { gmvAttos: bigint; orders: number }> {
  const minutes = new Map<string, { gmvAttos: bigint; orders: number }>();
  for (const order of countedOrders(records, days)) {
    const minute = Number(order.payTime.slice(11, 13)) * 60 + Number(order.payTime.slice(14, 16));
    const key = `${order.day} 00:00:00|${order.channelCode}|${minute}`;
    const at = minutes.get(key) ?? { gmvAttos: 0n, orders: 0 };
    minutes.set(key, { gmvAttos: at.gmvAttos + order.attos, orders: at.orders + 1 });
  }
  return minutes;
}

/** The tutorial's SQL (step 5), with SEMANTICS.md's refinements, executed by SQLite for one day. */
export function tutorialSql(records: readonly RecordMeaning[], day: string): ExpectedRow[] {
  const db = new Database(':memory:');
  try {
    // SQLite's integers have 64 bits: an amount in atto-units goes in three parts, each summed on its own.
    db.exec(`create table trade_order_detail (seq integer, order_id text, order_channel text, order_time text,
      real_pay integer, pay_units integer, pay_nanos integer, pay_attos integer, pay_time text, user_id text)`);
    const insert = db.prepare('insert into trade_order_detail values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    records.forEach((record, seq) => {
      const order = record.order;
      if (order === null) return;
      const attos = order.attos;
      const parts = attos === null ? [null, null, null] : [attos / 10n ** 18n, (attos / 10n ** 9n) % 10n ** 9n, attos % 10n ** 9n];
      insert.run(seq, order.orderId, order.channel, order.orderTime, attos === null ? null : 1, ...parts, order.payTime, order.userId);
    });
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const rows = db
      .prepare(
        `select begin_time, channel_code, channel_name,
                sum(pay_units) as units, sum(pay_nanos) as nanos, sum(pay_attos) as attos, count(distinct user_id) as users, count(1) as orders, max(pay_time) as last_pay_time
         from (
           select *,
             case when order_channel in ('webShop', 'appShop', 'miniAppShop') then order_channel else 'other' end as channel_code,
             case when order_channel = 'webShop' then 'Website'
                  when order_channel = 'appShop' then 'Shopping App'
                  when order_channel = 'miniAppShop' then 'Miniprogram'
                  else 'Other' end as channel_name
           from (
             select *,
               row_number() over (partition by order_id order by order_time desc, seq asc) as rn,
               @begin as begin_time
             from trade_order_detail
             where pay_time >= @begin and pay_time < @end and real_pay is not null
           ) t
           where t.rn = 1
         )
         group by begin_time, channel_code, channel_name`,
      )
      .safeIntegers(true)
      .all({ begin: `${day} 00:00:00`, end: `${next} 00:00:00` }) as {
      begin_time: string;
      channel_code: string;
      channel_name: string;
      units: bigint;
      nanos: bigint;
      attos: bigint;
      users: bigint;
      orders: bigint;
      last_pay_time: string;
    }[];
    return sortRows(
      rows.map((row) => ({
        beginTime: row.begin_time,
        channelCode: row.channel_code,
        channelName: row.channel_name,
        gmvAttos: row.units * 10n ** 18n + row.nanos * 10n ** 9n + row.attos,
        userCount: Number(row.users),
        orderCount: Number(row.orders),
        lastPayTime: row.last_pay_time,
      })),
    );
  } finally {
    db.close();
  }
}

/** Rows in key order, so that tables compare row for row. */
export function sortRows<T extends { beginTime: string; channelCode: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.beginTime === b.beginTime ? (a.channelCode < b.channelCode ? -1 : 1) : a.beginTime < b.beginTime ? -1 : 1));
}
