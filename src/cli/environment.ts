/**
 * Exit codes, and the failures of an environment a command cannot work in (a database that
 * cannot be opened, a port in use, a source that is not a readable file): one line naming the
 * culprit and the cause, never the driver's SQL text or a library's internal hint.
 */
import { explainConnectionError } from '../db/connection-errors.ts';
import { firstLineOf } from '../core/first-line.ts';

/** The exit codes of every command (the README's table). */
export const EXIT_CODES = { done: 0, failed: 1, usage: 2, environment: 3 } as const;

/** The environment cannot work (exit 3); the message names the culprit and the cause. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** What names the culprits in a command's failure: the `--db` shown and the screen's address. */
export interface Culprits {
  /** e.g. `sqlite:./data/tradeflow.sqlite` (no password). */
  readonly db?: string;
  /** e.g. `--http-port 8080 (127.0.0.1)`. */
  readonly http?: string;
}

/** Runs `work`; a failure of the environment comes out as an {@link EnvironmentError}, others as they are. */
export async function naming<T>(culprits: Culprits, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw environmentFailure(error, culprits) ?? error;
  }
}

/** The EnvironmentError an error means, or undefined when it is not about the environment. */
export function environmentFailure(error: unknown, culprits: Culprits): EnvironmentError | undefined {
  if (error instanceof EnvironmentError) return error;
  const code = codeOf(error);
  const db = culprits.db === undefined ? undefined : `--db ${culprits.db}`;
  if (db !== undefined) {
    // A refused login or TLS: the cause with what to change (the password, ssl-mode, ssl-ca).
    const explained = explainConnectionError(error);
    if (explained !== undefined) return new EnvironmentError(`${db}: ${explained}`);
    const cause = databaseCause(code, error);
    if (cause !== undefined) return new EnvironmentError(`${db}: ${cause}`);
  }
  if (culprits.http !== undefined && (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES')) {
    const cause = code === 'EADDRINUSE' ? 'the port is already in use (another process listens there; --http-port picks another)' : code === 'EADDRNOTAVAIL' ? 'no such address on this machine (--http-host)' : 'not allowed to listen there (ports below 1024 need privileges)';
    return new EnvironmentError(`${culprits.http}: ${cause}`);
  }
  return undefined;
}

function databaseCause(code: string | undefined, error: unknown): string | undefined {
  if (code === undefined) return (error as { name?: unknown }).name === 'KnexTimeoutError' ? 'the server accepted the connection but did not answer within 10 s' : undefined;
  if (code === 'SQLITE_CANTOPEN') return 'cannot open the file (a folder of that name, or no permission to create or read it)';
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database';
  if (code === 'SQLITE_CORRUPT') return 'the SQLite file is damaged';
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') return 'the database is read-only (no permission to write the file or its folder)';
  if (code === 'SQLITE_FULL') return 'the disk is full';
  if (code === 'ECONNREFUSED') return 'connection refused (no server listens at that address)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  if (code === 'ETIMEDOUT') return 'the server did not answer within 10 s';
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') return `access denied (${firstLineOf(error)})`;
  if (code === 'ER_BAD_DB_ERROR') return 'no such database on the server (create it first)';
  if (code === 'ER_TABLEACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') return 'the user may not create or change the tables (grant it, or run tradeflow migrate as one who may)';
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

