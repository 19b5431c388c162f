/**
 * The live screen: a small HTTP server (node:http) with a sales page that follows
 * `trade_channel_collect` through server-sent events, and `/api/snapshot`, `/metrics`, the probes `/livez`, `/readyz` (and `/healthz`, its alias);
 * the day curves, comparisons and past days come from `/api/day` and `/api/days` (screen-api.ts).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { dayInZone } from '../core/business-day.ts';
import { eventLoopMonitor, METRICS_CONTENT_TYPE, renderMetrics } from './metrics.ts';
import { screenApi, type ApiAnswer, type ScreenDisplay } from './screen-api.ts';
import { processMetrics } from './process-metrics.ts';
import { checkRequest, DEFAULT_MAX_EVENT_CLIENTS, type ScreenGuard } from './screen-guard.ts';
import type { ScreenChanges, ScreenStatus } from './screen-status.ts';
import { buildSnapshot, readDayRows, type DayRows, type ScreenSnapshot } from './snapshot.ts';
import { firstLineOf } from '../core/first-line.ts';

/** Options of {@link startScreen}. */
export interface ScreenOptions {
  /** Where `trade_channel_collect` is read (the caller opens and closes it). */
  readonly db: Knex;
  /** 0 picks a free port. Default: 8080. */
  readonly port?: number;
  /** Default: 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** The IANA zone of "today". */
  readonly zone: string;
  /** The state of the run, asked for whenever the screen needs it. */
  readonly status: () => ScreenStatus;
  /** Says when the table changed (after each flush). Without it, the table is read every `pollIntervalMs`. */
  readonly changes?: ScreenChanges;
  /** Epoch milliseconds of "now". Default: Date.now. */
  readonly clock?: () => number;
  /** How often the status (and, without `changes`, the table) is looked at for the pages. Default: 1000. */
  readonly pollIntervalMs?: number;
  /** Locale and currency of the page. Default: en-US, amounts without a currency. */
  readonly display?: ScreenDisplay;
  /** Allowed Host names, a token, the cap on pages, who may embed it. Default: loopback names and IPs, no token, 100 pages, no embedding. */
  readonly guard?: ScreenGuard;
}

/** A running screen. */
export interface Screen {
  /** e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** Ends the event streams and stops the server; the database stays open. */
  close(): Promise<void>;
}

/** An unchanged page still gets a snapshot this often, so that its chart moves on in time. */
const KEEP_ALIVE_MS = 15_000;

const PAGE = new URL('./page/', import.meta.url);
const requireHere = createRequire(import.meta.url);

/** The page's own modules (plain browser JavaScript, no build step). */
const PAGE_MODULES = ['page.js', 'dom.js', 'words.js', 'formats.js', 'palette.js', 'figures-view.js', 'status-view.js', 'curve-chart.js', 'hourly-bars.js', 'day-picker.js'];

