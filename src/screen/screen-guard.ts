/**
 * Who may use the screen: the Host header against the bound address and an allow-list (DNS
 * rebinding: a page of another site reaching a 127.0.0.1 screen through a name that points
 * there), and a token when one is set (a bearer token, the page's `?token=`, or the cookie the
 * page got with it, so that a wall screen's URL is all it needs).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** How the screen is guarded. Every field has a default. */
export interface ScreenGuard {
  /** Host names served besides loopback names and IP addresses (`.example.com`: it and its subdomains; `*`: any). Default: none. */
  readonly allowedHosts?: readonly string[];
  /** A token every request but the probes must carry. Default: none (no authentication). */
  readonly token?: string;
  /** Pages (event streams) served at once; one more gets 503. Default: {@link DEFAULT_MAX_EVENT_CLIENTS}. */
  readonly maxEventClients?: number;
  /** The CSP `frame-ancestors` sources: who may embed the page. Default: `'none'`. */
  readonly frameAncestors?: string;
}

/** Pages served at once by default: a wall of screens, well under what the server holds. */
export const DEFAULT_MAX_EVENT_CLIENTS = 100;

/** The cookie that carries the token of a page opened with `?token=`. */
export const TOKEN_COOKIE = 'tradeflow_token';

/** Routes a probe or load balancer asks for without a token: they say only up or down. */
const OPEN_ROUTES = new Set(['/livez', '/readyz', '/healthz', '/favicon.ico']);

/** A refusal: status, one line of text, headers. */
export interface Refusal {
  readonly status: number;
  readonly text: string;
  readonly headers?: Record<string, string>;
}

/** The refusal a request gets, or undefined when it may go on; `setCookie` when the page brought the token in its URL. */
export function checkRequest(request: IncomingMessage, url: URL, guard: ScreenGuard): { refusal?: Refusal; setCookie?: string } {
  const host = hostName(request.headers.host);
  if (host === undefined || !hostAllowed(host, guard.allowedHosts ?? [])) {
    return { refusal: { status: 403, text: `Host not allowed: ${request.headers.host ?? '(none)'} (tradeflow serves loopback names and IP addresses; --http-allowed-hosts adds names)` } };
  }
  if (guard.token === undefined || OPEN_ROUTES.has(url.pathname)) return {};
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && sameToken(fromUrl, guard.token)) {
    return { setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(guard.token)}; HttpOnly; SameSite=Strict; Path=/` };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);
  if ((bearer !== undefined && sameToken(bearer, guard.token)) || (cookie !== undefined && sameToken(cookie, guard.token))) return {};
  return {
    refusal: {
      status: 401,
      text: 'A token is needed: Authorization: Bearer <token>, or ?token=<token> in the page\'s URL (--http-token)',
      headers: { 'WWW-Authenticate': 'Bearer realm="tradeflow"' },
    },
  };
}

/** The warning for a screen bound beyond loopback with no token, or undefined. */
export function exposureWarning(host: string, token: string | undefined): string | undefined {
  if (token !== undefined || isLoopback(host)) return undefined;
  return `the screen listens on ${host} (beyond this machine) with no --http-token: anyone who reaches it sees the figures`;
}

/** Whether an address or name is this machine only. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  if (isIP(host) !== 0 || isLoopback(host)) return true; // an IP literal cannot be a rebound name
  return allowed.some((entry) => {
    const name = entry.trim().toLowerCase();
    return name === '*' || name === host || (name.startsWith('.') && (host.endsWith(name) || host === name.slice(1)));
  });
}

/** The host name of a Host header (no port, no brackets, lower case); undefined when it is not one. */
function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(:\d{1,5})?$/.exec(header.trim());
  return match?.[1]?.replace(/^\[|\]$/g, '').toLowerCase();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Compares in constant time (of the digests), so that the token cannot be guessed by timing. */
function sameToken(given: string, token: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
