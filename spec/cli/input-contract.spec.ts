/**
 * The input contract as a user meets it through `tradeflow run`: each spec is one way a single
 * message used to stop or bend the pipeline (SEMANTICS.md section 1), and what must happen instead.
 */
import { mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';

const sample = readFileSync(SAMPLE, 'utf8').trim().split('\n');
const AS_OF = '2021-03-25 12:03:00';

/** An order of the sample's day with these fields (JSON texts) changed. */
function order(fields: Readonly<Record<string, string>>): string {
  const base: Record<string, string> = { order_id: '"n1"', order_channel: '"qqShop"', order_time: '"2021-03-25 10:00:00"', real_pay: '"1.00"', pay_time: '"2021-03-25 10:00:00"', user_id: '"u9"' };
  return `{${Object.entries({ ...base, ...fields }).map(([key, json]) => `"${key}":${json}`).join(',')}}`;
}

/** Replays these lines (after the sample's) from a file; the run's result, table and rejects. */
async function replay(lines: readonly (string | Buffer)[], options: { dir?: string; name?: string; db?: string; withSample?: boolean } = {}) {
  const dir = options.dir ?? scratchDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, options.name ?? 'orders.jsonl');
  const parts = [...(options.withSample === false ? [] : sample), ...lines].map((line) => (typeof line === 'string' ? Buffer.from(`${line}\n`) : line));
  writeFileSync(file, Buffer.concat(parts));
  const db = options.db ?? join(dir, 'out.sqlite');
  const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', AS_OF]);
  const rejects = () => sqliteRows(db, 'select source, source_offset as line, reason from trade_order_rejects order by source, source_offset') as { source: string; line: number; reason: string }[];
  return { result, file, rows: () => sqliteRows(db, RESULT_SQL), rejects };
}

const other = (fields: Partial<(typeof SAMPLE_DAY)[number]>) => SAMPLE_DAY.map((row) => (row.channel_code === 'other' ? { ...row, ...fields } : row));

