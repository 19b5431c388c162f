/**
 * A `mysql://` URL as MySQL users write it: TLS options in the query (`ssl-mode`, `ssl-ca`,
 * `ssl-cert`, `ssl-key`, named as the `mysql` client names them), a unix `socket`, and a password
 * that may come from elsewhere. Nothing in a message ever shows the password.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Knex } from 'knex';

/** What mysql2 connects with (knex's type lacks mysql2's `ssl.verifyIdentity`). */
type ConnectionOptions = Knex.MySql2ConnectionConfig;
type TlsOptions = Knex.MariaSslConfiguration & { readonly verifyIdentity: boolean };

/** The `mysql` client's ssl modes tradeflow can honour (PREFERRED would fall back to plain text in silence). */
export const SSL_MODES = ['DISABLED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const;
/** One of {@link SSL_MODES}. */
export type SslMode = (typeof SSL_MODES)[number];

/** Connection options of a MySQL database, from the URL's query or from flags of the same names. */
export interface MysqlOptions {
  readonly 'ssl-mode'?: string;
  readonly 'ssl-ca'?: string;
  readonly 'ssl-cert'?: string;
  readonly 'ssl-key'?: string;
  readonly socket?: string;
}

/** The names {@link MysqlOptions} has: the only query options a `mysql://` URL may carry. */
export const MYSQL_OPTION_NAMES = ['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key', 'socket'] as const;

/** A `mysql://` URL read: what mysql2 connects with, and how to show it. */
export interface MysqlUrl {
  readonly connection: ConnectionOptions;
  /** The URL for people: the password as ***, the options kept. */
  readonly display: string;
  readonly database: string;
}

const FORM = 'mysql://user@host:port/database';

/** `--db`'s value for a message: the password as ***, however malformed the URL. */
export function shownUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/*)([^/:@]*):(.*)@/i, (whole, scheme: string, user: string, secret: string) => (secret === '' ? whole : `${scheme}${user}:***@`));
}

function decoded(part: string, what: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RangeError(`Cannot use --db: the ${what} of "${shownUrl(url)}" has a malformed %-escape`);
  }
}

/**
 * Reads a `mysql://` URL with options given beside it (`flags`, which win over the query) and a
 * password given beside it (which wins over the URL's). RangeError naming --db, or the option.
 */
export function parseMysqlUrl(url: string, flags: MysqlOptions = {}, password?: string): MysqlUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`Cannot use --db: "${shownUrl(url)}" is not a ${FORM} URL`);
  }
  if (parsed.protocol !== 'mysql:' || !/^mysql:\/\/[^/]/i.test(url)) throw new RangeError(`Cannot use --db: "${shownUrl(url)}" is not a ${FORM} URL`);
  const database = decoded(parsed.pathname.slice(1), 'database', url);
  if (database === '') throw new RangeError(`Cannot use --db: the mysql:// URL names no database, e.g. mysql://root@127.0.0.1:3306/test`);
  const query: Record<string, string> = {};
  for (const [name, value] of parsed.searchParams) {
    if (!(MYSQL_OPTION_NAMES as readonly string[]).includes(name)) {
      // The value is not shown: a password put in the query would be.
      throw new RangeError(`Cannot use --db: unknown query option "${name}" (the options are ${MYSQL_OPTION_NAMES.join(', ')})`);
    }
    query[name] = value;
  }
  const options: MysqlOptions = { ...query, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const user = decoded(parsed.username, 'user', url) || 'root';
  const secret = password ?? decoded(parsed.password, 'password', url);
  const socket = options.socket;
  if (options['ssl-mode']?.toUpperCase() === 'VERIFY_IDENTITY' && isIP(parsed.hostname.replace(/^\[(.*)\]$/, '$1')) !== 0) {
    // mysql2 checks a certificate's names against a host name only, never against an address.
    throw new RangeError(`Cannot use ssl-mode=VERIFY_IDENTITY with the address ${parsed.hostname}: give the host name the server's certificate is made out to, or use VERIFY_CA`);
  }
  const connection: ConnectionOptions = {
    user,
    ...(secret !== '' && { password: secret }),
    database,
    ...(socket !== undefined && socket !== '' ? { socketPath: socket } : { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port === '' ? 3306 : Number(parsed.port) }),
    ...tlsOf(options),
  };
  const shownQuery = Object.entries(options).map(([name, value]) => `${name}=${value}`).join('&');
  const where = socket !== undefined && socket !== '' ? `localhost` : parsed.host;
  return { connection, database, display: `mysql://${user}${secret !== '' ? ':***' : ''}@${where}/${database}${shownQuery !== '' ? `?${shownQuery}` : ''}` };
}

function readPem(option: 'ssl-ca' | 'ssl-cert' | 'ssl-key', file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RangeError(`Cannot use ${option} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** mysql2's `ssl` for the options, as the `mysql` client reads them. */
function tlsOf(options: MysqlOptions): { ssl?: TlsOptions } {
  const given = options['ssl-mode']?.toUpperCase();
  if (given !== undefined && !(SSL_MODES as readonly string[]).includes(given)) {
    throw new RangeError(`Cannot use ssl-mode: expected ${SSL_MODES.join(', ')}, got "${options['ssl-mode']}"${given === 'PREFERRED' ? ' (PREFERRED would fall back to plain text without a word: pick REQUIRED or DISABLED)' : ''}`);
  }
  // As the mysql client: a CA given without a mode means the server's certificate is verified against it.
  const mode = (given ?? (options['ssl-ca'] !== undefined ? 'VERIFY_CA' : options['ssl-cert'] !== undefined ? 'REQUIRED' : 'DISABLED')) as SslMode;
  if (mode === 'DISABLED') {
    const stray = (['ssl-ca', 'ssl-cert', 'ssl-key'] as const).find((name) => options[name] !== undefined);
    if (stray !== undefined) throw new RangeError(`Cannot use ${stray}: ssl-mode is DISABLED`);
    return {};
  }
  if ((mode === 'VERIFY_CA' || mode === 'VERIFY_IDENTITY') && options['ssl-ca'] === undefined) {
    throw new RangeError(`Cannot use ssl-mode=${mode}: it needs ssl-ca, the CA that signed the server's certificate`);
  }
  if ((options['ssl-cert'] === undefined) !== (options['ssl-key'] === undefined)) {
    throw new RangeError(`Cannot use ${options['ssl-cert'] === undefined ? 'ssl-key' : 'ssl-cert'}: a client certificate needs both ssl-cert and ssl-key`);
  }
  return {
    ssl: {
      ...(options['ssl-ca'] !== undefined && { ca: readPem('ssl-ca', options['ssl-ca']) }),
      ...(options['ssl-cert'] !== undefined && { cert: readPem('ssl-cert', options['ssl-cert']) }),
      ...(options['ssl-key'] !== undefined && { key: readPem('ssl-key', options['ssl-key']) }),
      // REQUIRED: encrypted, the certificate not checked; VERIFY_CA: signed by the CA, any name;
      // VERIFY_IDENTITY: signed by the CA and made out to the host connected to.
      rejectUnauthorized: mode !== 'REQUIRED',
      verifyIdentity: mode === 'VERIFY_IDENTITY',
    },
  };
}
