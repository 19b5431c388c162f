import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migration-source.ts';
import { DB_CONNECTION_OPTIONS, readDatabase } from './db-options.ts';
import { naming } from './environment.ts';
import type { CommandIO } from './command-io.ts';
import { readJobFile, TABLES_CONFIG_OPTION, withTables } from './job-file.ts';
import { helpText, readOptions, type OptionSpec } from './options.ts';

const MIGRATE_OPTIONS: readonly OptionSpec[] = [
  { name: 'db', type: 'string', value: 'URL', description: 'sqlite:PATH or mysql://user:pass@host:port/database', default: 'sqlite:./data/tradeflow.sqlite' },
  ...DB_CONNECTION_OPTIONS,
  TABLES_CONFIG_OPTION,
];

/** `tradeflow migrate`: creates the tables, or checks and adopts the tutorial's existing one. */
export async function migrateCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const options = readOptions('migrate', args, MIGRATE_OPTIONS, io.env);
  if (options.has('help')) {
    io.stdout(helpText('tradeflow migrate [--db URL]', 'Creates trade_channel_collect (the tutorial\'s DDL) and trade_order_rejects, or checks existing ones.', MIGRATE_OPTIONS));
    return 0;
  }
  const location = withTables(readDatabase(options, io), options.has('config') ? readJobFile(String(options.get('config'))) : undefined);
  const db = openDatabase(location);
  try {
    const applied = await naming({ db: location.display }, () => migrateToLatest(db));
    io.stdout(applied.length === 0 ? `${location.display}: tables up to date` : `${location.display}: applied ${applied.join(', ')}`);
  } finally {
    await db.destroy();
  }
  return 0;
}
