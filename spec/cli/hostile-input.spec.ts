import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';

/** A stream that mixes the tutorial sample with everything a hostile or broken producer sends. */
async function hostileStream(file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string | Buffer): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const sample = readFileSync(SAMPLE, 'utf8').trim().split('\n');
  await write(`${sample.slice(0, 5).join('\n')}\n`);
  for (let i = 0; i < 20_000; i++) await write(`{"order_id":"bad${i}","order_time":"not a time"}\n`); // a flood of bad messages
  await write(`{"order_id":"huge","pad":"${'x'.repeat(10 * 1024 * 1024)}"}\n`); // one message of 10 MB
  await write(`{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`); // deeply nested, and no order_id
  await write(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])); // not UTF-8
  for (let i = 0; i < 1_000_000; i++) {
    // A million versions of one order; the first one at the latest order_time stays.
    const second = i % 86_400;
    const time = `2021-03-25 ${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
    await write(`{"order_id":"same","order_channel":"qqShop","order_time":"${time}","real_pay":"1.00","pay_time":"2021-03-25 15:00:00","user_id":"ux"}\n`);
  }
  for (let i = 0; i < 1000; i++) {
    await write(`{"order_id":"${String(i).padStart(10_000, 'z')}","order_channel":"qqShop","order_time":"2021-03-25 14:00:00","real_pay":"2.00","pay_time":"2021-03-25 14:00:00","user_id":"uy"}\n`);
  }
  await write(`${sample.slice(5).join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}

describe('tradeflow run on hostile input', () => {
  it('stays up within its memory, keeps the good orders exact and every bad message once', async () => {
    const dir = scratchDir();
    const file = join(dir, 'hostile.jsonl');
    await hostileStream(file);
    const db = join(dir, 'h.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 12:03:00', '--max-rejected', '100']); // its first 10,000 are a flood on purpose
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^read 1,021,014 \| rejected 20,003 \| filtered 2 \|/m);
    const peak = Number(/peak memory ([\d,]+) MB/.exec(result.stdout)?.[1]?.replace(/,/g, ''));
    expect(peak).toBeLessThan(700); // a 10 MB message and 10 MB of ids do not blow the heap

    const other = { channel_code: 'other', channel_name: 'Other', cur_gmv: 2401, users: 3, orders: 1002, last_pay_time: '2021-03-25 15:10:00', begin_time: '2021-03-25 00:00:00' };
    expect(sqliteRows(db, RESULT_SQL)).toEqual(SAMPLE_DAY.map((row) => (row.channel_code === 'other' ? other : row)));
    const rejects = sqliteRows(db, 'select reason, raw_bytes, length(raw) as kept from trade_order_rejects order by source_offset');
    expect(rejects).toHaveLength(20_003);
    const huge = rejects.find((r) => Number(r.raw_bytes) > 10 * 1024 * 1024);
    expect(huge).toMatchObject({ reason: 'message larger than 1048576 bytes', kept: 4096 });
    expect(rejects.map((r) => r.reason)).toContain('not valid UTF-8');
    expect(rejects.map((r) => r.reason)).toContain('order_id: must be a non-empty string or an integer (got nothing)');
  }, 120_000);
});

describe('the rejects table', () => {
  it('keeps exactly the newest --keep-rejects messages of a flood, and says how many it deleted', async () => {
    const dir = scratchDir();
    const file = join(dir, 'flood.jsonl');
    const out = createWriteStream(file);
    for (let i = 1; i <= 2500; i++) out.write(`not json ${i}\n`);
    out.end();
    await once(out, 'finish');
    const db = join(dir, 'f.sqlite');
    const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', '2021-03-25 00:00:00', '--keep-rejects', '100', '--flush-rows', '50', '--max-rejected', '100']); // all rejects, on purpose
    expect(result.code, result.stderr).toBe(0);
    const kept = sqliteRows(db, 'select min(source_offset) as first, count(*) as n from trade_order_rejects')[0]!;
    const dropped = Number(/old rejects deleted ([\d,]+)/.exec(result.stdout)?.[1]?.replace(/,/g, ''));
    expect(Number(kept.n)).toBe(100); // exactly: pruned now and then while it runs, and at its end
    expect(dropped).toBe(2400);
    expect(Number(kept.first)).toBe(2401); // the newest are the ones kept
  }, 60_000);
});
