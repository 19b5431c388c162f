import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished, runCli, SAMPLE, scratchDir, startCli } from '../support/cli.ts';

const REPLAY = ['run', '--source', `file:${SAMPLE}`, '--as-of', '2021-03-25 12:03:00'];
/** No TRADEFLOW_LOG_FORMAT: the command decides, as under systemd or in a container. */
const UNSET = { TRADEFLOW_LOG_FORMAT: '' };

interface LogRecord {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

function records(stderr: string): LogRecord[] {
  return stderr.trim().split('\n').map((line) => JSON.parse(line) as LogRecord);
}

/** Runs a live simulator run for over two 5-second table periods (starts are slow on a busy machine), then stops it. */
async function liveRun(more: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  const child = startCli(['run', '--source', 'simulator', '--rate', '200', '--db', `sqlite:${join(scratchDir(), 'live.sqlite')}`, '--http-port', '0', ...more]);
  const done = finished(child);
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  child.kill('SIGTERM');
  return done;
}

/** Both live runs of the table specs, started together on first use: one 12 s wait serves the two. */
let liveRuns: { piped: ReturnType<typeof liveRun>; always: ReturnType<typeof liveRun> } | undefined;
function bothLiveRuns(): NonNullable<typeof liveRuns> {
  liveRuns ??= { piped: liveRun([]), always: liveRun(['--live-table', 'always']) };
  return liveRuns;
}

describe('the log of every command', () => {
  it('is one JSON object per line when stderr is no terminal, each with time, level, message and its fields', async () => {
    const result = await runCli([...REPLAY, '--db', `sqlite:${join(scratchDir(), 'r.sqlite')}`], UNSET);
    expect(result.code).toBe(0);
    const [first, ...rest] = records(result.log);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ level: 'info', source: `file:${SAMPLE}`, days: 'day 2021-03-25', zone: expect.any(String) as string });
    expect(new Date(first!.time).toISOString()).toBe(first!.time);
    expect(first!.msg).toMatch(/^file:\S+ -> sqlite:\S+ \(day 2021-03-25/);
    expect(first!.db).toMatch(/^sqlite:.*r\.sqlite$/);
    // The result stays plain text on stdout.
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 \| rows written 4 /m);
  }, 30_000);

