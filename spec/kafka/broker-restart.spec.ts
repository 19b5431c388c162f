import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureKafkaJars, ensureStorageFormatted, findBrokerPids, startBroker, stopBrokers, waitForBroker, writeBrokerConfig, type BrokerSite } from '../../src/stack/kafka.ts';
import { isPortOpen } from '../../src/stack/probe.ts';
import { requireJava17 } from '../../src/stack/util.ts';
import { finished, runCli, scratchDir, startCli } from '../support/cli.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { uniqueTopic } from '../support/kafka.ts';
import { linesOf, resultRows, waitFor } from '../support/result-rows.ts';
import { describeRequiring, freePort, isReachable } from '../support/services.ts';

const DAY = '2021-03-25';

function javaProblem(): string | undefined {
  try {
    requireJava17();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const java = javaProblem();
const mariadb = await isReachable(MARIADB);
const requirement = {
  present: java === undefined && mariadb,
  what: 'Java 17+ (for a throwaway Kafka broker) and MariaDB',
  absence: java ?? `MariaDB at ${MARIADB.host}:${MARIADB.port} is not reachable`,
  remedy: 'npm run stack:up (it installs the broker jars and starts MariaDB)',
};

// The spec stops and starts a broker of its own, on free ports in a temp dir, with the jars of
// the stack: the shared broker on 9092 (whoever started it) is never touched.
describeRequiring(requirement, 'a Kafka broker restart in the middle of a stream', () => {
  const database = useSpecDatabase();
  let site: BrokerSite;
  let libs: string;
  let brokers: string;
  const startOwnBroker = async (): Promise<void> => {
    const pid = startBroker(libs, site);
    await waitForBroker(pid, 90_000, site);
  };
  beforeAll(async () => {
    site = { port: await freePort(), controllerPort: await freePort(), dir: scratchDir() };
    brokers = `127.0.0.1:${site.port}`;
    libs = await ensureKafkaJars(() => {});
    writeBrokerConfig('spec', 'spec', site); // its SASL listener is not opened: any user
    ensureStorageFormatted(libs, site);
    await startOwnBroker();
  }, 120_000);
  afterAll(async () => {
    if (site === undefined) return;
    await stopBrokers(5_000, site);
    rmSync(site.dir, { recursive: true, force: true });
  }, 30_000);

  it('resumes consuming after the broker comes back, and ends with the exact table', async () => {
    const db = database.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '30000', '--seed', '41', '--day', DAY, '--out', file])).code).toBe(0);
    const lines = linesOf(file);
    const topic = uniqueTopic('broker');
    const created = await runCli(['topic', 'create', '--brokers', brokers, '--topic', topic, '--partitions', '3']);
    expect(created.code, created.stderr).toBe(0);
    // Slow enough to be still producing when the broker is back.
    const producer = finished(startCli(['produce', '--brokers', brokers, '--topic', topic, '--file', file, '--rate', '1200']));
    const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
    const run = startCli(['run', '--source', 'kafka', '--brokers', brokers, '--topic', topic, '--group', topic, '--startup', 'earliest', '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--http-port', String(httpPort)]);
    const done = finished(run);
    try {
      const status = async (): Promise<{ read: number; lag: number | undefined }> => {
        const snapshot = (await (await fetch(`http://127.0.0.1:${httpPort}/api/snapshot`)).json()) as { status?: { counters?: { read?: number }; lagMessages?: number } };
        return { read: snapshot.status?.counters?.read ?? 0, lag: snapshot.status?.lagMessages };
      };
      const read = async (): Promise<number> => (await status()).read;
      await waitFor(async () => (await read()) > 0);
      const stopped = await stopBrokers(30_000, site);
      expect(stopped.pids).toHaveLength(1);
      expect(await isPortOpen('127.0.0.1', site.port, 500)).toBe(false); // really gone
      expect(findBrokerPids(site)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await startOwnBroker();
      const produced = await producer;
      expect(produced.code, produced.stderr).toBe(0);
      // Offsets not committed while the broker was away are read again (harmlessly): caught up
      // means everything read at least once and nothing left behind.
      let last = { read: 0, lag: undefined as number | undefined };
      await waitFor(async () => {
        last = await status();
        return last.read >= lines.length && last.lag === 0;
      }, 90_000).catch(async (error: unknown) => {
        // Say which half never held, with the run's last lines: a flake here must be diagnosable.
        run.kill('SIGKILL');
        const said = (await done).log.split('\n').slice(-15).join('\n');
        throw new Error(`${String(error)}: read ${last.read} of ${lines.length} messages, lag ${String(last.lag)}; the run's last lines:\n${said}`);
      });
      run.kill('SIGTERM');
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
    } finally {
      run.kill('SIGKILL');
    }
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, linesOf(file), DAY));
  }, 240_000);

  it('delivers every message a produce sent while the broker was away, however long it stays away', async () => {
    const file = join(scratchDir(), 'away.jsonl');
    expect((await runCli(['generate', '--orders', '3000', '--seed', '43', '--day', DAY, '--out', file])).code).toBe(0);
    const lines = linesOf(file);
    const topic = uniqueTopic('away');
    expect((await runCli(['topic', 'create', '--brokers', brokers, '--topic', topic, '--partitions', '3'])).code).toBe(0);
    // Sending takes about 6 s; the broker goes at once and is away for more than 35 s after the
    // last send (the produce used to give up 30 s after it, with messages still unanswered).
    const producer = finished(startCli(['produce', '--brokers', brokers, '--topic', topic, '--file', file, '--rate', String(Math.ceil(lines.length / 6))]));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await stopBrokers(30_000, site)).pids).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 40_000));
    await startOwnBroker();
    const produced = await producer;
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stdout).toContain(`produced ${lines.length.toLocaleString('en-US')} messages to ${topic}`);
  }, 180_000);
});
