// The machine's MariaDB service: started if it does not answer, never stopped by the stack.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { isPortOpen, sleep } from './probe.ts';
import { StackError } from './util.ts';

export const DB_HOST = '127.0.0.1';
export const DB_PORT = 3306;
export const DB_URL = `mysql://root@${DB_HOST}:${DB_PORT}/test`;
const MARIADBD = '/usr/sbin/mariadbd';

/** True when MariaDB accepts TCP connections on 127.0.0.1:3306. */
export function isMariaDbUp(): Promise<boolean> {
  return isPortOpen(DB_HOST, DB_PORT);
}

/** Starts MariaDB (start-stop-daemon, as the machine's service would) unless it answers; returns what it did. */
export async function ensureMariaDb(timeoutMs = 30_000): Promise<'already up' | 'started'> {
  if (await isMariaDbUp()) return 'already up';
  if (!fs.existsSync(MARIADBD)) {
    throw new StackError(`MariaDB does not answer on ${DB_HOST}:${DB_PORT} and ${MARIADBD} is missing (apt-get install -y mariadb-server)`);
  }
  if (!fs.existsSync('/run/mysqld')) spawnSync('install', ['-d', '-o', 'mysql', '-g', 'mysql', '/run/mysqld']);
  const result = spawnSync('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', MARIADBD], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.message ?? (result.stderr.trim() || `exit ${result.status}`);
    throw new StackError(`could not start MariaDB with start-stop-daemon: ${why}`);
  }
  const deadline = Date.now() + timeoutMs;
  while (!(await isMariaDbUp())) {
    if (Date.now() > deadline) {
      throw new StackError(`MariaDB did not answer on ${DB_HOST}:${DB_PORT} within ${timeoutMs / 1000}s; run ${MARIADBD} in a terminal to see why`);
    }
    await sleep(250);
  }
  return 'started';
}
