/** `--db` and what goes beside it: TLS and socket flags named as the `mysql` client's, and the password kept out of the URL. */
import { readFileSync } from 'node:fs';
import { parseDatabase, type DatabaseLocation } from '../db/connect.ts';
import { MYSQL_OPTION_NAMES, type MysqlOptions } from '../db/db-url.ts';
import type { Secrets } from './secrets.ts';
import { UsageError, type OptionSpec } from './options.ts';

/** The flags of a MySQL connection beside --db; each wins over the URL's query option of the same name. */
export const DB_CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { name: 'db-password-file', type: 'string', value: 'FILE', description: 'mysql: the password, the file\'s first line (wins over TRADEFLOW_DB_PASSWORD, which wins over the URL\'s)' },
  { name: 'ssl-mode', type: 'string', value: 'MODE', description: 'mysql: DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, as the mysql client (default: VERIFY_CA with --ssl-ca, else DISABLED); also ?ssl-mode= in the URL' },
  { name: 'ssl-ca', type: 'string', value: 'FILE', description: 'mysql: the CA (PEM) that signed the server\'s certificate; also ?ssl-ca=' },
  { name: 'ssl-cert', type: 'string', value: 'FILE', description: 'mysql: a client certificate (PEM); also ?ssl-cert=' },
  { name: 'ssl-key', type: 'string', value: 'FILE', description: 'mysql: its key (PEM); also ?ssl-key=' },
  { name: 'socket', type: 'string', value: 'PATH', description: 'mysql: a unix socket instead of host:port; also ?socket=' },
];

/** The database of `--db` with its flags and password; UsageError naming the flag, file or option. Secrets go to io.secrets. */
export function readDatabase(options: ReadonlyMap<string, string | boolean>, io: { readonly env: NodeJS.ProcessEnv; readonly secrets?: Secrets | undefined }): DatabaseLocation {
  const url = String(options.get('db'));
  const flags: MysqlOptions = Object.fromEntries(MYSQL_OPTION_NAMES.flatMap((name) => (options.has(name) ? [[name, String(options.get(name))]] : [])));
  let password: string | undefined;
  const file = options.get('db-password-file');
  if (file !== undefined) {
    try {
      password = readFileSync(String(file), 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (error) {
      throw new UsageError(`Cannot use --db-password-file ${String(file)}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  } else if ((io.env.TRADEFLOW_DB_PASSWORD ?? '') !== '') password = io.env.TRADEFLOW_DB_PASSWORD;
  if (password !== undefined) io.secrets?.add(password);
  const isMysql = /^mysql:/i.test(url);
  if (!isMysql) {
    const stray = [...MYSQL_OPTION_NAMES, 'db-password-file'].find((name) => options.has(name));
    if (stray !== undefined) throw new UsageError(`--${stray}: only with a mysql:// --db`);
  }
  try {
    const location = parseDatabase(url, flags, password);
    const secret = (location.config.connection as { password?: string }).password;
    if (secret !== undefined) io.secrets?.add(secret);
    return location;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
