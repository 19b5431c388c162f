import type { Knex } from 'knex';
import * as resultTable from './migrations/001-trade-channel-collect.ts';
import * as rejectsTable from './migrations/002-trade-order-rejects.ts';
import * as checkpointsTable from './migrations/003-tradeflow-checkpoints.ts';

/** Where knex records which migrations ran. */
export const MIGRATIONS_TABLE = 'tradeflow_migrations';

const MIGRATIONS: ReadonlyMap<string, Knex.Migration> = new Map([
  ['001-trade-channel-collect', resultTable],
  ['002-trade-order-rejects', rejectsTable],
  ['003-tradeflow-checkpoints', checkpointsTable],
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
export async function migrateToLatest(db: Knex, options: { readonly waitMs?: number } = {}): Promise<string[]> {
  const { waitMs = 60_000 } = options;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const [, applied] = (await db.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]];
      return applied;
    } catch (error) {
      // Instances of a scaled-out run start together on a fresh database: one migrates, the
      // others wait for it (knex's lock, or its tables appearing under them) and find it done.
      const message = error instanceof Error ? error.message : String(error);
      if (!/already locked|already exists|Duplicate entry/i.test(message)) throw error;
      if (Date.now() > deadline) {
        throw new Error(`Cannot migrate: the migrations stayed locked for ${waitMs / 1000} s (another process migrating, or one killed while it did: npm run knex -- migrate:unlock)`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
    }
  }
}
