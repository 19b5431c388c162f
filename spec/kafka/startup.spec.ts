/**
 * `--startup`: which values it takes (an ISO time only with its offset, and only one that
 * exists), and where a run with no checkpoint begins at `timestamp:`, on a real broker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStartup } from '../../src/kafka/startup.ts';
import { runCli, scratchDir } from '../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../support/kafka.ts';
import { tutorialSqlOnMariaDb } from '../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../support/mysql.ts';
import { numbered, writeLines } from '../support/order-lines.ts';
import { resultRows } from '../support/result-rows.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';

describe('--startup', () => {
  it.each([
    ['2021-03-25T00:00:00Z', Date.UTC(2021, 2, 25)],
    ['2021-03-25T00:00:00+08:00', Date.UTC(2021, 2, 24, 16)],
    ['2021-03-25T00:00:00-05:30', Date.UTC(2021, 2, 25, 5, 30)],
    ['2021-03-25T12:03Z', Date.UTC(2021, 2, 25, 12, 3)],
    ['2021-03-25T12:03:04.5Z', Date.UTC(2021, 2, 25, 12, 3, 4, 500)],
    ['2021-03-25T12:03:04.123+00:00', Date.UTC(2021, 2, 25, 12, 3, 4, 123)],
    ['2020-02-29T23:59:59+14:00', Date.UTC(2020, 1, 29, 9, 59, 59)],
  ])('takes timestamp:%s as the instant it names, whatever zone the process runs in', (iso, epochMs) => {
    expect(parseStartup(`timestamp:${iso}`)).toEqual({ kind: 'timestamp', epochMs });
  });

  it.each([
    ['1'], // Date.parse: the year 2001
    ['March 7'],
    ['2021-03-25'],
    ['2021-03-25T00:00:00'], // no offset: another instant on each host
    ['2021-03-25 00:00:00Z'],
    ['2021-03-25T00:00:00z'],
    ['2021-03-25T00:00:00+0800'],
    ['2021-03-25T00:00:00+08'],
    ['2021-03-25T00:00:00.1234Z'],
    ['Thu, 25 Mar 2021 00:00:00 GMT'],
    [''],
  ])('refuses timestamp:%j in one line asking for an ISO time with an offset', (value) => {
    expect(() => parseStartup(`timestamp:${value}`)).toThrow(
      new RangeError(`Cannot use --startup: "${value}" is not an ISO time with an offset, e.g. timestamp:2021-03-25T00:00:00+08:00`),
    );
  });

  it.each([
    ['2021-02-30T00:00:00Z', '2021-02 has 28 days'], // Date.parse: March 2
    ['2020-02-30T00:00:00Z', '2020-02 has 29 days'],
    ['2021-04-31T00:00:00Z', '2021-04 has 30 days'],
    ['2021-13-01T00:00:00Z', 'there is no month 13'],
    ['2021-00-10T00:00:00Z', 'there is no month 0'],
    ['2021-03-00T00:00:00Z', '2021-03 has 31 days'],
    ['2021-03-25T24:00:00Z', 'hours go from 00 to 23, minutes and seconds from 00 to 59'],
    ['2021-03-25T23:60:00Z', 'hours go from 00 to 23, minutes and seconds from 00 to 59'],
    ['2021-03-25T23:59:60Z', 'hours go from 00 to 23, minutes and seconds from 00 to 59'],
    ['2021-03-25T00:00:00+25:00', 'offsets go from -14:00 to +14:00'],
    ['2021-03-25T00:00:00+08:60', 'offsets go from -14:00 to +14:00'],
  ])('refuses timestamp:%s, a time that does not exist, saying why (%s)', (iso, why) => {
    expect(() => parseStartup(`timestamp:${iso}`)).toThrow(new RangeError(`Cannot use --startup: "${iso}" does not exist (${why}), e.g. timestamp:2021-03-25T00:00:00+08:00`));
  });

  it('takes latest, earliest and group, and refuses anything else naming --startup', () => {
    expect(['latest', 'earliest', 'group'].map(parseStartup)).toEqual([{ kind: 'latest' }, { kind: 'earliest' }, { kind: 'group' }]);
    expect(() => parseStartup('newest')).toThrow(/^Cannot use --startup: expected latest, earliest, group or timestamp:<ISO>, got "newest"$/);
  });

  it('refuses run --startup timestamp:1 before connecting anywhere: exit code 2, one line naming --startup, no stack trace', async () => {
    const result = await runCli(['run', '--source', 'kafka', '--brokers', '127.0.0.1:1', '--startup', 'timestamp:1']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['ERROR Cannot use --startup: "1" is not an ISO time with an offset, e.g. timestamp:2021-03-25T00:00:00+08:00']);
  }, 30_000);
});

/** The lines of `orders` generated orders (versions, unpaid ones, bad lines) whose order_id none of `taken` has. */
async function generatedOrders(orders: number, seed: number, ...taken: (readonly string[])[]): Promise<string[]> {
  const file = join(scratchDir(), 'orders.jsonl');
  expect((await runCli(['generate', '--orders', String(orders), '--seed', String(seed), '--day', DAY, '--out', file])).code).toBe(0);
  const used = new Set(taken.flat().map(orderIdOf));
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      const id = orderIdOf(line);
      return id === undefined || !used.has(id);
    });
}

/** The order_id of a generated line as written (a JSON string or a number), if it has one. */
function orderIdOf(line: string): string | undefined {
  return /"order_id":("[^"]*"|\d+)/.exec(line)?.[1];
}

/** The messages a run read, from its summary line. */
function readCount(stdout: string): number {
  return Number(/^read ([\d,]+) \|/m.exec(stdout)?.[1]?.replace(/,/g, ''));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithService(KAFKA, reachable, '--startup timestamp: on a real broker and MariaDB', () => {
  const database = useSpecDatabase();

  it('begins a run with no checkpoint at the first message at or after the time, and a restart goes on from its checkpoint whatever --startup says', async () => {
    const db = database.open();
    const topic = uniqueTopic('startup');
    await createTopic(topic, 3);
    const before = await generatedOrders(3_000, 61);
    const after = await generatedOrders(2_000, 62, before);
    await produceFile(topic, writeLines(before));
    await pause(1500);
    const time = new Date().toISOString();
    await pause(1500);
    await produceFile(topic, writeLines(after));

    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', database.url, '--as-of', `${DAY} 00:00:00`, '--exit-at-end'];
    const first = await runCli([...args, '--startup', `timestamp:${time}`]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`no checkpoint of kafka:${topic}:${topic} yet: starting at --startup timestamp:${time.replace(/\./g, '\\.')} `));
    expect(readCount(first.stdout)).toBe(after.length);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, numbered(after), DAY));

    // An earlier time, which would read `before` too if it were used: the checkpoint wins.
    const more = await generatedOrders(1_000, 63, before, after);
    await produceFile(topic, writeLines(more));
    const earlier = new Date(Date.parse(time) - 3_600_000).toISOString();
    const second = await runCli([...args, '--startup', `timestamp:${earlier}`]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`resuming kafka:${topic}:${topic} with [\\d,]+ orders of state at offsets .*: a checkpoint wins over --startup timestamp:`));
    expect(readCount(second.stdout)).toBe(more.length);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, numbered([...after, ...more]), DAY));
  }, 180_000);
});
