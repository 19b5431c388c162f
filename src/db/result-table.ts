import type { Knex } from 'knex';
import { isMysql } from './connect.ts';

/** The tutorial's columns and the kind of type each must have. */
const EXPECTED: readonly (readonly [string, RegExp, string])[] = [
  ['begin_time', /char|text/i, 'VARCHAR(32)'],
  ['channel_code', /char|text/i, 'VARCHAR(32)'],
  ['channel_name', /char|text/i, 'VARCHAR(32)'],
  ['cur_gmv', /double|float|real|decimal|numeric/i, 'DOUBLE UNSIGNED'],
  ['cur_order_user_count', /int/i, 'BIGINT UNSIGNED'],
  ['cur_order_count', /int/i, 'BIGINT UNSIGNED'],
  ['last_pay_time', /char|text/i, 'VARCHAR(32)'],
  ['flink_current_time', /char|text/i, 'VARCHAR(32)'],
];

/**
 * Checks that an existing `trade_channel_collect` (made by the tutorial's SQL, say) has the
 * columns and primary key the pipeline writes; RangeError saying what does not fit.
 */
export async function checkResultTable(db: Knex): Promise<void> {
  const columns = (await db('trade_channel_collect').columnInfo()) as unknown as Record<string, { type: string }>;
  const problems: string[] = [];
  for (const [name, type, wanted] of EXPECTED) {
    const column = columns[name];
    if (column === undefined) problems.push(`column ${name} is missing (want ${wanted})`);
    else if (!type.test(column.type)) problems.push(`column ${name} is ${column.type} (want ${wanted})`);
  }
  const key = await primaryKey(db);
  if (key.join(',') !== 'begin_time,channel_code') {
    problems.push(`primary key is (${key.join(', ')}) (want (begin_time, channel_code))`);
  }
  if (problems.length > 0) {
    throw new RangeError(`Cannot adopt the existing table trade_channel_collect: ${problems.join('; ')}`);
  }
}

async function primaryKey(db: Knex): Promise<string[]> {
  if (isMysql(db)) {
    const rows = (await db('information_schema.KEY_COLUMN_USAGE')
      .select({ name: 'COLUMN_NAME' })
      .where({ TABLE_SCHEMA: db.raw('DATABASE()'), TABLE_NAME: 'trade_channel_collect', CONSTRAINT_NAME: 'PRIMARY' })
      .orderBy('ORDINAL_POSITION')) as { name: string }[];
    return rows.map((row) => row.name);
  }
  const rows = (await db.raw("select name, pk from pragma_table_info('trade_channel_collect') where pk > 0 order by pk")) as {
    name: string;
  }[];
  return rows.map((row) => row.name);
}