/** The files the page is made of, by route. */
const ASSETS: Readonly<Record<string, { readonly file: () => string | URL; readonly type: string }>> = {
  '/': { file: () => new URL('index.html', PAGE), type: 'text/html; charset=utf-8' },
  ...Object.fromEntries(PAGE_MODULES.map((name) => [`/${name}`, { file: () => new URL(name, PAGE), type: 'text/javascript; charset=utf-8' }])),
  '/page.css': { file: () => new URL('page.css', PAGE), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: () => requireHere.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: () => requireHere.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The page's CSP; `frameAncestors` says who may embed it (a wall-screen tool). */
function contentSecurityPolicy(frameAncestors: string): string {
  return `default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors ${frameAncestors}`;
}

/** Starts the screen; resolves once it listens. */
export async function startScreen(options: ScreenOptions): Promise<Screen> {
  const { db, zone, status, changes, clock = Date.now, host = '127.0.0.1', port = 8080, pollIntervalMs = 1000, display = { locale: 'en-US' }, guard = {} } = options;
  const csp = contentSecurityPolicy(guard.frameAncestors ?? "'none'");
  const readiness = readinessCheck();
  const processFigures = processMetrics();
  const maxEventClients = guard.maxEventClients ?? DEFAULT_MAX_EVENT_CLIENTS;
  const api = screenApi({ db, zone, clock, display });
  const assets = new Map<string, Buffer>();
  const clients = new Set<ServerResponse>();
  const waitingForFirst = new Set<ServerResponse>();
  const loop = eventLoopMonitor();
  let rows: DayRows = { day: null, rows: [] };
  let readFor: string | undefined; // the "today" of the rows read last
  let readError: string | undefined;
  let lastSent = '';
  let lastSentAt = 0;
  let closed = false;

  const snapshot = (): ScreenSnapshot => buildSnapshot({ now: clock(), zone, rows, status: status(), readError });

  const readTable = async (): Promise<void> => {
    const today = dayInZone(clock(), zone);
    try {
      rows = await readDayRows(db, today);
      readFor = today;
      readError = undefined;
    } catch (error) {
      readError = firstLineOf(error);
    }
  };

  /** Sends the snapshot to the pages when it changed (or to a page that has none yet). */
  const push = (force: boolean): void => {
    if (clients.size === 0) return;
    const current = snapshot();
    const fingerprint = JSON.stringify({ ...current, generatedAt: 0 });
    const changed = fingerprint !== lastSent;
    const targets = changed || force ? clients : waitingForFirst;
    if (targets.size === 0) return;
    const message = `data: ${JSON.stringify(current)}\n\n`;
    for (const client of targets) client.write(message);
    waitingForFirst.clear();
    if (changed || force) {
      lastSent = fingerprint;
      lastSentAt = clock();
    }
  };

  // Refreshes run one at a time; calls while one runs join the one queued after it.
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  let wantRead = false;
  let wantForce = false;
  const refresh = (read: boolean, force = false): Promise<void> => {
    wantRead ||= read;
    wantForce ||= force;
    if (queued !== undefined) return queued;
    const next = chain.then(async () => {
      queued = undefined;
      const [doRead, doForce] = [wantRead, wantForce];
      wantRead = false;
      wantForce = false;
      if (closed) return;
      if (doRead) await readTable();
      if (!closed) push(doForce);
    });
    queued = next;
    chain = next.catch(() => {});
    return next;
  };

  const unsubscribe = changes?.subscribe(() => {
    if (clients.size > 0) void refresh(true).catch(() => {});
    else readFor = undefined; // read again when a page comes
  });
  const ticker = setInterval(() => {
    if (clients.size === 0) return;
    const stale = changes === undefined || readError !== undefined || readFor !== dayInZone(clock(), zone);
    void refresh(stale, clock() - lastSentAt >= KEEP_ALIVE_MS).catch(() => {});
  }, pollIntervalMs);
  ticker.unref();

  const asset = async (route: string): Promise<Buffer> => {
    let body = assets.get(route);
    if (body === undefined) {
      const entry = ASSETS[route];
      if (entry === undefined) throw new RangeError(`no asset ${route}`);
      body = await readFile(entry.file());
      assets.set(route, body);
    }
    return body;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    response.setHeader('Content-Security-Policy', csp);
    let url: URL;
    try {
      // A path only ("//x" would be read as a host): anything else is not a request for this server.
      if (!(request.url ?? '/').startsWith('/') || (request.url ?? '/').startsWith('//')) throw new TypeError('not a path');
      url = new URL(request.url ?? '/', 'http://screen');
    } catch {
      send(response, 400, 'text/plain; charset=utf-8', 'Bad request: the URL is not a path of this server\n');
      return;
    }
    const route = url.pathname;
    const { refusal, setCookie } = checkRequest(request, url, guard);
    if (refusal !== undefined) {
      send(response, refusal.status, 'text/plain; charset=utf-8', `${refusal.text}\n`, refusal.headers);
      return;
    }
    if (setCookie !== undefined) response.setHeader('Set-Cookie', setCookie);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'Only GET and HEAD\n', { Allow: 'GET, HEAD' });
      return;
    }
    const entry = ASSETS[route];
    let answer: ApiAnswer | undefined;
    if (entry !== undefined) {
      send(response, 200, entry.type, await asset(route), { 'Cache-Control': 'no-cache' });
    } else if (route === '/events' && request.method === 'HEAD') {
      send(response, 200, 'text/event-stream; charset=utf-8', '');
    } else if (route === '/events' && clients.size >= maxEventClients) {
      send(response, 503, 'text/plain; charset=utf-8', `Too many screens: ${maxEventClients} pages are open, the most this server serves (--http-max-clients)\n`, { 'Retry-After': '10' });
    } else if (route === '/events') {
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      response.write('retry: 2000\n\n');
      clients.add(response);
      waitingForFirst.add(response);
      request.on('close', () => {
        clients.delete(response);
        waitingForFirst.delete(response);
      });
      void refresh(true).catch(() => {});
    } else if (route === '/api/snapshot') {
      await refresh(true);
      sendJson(response, 200, snapshot());
    } else if (route.startsWith('/api/') && (answer = await api(route, url.searchParams, request.headers['accept-encoding'])) !== undefined) {
      send(response, answer.status, answer.type, answer.body, answer.headers);
    } else if (route === '/metrics') {
      const own = renderMetrics({ status: status(), eventLoop: loop.read(), screenClients: clients.size });
      send(response, 200, METRICS_CONTENT_TYPE, own + (await processFigures.text()));
    } else if (route === '/livez') {
      sendJson(response, 200, { live: true }); // answering at all is the proof: the event loop turns
    } else if (route === '/readyz' || route === '/healthz') {
      const current = status();
      const down = readiness.check(current, clock());
      sendJson(response, down.length === 0 ? 200 : 503, { ready: down.length === 0, pipeline: current.pipeline, database: current.database, ...(down.length > 0 && { down }) });
    } else if (route === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      send(response, 404, 'text/plain; charset=utf-8', `Not found: ${route}\n`);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `${firstLineOf(error)}\n`);
      else response.end();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(ticker);
    unsubscribe?.();
    loop.stop();
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : firstLineOf(error);
    throw new Error(`Cannot serve the screen on ${host}:${port}: ${why}`, { cause: error });
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;

  return {
    url: `http://${shownHost}:${address.port}/`,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      unsubscribe?.();
      loop.stop();
      for (const client of clients) client.end();
      clients.clear();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await chain;
    },
  };
}

