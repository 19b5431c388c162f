import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, runCli, SAMPLE, scratchDir, sqliteRows, startCli } from '../support/cli.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';

describe('tradeflow run', () => {
  it('turns the tutorial sample into the documented table with --as-of', async () => {
    const db = join(scratchDir(), 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 \| rows written \d+ \| [\d,]+ orders\/s/m);
    expect(sqliteRows(db, RESULT_SQL)).toEqual(SAMPLE_DAY);
    const stamps = sqliteRows(db, 'select flink_current_time as t from trade_channel_collect');
    for (const { t } of stamps) expect(t).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  }, 30_000);

  it('adds the two rows of 2021-03-24 with --days all', async () => {
    const db = join(scratchDir(), 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', `sqlite:${db}`, '--days', 'all']);
    expect(result.code).toBe(0);
    expect(sqliteRows(db, RESULT_SQL)).toEqual([
      { channel_code: 'appShop', channel_name: 'Shopping App', cur_gmv: 180, users: 1, orders: 1, last_pay_time: '2021-03-24 16:10:06', begin_time: '2021-03-24 00:00:00' },
      { channel_code: 'webShop', channel_name: 'Website', cur_gmv: 100, users: 1, orders: 1, last_pay_time: '2021-03-24 10:02:03', begin_time: '2021-03-24 00:00:00' },
      ...SAMPLE_DAY,
    ]);
  }, 30_000);

  it('keeps the good orders exact and every bad line in the rejects table, with its line', async () => {
    const dir = scratchDir();
    const good = (await import('node:fs')).readFileSync(SAMPLE, 'utf8').trim().split('\n');
    const bad = ['{"order_id":"x1",', '[1,2,3]', '{"order_id":"x2","order_time":"2021-03-25 10:00:00","real_pay":"12.x","pay_time":"2021-03-25 10:00:00"}', ''];
    // Lines: good 1-3, bad 4-5, good 6-8, bad 9-10 (line 10 is empty and skipped), good 11-15, then invalid UTF-8.
    const lines = [...good.slice(0, 3), bad[0], bad[1], ...good.slice(3, 6), bad[2], bad[3], ...good.slice(6)];
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.from(`${lines.join('\r\n')}\n`), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])]));
    const db = join(dir, 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 00:00:00']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^read 15 \| rejected 4 \| filtered 2 /m);
    expect(sqliteRows(db, RESULT_SQL)).toEqual(SAMPLE_DAY);
    const rejects = sqliteRows(db, 'select source, source_partition as p, source_offset as line, reason, raw from trade_order_rejects order by source_offset');
    expect(rejects.map((r) => [r.source, r.line])).toEqual([
      [`file:${file}`, 4],
      [`file:${file}`, 5],
      [`file:${file}`, 9],
      [`file:${file}`, 16],
    ]);
    expect(rejects.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^not valid JSON/),
      'not a JSON object (got [1,2,3])',
      'real_pay: not a decimal number (got "12.x")',
      'not valid UTF-8',
    ]);
    expect(rejects[0]?.raw).toBe('{"order_id":"x1",');
  }, 30_000);

  it('fails a replay whose messages are mostly rejects with one line naming the most common reason, exit code 1', async () => {
    const dir = scratchDir();
    const file = join(dir, 'camel.jsonl');
    // The sample with camelCase names: each a valid paid order, none in the layout the run was told of.
    const camel = (await import('node:fs')).readFileSync(SAMPLE, 'utf8').replace(/"order_id"/g, '"orderId"');
    writeFileSync(file, camel);
    const db = join(dir, 'r.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^read 11 \| rejected 11 \| filtered 0 \| rows written 0 /m);
    const lines = result.stderr.split('\n').filter((line) => line.includes('mostly rejects'));
    expect(lines).toEqual(['ERROR the feed is mostly rejects: 11 of the first 11 messages (100.0 %, more than 50 %), most for "order_id: must be a non-empty string or an integer" (11); is the layout right (--config, --format)? The rejects are in the rejects table']);
    const allowed = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00', '--max-rejected', '100']);
    expect(allowed.code).toBe(0);
  }, 30_000);

  it('takes every flag from its TRADEFLOW_ environment variable, and a flag wins', async () => {
    const db = join(scratchDir(), 'r.sqlite');
    const env = { TRADEFLOW_SOURCE: `file:${SAMPLE}`, TRADEFLOW_DB: `sqlite:${db}`, TRADEFLOW_AS_OF: '2021-03-24 00:00:00' };
    expect((await runCli(['run'], env)).code).toBe(0);
    expect(sqliteRows(db, RESULT_SQL).map((r) => r.begin_time)).toEqual(['2021-03-24 00:00:00', '2021-03-24 00:00:00']);
    expect((await runCli(['run', '--as-of', '2021-03-25 12:03:00'], env)).code).toBe(0);
    expect(sqliteRows(db, RESULT_SQL).filter((r) => r.begin_time === '2021-03-25 00:00:00')).toEqual(SAMPLE_DAY);
  }, 30_000);

  it.each([
    [['run', '--bogus'], /^ERROR unknown option --bogus \(see: tradeflow run --help\)$/],
    [['run', '--flush-rows', 'many'], /^ERROR --flush-rows: expected a whole number of at least 1, got "many"$/],
    [['run', '--as-of', 'yesterday'], /^ERROR Cannot read --as-of: "yesterday" is not a yyyy-MM-dd HH:mm:ss time$/],
    [['run', '--as-of', '2021-03-25 00:00:00', '--days', 'all'], /^ERROR --as-of and --days all exclude each other/],
    [['run', '--source', 'file:/no/such/file.jsonl'], /^ERROR --source: no such file "\/no\/such\/file.jsonl"$/],
    [['run', '--db', 'postgres://x'], /^ERROR Cannot use --db: "postgres:\/\/x" is neither sqlite:PATH nor mysql:/],
    [['run', '--timezone', 'Mars/Olympus'], /^ERROR Cannot use --timezone: "Mars\/Olympus" is not an IANA time zone$/],
    [['run', '--db'], /^ERROR --db needs a value/],
    [['run', '--stage', 'both'], /^ERROR --stage: only with --source kafka \(the stages meet in a Kafka topic\)$/],
    [['run', '--source', 'kafka', '--stage', 'all'], /^ERROR --stage: expected dedupe, aggregate or both, got "all"$/],
    [['run', '--source', 'kafka', '--stage', 'both', '--exit-at-end'], /^ERROR --stage: not with --exit-at-end/],
    [['run', '--source', 'kafka', '--stage', 'both', '--instance-id', 'a b'], /^ERROR --instance-id: expected letters, digits/],
    [['run', '--instance-id', 'a'], /^ERROR --instance-id: only with --source kafka/],
    [['run', '--source', `file:${SAMPLE}`, '--layout', 'canal-json'], /^ERROR --layout: only with --source simulator/],
    [['run', '--layout', 'avro'], /^ERROR --layout: expected tutorial, camel-case, /],
    [['run', '--max-rejected', '120'], /^ERROR --max-rejected: expected a percent from 0 to 100, got "120"$/],
    [['run', '--source', 'kafka', '--stage', 'both', '--snapshot-interval', 'often'], /^ERROR --snapshot-interval: expected a whole number of at least 0, got "often"$/],
    [['launch'], /^ERROR unknown command "launch"/],
  ])('refuses %j with one line naming the culprit and exit code 2', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('documents every flag and its environment variable in --help', async () => {
    const result = await runCli(['run', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--source', '--db', '--as-of', '--days', '--timezone', '--flush-interval', '--flush-rows']) expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('TRADEFLOW_FLUSH_ROWS');
  }, 30_000);

  it('runs the built-in live simulation into the table until Ctrl-C, then flushes and exits 0', async () => {
    const db = join(scratchDir(), 'live.sqlite');
    const child = startCli(['run', '--db', `sqlite:${db}`, '--rate', '200', '--timezone', 'UTC', '--http-port', '0']);
    const done = finished(child);
    await new Promise((resolve) => setTimeout(resolve, 6500));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('last payment'); // the table it shows while running
    const today = new Date().toISOString().slice(0, 10);
    const rows = sqliteRows(db, RESULT_SQL);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row.begin_time).toBe(`${today} 00:00:00`);
    expect(rows.reduce((n, r) => n + Number(r.orders), 0)).toBeGreaterThan(100);
  }, 30_000);

  it('simulates a shop that writes Canal change messages with --layout, and reads them back with that layout: orders counted, only the shop\'s deliberately bad messages rejected', async () => {
    const db = join(scratchDir(), 'canal.sqlite');
    const child = startCli(['run', '--layout', 'canal-json', '--db', `sqlite:${db}`, '--rate', '200', '--timezone', 'UTC', '--http-port', '0']);
    const done = finished(child);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    // The simulated shop sends a bad message now and then, as the tutorial layout's does: a layout read wrongly would reject them all.
    const [, read, rejected] = /^read ([\d,]+) \| rejected ([\d,]+) \|/m.exec(result.stdout)!.map((n) => Number(n.replaceAll(',', '')));
    expect(read).toBeGreaterThan(100);
    expect(rejected!).toBeLessThan(read! / 100);
    expect(sqliteRows(db, RESULT_SQL).reduce((n, r) => n + Number(r.orders), 0)).toBeGreaterThan(50);
  }, 30_000);
});
