/**
 * The third reference: the tutorial's SQL (step 5) executed by MariaDB over the raw JSON lines.
 * MariaDB reads and checks the JSON itself by SEMANTICS.md section 1, so nothing here shares the
 * TypeScript parser it checks. Where MariaDB's JSON reader differs from the pipeline's (none of it
 * in what the generator writes): of a duplicate key it reads the first value (JSON: the last),
 * nesting deeper than 32 levels is invalid JSON, \uD83D-style escaped surrogates read as NULL, an
 * amount with more than 30 decimal places is rounded at 30 (the pipeline rejects beyond 18), and
 * only ASCII white space is trimmed from an amount in a string.
 */
import type { Knex } from 'knex';
import { sortRows, type ExpectedRow } from './reference.ts';

/** A record as a source read it: its position and its text. */
export interface RawLine {
  readonly partition: number;
  readonly offset: number;
  readonly line: string;
}

/** Where a record was read. */
export interface Position {
  readonly partition: number;
  readonly offset: number;
}

const LINES = 'tutorial_reference_lines';
const FIELDS = 'tutorial_reference_fields';
const ORDERS = 'tutorial_reference_orders';
const ROWS_PER_INSERT = 2000;
const CONNECTIONS = 3;
/** Scratch tables, written once and read: no transactions needed, and MyISAM writes them fastest. */
const ENGINE = 'MyISAM';

/**
 * Each record's fields as the JSON text of their values (NULL when missing), each read once into
 * a table: MariaDB would read the JSON again at every use of a CTE's column.
 */
const FIELDS_SQL = `SELECT source_partition AS p, source_offset AS o,
    COALESCE(JSON_VALID(line) AND line REGEXP '^[[:space:]]*[{]', 0) AS is_object,
    JSON_EXTRACT(line, '$.order_id') AS order_id_json,
    JSON_EXTRACT(line, '$.order_time') AS order_time_json,
    JSON_EXTRACT(line, '$.pay_time') AS pay_time_json,
    JSON_EXTRACT(line, '$.real_pay') AS real_pay_json,
    JSON_EXTRACT(line, '$.user_id') AS user_id_json,
    JSON_EXTRACT(line, '$.order_channel') AS order_channel_json
  FROM ${LINES}`;

/** A `yyyy-MM-dd HH:mm:ss` that is a real time of the calendar (STR_TO_DATE alone takes 2021-02-30 and day 00). */
const timestamp = (x: string): string => `COALESCE(${x} REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' AND CHAR_LENGTH(${x}) = 19
    AND DAYOFMONTH(LAST_DAY(STR_TO_DATE(${x}, '%Y-%m-%d %H:%i:%s'))) >= SUBSTR(${x}, 9, 2) AND SUBSTR(${x}, 9, 2) <> '00', 0)`;

/** An integer of any length, digits as written (JSON_TYPE calls 1e3 an INTEGER too). No "?" in this SQL: mysql2 would take it for a placeholder. */
const integer = (field: string): string => `(${field}_type IN ('INTEGER', 'DOUBLE') AND ${field} REGEXP '^-{0,1}[0-9]+$')`;

/** A decimal number in a string, as SEMANTICS.md takes it (" 7 ", "100.00", "1e3"). */
const DECIMAL_TEXT = `'^[[:space:]]*[+-]{0,1}([0-9]+([.][0-9]*){0,1}|[.][0-9]+)([eE][+-]{0,1}[0-9]+){0,1}[[:space:]]*$'`;

/**
 * The records checked by SEMANTICS.md section 1: `typed` has each field's JSON type (NULL:
 * missing) and value (a string unquoted, a number as written); the select says whether the record
 * is rejected and keeps the values. Ids are compared by their SHA-256, a short key of any length.
 */
