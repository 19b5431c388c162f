/**
 * The secured services of `npm run stack:up`: Kafka's SASL_SSL (SCRAM-SHA-512) and mTLS listeners,
 * and the TLS-only MariaDB with a password. Their secrets are read only inside tests and hooks, so
 * that a checkout without the stack collects these specs and skips them with a note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll } from 'vitest';
import { MTLS_PORT, SASL_SSL_PORT, SCRAM_USER, secureKafkaPaths } from '../../src/stack/secure-kafka.ts';
import { SECURE_DB_HOST, SECURE_DB_PORT, SECURE_DB_USER, secureDbPaths } from '../../src/stack/secure-mariadb.ts';
import { tlsPaths } from '../../src/stack/tls.ts';
import { isReachable, type Requirement } from './services.ts';

export { SCRAM_USER, secureKafkaPaths, secureDbPaths, tlsPaths };

/** The SASL_SSL listener. */
export const SASL_SSL = { name: 'Kafka SASL_SSL', host: '127.0.0.1', port: SASL_SSL_PORT };
/** The mTLS listener. */
export const MTLS = { name: 'Kafka mTLS', host: '127.0.0.1', port: MTLS_PORT };
/** The TLS-only MariaDB. */
export const SECURE_DB = { name: 'TLS-only MariaDB', host: SECURE_DB_HOST, port: SECURE_DB_PORT };

/** Whether the secured services answer and their files are there. */
export async function secureStack(services: readonly { name: string; host: string; port: number }[]): Promise<Requirement> {
  const files = [secureKafkaPaths.saslProperties, secureKafkaPaths.mtlsProperties, secureDbPaths.password, tlsPaths.ca, tlsPaths.otherCa];
  const down = [];
  for (const service of services) if (!(await isReachable(service))) down.push(`${service.name} at ${service.host}:${service.port}`);
  const missing = files.filter((file) => !existsSync(file));
  const what = services.map((s) => `${s.name} at ${s.host}:${s.port}`).join(', ');
  return {
    present: down.length === 0 && missing.length === 0,
    what,
    absence: down.length > 0 ? `${down.join(', ')} not reachable` : `the stack's files are missing (${missing.join(', ')})`,
    remedy: 'npm run stack:up',
  };
}

/** The SCRAM user's password, from the stack's ready properties file. */
export function scramPassword(): string {
  const line = readFileSync(secureKafkaPaths.saslProperties, 'utf8').split('\n').find((l) => l.startsWith('sasl.password='));
  return (line ?? '').slice('sasl.password='.length);
}

/** The TLS-only MariaDB user's password. */
export function dbPassword(): string {
  return readFileSync(secureDbPaths.password, 'utf8').trim();
}

/** A spec file's own database on the TLS-only MariaDB, made by its user (over TLS) and dropped after. */
export interface SecureSpecDatabase {
  readonly name: string;
  /** `mysql://tradeflow@127.0.0.1:3307/<name>` without options or password. */
  readonly url: string;
  /** knex on it over TLS as the user. */
  open(): Knex;
}

/** Registers the creation and dropping of a fresh database on the TLS-only MariaDB; call inside a describe. */
export function useSecureSpecDatabase(): SecureSpecDatabase {
  const name = `tradeflow_spec_${randomBytes(4).toString('hex')}`;
  const opened: Knex[] = [];
  const connect = (database?: string): Knex => knex({
    client: 'mysql2',
    connection: { host: SECURE_DB_HOST, port: SECURE_DB_PORT, user: SECURE_DB_USER, password: dbPassword(), ...(database !== undefined && { database }), ssl: { ca: readFileSync(tlsPaths.ca, 'utf8') } },
    pool: { min: 0, max: 2 },
  });
  beforeAll(async () => {
    const admin = connect();
    try {
      await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [name]);
    } finally {
      await admin.destroy();
    }
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    const admin = connect();
    try {
      await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
    } finally {
      await admin.destroy();
    }
  });
  return {
    name,
    url: `mysql://${SECURE_DB_USER}@${SECURE_DB_HOST}:${SECURE_DB_PORT}/${name}`,
    open: () => {
      const db = connect(name);
      opened.push(db);
      return db;
    },
  };
}

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
