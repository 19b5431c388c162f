import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finished, runCli, scratchDir, startCli } from '../../support/cli.ts';
import { createTopic, KAFKA, uniqueTopic } from '../../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { becomesExact, linesOf, waitFor } from '../../support/result-rows.ts';
import { describeWithService, isReachable } from '../../support/services.ts';
import { stageInstances } from '../../support/stage-instances.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const OUTAGE_MS = 15_000;
const startInstance = stageInstances(DAY);

describeWithService(KAFKA, reachable, 'a database outage under a scaled-out instance', () => {
  const database = useSpecDatabase();

  it('a --stage both instance says the database is unreachable on stderr and /healthz while it is cut for 15 s, counts its retries, then catches up to the exact table and stops with 0 on SIGTERM', async () => {
    const db = database.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '40000', '--seed', '41', '--day', DAY, '--out', file])).code).toBe(0);
    const lines = linesOf(file);
    const topic = uniqueTopic('stage-outage');
    await createTopic(topic, 3);
    const proxy = await startTcpProxy(MARIADB.host, MARIADB.port);
    const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
    const instance = startInstance(topic, `mysql://root@127.0.0.1:${proxy.port}/${database.name}`, 'one', {}, ['--http-port', String(httpPort)]);
    try {
      const health = async (): Promise<{ status: number; body: { database?: string } }> => {
        const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
        return { status: response.status, body: (await response.json()) as { database?: string } };
      };
      await waitFor(async () => (await health()).status === 200, 60_000);
      // About 20 s of orders: the outage falls while they flow.
      const producer = finished(startCli(['produce', '--topic', topic, '--file', file, '--rate', '2000']));
      let produced = false;
      void producer.then(() => (produced = true));
      await waitFor(async () => Number(((await db('trade_channel_collect').count({ n: '*' })) as { n: number }[])[0]?.n) > 0, 30_000); // rows written
      await proxy.cut();
      expect(produced, 'the producer had finished before the cut').toBe(false);
      await waitFor(async () => (await health()).status === 503);
      expect((await health()).body.database).toBe('down');
      await waitFor(async () => /the database is unreachable .*; reading paused/.test(instance.said()));
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await proxy.restore();
      await waitFor(async () => (await health()).status === 200, 30_000);
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(Number(/^tradeflow_database_retries_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect((await producer).code).toBe(0);
      await becomesExact(db, await tutorialSqlOnMariaDb(db, lines, DAY), 60_000);
      instance.child.kill('SIGTERM');
      const result = await instance.done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/the database is back after/);
      expect(result.stderr, 'an outage is said in lines, never with a stack').not.toMatch(/^\s+at /m);
    } finally {
      await proxy.close();
    }
  }, 240_000);
});
