import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir } from '../support/cli.ts';

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

  it('needs --orders', async () => {
    const result = await runCli(['generate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('tradeflow: --orders is required, e.g. --orders 100000');
  }, 30_000);
});
