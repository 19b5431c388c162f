/**
 * The names of the tables, when the job file renames them (`"table": "shop_channel_collect"`):
 * the result table takes the name, the others go beside it (`shop_channel_collect_rejects`, ...).
 * The code names every table by its tutorial name; the connection maps the names as it writes
 * SQL (knex's `wrapIdentifier`), so that every query, migration and screen follows in one place.
 */
import type { Knex } from 'knex';

/** Each table's name, by its tutorial name. */
export interface TableNames {
  readonly trade_channel_collect: string;
  readonly trade_channel_history: string;
  readonly trade_order_rejects: string;
  readonly tradeflow_checkpoints: string;
  readonly tradeflow_checkpoint_deltas: string;
  readonly tradeflow_progress: string;
  readonly tradeflow_snapshots: string;
  readonly tradeflow_migrations: string;
}

/** The tutorial's names (and tradeflow's own). */
export const TUTORIAL_TABLES: TableNames = {
  trade_channel_collect: 'trade_channel_collect',
  trade_channel_history: 'trade_channel_history',
  trade_order_rejects: 'trade_order_rejects',
  tradeflow_checkpoints: 'tradeflow_checkpoints',
  tradeflow_checkpoint_deltas: 'tradeflow_checkpoint_deltas',
  tradeflow_progress: 'tradeflow_progress',
  tradeflow_snapshots: 'tradeflow_snapshots',
  tradeflow_migrations: 'tradeflow_migrations',
};

/** The names with the result table called `result`, the others beside it; RangeError for a name that is one of the tutorial's others. */
export function tablesBeside(result: string): TableNames {
  if (result === TUTORIAL_TABLES.trade_channel_collect) return TUTORIAL_TABLES;
  if (Object.values(TUTORIAL_TABLES).includes(result)) throw new RangeError(`Cannot name the result table "${result}": that is the name of another of tradeflow's tables`);
  return {
    trade_channel_collect: result,
    trade_channel_history: `${result}_history`,
    trade_order_rejects: `${result}_rejects`,
    tradeflow_checkpoints: `${result}_checkpoints`,
    tradeflow_checkpoint_deltas: `${result}_checkpoint_deltas`,
    tradeflow_progress: `${result}_progress`,
    tradeflow_snapshots: `${result}_snapshots`,
    // Its own record of migrations: another set of tables in the database has its own.
    tradeflow_migrations: `${result}_migrations`,
  };
}

/** Knex options that write each tutorial name as its configured name (nothing for the tutorial's names). */
export function renamingOptions(tables: TableNames): Partial<Knex.Config> {
  if (tables === TUTORIAL_TABLES || tables.trade_channel_collect === TUTORIAL_TABLES.trade_channel_collect) return {};
  const renamed = new Map<string, string>(Object.entries(tables));
  return {
    wrapIdentifier: (value, wrap) => wrap(renamed.get(value) ?? value),
    tradeflowTables: tables,
  } as Partial<Knex.Config>;
}

/** The real names of a connection's tables: where a name is a value, not an identifier (catalog queries). */
export function tablesOf(db: Knex): TableNames {
  return (db.client.config as { tradeflowTables?: TableNames }).tradeflowTables ?? TUTORIAL_TABLES;
}
