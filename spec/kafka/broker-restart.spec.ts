import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finished, runCli, scratchDir, startCli } from '../support/cli.ts';
import { createTopic, KAFKA, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { linesOf, resultRows, waitFor } from '../support/result-rows.ts';
import { findBrokerPids } from '../../src/stack/kafka.ts';
import { describeRequiring, describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

/** `npm run stack:down` / `stack:up`: the broker of this checkout's local stack. */
function stack(action: 'up' | 'down'): void {
  const result = spawnSync('npm', ['run', `stack:${action}`], { encoding: 'utf8', timeout: 120_000 });
  expect(result.status, result.stderr).toBe(0);
}

const title = 'a Kafka broker restart in the middle of a stream';
/** The specs themselves, run only where this checkout's stack can stop and start the broker. */
const restartSpecs = (): void => {
  const database = useSpecDatabase();

  it('resumes consuming after the broker comes back, and ends with the exact table', async () => {
    const db = database.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '40000', '--seed', '41', '--day', DAY, '--out', file])).code).toBe(0);
    const lines = linesOf(file);
    const topic = uniqueTopic('broker');
    await createTopic(topic, 3);
    const producer = finished(startCli(['produce', '--topic', topic, '--file', file, '--rate', '5000']));
    const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
    const run = startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--http-port', String(httpPort)]);
    const done = finished(run);
    try {
      const status = async (): Promise<{ read: number; lag: number | undefined }> => {
        const snapshot = (await (await fetch(`http://127.0.0.1:${httpPort}/api/snapshot`)).json()) as { status?: { counters?: { read?: number }; lagMessages?: number } };
        return { read: snapshot.status?.counters?.read ?? 0, lag: snapshot.status?.lagMessages };
      };
      const read = async (): Promise<number> => (await status()).read;
      await waitFor(async () => (await read()) > 0);
      stack('down');
      expect(await isReachable(KAFKA)).toBe(false); // really gone (the stack of this checkout owns it)
      await new Promise((resolve) => setTimeout(resolve, 3000));
      stack('up');
      expect((await producer).code).toBe(0);
      // Offsets not committed while the broker was away are read again (harmlessly): caught up
      // means everything read at least once and nothing left behind.
      await waitFor(async () => {
        const now = await status();
        return now.read >= lines.length && now.lag === 0;
      }, 90_000);
      run.kill('SIGTERM');
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
    } finally {
      run.kill('SIGKILL');
    }
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, lines, DAY));
  }, 240_000);
};

if (!reachable) {
  describeWithService(KAFKA, false, title, restartSpecs);
} else {
  // The spec stops the broker with this checkout's `stack:down`, which leaves alone a broker
  // that another checkout started: that one would stay up and the spec could prove nothing.
  const absence = `the broker on ${KAFKA.host}:${KAFKA.port} was started by another checkout, which this checkout's stack:down does not stop`;
  describeRequiring({ present: findBrokerPids().length > 0, what: "this checkout's own Kafka broker", absence, remedy: 'npm run stack:down in that checkout, then npm run stack:up here' }, title, restartSpecs);
}
