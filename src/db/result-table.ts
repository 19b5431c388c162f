import type { Knex } from 'knex';
import { isMysql } from './connect.ts';
import { tablesOf } from './table-names.ts';

const TEXT = /char|text|clob/i;
const REAL = /^(double|float|real|decimal|numeric)/i;
/** Counts: not tinyint, smallint or mediumint, which a busy day overflows (nor `point`, which contains "int"). */
const COUNT = /^(int|integer|bigint|unsigned big int)$/i;

/**
 * The tutorial's columns: the kind of type each must have, the tutorial's type, and for a text
 * column the longest value the pipeline writes (a MySQL column shorter than that fails every write).
 */
const EXPECTED: readonly (readonly [string, RegExp, string, number?])[] = [
  ['begin_time', TEXT, 'VARCHAR(32)', 19], // yyyy-MM-dd HH:mm:ss
  ['channel_code', TEXT, 'VARCHAR(32)', 11], // miniAppShop
  ['channel_name', TEXT, 'VARCHAR(32)', 12], // Shopping App
  ['cur_gmv', REAL, 'DOUBLE UNSIGNED'],
  ['cur_order_user_count', COUNT, 'BIGINT UNSIGNED'],
  ['cur_order_count', COUNT, 'BIGINT UNSIGNED'],
  ['last_pay_time', TEXT, 'VARCHAR(32)', 19],
  ['flink_current_time', TEXT, 'VARCHAR(32)', 23], // yyyy-MM-dd HH:mm:ss.SSS
];

/**
 * Checks that an existing `trade_channel_collect` (made by the tutorial's SQL, say) has the
 * columns and primary key the pipeline writes; RangeError saying what does not fit.
 */
export async function checkResultTable(db: Knex): Promise<void> {
  const table = tablesOf(db).trade_channel_collect;
  const columns = (await db(table).columnInfo()) as unknown as Record<string, { type: string; maxLength: number | string | null }>;
  // SQLite keeps any length of text whatever the declared one; MySQL refuses a longer value.
  const lengthsMatter = isMysql(db);
  const problems: string[] = [];
  for (const [name, type, wanted, longest] of EXPECTED) {
    const column = columns[name];
    const length = column?.maxLength === null || column?.maxLength === undefined ? undefined : Number(column.maxLength);
    if (column === undefined) problems.push(`column ${name} is missing (want ${wanted})`);
    else if (!type.test(column.type)) problems.push(`column ${name} is ${column.type} (want ${wanted})`);
    else if (lengthsMatter && longest !== undefined && length !== undefined && length < longest) {
      problems.push(`column ${name} is ${column.type}(${length}), too short for ${longest} characters (want ${wanted})`);
    }
  }
  const key = await primaryKey(db, table);
  if (key.join(',') !== 'begin_time,channel_code') {
    problems.push(`primary key is (${key.join(', ')}) (want (begin_time, channel_code))`);
  }
  if (problems.length > 0) {
    throw new RangeError(`Cannot adopt the existing table ${table}: ${problems.join('; ')}`);
  }
}

async function primaryKey(db: Knex, table: string): Promise<string[]> {
  if (isMysql(db)) {
    const rows = (await db('information_schema.KEY_COLUMN_USAGE')
      .select({ name: 'COLUMN_NAME' })
      .where({ TABLE_SCHEMA: db.raw('DATABASE()'), TABLE_NAME: table, CONSTRAINT_NAME: 'PRIMARY' })
      .orderBy('ORDINAL_POSITION')) as { name: string }[];
    return rows.map((row) => row.name);
  }
  const rows = (await db.raw('select name, pk from pragma_table_info(?) where pk > 0 order by pk', [table])) as {
    name: string;
  }[];
  return rows.map((row) => row.name);
}