const ORDERS_SQL = `WITH typed AS (
  SELECT p, o, is_object,
    JSON_TYPE(order_id_json) AS order_id_type, JSON_UNQUOTE(order_id_json) COLLATE utf8mb4_nopad_bin AS order_id,
    JSON_TYPE(order_time_json) AS order_time_type, JSON_UNQUOTE(order_time_json) AS order_time,
    JSON_TYPE(pay_time_json) AS pay_time_type, JSON_UNQUOTE(pay_time_json) AS pay_time,
    JSON_TYPE(real_pay_json) AS real_pay_type, JSON_UNQUOTE(real_pay_json) AS real_pay,
    JSON_TYPE(user_id_json) AS user_id_type, JSON_UNQUOTE(user_id_json) COLLATE utf8mb4_nopad_bin AS user_id,
    JSON_TYPE(order_channel_json) AS order_channel_type, JSON_UNQUOTE(order_channel_json) COLLATE utf8mb4_nopad_bin AS order_channel
  FROM ${FIELDS}
), amounts AS (
  SELECT *,
    CASE WHEN real_pay_type IS NULL OR real_pay_type = 'NULL' THEN 'absent'
         WHEN real_pay_type IN ('INTEGER', 'DOUBLE') OR (real_pay_type = 'STRING' AND real_pay REGEXP ${DECIMAL_TEXT}) THEN
           CASE WHEN real_pay REGEXP '^[[:space:]]*-[0-9.]*[1-9]' THEN 'negative' ELSE 'number' END
         ELSE 'not a number' END AS pay_kind,
    CAST(REGEXP_REPLACE(real_pay, '^[[:space:]]+|[[:space:]]+$', '') AS DECIMAL(65, 30)) AS exact_pay
  FROM typed
)
SELECT p, o,
  -- Each condition says "accepted"; COALESCE: a missing field's NULL must not let a record through.
  CASE WHEN NOT COALESCE(is_object, 0) THEN 1
       WHEN NOT COALESCE((order_id_type = 'STRING' AND CHAR_LENGTH(order_id) > 0) OR ${integer('order_id')}, 0) THEN 1
       WHEN NOT COALESCE(order_time_type = 'STRING' AND ${timestamp('order_time')}, 0) THEN 1
       WHEN NOT COALESCE(pay_time_type IS NULL OR pay_time_type = 'NULL' OR (pay_time_type = 'STRING' AND ${timestamp('pay_time')}), 0) THEN 1
       WHEN NOT COALESCE(pay_kind = 'absent' OR (pay_kind = 'number' AND exact_pay <= 1000000000000000 AND exact_pay = ROUND(exact_pay, 18)), 0) THEN 1
       ELSE 0 END AS rejected,
  UNHEX(SHA2(order_id, 256)) AS order_key,
  CAST(order_time AS CHAR(19)) AS order_time,
  CASE WHEN pay_time_type = 'STRING' THEN CAST(pay_time AS CHAR(19)) END AS pay_time,
  -- Exact: every amount accepted has at most 18 decimal places.
  CAST(CASE WHEN pay_kind = 'number' THEN exact_pay END AS DECIMAL(65, 18)) AS real_pay,
  CASE WHEN user_id_type = 'STRING' OR ${integer('user_id')} THEN UNHEX(SHA2(user_id, 256)) END AS user_key,
  CASE WHEN order_channel_type = 'STRING' THEN order_channel END AS order_channel
FROM amounts`;

/** The records last loaded per database: both functions below share one load of the same array. */
const loaded = new WeakMap<Knex, readonly RawLine[]>();

/** Loads the lines (batched inserts on a few connections at once), then has MariaDB read and check them. */
async function load(db: Knex, records: readonly RawLine[]): Promise<void> {
  if (loaded.get(db) === records && (await db.schema.hasTable(ORDERS))) return;
  await db.raw('DROP TABLE IF EXISTS ??, ??, ??', [LINES, FIELDS, ORDERS]);
  // nopad_bin: texts compare byte for byte ("A" is not "a", "x" is not "x ").
  await db.raw(`CREATE TABLE ${LINES} (source_partition INT NOT NULL, source_offset BIGINT NOT NULL,
    line LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL, PRIMARY KEY (source_partition, source_offset)) ENGINE = ${ENGINE}`);
  let next = 0;
  const insertSome = async (): Promise<void> => {
    for (let start = next; start < records.length; start = next) {
      next += ROWS_PER_INSERT;
      await db(LINES).insert(records.slice(start, start + ROWS_PER_INSERT).map((r) => ({ source_partition: r.partition, source_offset: r.offset, line: r.line })));
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, insertSome));
  // Not strict: in a statement that writes, strict mode turns the warnings of a bad record (not JSON, not a number) into errors.
  await db.raw(`SET STATEMENT sql_mode = '' FOR CREATE TABLE ${FIELDS} ENGINE = ${ENGINE} AS ${FIELDS_SQL}`);
  // derived_merge off: each CTE is computed once, rather than its expressions again at every use.
  await db.raw(`SET STATEMENT sql_mode = '', optimizer_switch = 'derived_merge=off' FOR CREATE TABLE ${ORDERS} ENGINE = ${ENGINE} AS ${ORDERS_SQL}`);
  loaded.set(db, records);
}

