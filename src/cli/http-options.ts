/** The flags that guard the screen's HTTP server, for both commands that serve it. */
import { DEFAULT_MAX_EVENT_CLIENTS, exposureWarning, type ScreenGuard } from '../screen/screen-guard.ts';
import { UsageError, wholeNumber, type OptionSpec } from './options.ts';

/** The shortest token taken: 16 characters (`openssl rand -hex 16` gives 32). */
const SHORTEST_TOKEN = 16;

/** The four flags, as both commands list them. */
export const HTTP_GUARD_OPTIONS: readonly OptionSpec[] = [
  { name: 'http-allowed-hosts', type: 'string', value: 'NAMES', description: 'screen: host names served besides loopback names and IP addresses, comma-separated (.example.com: it and its subdomains; *: any)' },
  { name: 'http-token', type: 'string', value: 'TOKEN', description: `screen: a token every request but the probes must carry (Authorization: Bearer, or ?token= in the page's URL), at least ${SHORTEST_TOKEN} characters; give it in the environment, not on the command line` },
  { name: 'http-max-clients', type: 'string', value: 'N', description: 'screen: pages served at once; one more gets 503', default: String(DEFAULT_MAX_EVENT_CLIENTS) },
  { name: 'http-frame-ancestors', type: 'string', value: 'SOURCES', description: "screen: who may embed the page in a frame (the CSP frame-ancestors sources, e.g. \"'self' https://wall.example.com\")", default: "'none'" },
];

/** The guard the flags ask for; UsageError naming the flag for a bad value. */
export function readGuard(options: ReadonlyMap<string, string | boolean>): ScreenGuard {
  const hosts = options.get('http-allowed-hosts');
  const allowedHosts = hosts === undefined ? [] : String(hosts).split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of allowedHosts) {
    if (!/^(\*|\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)$/.test(name)) throw new UsageError(`--http-allowed-hosts: "${name}" is not a host name (letters, digits, "-" and dots; .example.com; *)`);
  }
  const token = options.get('http-token');
  if (token !== undefined && !new RegExp(`^[\\x21-\\x7e]{${SHORTEST_TOKEN},}$`).test(String(token))) {
    throw new UsageError(`--http-token: expected at least ${SHORTEST_TOKEN} printable characters without spaces (e.g. from openssl rand -hex 16)`); // never the token itself
  }
  const frameAncestors = String(options.get('http-frame-ancestors') ?? "'none'");
  if (!/^[^;,\r\n]+$/.test(frameAncestors)) throw new UsageError(`--http-frame-ancestors: expected CSP sources separated by spaces, without ";" or ",", got "${frameAncestors}"`);
  return {
    allowedHosts,
    ...(token !== undefined && { token: String(token) }),
    maxEventClients: wholeNumber('http-max-clients', options.get('http-max-clients'), 1, 100_000) ?? DEFAULT_MAX_EVENT_CLIENTS,
    frameAncestors,
  };
}

/** The warning line for a screen on `host` with this guard, or undefined. */
export function guardWarning(host: string, guard: ScreenGuard): string | undefined {
  return exposureWarning(host, guard.token);
}
