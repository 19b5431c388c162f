// Local services for development: `node --import tsx src/stack/stack.ts up|down|status`.
//   up:     MariaDB (machine service, started if down) + a single-node KRaft Kafka broker on 127.0.0.1:9092
//           (plus SASL_SSL on 9094, mTLS on 9095) + a TLS-only MariaDB of its own on 127.0.0.1:3307
//   down:   stops the Kafka broker and the TLS-only MariaDB (the machine's MariaDB is left running)
//   status: one line per service; exit 0 when both are up, 3 otherwise
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CONTROLLER_PORT, KAFKA_HOST, KAFKA_PORT, brokerMetadata, ensureKafkaJars, ensureStorageFormatted,
  findBrokerPids, kafkaLibsDir, kafkaPaths, startBroker, stopBrokers, waitForBroker, writeBrokerConfig,
} from './kafka.ts';
import { DB_HOST, DB_PORT, DB_URL, ensureMariaDb, isMariaDbUp } from './mariadb.ts';
import { isPortOpen, kafkaMetadata, sleep, type ClusterInfo } from './probe.ts';
import { MTLS_PORT, SASL_SSL_PORT, SCRAM_USER, ensureScramUser, scramPassword, secureKafkaPaths, writeClientProperties } from './secure-kafka.ts';
import { SECURE_DB_PORT, SECURE_DB_URL, ensureSecureMariaDb, isSecureMariaDbUp, secureDbPaths, stopSecureMariaDb } from './secure-mariadb.ts';
import { ensureCertificates, TLS_DIR } from './tls.ts';
import { StackError, rel, requireJava17 } from './util.ts';

const BROKER_START_TIMEOUT_MS = 120_000;
const say = (line: string): void => console.log(`  ${line}`);
const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)}s`;

/** Prints the environment settings that point tradeflow at the stack. */
export function printSettings(): void {
  console.log(`export TRADEFLOW_BROKERS=${KAFKA_HOST}:${KAFKA_PORT}`);
  console.log(`export TRADEFLOW_DB=${DB_URL}`);
  console.log(`# secured: --kafka-config ${rel(secureKafkaPaths.saslProperties)} (SASL_SSL, SCRAM-SHA-512) or ${rel(secureKafkaPaths.mtlsProperties)} (mTLS);`);
  console.log(`#          --db '${SECURE_DB_URL.replace(TLS_DIR, rel(TLS_DIR))}' --db-password-file ${rel(secureDbPaths.password)}`);
}

/** Brings MariaDB and the Kafka broker up (idempotent) and waits until the broker answers metadata requests. */
export async function up(): Promise<void> {
  const t0 = performance.now();
  say(`mariadb: ${await ensureMariaDb()} on ${DB_HOST}:${DB_PORT}`);
  if (ensureCertificates()) say(`tls: made a CA and the broker, MariaDB and client certificates in ${rel(TLS_DIR)}`);
  say(`mariadb (TLS only, user with a password): ${await ensureSecureMariaDb()} on ${DB_HOST}:${SECURE_DB_PORT}`);

  const running = findBrokerPids()[0];
  let info: ClusterInfo;
  if (running !== undefined) {
    say(`kafka: already running (pid ${running}), checking it answers...`);
    info = await waitForBroker(running, BROKER_START_TIMEOUT_MS);
    await secureListeners();
  } else if ((await isPortOpen(KAFKA_HOST, KAFKA_PORT)) && (await kafkaMetadata(KAFKA_HOST, KAFKA_PORT).catch(() => undefined)) !== undefined) {
    // A broker another checkout (or someone) started: use it as it is, and leave it to its owner.
    say(`kafka: ${KAFKA_HOST}:${KAFKA_PORT} already answers as a Kafka broker not started from this checkout; using it`);
    info = await kafkaMetadata(KAFKA_HOST, KAFKA_PORT);
  } else {
    for (const port of [KAFKA_PORT, CONTROLLER_PORT]) {
      if (await isPortOpen(KAFKA_HOST, port)) {
        throw new StackError(`${KAFKA_HOST}:${port} is taken by a process that is not this stack's broker; stop it first`);
      }
    }
    requireJava17();
    const libs = await ensureKafkaJars(say);
    writeBrokerConfig(SCRAM_USER, scramPassword());
    const clusterId = ensureStorageFormatted(libs);
    if (clusterId !== null) say(`kafka: formatted ${rel(kafkaPaths.data)} (KRaft, cluster id ${clusterId})`);
    const tStart = performance.now();
    const pid = startBroker(libs);
    say(`kafka: starting broker (pid ${pid}, log ${rel(kafkaPaths.log)})...`);
    info = await waitForBroker(pid, BROKER_START_TIMEOUT_MS);
    say(`kafka: broker answered after ${seconds(tStart)}`);
    await secureListeners();
  }
  say(`kafka: up on ${KAFKA_HOST}:${KAFKA_PORT} (cluster ${info.clusterId ?? '?'}, controller ${CONTROLLER_PORT})`);
  console.log(`stack up in ${seconds(t0)}; settings:`);
  printSettings();
}

