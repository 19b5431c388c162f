import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScreenSnapshot } from '../../src/screen/snapshot.ts';
import { finished, runCli, SAMPLE, scratchDir, startCli } from '../support/cli.ts';
import { SAMPLE_ROWS, tableWith } from './screen-fixture.ts';

/** Waits for the line in which the command says where the screen is; returns its URL and what it said until then. */
function screenUrl(child: ChildProcess): Promise<{ url: string; said: string }> {
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`no screen URL in: ${said}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const url = /at (http:\/\/\S+\/) /.exec(said)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ url, said });
      }
    });
  });
}

describe('tradeflow screen', () => {
  it('serves the table that another process filled until Ctrl-C, then exits 0', async () => {
    const file = join(scratchDir(), 'filled.sqlite');
    await (await tableWith(SAMPLE_ROWS, file)).destroy();
    const child = startCli(['screen', '--db', `sqlite:${file}`, '--http-port', '0', '--timezone', 'Asia/Shanghai']);
    const { url } = await screenUrl(child);
    const done = finished(child);
    const snapshot = (await (await fetch(new URL('api/snapshot', url))).json()) as ScreenSnapshot;
    expect(snapshot.day).toBe('2021-03-25'); // no row of today: the latest day
    expect(snapshot.totals.gmv).toBe(1585.8);
    expect(snapshot.status).toEqual({ pipeline: 'none', database: 'up' });
    const health = await fetch(new URL('healthz', url));
    expect([health.status, await health.json()]).toEqual([200, { ready: true, pipeline: 'none', database: 'up' }]);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('screen stopped');
  }, 30_000);

  it('says the database is unreachable while the SQLite file does not exist', async () => {
    const missing = join(scratchDir(), 'not-yet.sqlite');
    const child = startCli(['screen', '--db', `sqlite:${missing}`, '--http-port', '0']);
    const { url, said } = await screenUrl(child);
    expect(said).toContain(`no SQLite file at sqlite:${missing} yet`);
    const done = finished(child);
    const health = await fetch(new URL('healthz', url));
    expect([health.status, await health.json()]).toEqual([503, { ready: false, pipeline: 'none', database: 'down', down: ['database'] }]);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
  }, 30_000);

  it('refuses a port beyond 65535 in one line with exit code 2', async () => {
    const result = await runCli(['screen', '--http-port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('ERROR --http-port: expected a port from 0 to 65535, got "70000"');
  }, 30_000);

  it.each([
    [['--locale', 'en_US!'], 'ERROR --locale: "en_US!" is not a locale this Node.js knows, such as en-US or zh-CN'],
    [['--currency', 'RMB'], 'ERROR --currency: "RMB" is not an ISO 4217 currency code, such as CNY, USD or EUR'],
  ])('refuses %j in one line with exit code 2, for screen and run alike', async (flags, line) => {
    for (const command of [['screen'], ['run', '--source', `file:${SAMPLE}`]]) {
      const result = await runCli([...command, ...flags]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(line);
    }
  }, 30_000);

  it('serves the page in the locale and currency asked for', async () => {
    const file = join(scratchDir(), 'filled.sqlite');
    await (await tableWith(SAMPLE_ROWS, file)).destroy();
    const child = startCli(['screen', '--db', `sqlite:${file}`, '--http-port', '0', '--locale', 'zh-CN', '--currency', 'cny']);
    const { url } = await screenUrl(child);
    const done = finished(child);
    expect(await (await fetch(new URL('api/config', url))).json()).toMatchObject({ locale: 'zh-CN', currency: 'CNY' });
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  }, 30_000);
});
