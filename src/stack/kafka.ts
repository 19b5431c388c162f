// The local Apache Kafka broker: jars fetched once with Maven into .stack/, KRaft storage, start and stop.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isPortOpen, kafkaMetadata, sleep, type ClusterInfo } from './probe.ts';
import { TLS_DIR } from './tls.ts';
import { KAFKA_SRC_DIR, STACK_DIR, StackError, rel, requireCommand } from './util.ts';

export const KAFKA_HOST = '127.0.0.1';
export const KAFKA_PORT = 9092;
export const CONTROLLER_PORT = 9093;

/** Files of the broker; everything but the checked-in sources lives under .stack/. */
export const kafkaPaths = {
  pom: path.join(KAFKA_SRC_DIR, 'pom.xml'),
  log4j: path.join(KAFKA_SRC_DIR, 'log4j2.xml'),
  template: path.join(KAFKA_SRC_DIR, 'server.properties'),
  config: path.join(STACK_DIR, 'kafka-server.properties'),
  data: path.join(STACK_DIR, 'kafka-data'),
  log: path.join(STACK_DIR, 'kafka.log'),
  pid: path.join(STACK_DIR, 'kafka.pid'),
  mvnLog: path.join(STACK_DIR, 'mvn.log'),
} as const;

/**
 * Where one broker listens and keeps its files. The stack's broker is {@link STACK_BROKER}; a spec
 * may start a throwaway one on other ports in a temp dir, with the same jars.
 */
export interface BrokerSite {
  readonly port: number;
  readonly controllerPort: number;
  /** Its config, KRaft data, log and pid file live here. */
  readonly dir: string;
}

/** The broker of `npm run stack:up`: 9092/9093, files in .stack/. */
export const STACK_BROKER: BrokerSite = { port: KAFKA_PORT, controllerPort: CONTROLLER_PORT, dir: STACK_DIR };

/** The files of a broker of `site` (for the stack's: those of {@link kafkaPaths}). */
export function brokerFiles(site: BrokerSite): { config: string; data: string; log: string; pid: string } {
  if (site === STACK_BROKER) return kafkaPaths;
  return { config: path.join(site.dir, 'kafka-server.properties'), data: path.join(site.dir, 'kafka-data'), log: path.join(site.dir, 'kafka.log'), pid: path.join(site.dir, 'kafka.pid') };
}

