import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir } from '../support/cli.ts';

const REPLAY = ['--source', `file:${SAMPLE}`, '--as-of', '2021-03-25 12:03:00'];

/** A TCP server on a free port of 127.0.0.1 that accepts connections and never says a word. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

/** A port of 127.0.0.1 on which nothing listens (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const { server, port } = await silentServer();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const open: { server: Server; sockets: Set<Socket> }[] = [];
afterAll(async () => {
  for (const { server, sockets } of open) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The command's one line and exit code: no stack, no SQL text, no library's hint. */
async function failure(args: readonly string[]): Promise<{ code: number | null; line: string }> {
  const result = await runCli(args);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+|select |sqlite_master|Knex|transacting|pool is probably full|TimeoutOverflowWarning/i);
  return { code: result.code, line: lines[0] ?? '' };
}

describe('exit code 3: an environment the command cannot work in, in one line naming the culprit', () => {
  it('a --db sqlite: path that is a folder', async () => {
    const folder = join(scratchDir(), 'a-folder');
    mkdirSync(folder);
    expect(await failure(['run', ...REPLAY, '--db', `sqlite:${folder}`])).toEqual({ code: 3, line: `FATAL --db sqlite:${folder}: cannot open the file (a folder of that name, or no permission to create or read it)` });
    expect(await failure(['migrate', '--db', `sqlite:${folder}`])).toEqual({ code: 3, line: `FATAL --db sqlite:${folder}: cannot open the file (a folder of that name, or no permission to create or read it)` });
  }, 60_000);

  it('a --db sqlite: file that is not a database', async () => {
    const text = join(scratchDir(), 'notes.txt');
    writeFileSync(text, 'shopping list: milk, eggs, a Kafka broker\n'.repeat(100));
    expect(await failure(['run', ...REPLAY, '--db', `sqlite:${text}`])).toEqual({ code: 3, line: `FATAL --db sqlite:${text}: the file is not a SQLite database` });
  }, 30_000);

  it('a --db mysql:// where nothing listens', async () => {
    const port = await closedPort();
    expect(await failure(['run', ...REPLAY, '--db', `mysql://root:secret@127.0.0.1:${port}/test`])).toEqual({
      code: 3,
      line: `FATAL --db mysql://root:***@127.0.0.1:${port}/test: connection refused (no server listens at that address)`,
    });
  }, 30_000);

  it('a --db mysql:// server that accepts the connection and never answers, within about 10 s', async () => {
    const silent = await silentServer();
    open.push(silent);
    const started = Date.now();
    const { code, line } = await failure(['run', ...REPLAY, '--db', `mysql://root@127.0.0.1:${silent.port}/test`]);
    expect(code).toBe(3);
    expect(line).toMatch(new RegExp(`^FATAL --db mysql://root@127\\.0\\.0\\.1:${silent.port}/test: (the server accepted the connection but did not answer|the server did not answer) within 10 s$`));
    expect(Date.now() - started).toBeLessThan(40_000);
  }, 60_000);

  it('a --http-port another process listens on, for run and for screen', async () => {
    const busy = await silentServer();
    open.push(busy);
    const db = join(scratchDir(), 'r.sqlite');
    const because = 'the port is already in use (another process listens there; --http-port picks another)';
    expect(await failure(['run', ...REPLAY, '--db', `sqlite:${db}`, '--http-port', String(busy.port)])).toEqual({ code: 3, line: `FATAL --http-port ${busy.port} (--http-host 127.0.0.1): ${because}` });
    expect(await failure(['screen', '--db', `sqlite:${db}`, '--http-port', String(busy.port)])).toMatchObject({ code: 3 });
    expect((await runCli(['screen', '--db', `sqlite:${db}`, '--http-port', String(busy.port)])).stderr.trim().split('\n').pop()).toBe(`FATAL --http-port ${busy.port} (--http-host 127.0.0.1): ${because}`);
  }, 60_000);

  it('a --source file: that is a folder or a named pipe', async () => {
    const dir = scratchDir();
    const fifo = join(dir, 'orders.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await failure(['run', '--source', `file:${dir}`, '--db', `sqlite:${join(dir, 'r.sqlite')}`])).toEqual({ code: 3, line: `FATAL --source file:${dir}: a directory, not a file (a recorded stream is a .jsonl file)` });
    expect(await failure(['run', '--source', `file:${fifo}`, '--db', `sqlite:${join(dir, 'r.sqlite')}`])).toEqual({ code: 3, line: `FATAL --source file:${fifo}: a named pipe (FIFO), not a file (a recorded stream is a .jsonl file)` });
  }, 30_000);
});

describe('exit code 2: numeric options within their bounds, the bound named', () => {
  it.each([
    [['--flush-interval', '2147483648'], 'ERROR --flush-interval: expected at most 2,147,483,647 ms (the longest a timer takes, about 24.8 days), got "2147483648"'],
    [['--checkpoint-interval', '99999999999'], 'ERROR --checkpoint-interval: expected at most 2,147,483,647 ms (the longest a timer takes, about 24.8 days), got "99999999999"'],
    [['--flush-interval', '0'], 'ERROR --flush-interval: expected a whole number of at least 1, got "0"'],
    [['--flush-rows', '-5'], 'ERROR --flush-rows needs a value (one that starts with "-" is written --flush-rows=-5) (see: tradeflow run --help)'],
    [['--flush-rows=-5'], 'ERROR --flush-rows: expected a whole number of at least 1, got "-5"'],
    [['--keep-rejects', '0'], 'ERROR --keep-rejects: expected a whole number of at least 1, got "0"'],
  ])('refuses run %j', async (flags, line) => {
    expect(await failure(['run', ...REPLAY, '--db', `sqlite:${join(scratchDir(), 'r.sqlite')}`, ...flags])).toEqual({ code: 2, line });
  }, 30_000);
});
