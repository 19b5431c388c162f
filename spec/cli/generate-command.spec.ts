import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { jobFileOf, LAYOUTS } from '../../src/generate/layouts.ts';
import { runCli, scratchDir, sqliteRows } from '../support/cli.ts';
import { RESULT_SQL } from '../support/sample.ts';

describe('tradeflow generate', () => {
  it('writes the same stream for the same seed, with about two versions per order and a few bad lines', async () => {
    const dir = scratchDir();
    const args = (file: string, seed: string): string[] => ['generate', '--orders', '5000', '--seed', seed, '--day', '2021-03-25', '--out', join(dir, file)];
    expect((await runCli(args('a.jsonl', '3'))).code).toBe(0);
    expect((await runCli(args('b.jsonl', '3'))).code).toBe(0);
    expect((await runCli(args('c.jsonl', '4'))).code).toBe(0);
    const a = readFileSync(join(dir, 'a.jsonl'), 'utf8');
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe(a);
    expect(readFileSync(join(dir, 'c.jsonl'), 'utf8')).not.toBe(a);
    const lines = a.trim().split('\n');
    expect(lines.length / 5000).toBeGreaterThan(1.8);
    expect(lines.length / 5000).toBeLessThan(2.2);
    const bad = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.length).toBeLessThan(lines.length / 50);
    expect(a).toMatch(/"order_id":9007199254\d+,/); // ids beyond 2^53, as JSON numbers
  }, 30_000);

  it('spreads the orders as a shop\'s day goes (quiet before dawn, busiest in the evening), in time order, with days of different sizes', async () => {
    const file = join(scratchDir(), 'week.jsonl');
    expect((await runCli(['generate', '--orders', '20000', '--seed', '7', '--day', '2021-03-25', '--days', '7', '--out', file])).code).toBe(0);
    const created = readFileSync(file, 'utf8').trim().split('\n').flatMap((line) => /"order_time":"(2021-03-2[1-5]) (\d\d)/.exec(line)?.slice(1, 3) ?? []);
    const perHour = new Array<number>(24).fill(0);
    const perDay = new Map<string, number>();
    for (let i = 0; i < created.length; i += 2) {
      perHour[Number(created[i + 1])]! += 1;
      perDay.set(created[i]!, (perDay.get(created[i]!) ?? 0) + 1);
    }
    expect(perHour[21]! / perHour[4]!).toBeGreaterThan(5);
    expect(perHour[12]!).toBeGreaterThan(perHour[8]!);
    const sizes = [...perDay.values()];
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(1.05);
  }, 30_000);

  it.each(LAYOUTS.filter((layout) => layout !== 'tutorial'))('writes the same orders in the %s layout, which its job file reads into the same table', async (layout) => {
    const dir = scratchDir();
    const run = async (name: string, extra: string[], config?: Record<string, unknown>) => {
      const file = join(dir, `${name}.jsonl`);
      expect((await runCli(['generate', '--orders', '300', '--seed', '5', '--day', '2021-03-25', '--timezone', 'Asia/Shanghai', '--out', file, ...extra])).code).toBe(0);
      const args = config === undefined ? [] : ['--config', join(dir, `${name}.json`)];
      if (config !== undefined) writeFileSync(args[1]!, JSON.stringify(config));
      const db = join(dir, `${name}.sqlite`);
      const result = await runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--days', 'all', '--timezone', 'Asia/Shanghai', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return { rows: sqliteRows(db, RESULT_SQL), summary: /read [\d,]+ \| rejected [\d,]+ \| filtered [\d,]+/.exec(result.stdout)?.[0] };
    };
    const tutorial = await run('tutorial', []);
    const other = await run(layout, ['--layout', layout], jobFileOf(layout));
    expect(other.rows.length).toBeGreaterThan(2);
    expect(other).toEqual(tutorial);
  }, 60_000);

  it('needs --orders', async () => {
    const result = await runCli(['generate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('ERROR --orders is required, e.g. --orders 100000');
  }, 30_000);
});