describe('tradeflow run, one message at a time', () => {
  it('rejects a JSON array nested 200,000 deep, alone or in a field, and goes on: the table is exact', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const { result, rows, rejects } = await replay([deep, order({ order_id: '"n2"', area_id: deep }), order({ order_id: '"n3"', real_pay: `{"a":${deep}}` })]);
    expect(result.code, result.stderr).toBe(0);
    expect(rows()).toEqual(other({ cur_gmv: 401, users: 2, orders: 2 })); // n2 counts: area_id is not used
    expect(rejects().map((r) => [r.line, r.reason.replace(/\[+\.\.\./, '[...')])).toEqual([
      [12, 'not a JSON object (got [...)'],
      [14, 'real_pay: not a decimal number (got {"a":[...)'],
    ]);
  }, 60_000);

  it('counts a valid order whatever the fields it does not use hold: escapes, duplicate keys, length', async () => {
    const example = '{"order_id":12345678901234567890123,"order_channel":"qqShop","order_time":"2021-03-25 10:00:00","pay_time":"2021-03-25 10:00:01","real_pay":"5","user_name":"a\\nb","area_id":"1","area_id":"2"}';
    const padded = order({ order_id: '12345678901234567890124', user_name: `"${'x'.repeat(5000)}"` });
    const { result, rows, rejects } = await replay([example, padded]);
    expect(result.code, result.stderr).toBe(0);
    expect(rejects()).toEqual([]);
    expect(rows()).toEqual(other({ cur_gmv: 406, users: 2, orders: 3 }));
  }, 60_000);

  it('keeps integer ids as written at any length, and refuses every other number syntax for order_id', async () => {
    const { result, rows, rejects } = await replay([
      order({ order_id: '9'.repeat(309) }), order({ order_id: `${'9'.repeat(308)}8` }), // two orders, however long
      order({ order_id: '-0' }), order({ order_id: '0' }), // two orders: -0 is not 0
      order({ order_id: '1.0' }), order({ order_id: '1e2' }), order({ order_id: '1.0000000000000001' }),
      order({ order_id: '"u7"', user_id: '7.0' }), // counts, but 7.0 is no user
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(rows()).toEqual(other({ cur_gmv: 405, users: 2, orders: 6 }));
    expect(rejects().map((r) => r.reason)).toEqual(['1.0', '1e2', '1.0000000000000001'].map((id) => `order_id: must be a non-empty string or an integer (got ${id})`));
  }, 60_000);

  it('sums money exactly to the last digit written, and checks the bound on the exact value', async () => {
    const tiny = Array.from({ length: 10 }, (_, i) => order({ order_id: `"t${i}"`, order_channel: '"webShop"', real_pay: '"0.0000001"' }));
    const { result, rows, rejects } = await replay([...tiny, order({ real_pay: '"1000000000000000.0000001"' }), order({ order_id: '"n4"', real_pay: '-1e-400' })]);
    expect(result.code, result.stderr).toBe(0);
    const webShop = SAMPLE_DAY.find((row) => row.channel_code === 'webShop')!;
    expect(rows().find((row) => row.channel_code === 'webShop')).toEqual({ ...webShop, cur_gmv: 986.500001, users: 3, orders: 15 });
    expect(rejects().map((r) => r.reason)).toEqual(['real_pay: above 10^15 (got "1000000000000000.0000001")', 'real_pay: negative; a refund is not a payment (got -1e-400)']);
  }, 60_000);

  it('quotes the culprit as the message has it, names a byte order mark, and skips white space only and a leading byte order mark', async () => {
    const dir = scratchDir();
    const { result, rows, rejects } = await replay(
      [Buffer.from(`\ufeff${sample[0]}\n`), ...sample.slice(1), order({ real_pay: '1e400' }), order({ real_pay: '1000000000000000.000001' }), `\ufeff${order({ order_id: '"n5"' })}`, '\u00a0', ' \u00a0 ', '\u3000\t'],
      { dir, withSample: false },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(rows()).toEqual(SAMPLE_DAY); // the sample's first line, after the file's byte order mark, counts
    expect(rejects().map((r) => [r.line, r.reason])).toEqual([
      [12, 'real_pay: above 10^15 (got 1e400)'],
      [13, 'real_pay: above 10^15 (got 1000000000000000.000001)'],
      [14, 'not valid JSON: it starts with a byte order mark (U+FEFF)'],
    ]);
    expect(result.stdout).toMatch(/^read 14 \| rejected 3 \| filtered 2 /m); // the three white-space lines are not records
  }, 60_000);

  it('keeps the rejects of two files of the same name apart, each once', async () => {
    const root = scratchDir();
    const db = join(root, 'both.sqlite');
    const bad = order({ real_pay: '"12.x"' });
    const a = await replay([bad], { dir: join(root, 'a'), db });
    const b = await replay([bad], { dir: join(root, 'b'), db });
    const again = await replay([bad], { dir: join(root, 'a'), db }); // the same file again: the same reject
    for (const run of [a, b, again]) expect(run.result.stdout).toMatch(/\| rejected 1 \|/);
    expect(a.rejects().map((r) => [r.source, r.line])).toEqual([
      [`file:${a.file}`, 12],
      [`file:${b.file}`, 12],
    ]);
  }, 60_000);

  it('reads a 200 MB line with no newline in bounded memory and linear time, and counts the good lines around it', async () => {
    const dir = scratchDir();
    const file = join(dir, 'long.jsonl');
    const out = createWriteStream(file);
    out.write(`${sample.slice(0, 6).join('\n')}\n{"order_id":"long","pad":"`);
    const block = 'x'.repeat(1 << 20);
    for (let i = 0; i < 200; i++) if (!out.write(block)) await once(out, 'drain');
    out.end(`"}\n${sample.slice(6).join('\n')}\n`);
    await once(out, 'finish');
    const db = join(dir, 'long.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', AS_OF]);
    expect(result.code, result.stderr).toBe(0);
    expect(sqliteRows(db, RESULT_SQL)).toEqual(SAMPLE_DAY);
    expect(sqliteRows(db, 'select source_offset as line, reason, raw_bytes as bytes, length(raw) as kept from trade_order_rejects')).toEqual([
      { line: 7, reason: 'message larger than 1048576 bytes', bytes: 200 * (1 << 20) + 28, kept: 4096 },
    ]);
    const peak = Number(/peak memory ([\d,]+) MB/.exec(result.stdout)?.[1]?.replace(/,/g, ''));
    expect(peak).toBeLessThan(250); // a start of about 150 MB, the cap and a chunk: never the line
  }, 120_000);
});