/** The SCRAM user and the client properties of the secured listeners of this checkout's broker. */
async function secureListeners(): Promise<void> {
  // The listeners open together; a few seconds' grace for a broker that has just answered on 9092.
  for (const deadline = Date.now() + 10_000; !(await isPortOpen(KAFKA_HOST, SASL_SSL_PORT)) && Date.now() < deadline; ) await sleep(250);
  if (!(await isPortOpen(KAFKA_HOST, SASL_SSL_PORT))) {
    throw new StackError(`the running broker has no SASL_SSL listener on ${KAFKA_HOST}:${SASL_SSL_PORT} (started before the stack had one): npm run stack:down && npm run stack:up`);
  }
  ensureScramUser(await ensureKafkaJars(say));
  writeClientProperties();
  say(`kafka: SASL_SSL (SCRAM-SHA-512 and PLAIN, user ${SCRAM_USER}) on ${KAFKA_HOST}:${SASL_SSL_PORT}, mTLS on ${KAFKA_HOST}:${MTLS_PORT}; client properties in ${rel(secureKafkaPaths.saslProperties)}, ${rel(secureKafkaPaths.mtlsProperties)}`);
}

/** Stops the Kafka broker(s) and the TLS-only MariaDB of this stack; the machine's MariaDB keeps running. */
export async function down(): Promise<void> {
  const t0 = performance.now();
  const { pids, killed } = await stopBrokers();
  if (pids.length === 0) say('kafka: not running');
  else say(`kafka: stopped pid ${pids.join(', ')}${killed.length > 0 ? ` (SIGKILL after grace period: ${killed.join(', ')})` : ''}`);
  if (await isPortOpen(KAFKA_HOST, KAFKA_PORT)) say(`kafka: warning: ${KAFKA_HOST}:${KAFKA_PORT} still answers (not this stack's broker)`);
  const secureDb = await stopSecureMariaDb();
  say(secureDb === undefined ? 'mariadb (TLS only): not running' : `mariadb (TLS only): stopped pid ${secureDb}`);
  say('mariadb: left running (machine service)');
  console.log(`stack down in ${seconds(t0)}`);
}

/** Prints one line per service and returns true when both are up. */
export async function status(): Promise<boolean> {
  const pids = findBrokerPids();
  const info = await brokerMetadata();
  const jars = fs.existsSync(kafkaLibsDir()) ? 'jars cached' : 'jars not fetched yet';
  const kafka = pids.length > 0
    ? `running (pid ${pids.join(', ')}) on ${KAFKA_HOST}:${KAFKA_PORT}, ${info !== null ? 'answering' : 'NOT answering yet'}`
    : info !== null ? `${KAFKA_HOST}:${KAFKA_PORT} answers, but not this stack's broker` : 'stopped';
  const db = await isMariaDbUp();
  const secureDb = await isSecureMariaDbUp();
  console.log(`kafka:   ${kafka} (${jars}; data ${rel(kafkaPaths.data)}, log ${rel(kafkaPaths.log)})`);
  console.log(`mariadb: ${db ? 'up' : 'down'} on ${DB_HOST}:${DB_PORT}`);
  console.log(`mariadb (TLS only): ${secureDb ? 'up' : 'down'} on ${DB_HOST}:${SECURE_DB_PORT} (data ${rel(secureDbPaths.data)}, log ${rel(secureDbPaths.log)})`);
  return pids.length > 0 && info !== null && db && secureDb;
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      return (await status()) ? 0 : 3;
    default:
      console.error('usage: node --import tsx src/stack/stack.ts up|down|status');
      return 2;
  }
}

const script = process.argv[1];
const invokedDirectly = script !== undefined && fs.realpathSync(script) === fileURLToPath(import.meta.url);
const command = process.argv[2];
if (invokedDirectly) {
  main(command).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      const why = err instanceof StackError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
      console.error(`stack ${command ?? ''}: ${why}`);
      process.exitCode = 1;
    },
  );
}
