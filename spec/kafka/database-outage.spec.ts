import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finished, runCli, scratchDir, startCli } from '../support/cli.ts';
import { createTopic, KAFKA, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { linesOf, resultRows, waitFor } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const OUTAGE_MS = 30_000;
const MEMORY_BOUND_MB = 600;

describeWithService(KAFKA, reachable, 'a database outage in the middle of a stream', () => {
  const database = useSpecDatabase();

  it('pauses while MariaDB is unreachable for 30 s, says so on /readyz and /healthz while /livez stays 200, then catches up to the exact table within its memory bound', async () => {
    const db = database.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '60000', '--seed', '31', '--day', DAY, '--out', file])).code).toBe(0);
    const lines = linesOf(file);
    const topic = uniqueTopic('outage');
    await createTopic(topic, 3);
    const proxy = await startTcpProxy(MARIADB.host, MARIADB.port);
    const producer = finished(startCli(['produce', '--topic', topic, '--file', file, '--rate', '6000']));
    const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
    const run = startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--db', `mysql://root@127.0.0.1:${proxy.port}/${database.name}`, '--as-of', `${DAY} 00:00:00`, '--http-port', String(httpPort)]);
    const done = finished(run);
    try {
      const health = async (): Promise<{ status: number; body: { database?: string } }> => {
        const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
        return { status: response.status, body: (await response.json()) as { database?: string } };
      };
      await waitFor(async () => (await health()).status === 200);
      await new Promise((resolve) => setTimeout(resolve, 3000)); // orders flowing, rows written
      await proxy.cut();
      await waitFor(async () => (await health()).status === 503);
      expect((await health()).body.database).toBe('down');
      // A liveness probe must not restart a process that is waiting out an outage; readiness takes it out of rotation.
      const probe = async (path: string): Promise<number> => (await fetch(`http://127.0.0.1:${httpPort}/${path}`)).status;
      expect(await probe('livez')).toBe(200);
      expect(await probe('readyz')).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await proxy.restore();
      await waitFor(async () => (await health()).status === 200, 30_000);
      expect(await probe('readyz')).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(Number(/^tradeflow_database_retries_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect((await producer).code).toBe(0);
      await waitFor(async () => {
        const snapshot = (await (await fetch(`http://127.0.0.1:${httpPort}/api/snapshot`)).json()) as { status?: { counters?: { read?: number }; lagMessages?: number } };
        return (snapshot.status?.counters?.read ?? 0) >= lines.length && snapshot.status?.lagMessages === 0;
      }, 60_000);
      run.kill('SIGTERM');
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/the database is unreachable .*; reading paused/);
      expect(result.stderr).toMatch(/the database is back after/);
      const peak = Number(/peak memory ([\d,]+) MB/.exec(result.stdout)?.[1]?.replace(/,/g, ''));
      expect(peak).toBeLessThan(MEMORY_BOUND_MB);
    } finally {
      run.kill('SIGKILL');
      await proxy.close();
    }
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, lines, DAY));
  }, 180_000);
});

