// A second MariaDB of the stack's own, as managed MySQL services are set up: TLS only
// (require_secure_transport=ON, the stack CA's server certificate) and a user with a password.
// Own data directory under .stack/, own port; the machine's MariaDB on 3306 is never touched.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isPortOpen, sleep } from './probe.ts';
import { stackPassword, tlsPaths } from './tls.ts';
import { STACK_DIR, StackError, rel } from './util.ts';

export const SECURE_DB_HOST = '127.0.0.1';
export const SECURE_DB_PORT = 3307;
/** The user with a password, allowed everything (specs make their own databases). */
export const SECURE_DB_USER = 'tradeflow';
/** The database the stack creates for it. */
export const SECURE_DB_NAME = 'tradeflow';

const DIR = path.join(STACK_DIR, 'mariadb-tls');
/** Files of the TLS-only MariaDB. */
export const secureDbPaths = {
  data: path.join(DIR, 'data'),
  socket: path.join(DIR, 'mysqld.sock'),
  pid: path.join(DIR, 'mysqld.pid'),
  log: path.join(DIR, 'mariadb.log'),
  /** The user's password, one line: what `--db-password-file` reads. */
  password: path.join(DIR, 'password'),
} as const;

/** The `--db` URL of the TLS-only MariaDB (the password comes from {@link secureDbPaths}.password). */
export const SECURE_DB_URL = `mysql://${SECURE_DB_USER}@${SECURE_DB_HOST}:${SECURE_DB_PORT}/${SECURE_DB_NAME}?ssl-mode=VERIFY_CA&ssl-ca=${tlsPaths.ca}`;

/** The password of the TLS-only MariaDB's user (made at the first stack up). */
export function secureDbPassword(): string {
  return stackPassword(secureDbPaths.password);
}

function runningPid(): number | undefined {
  const pid = Number.parseInt(fs.existsSync(secureDbPaths.pid) ? fs.readFileSync(secureDbPaths.pid, 'utf8') : '', 10);
  if (!Number.isInteger(pid)) return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(secureDbPaths.data) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the TLS-only MariaDB unless it runs (initialising its data directory the first time), then makes its user and database. */
export async function ensureSecureMariaDb(timeoutMs = 60_000): Promise<'already up' | 'started'> {
  let outcome: 'already up' | 'started' = 'already up';
  if (runningPid() === undefined) {
    if (await isPortOpen(SECURE_DB_HOST, SECURE_DB_PORT)) throw new StackError(`${SECURE_DB_HOST}:${SECURE_DB_PORT} is taken by a process that is not this stack's TLS MariaDB; stop it first`);
    if (!fs.existsSync(path.join(secureDbPaths.data, 'mysql'))) initialise();
    start();
    const started = Date.now();
    const deadline = started + timeoutMs;
    while (!(await isPortOpen(SECURE_DB_HOST, SECURE_DB_PORT))) {
      // mariadbd writes its pid file within a second or two of starting: none after 5 s means it exited.
      if (runningPid() === undefined && Date.now() > started + 5000) {
        throw new StackError(`the TLS MariaDB exited while starting: ${lastLine(secureDbPaths.log)}; see ${rel(secureDbPaths.log)}`);
      }
      if (Date.now() > deadline) throw new StackError(`the TLS MariaDB did not answer on ${SECURE_DB_HOST}:${SECURE_DB_PORT} within ${timeoutMs / 1000}s; see ${rel(secureDbPaths.log)}`);
      await sleep(250);
    }
    outcome = 'started';
  }
  // Through the socket as root (unix_socket authentication): a socket counts as secure transport.
  // The password goes in on stdin, never on a command line.
  const password = secureDbPassword().replaceAll('\\', '\\\\').replaceAll("'", "\\'");
  sql(`CREATE USER IF NOT EXISTS '${SECURE_DB_USER}'@'%' IDENTIFIED BY '${password}';
ALTER USER '${SECURE_DB_USER}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON *.* TO '${SECURE_DB_USER}'@'%';
CREATE DATABASE IF NOT EXISTS \`${SECURE_DB_NAME}\` CHARACTER SET utf8mb4;`);
  return outcome;
}

/** Stops the TLS-only MariaDB (SIGTERM, then up to 30 s); returns its pid, or undefined when it was not running. */
export async function stopSecureMariaDb(): Promise<number | undefined> {
  const pid = runningPid();
  if (pid === undefined) return undefined;
  process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + 30_000; runningPid() !== undefined && Date.now() < deadline; ) await sleep(200);
  if (runningPid() !== undefined) process.kill(pid, 'SIGKILL');
  return pid;
}

/** Whether the TLS-only MariaDB accepts connections. */
export function isSecureMariaDbUp(): Promise<boolean> {
  return isPortOpen(SECURE_DB_HOST, SECURE_DB_PORT);
}

function initialise(): void {
  fs.mkdirSync(secureDbPaths.data, { recursive: true, mode: 0o700 });
  const result = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${secureDbPaths.data}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'], { encoding: 'utf8' });
  fs.appendFileSync(secureDbPaths.log, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.error !== undefined || result.status !== 0) {
    fs.rmSync(secureDbPaths.data, { recursive: true, force: true });
    throw new StackError(`mariadb-install-db failed: ${result.error?.message ?? lastLine(secureDbPaths.log)}; see ${rel(secureDbPaths.log)}`);
  }
}

function start(): void {
  const args = [
    '--no-defaults', `--datadir=${secureDbPaths.data}`, `--port=${SECURE_DB_PORT}`, `--bind-address=${SECURE_DB_HOST}`,
    `--socket=${secureDbPaths.socket}`, `--pid-file=${secureDbPaths.pid}`, `--log-error=${secureDbPaths.log}`, '--user=root',
    `--ssl-ca=${tlsPaths.ca}`, `--ssl-cert=${tlsPaths.mariadbCert}`, `--ssl-key=${tlsPaths.mariadbKey}`, '--require-secure-transport=ON',
    // A small server: the machine is shared, the specs write little.
    '--innodb-buffer-pool-size=32M', '--max-connections=100', '--skip-name-resolve',
  ];
  const child = spawn('mariadbd', args, { detached: true, stdio: 'ignore' });
  child.unref();
}

function sql(statements: string): void {
  const result = spawnSync('mariadb', ['--no-defaults', `--socket=${secureDbPaths.socket}`, '-u', 'root'], { input: statements, encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new StackError(`setting up the TLS MariaDB's user failed: ${result.error?.message ?? result.stderr.trim().split('\n').at(-1) ?? ''}`);
  }
}

function lastLine(file: string): string {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  return lines.filter((line) => /ERROR/.test(line)).at(-1) ?? lines.at(-1) ?? 'no output';
}
