import { expect, it } from 'vitest';
import { finished, SAMPLE, startCli } from '../../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { waitFor } from '../../support/result-rows.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

/** One sample of a metric family in a /metrics text (the first, without labels). */
function sample(metrics: string, name: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

const get = async (port: number, path: string): Promise<{ status: number; text: string }> => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
};

describeWithService(KAFKA, reachable, 'a scaled-out instance is observable, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('serves /metrics, /healthz and the screen from a --stage both and a --stage dedupe instance, with the counters of its own work', async () => {
    const topic = uniqueTopic('observed');
    await createTopic(topic, 2);
    await produceFile(topic, SAMPLE);
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const args = (stage: string, id: string, port: number): string[] => [
      'run', '--source', 'kafka', '--topic', topic, '--group', topic, '--stage', stage, '--instance-id', id, '--db', database.url, '--as-of', `${DAY} 12:03:00`, '--flush-interval', '200', '--http-port', String(port),
    ];
    const both = startCli(args('both', 'both-1', base));
    const bothDone = finished(both);
    const dedupe = startCli(args('dedupe', 'dedupe-1', base + 1));
    const dedupeDone = finished(dedupe);
    try {
      // The both-instance aggregates every changes partition (it is alone in that group): it writes the rows.
      await waitFor(async () => (sample((await get(base, '/metrics')).text, 'tradeflow_rows_written_total') ?? 0) > 0, 60_000);
      const metrics = (await get(base, '/metrics')).text;
      expect(sample(metrics, 'tradeflow_pipeline_up')).toBe(1);
      expect(sample(metrics, 'tradeflow_database_up')).toBe(1);
      expect(sample(metrics, 'tradeflow_flushes_total')).toBeGreaterThan(0);
      expect(sample(metrics, 'tradeflow_state_orders')).toBeDefined();
      // Its aggregate consumer, alone in its group, was handed the changes partitions by a rebalance
      // (its dedupe consumer shares a group with the other instance: when it gets a share is up to the group).
      expect(Number(/^tradeflow_kafka_rebalances_total\{kind="assign"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
      expect(sample(metrics, 'tradeflow_kafka_commit_failures_total')).toBeDefined();
      const health = await get(base, '/healthz');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toMatchObject({ ready: true, pipeline: 'running', database: 'up' });
      expect((await get(base, '/')).status).toBe(200); // the screen of the table

      // The dedupe-only instance shares the orders partitions: it serves the same families.
      await waitFor(async () => (await get(base + 1, '/healthz')).status === 200, 30_000);
      const dedupeMetrics = (await get(base + 1, '/metrics')).text;
      expect(sample(dedupeMetrics, 'tradeflow_pipeline_up')).toBe(1);
      expect(sample(dedupeMetrics, 'tradeflow_orders_read_total')).toBeDefined();
      expect(sample(dedupeMetrics, 'tradeflow_state_orders')).toBeDefined();
    } finally {
      both.kill('SIGTERM');
      dedupe.kill('SIGTERM');
    }
    const [bothEnd, dedupeEnd] = await Promise.all([bothDone, dedupeDone]);
    expect(bothEnd.code, bothEnd.stderr).toBe(0);
    expect(bothEnd.stderr).toMatch(/INFO  live screen at http:\/\/127\.0\.0\.1:\d+\//);
    expect(dedupeEnd.code, dedupeEnd.stderr).toBe(0);
  }, 120_000);
});
