/** A scaled-out run reads any shop's stream as a single run does: its channels, and a feed of mostly rejects. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finished, SAMPLE, scratchDir, startCli } from '../../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { waitFor } from '../../support/result-rows.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const AS_OF = '2021-03-25 12:03:00';

describeWithService(KAFKA, reachable, 'a scaled-out run of a shop\'s own stream, on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  /** A --stage both instance of the topic, with the job file, serving on a port of its own. */
  const instance = (topic: string, config: string, port: number) =>
    startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--stage', 'both', '--instance-id', 'one', '--db', database.url, '--as-of', AS_OF, '--flush-interval', '200', '--config', config, '--http-port', String(port)]);

  it('counts the channels of the job file under their codes and names through the changes topic, as a single run does', async () => {
    const topic = uniqueTopic('channels');
    await createTopic(topic, 2);
    await produceFile(topic, SAMPLE);
    const config = join(scratchDir(), 'tradeflow.json');
    writeFileSync(config, JSON.stringify({ channels: [{ code: 'webShop', name: 'Web' }, { code: 'qqShop', name: 'QQ Shop' }], otherChannel: { code: 'rest', name: 'The rest' } }));
    const child = instance(topic, config, 0);
    const done = finished(child);
    const rows = async () =>
      ((await database.open()('trade_channel_collect').select('channel_code', 'channel_name', 'cur_gmv', 'cur_order_count').orderBy('channel_code')) as { channel_code: string; channel_name: string; cur_gmv: string; cur_order_count: number }[]).map(
        (row) => [row.channel_code, row.channel_name, Number(row.cur_gmv), Number(row.cur_order_count)],
      );
    // The sample's qqShop order is its "other" (400.00); appShop and miniAppShop are now the rest.
    const expected = [
      ['qqShop', 'QQ Shop', 400, 1],
      ['rest', 'The rest', 199.3, 3],
      ['webShop', 'Web', 986.5, 5],
    ];
    try {
      await waitFor(async () => JSON.stringify(await rows()) === JSON.stringify(expected), 60_000);
    } finally {
      child.kill('SIGTERM');
    }
    const end = await done;
    expect(end.code, end.stderr).toBe(0);
    expect(await rows()).toEqual(expected);
  }, 120_000);

  it('marks an instance whose feed is mostly rejects not ready, says so in one line, and goes on', async () => {
    const topic = uniqueTopic('camel');
    await createTopic(topic, 2);
    const dir = scratchDir();
    const camel = join(dir, 'camel.jsonl');
    // A live feed is judged on its first 10,000 messages: the sample with camelCase names, 1,000 times.
    writeFileSync(camel, readFileSync(SAMPLE, 'utf8').replace(/"order_id"/g, '"orderId"').repeat(1000));
    await produceFile(topic, camel);
    const config = join(dir, 'tradeflow.json');
    writeFileSync(config, '{}');
    const port = 40_000 + Math.floor(Math.random() * 10_000);
    const child = instance(topic, config, port);
    const done = finished(child);
    let ready: { status: number; body: { down?: string[] } } | undefined;
    try {
      await waitFor(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        ready = response === undefined ? undefined : { status: response.status, body: (await response.json()) as { down?: string[] } };
        return ready?.body.down?.some((reason) => reason.startsWith('feed: mostly rejects')) === true;
      }, 60_000);
      expect(ready?.status).toBe(503);
      expect(child.exitCode).toBeNull(); // it goes on: later messages may be good
    } finally {
      child.kill('SIGTERM');
    }
    const end = await done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr.split('\n').filter((line) => line.includes('mostly rejects'))).toEqual([expect.stringMatching(/^ERROR the feed is mostly rejects: 10,000 of the first 10,000 messages .*most for "order_id: /)]);
  }, 120_000);
});
