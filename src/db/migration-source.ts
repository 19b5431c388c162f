import type { Knex } from 'knex';
import { isMysql } from './connect.ts';
import { tablesOf } from './table-names.ts';
import * as resultTable from './migrations/001-trade-channel-collect.ts';
import * as rejectsTable from './migrations/002-trade-order-rejects.ts';
import * as checkpointsTable from './migrations/003-tradeflow-checkpoints.ts';
import * as rejectKeys from './migrations/004-reject-keys.ts';
import * as historyTable from './migrations/005-trade-channel-history.ts';
import * as nextOffsets from './migrations/006-next-offsets.ts';
import * as snapshotsTable from './migrations/007-tradeflow-snapshots.ts';
import * as checkpointDeltas from './migrations/008-checkpoint-deltas.ts';

/** Where knex records which migrations ran. */
export const MIGRATIONS_TABLE = 'tradeflow_migrations';

const MIGRATIONS: ReadonlyMap<string, Knex.Migration> = new Map([
  ['001-trade-channel-collect', resultTable],
  ['002-trade-order-rejects', rejectsTable],
  ['003-tradeflow-checkpoints', checkpointsTable],
  ['004-reject-keys', rejectKeys],
  ['005-trade-channel-history', historyTable],
  ['006-next-offsets', nextOffsets],
  ['007-tradeflow-snapshots', snapshotsTable],
  ['008-checkpoint-deltas', checkpointDeltas],
]);

/**
 * The migrations, imported as modules rather than found on disk: knex's own loader cannot load
 * TypeScript migrations in an ESM package (knex issues 4793, 6087).
 */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => [...MIGRATIONS.keys()],
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = MIGRATIONS.get(name);
    if (migration === undefined) throw new RangeError(`Cannot migrate: no migration named ${name}`);
    return migration;
  },
};

/** Applies every migration not yet applied; returns the names it applied. */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  return withMigrationLock(db, async () => {
    // The real name: knex looks it up as a value too.
    const [, applied] = (await db.migrate.latest({ migrationSource, tableName: tablesOf(db).tradeflow_migrations })) as [number, string[]];
    return applied;
  });
}

/**
 * Runs `work` while this process holds MySQL's named lock for the database's migrations.
 * Instances of a scaled-out run start together on a fresh database, and knex's own lock does
 * not cover the creation of its tables: two processes racing there leave two lock rows, and
 * then every later migration reports "already locked". With the named lock one migrates and
 * the others wait, then find nothing to do. (SQLite: one process at a time anyway.)
 */
async function withMigrationLock<T>(db: Knex, work: () => Promise<T>): Promise<T> {
  if (!isMysql(db)) return work();
  const client = db.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
  const connection = await client.acquireConnection();
  const lock = "CONCAT('tradeflow_migrations.', DATABASE())";
  try {
    const [rows] = (await db.raw(`SELECT GET_LOCK(${lock}, 120) AS got`).connection(connection)) as [{ got: number | null }[]];
    if (rows[0]?.got !== 1) throw new Error('Cannot migrate: another process has held the migration lock of this database for 120 s');
    try {
      return await work();
    } finally {
      await db.raw(`SELECT RELEASE_LOCK(${lock})`).connection(connection);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}