  it('is human text lines, time and level first, when asked by flag or environment (a flag wins)', async () => {
    const db = `sqlite:${join(scratchDir(), 'r.sqlite')}`;
    for (const [args, env] of [[['--log-format', 'text'], UNSET], [[], { TRADEFLOW_LOG_FORMAT: 'text' }], [['--log-format=text'], { TRADEFLOW_LOG_FORMAT: 'json' }]] as const) {
      const result = await runCli([...REPLAY, '--db', db, ...args], env);
      expect(result.code).toBe(0);
      expect(result.log).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO  file:\S+ -> sqlite:\S+ \(day 2021-03-25, zone [^,)]+, \d+ workers?\)\n$/);
    }
  }, 60_000);

  it('leaves out what is below --log-level (or TRADEFLOW_LOG_LEVEL; a flag wins), never the result', async () => {
    const db = `sqlite:${join(scratchDir(), 'r.sqlite')}`;
    const warn = await runCli([...REPLAY, '--db', db, '--log-level', 'warn']);
    expect(warn).toMatchObject({ code: 0, log: '' });
    expect(warn.stdout).toMatch(/^read 11 /m);
    expect((await runCli([...REPLAY, '--db', db], { TRADEFLOW_LOG_LEVEL: 'silent' })).log).toBe('');
    expect((await runCli([...REPLAY, '--db', db, '--log-level', 'info'], { TRADEFLOW_LOG_LEVEL: 'silent' })).stderr).toMatch(/^INFO  file:/);
  }, 60_000);

  it('says each flush at debug, with its rows and its duration as numbers', async () => {
    const result = await runCli([...REPLAY, '--db', `sqlite:${join(scratchDir(), 'r.sqlite')}`, '--log-level', 'debug'], UNSET);
    expect(result.code).toBe(0);
    const flush = records(result.log).find((record) => record.level === 'debug' && record.msg.startsWith('flush: '));
    expect(flush).toMatchObject({ upserts: 4, deletes: 0, durationMs: expect.any(Number) as number });
  }, 30_000);

  it('refuses a level or format it does not know: exit 2 and one line naming the flag or the variable', async () => {
    expect(await runCli(['run', '--log-level', 'loud'])).toMatchObject({ code: 2, stdout: '', stderr: 'ERROR --log-level: expected trace, debug, info, warn, error, fatal, silent, got "loud"\n' });
    expect(await runCli(['migrate', '--log-format', 'xml'])).toMatchObject({ code: 2, stderr: 'ERROR --log-format: expected text or json, got "xml"\n' });
    expect(await runCli(['migrate'], { TRADEFLOW_LOG_LEVEL: 'verbose' })).toMatchObject({ code: 2, stderr: 'ERROR TRADEFLOW_LOG_LEVEL: expected trace, debug, info, warn, error, fatal, silent, got "verbose"\n' });
    expect(await runCli(['run', '--log-level'])).toMatchObject({ code: 2, stderr: 'ERROR --log-level needs a value (trace, debug, info, warn, error, fatal, silent)\n' });
  }, 30_000);

  it('ends a failed command with one fatal record, its exit code and no password, in JSON as in text', async () => {
    const url = 'mysql://app:Sup3rSecretPw@127.0.0.1:1/shop';
    const json = await runCli(['migrate', '--db', url], UNSET);
    expect(json.code).toBe(3);
    const [failure, ...rest] = records(json.log);
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ level: 'fatal', exitCode: 3, msg: '--db mysql://app:***@127.0.0.1:1/shop: connection refused (no server listens at that address)' });
    expect(json.log).not.toContain('Sup3rSecretPw');
    const text = await runCli(['migrate', '--db', url]);
    expect(text).toMatchObject({ code: 3, stderr: 'FATAL --db mysql://app:***@127.0.0.1:1/shop: connection refused (no server listens at that address)\n' });
  }, 30_000);
});

describe('the start-up cost of the logger', () => {
  it('is not paid by --help or a usage error: pino is loaded by the first JSON record only', () => {
    const hook = join(scratchDir(), 'count-pino.cjs');
    writeFileSync(hook, "process.on('exit', () => process.stderr.write(`pino files: ${Object.keys(require.cache).filter((f) => f.includes('/node_modules/pino/')).length}\\n`));\n");
    const bin = new URL('../../src/cli/tradeflow.js', import.meta.url).pathname;
    const pinoFiles = (...args: string[]): number => {
      const result = spawnSync(process.execPath, ['--require', hook, bin, ...args], { encoding: 'utf8', env: { ...process.env, TRADEFLOW_LOG_FORMAT: 'json' } });
      return Number(/pino files: (\d+)/.exec(result.stderr)?.[1]);
    };
    expect(pinoFiles('--help')).toBe(0);
    expect(pinoFiles('run', '--bogus')).toBe(0);
    expect(pinoFiles('run', '--log-level', 'loud')).toBe(0);
    expect(pinoFiles('migrate', '--db', `sqlite:${scratchDir()}`)).toBeGreaterThan(0); // a fatal record: pino writes it
  }, 60_000);
});

describe('the live table', () => {
  it('is not printed every 5 s when stdout is no terminal (a pipe, a log file), only once at the end', async () => {
    const result = await bothLiveRuns().piped;
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ {2}day {9}channel/gm)).toHaveLength(1);
  }, 30_000);

  it('is printed every 5 s with --live-table always, also into a pipe', async () => {
    const result = await bothLiveRuns().always;
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ {2}day {9}channel/gm)?.length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('refuses a --live-table it does not know', async () => {
    expect(await runCli(['run', '--live-table', 'sometimes', '--db', `sqlite:${join(scratchDir(), 'r.sqlite')}`])).toMatchObject({ code: 2, stderr: 'ERROR --live-table: expected auto, always or never, got "sometimes"\n' });
  }, 30_000);
});
