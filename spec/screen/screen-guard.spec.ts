import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScreenGuard } from '../../src/screen/screen-guard.ts';
import { runCli, scratchDir } from '../support/cli.ts';
import { screenRig, type ScreenRig } from './screen-fixture.ts';

let rig: ScreenRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const TOKEN = 'wall-screen-token-0123456789';

/** A raw GET with the headers a client chooses (Host included, which fetch may not set); the body kept only up to `keep` bytes. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(rig!.screen.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
        if (response.headers['content-type']?.startsWith('text/event-stream')) response.destroy(); // a stream: its start is enough
      });
      const done = (): void => resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      response.on('end', done).on('close', done);
    });
    req.on('error', reject).end();
  });
}

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function guarded(guard: ScreenGuard): Promise<void> {
  rig = await screenRig(undefined, 200, { guard });
}

describe('the screen server guards who may use it', () => {
  it('refuses a foreign Host with 403 (DNS rebinding), and serves loopback names, IP addresses and the allowed names', async () => {
    await guarded({ allowedHosts: ['screen.shop.example', '.wall.example'] });
    expect((await get('/api/snapshot', { host: 'attacker.example' })).status).toBe(403);
    expect((await get('/events', { host: 'rebind.attacker.example:8080' })).status).toBe(403);
    expect((await get('/', { host: 'attacker.example' })).body).toMatch(/^Host not allowed: attacker\.example \(.*--http-allowed-hosts/);
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:8080', '10.0.0.7:8080', 'screen.shop.example', 'tv3.wall.example', 'wall.example']) {
      expect(`${host} ${(await get('/api/snapshot', { host })).status}`).toBe(`${host} 200`);
    }
    expect((await get('/api/snapshot', { host: 'other.shop.example' })).status).toBe(403);
  });

  it('with a token, answers 401 without it, and serves it as a bearer token, in the page URL, and by the cookie the page got', async () => {
    await guarded({ token: TOKEN });
    const refused = await get('/api/snapshot');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="tradeflow"');
    expect(refused.body).not.toContain(TOKEN);
    expect((await get('/')).status).toBe(401);
    expect((await get('/events')).status).toBe(401);
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/api/snapshot', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await get('/api/snapshot', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get('/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    // A wall screen opens /?token=...: the page's own requests (modules, /events, /api/...) then carry the cookie.
    const page = await get(`/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
    for (const path of ['/page.js', '/page.css', '/events', '/api/snapshot', '/api/days']) expect(`${path} ${(await get(path, { cookie })).status}`).toBe(`${path} 200`);
    expect((await get('/api/snapshot', { cookie: 'tradeflow_token=guess-guess-guess-guess' })).status).toBe(401);
    // The probes stay open: a load balancer or kubelet needs no secret to ask whether it is up.
    expect((await get('/healthz')).status).toBe(200);
  });

  it('serves at most maxEventClients pages at once and answers 503 beyond, naming the number', async () => {
    await guarded({ maxEventClients: 2 });
    const { port } = new URL(rig!.screen.url);
    const open = await Promise.all([1, 2].map(() => new Promise<import('node:http').IncomingMessage>((resolve) => request({ host: '127.0.0.1', port, path: '/events' }, resolve).end())));
    expect(open.map((response) => response.statusCode)).toEqual([200, 200]);
    const third = await get('/events');
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('10');
    expect(third.body).toMatch(/^Too many screens: 2 pages are open/);
    expect((await get('/api/snapshot')).status).toBe(200); // the rest is served as before
    for (const response of open) response.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await get('/events')).status).toBe(200);
  });

  it('answers 400 to a request whose URL is not a path (GET //, GET *), not 500', async () => {
    await guarded({});
    for (const path of ['//', '//x/../', '*']) expect(`${path} ${(await get(path)).status}`).toBe(`${path} 400`);
  });

  it("forbids framing by default and lets --http-frame-ancestors name who may embed the page", async () => {
    await guarded({});
    expect((await get('/')).headers['content-security-policy']).toMatch(/frame-ancestors 'none'$/);
    await rig!.close();
    await guarded({ frameAncestors: "'self' https://wall.example.com" });
    expect((await get('/')).headers['content-security-policy']).toMatch(/; frame-ancestors 'self' https:\/\/wall\.example\.com$/);
  });
});

describe('tradeflow screen and run warn of a screen beyond loopback without a token', () => {
  it('says so in a line when --http-host is 0.0.0.0 and no --http-token is given, and not with one', async () => {
    const db = `sqlite:${scratchDir()}/s.sqlite`;
    const SAMPLE = new URL('../fixtures/orders-sample.jsonl', import.meta.url).pathname;
    const port = String(await freePort());
    const plain = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', db, '--as-of', '2021-03-25 12:03:00', '--http-port', port, '--http-host', '0.0.0.0']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('WARN  the screen listens on 0.0.0.0 (beyond this machine) with no --http-token: anyone who reaches it sees the figures');
    const withToken = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', db, '--as-of', '2021-03-25 12:03:00', '--http-port', port, '--http-host', '0.0.0.0'], { TRADEFLOW_HTTP_TOKEN: TOKEN });
    expect(withToken.code).toBe(0);
    expect(withToken.stderr).not.toContain('WARN');
    expect(withToken.stderr + withToken.stdout).not.toContain(TOKEN);
    const short = await runCli(['run', '--source', `file:${SAMPLE}`, '--db', db, '--http-token', 'short']);
    expect(short).toMatchObject({ code: 2, stderr: 'ERROR --http-token: expected at least 16 printable characters without spaces (e.g. from openssl rand -hex 16)\n' });
  }, 60_000);
});
