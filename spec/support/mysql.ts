/** A fresh database on the local MariaDB for each spec file, created by root and dropped after. */
import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import type { Service } from './services.ts';

/** The MariaDB of `npm run stack:up` (or the machine's own). */
export const MARIADB: Service = { name: 'MariaDB', host: '127.0.0.1', port: 3306 };

/** A spec file's own database. */
export interface SpecDatabase {
  /** e.g. `tradeflow_spec_1a2b3c4d`. */
  readonly name: string;
  /** `mysql://root@127.0.0.1:3306/<name>`, for parseDatabase and `--db`. */
  readonly url: string;
  /** Opens knex on it as the CLI does, with some settings changed (e.g. `pool`); destroyed after the file. */
  open(overrides?: Partial<Knex.Config>): Knex;
}

/** Registers the creation (beforeAll) and dropping (afterAll) of a fresh database; call it inside a describe. */
export function useSpecDatabase(): SpecDatabase {
  const name = `tradeflow_spec_${randomBytes(4).toString('hex')}`;
  const url = `mysql://root@${MARIADB.host}:${MARIADB.port}/${name}`;
  const opened: Knex[] = [];
  const admin = (): Knex => knex({ client: 'mysql2', connection: { host: MARIADB.host, port: MARIADB.port, user: 'root' }, pool: { min: 0, max: 1 } });
  beforeAll(async () => {
    const root = admin();
    try {
      await root.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci', [name]);
    } finally {
      await root.destroy();
    }
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    const root = admin();
    try {
      await root.raw('DROP DATABASE IF EXISTS ??', [name]);
    } finally {
      await root.destroy();
    }
  });
  return {
    name,
    url,
    open: (overrides = {}) => {
      const location = parseDatabase(url);
      const db = openDatabase({ ...location, config: { ...location.config, ...overrides } });
      opened.push(db);
      return db;
    },
  };
}

/** Drops every table and view of the database that `db` is connected to, so that a spec starts empty. */
export async function dropAllTables(db: Knex): Promise<void> {
  const tables = (await db('information_schema.TABLES').select({ name: 'TABLE_NAME', type: 'TABLE_TYPE' }).where({ TABLE_SCHEMA: db.raw('DATABASE()') })) as { name: string; type: string }[];
  for (const { name, type } of tables) await db.raw(type === 'VIEW' ? 'DROP VIEW IF EXISTS ??' : 'DROP TABLE IF EXISTS ??', [name]);
}
