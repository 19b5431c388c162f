import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { finished, SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';
import { installedPackage, type InstalledPackage } from '../support/installed-package.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs the installed command itself (its shebang starts node: no npm or npx between) in `cwd`. */
function installed(bin: string, args: readonly string[], cwd: string) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TRADEFLOW_')));
  return spawn(bin, [...args], { cwd, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the package as npm pack makes it and npm install -g installs it', () => {
  let pkg: InstalledPackage;
  beforeAll(async () => {
    pkg = await installedPackage();
  }, 45 * 60_000); // a fresh install builds both addons: about 5 minutes on an idle 2-core machine, far more on a busy one

  it('replays the sample into the documented table from another folder, into ./data/tradeflow.sqlite there', async () => {
    const elsewhere = scratchDir();
    const result = await finished(installed(pkg.bin, ['run', '--source', `file:${SAMPLE}`, '--as-of', '2021-03-25 12:03:00'], elsewhere));
    expect(result.code, result.stderr).toBe(0);
    // Its stderr is no terminal: one JSON record per line, through the installed pino.
    const records = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(records[0]).toMatchObject({ level: 'info', db: 'sqlite:./data/tradeflow.sqlite' });
    expect(records[0]?.msg).toMatch(/^file:\S+orders-sample\.jsonl -> sqlite:\.\/data\/tradeflow\.sqlite \(day 2021-03-25/);
    expect(result.stdout).toContain('  2021-03-25  Website                 986.50        2        5  2021-03-25 16:16:16');
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 \| rows written 4 /m);
    expect(sqliteRows(join(elsewhere, 'data', 'tradeflow.sqlite'), RESULT_SQL)).toEqual(SAMPLE_DAY);
  }, 60_000);

  it('carries the built command, the README and package.json, and none of the sources, specs, benchmarks or pictures', () => {
    expect(pkg.files).toContain('dist/cli/bin.js');
    expect(pkg.files).toContain('dist/screen/page/index.html');
    expect(pkg.files).toContain('README.md');
    expect(pkg.files.filter((file) => !/^(dist\/.+\.(js|html|css)|README\.md|package\.json)$/.test(file))).toEqual([]);
  });

  it('says its version', async () => {
    const result = await finished(installed(pkg.bin, ['--version'], scratchDir()));
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  }, 30_000);

  it("serves the screen's page and its modules from the installed files, and stops on SIGTERM", async () => {
    const child = installed(pkg.bin, ['screen', '--db', `sqlite:${join(scratchDir(), 's.sqlite')}`, '--http-port', '0'], scratchDir());
    const done = finished(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (let waited = 0; !/ at (http:\S+)/.test(stderr) && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    const url = / at (http:\S+)/.exec(stderr)?.[1];
    expect(url, stderr).toBeDefined();
    for (const path of ['', 'page.js', 'curve-chart.js', 'page.css', 'vendor/uPlot.iife.min.js']) {
      const response = await fetch(new URL(path, url));
      expect(`${path} ${response.status}`).toBe(`${path} 200`);
    }
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  }, 60_000);
});
