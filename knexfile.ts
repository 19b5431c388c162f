/**
 * Configuration for knex's own CLI (`npm run knex -- migrate:latest`), which runs under tsx so
 * that it can load these TypeScript modules. The database is TRADEFLOW_DB, as for `tradeflow`.
 */
import type { Knex } from 'knex';
import { parseDatabase } from './src/db/connect.ts';
import { migrationSource, MIGRATIONS_TABLE } from './src/db/migration-source.ts';

const location = parseDatabase(process.env.TRADEFLOW_DB ?? 'sqlite:./data/tradeflow.sqlite');

const config: Knex.Config = { ...location.config, migrations: { migrationSource, tableName: MIGRATIONS_TABLE } };

export default config;
