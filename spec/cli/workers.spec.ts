import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir, sqliteRows } from '../support/cli.ts';

const DAY = '2021-03-25';
const TABLE = 'select begin_time, channel_code, channel_name, cur_gmv, cur_order_user_count, cur_order_count, last_pay_time from trade_channel_collect order by begin_time, channel_code';
const REJECTS = 'select source_partition, source_offset, reason, raw, raw_bytes from trade_order_rejects order by source_offset';

describe('tradeflow run --workers', () => {
  it('writes the same table and the same rejects, line by line, with reading threads as on one thread', async () => {
    const dir = scratchDir();
    const file = join(dir, 'orders.jsonl');
    // Versions, unpaid and bad lines among 30,000 orders.
    expect((await runCli(['generate', '--orders', '30000', '--seed', '17', '--day', DAY, '--out', file])).code).toBe(0);
    const run = async (workers: number) => {
      const db = join(dir, `w${workers}.sqlite`);
      const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', `${DAY} 00:00:00`, '--workers', String(workers)]);
      expect(result.code, result.stderr).toBe(0);
      return { table: sqliteRows(db, TABLE), rejects: sqliteRows(db, REJECTS), counts: /^read .* \| rows written/m.exec(result.stdout)?.[0].replace(/ \| rows written$/, '') };
    };
    const one = await run(1);
    expect(one.table.length).toBeGreaterThan(0);
    expect(one.rejects.length).toBeGreaterThan(0);
    for (const workers of [2, 3]) expect(await run(workers)).toEqual(one);
  }, 120_000);

  it('reads with one worker per core, at most 4, when --workers is not given, and says how many it uses', async () => {
    const dir = scratchDir();
    const file = join(dir, 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '2000', '--seed', '3', '--day', DAY, '--out', file])).code).toBe(0);
    const run = async (...args: string[]) => {
      const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${join(dir, `${args.length}.sqlite`)}`, '--as-of', `${DAY} 00:00:00`, ...args]);
      expect(result.code, result.stderr).toBe(0);
      return /, (\d+) workers?\)/.exec(result.stderr)?.[1];
    };
    expect(await run()).toBe(String(Math.min(availableParallelism(), 4)));
    expect(await run('--workers', '1')).toBe('1');
    expect(await run('--workers', '3')).toBe('3');
  }, 60_000);

  it('refuses a count that is not a whole number from 1 to 64, and reading threads for a --stage instance, in one line with exit code 2', async () => {
    for (const [args, message] of [
      [['--workers', '0'], /^ERROR --workers: expected a whole number of at least 1, got "0"$/],
      [['--workers', '65'], /^ERROR --workers: expected at most 64, got "65"$/],
      [['--workers', 'two'], /--workers: expected a whole number/],
      [['--source', 'kafka', '--stage', 'both', '--workers', '2'], /--workers: not with --stage/],
    ] as const) {
      const result = await runCli(['run', '--source', 'simulator', ...args]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
    }
  }, 60_000);
});
