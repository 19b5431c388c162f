/** What a database error means for a write: worth retrying or not, and how to say it in one line. */

/**
 * Errors that pass when the database comes back or another transaction ends: the server is
 * down, restarting or unreachable, the connection was lost or killed, a lock could not be taken.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  // The network (Node): refused while the server is down, reset or cut while it restarts.
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // mysql2: the server closed the connection ("server has gone away"), or stopped answering.
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
  // MySQL and MariaDB server errors.
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED',
  'ER_CON_COUNT_ERROR', 'ER_NET_READ_ERROR', 'ER_NET_READ_INTERRUPTED', 'ER_NET_ERROR_ON_WRITE', 'ER_NET_WRITE_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT', 'CR_SERVER_GONE_ERROR', 'CR_SERVER_LOST',
  // SQLite: another process holds the file's lock.
  'SQLITE_BUSY', 'SQLITE_LOCKED',
]);

/** Messages of transient errors that carry no code (mysql2 on a connection it has closed; knex's pool). */
const TRANSIENT_MESSAGES = [/connection is in closed state/i, /can't write in closed state/i, /timeout acquiring a connection/i];

/** Whether a failed write may succeed when tried again: a lost connection or lock, not an SQL mistake. */
export function isTransientDbError(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const { code } = cause as { code?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (cause.name === 'KnexTimeoutError' || TRANSIENT_MESSAGES.some((pattern) => pattern.test(cause.message))) return true;
  }
  return false;
}

/** The SQL statement knex puts before the driver's message ("insert into ... - Duplicate entry"). */
const KNEX_QUERY_PREFIX = /^\s*(?:insert|update|delete|select|with|replace|create|alter|drop|set|begin|commit|rollback|savepoint|release)\b[\s\S]* - /i;

/** The driver's own message of a database error and its code, on one line, without the SQL. */
export function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  const { code, sqlMessage } = error as { code?: unknown; sqlMessage?: unknown };
  const text = oneLine(typeof sqlMessage === 'string' ? sqlMessage : error.message.replace(KNEX_QUERY_PREFIX, ''));
  if (typeof code !== 'string' || text.includes(code)) return text === '' ? error.name : text;
  return text === '' ? code : `${text} (${code})`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