const JVM_OPTIONS = [
  '-Xms256m',
  '-Xmx768m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

type Say = (line: string) => void;

/** Directory of the cached jars; its name carries a hash of pom.xml, so editing the pom refetches. */
export function kafkaLibsDir(): string {
  const hash = createHash('sha256').update(fs.readFileSync(kafkaPaths.pom)).digest('hex').slice(0, 12);
  return path.join(STACK_DIR, `kafka-libs-${hash}`);
}

/** Makes sure the broker jars are in .stack/ (fetching them with Maven the first time); returns their directory. */
export async function ensureKafkaJars(say: Say): Promise<string> {
  const libs = kafkaLibsDir();
  if (fs.existsSync(libs)) return libs;
  requireCommand('mvn', ['-v'], 'Maven is needed once to fetch the Kafka jars (apt-get install -y maven)');
  fs.mkdirSync(STACK_DIR, { recursive: true });
  const tmp = `${libs}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  say(`kafka: fetching broker jars with Maven into ${rel(libs)} (first run only, ~45 MB)...`);
  const startedAt = Date.now();
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', kafkaPaths.pom, 'dependency:copy-dependencies',
    `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'];
  const log = fs.openSync(kafkaPaths.mvnLog, 'w');
  const code = await new Promise<number | null>((resolve, reject) => {
    const mvn = spawn('mvn', args, { stdio: ['ignore', log, log] });
    const ticker = setInterval(() => say(`kafka: ...still fetching (${Math.round((Date.now() - startedAt) / 1000)}s)`), 15_000);
    mvn.once('error', (err) => { clearInterval(ticker); reject(err); });
    mvn.once('exit', (exitCode) => { clearInterval(ticker); resolve(exitCode); });
  });
  fs.closeSync(log);
  const jars = fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.endsWith('.jar')) : [];
  if (code !== 0 || jars.length === 0) {
    throw new StackError(`fetching the Kafka jars failed (mvn exit ${code ?? 'signal'}); see ${rel(kafkaPaths.mvnLog)}`);
  }
  fs.renameSync(tmp, libs);
  for (const old of fs.readdirSync(STACK_DIR)) {
    const full = path.join(STACK_DIR, old);
    if (old.startsWith('kafka-libs-') && full !== libs) fs.rmSync(full, { recursive: true, force: true });
  }
  say(`kafka: ${jars.length} jars fetched in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return libs;
}

/**
 * Writes .stack/kafka-server.properties (or the site's) from the checked-in template, with the SASL
 * user's name and password; the stack's broker also opens the secured listeners (the certificates
 * must exist: see tls.ts), a throwaway broker of a spec only its plaintext one and its controller,
 * on its own ports.
 */
export function writeBrokerConfig(user: string, password: string, site: BrokerSite = STACK_BROKER): void {
  const files = brokerFiles(site);
  let text = fs.readFileSync(kafkaPaths.template, 'utf8').replaceAll('@DATA_DIR@', files.data).replaceAll('@TLS_DIR@', TLS_DIR)
    .replaceAll('@SCRAM_USER@', user).replaceAll('@SCRAM_PASSWORD@', password.replaceAll('\\', '\\\\').replaceAll('"', '\\"'));
  if (site !== STACK_BROKER) {
    text = text
      .replace(/^((?:advertised\.)?listeners=.*?),SASL_SSL:\/\/[^,\n]*,SSL:\/\/[^,\n]*$/gm, '$1')
      .replaceAll(`127.0.0.1:${KAFKA_PORT}`, `127.0.0.1:${site.port}`)
      .replaceAll(`127.0.0.1:${CONTROLLER_PORT}`, `127.0.0.1:${site.controllerPort}`);
  }
  fs.mkdirSync(site.dir, { recursive: true });
  fs.writeFileSync(files.config, text, { mode: 0o600 });
}

/** The java command line that runs `mainClass` (or a single-file .java source) with the broker jars, for the stack's broker. */
export function javaArgs(libs: string, mainClass: string, ...rest: string[]): string[] {
  return siteJavaArgs(libs, STACK_BROKER, mainClass, ...rest);
}

function siteJavaArgs(libs: string, site: BrokerSite, mainClass: string, ...rest: string[]): string[] {
  return [...JVM_OPTIONS, `-Dlog4j2.configurationFile=${kafkaPaths.log4j}`, `-Dkafka.logs.dir=${site.dir}`,
    '-cp', path.join(libs, '*'), mainClass, ...rest];
}

/** Formats the KRaft storage in .stack/kafka-data (single voter, `--standalone`) unless already formatted; returns the cluster id. */
export function ensureStorageFormatted(libs: string, site: BrokerSite = STACK_BROKER): string | null {
  const files = brokerFiles(site);
  const meta = path.join(files.data, 'meta.properties');
  if (fs.existsSync(meta)) return null;
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const result = spawnSync('java', siteJavaArgs(libs, site, 'kafka.tools.StorageTool', 'format', '--standalone',
    '--cluster-id', clusterId, '--config', files.config), { encoding: 'utf8' });
  fs.appendFileSync(files.log, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0 || !fs.existsSync(meta)) {
    throw new StackError(`formatting ${rel(files.data)} failed: ${lastProblem(`${result.stdout}${result.stderr}`)}; see ${rel(files.log)}`);
  }
  return clusterId;
}

/** True when `pid` is a live (not zombie) java process running this stack's broker (Linux /proc). */
export function isStackBroker(pid: number, site: BrokerSite = STACK_BROKER): boolean {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('kafka.Kafka') && argv.includes(brokerFiles(site).config);
  } catch {
    return false;
  }
}

/** Pids of every running broker of this stack: the pid file's, plus any found in /proc (e.g. after a lost pid file). */
export function findBrokerPids(site: BrokerSite = STACK_BROKER): number[] {
  const pids = new Set<number>();
  const fromFile = Number.parseInt(readOr(brokerFiles(site).pid, ''), 10);
  if (Number.isInteger(fromFile) && isStackBroker(fromFile, site)) pids.add(fromFile);
  for (const entry of fs.readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && isStackBroker(Number(entry), site)) pids.add(Number(entry));
  }
  return [...pids].sort((a, b) => a - b);
}

/** Starts the broker detached (it outlives this process), stdout/stderr appended to .stack/kafka.log; returns its pid. */
export function startBroker(libs: string, site: BrokerSite = STACK_BROKER): number {
  const files = brokerFiles(site);
  fs.mkdirSync(site.dir, { recursive: true });
  if (fs.existsSync(files.log) && fs.statSync(files.log).size > 20 * 1024 * 1024) {
    fs.renameSync(files.log, `${files.log}.1`); // keep one old log
  }
  fs.appendFileSync(files.log, `\n===== stack up ${new Date().toISOString()} =====\n`);
  const log = fs.openSync(files.log, 'a');
  const child = spawn('java', siteJavaArgs(libs, site, 'kafka.Kafka', files.config), {
    cwd: site.dir,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new StackError(`could not start java; see ${rel(files.log)}`);
  fs.writeFileSync(files.pid, `${child.pid}\n`);
  return child.pid;
}

/** Asks the broker for its metadata; null when it does not answer (yet) or lists no broker. */
export async function brokerMetadata(site: BrokerSite = STACK_BROKER): Promise<ClusterInfo | null> {
  if (!(await isPortOpen(KAFKA_HOST, site.port))) return null;
  try {
    const info = await kafkaMetadata(KAFKA_HOST, site.port);
    return info.brokers.length > 0 ? info : null;
  } catch {
    return null;
  }
}

/** Waits until broker `pid` answers a Metadata request; throws a StackError if it exits or `timeoutMs` passes. */
export async function waitForBroker(pid: number, timeoutMs: number, site: BrokerSite = STACK_BROKER): Promise<ClusterInfo> {
  const deadline = Date.now() + timeoutMs;
  const { log } = brokerFiles(site);
  for (;;) {
    if (!isStackBroker(pid, site)) {
      throw new StackError(`Kafka broker (pid ${pid}) exited while starting: ${lastProblem(tailOf(log))}; see ${rel(log)}`);
    }
    const info = await brokerMetadata(site);
    if (info !== null) return info;
    if (Date.now() > deadline) {
      throw new StackError(`Kafka broker (pid ${pid}) did not answer on ${KAFKA_HOST}:${site.port} within ${timeoutMs / 1000}s; see ${rel(log)} (npm run stack:down stops it)`);
    }
    await sleep(250);
  }
}

/** Stops every broker of this stack: SIGTERM, up to `graceMs` to exit, then SIGKILL; returns the pids it stopped. */
export async function stopBrokers(graceMs = 30_000, site: BrokerSite = STACK_BROKER): Promise<{ pids: number[]; killed: number[] }> {
  const pids = findBrokerPids(site);
  const running = (pid: number): boolean => isStackBroker(pid, site);
  for (const pid of pids) signal(pid, 'SIGTERM');
  const killed: number[] = [];
  const deadline = Date.now() + graceMs;
  while (pids.some(running) && Date.now() < deadline) await sleep(200);
  for (const pid of pids.filter(running)) {
    signal(pid, 'SIGKILL');
    killed.push(pid);
  }
  while (pids.some(running)) await sleep(100);
  fs.rmSync(brokerFiles(site).pid, { force: true });
  return { pids, killed };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function tailOf(file: string, bytes = 64 * 1024): string {
  try {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    fs.closeSync(fd);
    return buf.toString('utf8');
  } catch {
    return '';
  }
}

/** The last ERROR/exception line of some log text, shortened for a one-line message. */
export function lastProblem(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const bad = lines.filter((l) => / (ERROR|FATAL) |Exception|Error:/.test(l) && !l.startsWith('at '));
  const line = bad.at(-1) ?? lines.at(-1) ?? 'no output';
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}
