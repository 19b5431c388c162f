import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knex, { type Knex } from 'knex';

import { parseMysqlUrl, shownUrl, type MysqlOptions } from './db-url.ts';
import { renamingOptions, type TableNames } from './table-names.ts';

/** The database of `--db`: `sqlite:PATH` (embedded) or `mysql://user:pass@host:port/database`. */
export interface DatabaseLocation {
  readonly client: 'better-sqlite3' | 'mysql2';
  readonly config: Knex.Config;
  /** The location with its password as ***, for logs. */
  readonly display: string;
  /** The tables' names (the job file's `table`). Default: the tutorial's. */
  readonly tables?: TableNames;
}

/**
 * Reads a `--db` value, with MySQL options and a password given beside the URL (both win over the
 * URL's); RangeError naming the flag or the option when it is not one of the two forms.
 */
export function parseDatabase(url: string, options: MysqlOptions = {}, password?: string): DatabaseLocation {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file === '') throw new RangeError('Cannot use --db: "sqlite:" needs a file, e.g. sqlite:./data/tradeflow.sqlite');
    const filename = file === ':memory:' ? file : resolve(file);
    return {
      client: 'better-sqlite3',
      config: { client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true },
      display: `sqlite:${file}`,
    };
  }
  if (/^mysql:/i.test(url)) {
    const { connection, display } = parseMysqlUrl(url, options, password);
    return {
      client: 'mysql2',
      config: {
        client: 'mysql2',
        connection: {
          ...connection,
          charset: 'utf8mb4',
          // Figures as JavaScript numbers, not strings: the columns are DOUBLE and BIGINT counts.
          supportBigNumbers: true,
          // A server that does not answer is an error after 10 s (a retry follows), not a hang.
          connectTimeout: 10_000,
          // Notices a dead peer (a server gone without closing) on idle pooled connections.
          enableKeepAlive: true,
        },
        // min 0: no idle connection is kept that a server restart would break; a broken one is dropped.
        pool: { min: 0, max: 4 },
        // Waiting for a pooled connection fails after 10 s rather than knex's 60 s; the sink retries.
        acquireConnectionTimeout: 10_000,
      },
      display,
    };
  }
  throw new RangeError(`Cannot use --db: "${shownUrl(url)}" is neither sqlite:PATH nor mysql://user@host:port/database`);
}
/** Whether a connection speaks MySQL (MariaDB included), whose DDL has engine and charset. */
export function isMysql(db: Knex): boolean {
  const client = String(db.client.config.client);
  return client === 'mysql2' || client === 'mysql';
}

/** Knex's own console logging, silenced: errors reach the caller, which says them in one line. */
const quiet = { warn: () => {}, error: () => {}, deprecate: () => {}, debug: () => {} };

/** Opens a knex connection to the database (creating the SQLite file's folder). */
export function openDatabase(location: DatabaseLocation): Knex {
  if (location.client === 'better-sqlite3') {
    const connection = location.config.connection as { filename: string };
    if (connection.filename !== ':memory:') mkdirSync(dirname(connection.filename), { recursive: true });
  }
  // compileSqlOnError off: a driver error stays one line, without the whole statement and its values.
  return knex({ ...location.config, ...(location.tables !== undefined && renamingOptions(location.tables)), log: quiet, compileSqlOnError: false });
}