/**
 * The tutorial's view and insert, in MariaDB SQL, with SEMANTICS.md's refinements: the day has an
 * upper bound, ties keep the first arrival, a missing channel is `other`, no stray space in
 * " Miniprogram", and the sum is exact. `all`: every pay day, each deduplicated on its own.
 */
function tutorialSql(day: string | 'all'): string {
  const oneDay = day !== 'all';
  if (oneDay && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`Cannot compute the day "${day}": not yyyy-MM-dd`);
  const begin = `'${day} 00:00:00'`;
  return `WITH trade_order_detail AS (SELECT * FROM ${ORDERS} WHERE rejected = 0),
tmp_order_detail AS (
  SELECT *,
    CASE WHEN t.order_channel IN ('webShop', 'appShop', 'miniAppShop') THEN t.order_channel ELSE 'other' END AS channel_code,
    CASE WHEN t.order_channel = 'webShop' THEN 'Website'
         WHEN t.order_channel = 'appShop' THEN 'Shopping App'
         WHEN t.order_channel = 'miniAppShop' THEN 'Miniprogram'
         ELSE 'Other' END AS channel_name
  FROM (
    SELECT *,
      ROW_NUMBER() OVER (PARTITION BY order_key${oneDay ? '' : ', LEFT(pay_time, 10)'} ORDER BY order_time DESC, p, o) AS rn,
      ${oneDay ? begin : "CONCAT(LEFT(pay_time, 10), ' 00:00:00')"} AS begin_time
    FROM trade_order_detail
    WHERE ${oneDay ? `pay_time >= ${begin} AND pay_time < DATE_FORMAT(DATE(${begin}) + INTERVAL 1 DAY, '%Y-%m-%d 00:00:00')` : 'pay_time IS NOT NULL'}
      AND real_pay IS NOT NULL
  ) t
  WHERE t.rn = 1
)
SELECT begin_time, channel_code, channel_name,
  CAST(SUM(real_pay) * 1000000000000000000 AS DECIMAL(65, 0)) AS gmv_attos,
  COUNT(DISTINCT user_key) AS cur_order_user_count,
  COUNT(1) AS cur_order_count,
  MAX(pay_time) AS last_pay_time
FROM tmp_order_detail
GROUP BY begin_time, channel_code, channel_name`;
}

/** The result table that the tutorial's SQL, run by MariaDB on the records, computes for the day (`yyyy-MM-dd`) or for every day. */
export async function tutorialSqlOnMariaDb(db: Knex, records: readonly RawLine[], day: string | 'all'): Promise<ExpectedRow[]> {
  await load(db, records);
  const [rows] = (await db.raw(tutorialSql(day))) as [
    { begin_time: string; channel_code: string; channel_name: string; gmv_attos: string; cur_order_user_count: number; cur_order_count: number; last_pay_time: string }[],
  ];
  return sortRows(
    rows.map((row) => ({
      beginTime: row.begin_time,
      channelCode: row.channel_code,
      channelName: row.channel_name,
      gmvAttos: BigInt(row.gmv_attos),
      userCount: Number(row.cur_order_user_count),
      orderCount: Number(row.cur_order_count),
      lastPayTime: row.last_pay_time,
    })),
  );
}

/** The positions of the records that MariaDB finds break a rule of SEMANTICS.md section 1, in order. */
export async function rejectedRecords(db: Knex, records: readonly RawLine[]): Promise<Position[]> {
  await load(db, records);
  const [rows] = (await db.raw(`SELECT p, o FROM ${ORDERS} WHERE rejected = 1 ORDER BY p, o`)) as [{ p: number; o: number | string }[]];
  return rows.map((row) => ({ partition: row.p, offset: Number(row.o) }));
}
