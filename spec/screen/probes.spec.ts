import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { STALLED_AFTER_MS } from '../../src/screen/screen-server.ts';
import { screenRig, type ScreenRig } from './screen-fixture.ts';

let rig: ScreenRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function probe(path: string): Promise<{ status: number; body: { down?: string[] } }> {
  const response = await fetch(new URL(path, rig!.screen.url));
  return { status: response.status, body: (await response.json()) as { down?: string[] } };
}

describe('the probes', () => {
  it('/livez answers 200 whatever the database and the pipeline do; /readyz and its alias /healthz 503 naming what is down', async () => {
    rig = await screenRig();
    rig.status = { ...rig.status, database: 'down' };
    expect((await probe('livez')).status).toBe(200);
    expect(await probe('readyz')).toMatchObject({ status: 503, body: { down: ['database'] } });
    expect(await probe('healthz')).toMatchObject({ status: 503, body: { down: ['database'] } });
    rig.status = { ...rig.status, database: 'up' };
    expect((await probe('readyz')).status).toBe(200);
    rig.status = { ...rig.status, pipeline: 'stopped' };
    expect(await probe('readyz')).toMatchObject({ status: 503, body: { down: ['pipeline'] } });
    expect((await probe('livez')).status).toBe(200);
  });

  it('/readyz is 503 while the consumer group assigned this process no partitions', async () => {
    rig = await screenRig();
    rig.status = { ...rig.status, sourceAssigned: false, lagByPartition: [] };
    expect(await probe('readyz')).toMatchObject({ status: 503, body: { down: ['source: no partitions assigned'] } });
    rig.status = { ...rig.status, sourceAssigned: true, lagByPartition: [{ partition: 0, messages: 0 }] };
    expect((await probe('readyz')).status).toBe(200);
  });

  it('/readyz is 503 once the run found its feed mostly rejects, naming why', async () => {
    rig = await screenRig();
    rig.status = { ...rig.status, feedRefused: 'the feed is mostly rejects: 10,000 of the first 10,000 messages' };
    expect(await probe('readyz')).toMatchObject({ status: 503, body: { down: ['feed: mostly rejects: 10,000 of the first 10,000 messages'] } });
  });

  it('/readyz is 503 when messages wait and none has been read for a minute, and ready again once reading moves', async () => {
    rig = await screenRig();
    rig.counters.read = 500;
    rig.status = { ...rig.status, lagMessages: 1200 };
    expect((await probe('readyz')).status).toBe(200);
    rig.now += STALLED_AFTER_MS - 1000;
    expect((await probe('readyz')).status).toBe(200);
    rig.now += 1000;
    expect(await probe('readyz')).toMatchObject({ status: 503, body: { down: ['pipeline stalled: 1200 messages waiting, none read for 60 s'] } });
    rig.counters.read = 501;
    expect((await probe('readyz')).status).toBe(200);
    rig.status = { ...rig.status, lagMessages: 0 };
    rig.now += 10 * STALLED_AFTER_MS; // nothing waits: an idle shop is not a stalled pipeline
    expect((await probe('readyz')).status).toBe(200);
  });
});

describe('/metrics beside the run\'s own figures', () => {
  it("has prom-client's process and Node.js metrics and tradeflow_build_info with the version, each family once", async () => {
    rig = await screenRig();
    const text = await (await fetch(new URL('metrics', rig.screen.url))).text();
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(text).toContain(`tradeflow_build_info{version="${version}",node="${process.version}"} 1`);
    for (const family of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info', 'tradeflow_database_up']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${family} `, 'm'));
    }
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });
});