/** Orders waiting while none is read for this long: the pipeline is stalled (not ready). */
export const STALLED_AFTER_MS = 60_000;

/**
 * What keeps the run from being ready: the pipeline stopped, the database down, no partitions
 * assigned, a feed of mostly rejects, or orders waiting while the count read has not moved for {@link STALLED_AFTER_MS}.
 */
function readinessCheck(): { check(status: ScreenStatus, now: number): string[] } {
  let lastRead = -1;
  let movedAt = 0;
  return {
    check: (status, now) => {
      const read = status.counters?.read ?? 0;
      if (read !== lastRead) [lastRead, movedAt] = [read, now];
      const stalled = (status.lagMessages ?? 0) > 0 && now - movedAt >= STALLED_AFTER_MS && status.database === 'up';
      return [
        ...(status.pipeline === 'stopped' ? ['pipeline'] : []),
        ...(status.database === 'down' ? ['database'] : []),
        ...(status.sourceAssigned === false ? ['source: no partitions assigned'] : []),
        ...(status.feedRefused !== undefined ? [`feed: ${status.feedRefused.replace(/^the feed is /, '')}`] : []),
        ...(stalled ? [`pipeline stalled: ${status.lagMessages} messages waiting, none read for ${Math.round((now - movedAt) / 1000)} s`] : []),
      ];
    },
  };
}

function send(response: ServerResponse, code: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(code, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.length), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : bytes);
}

function sendJson(response: ServerResponse, code: number, value: unknown): void {
  send(response, code, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, { 'Cache-Control': 'no-store' });
}

