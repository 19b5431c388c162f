import { existsSync } from 'node:fs';
import { checkZone, systemZone } from '../core/business-day.ts';
import { openDatabase, type DatabaseLocation } from '../db/connect.ts';
import { watchDatabase } from '../screen/database-watch.ts';
import { startScreen } from '../screen/screen-server.ts';
import { DB_CONNECTION_OPTIONS, readDatabase } from './db-options.ts';
import { naming } from './environment.ts';
import type { CommandIO } from './command-io.ts';
import { readJobFile, TABLES_CONFIG_OPTION, withTables } from './job-file.ts';
import { DISPLAY_OPTIONS, readDisplay } from './display-options.ts';
import { guardWarning, HTTP_GUARD_OPTIONS, readGuard } from './http-options.ts';
import { helpText, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';

const SCREEN_OPTIONS: readonly OptionSpec[] = [
  { name: 'db', type: 'string', value: 'URL', description: 'sqlite:PATH or mysql://user:pass@host:port/database', default: 'sqlite:./data/tradeflow.sqlite' },
  ...DB_CONNECTION_OPTIONS,
  TABLES_CONFIG_OPTION,
  { name: 'http-port', type: 'string', value: 'PORT', description: 'port of the screen (0: any free port)', default: '8080' },
  { name: 'http-host', type: 'string', value: 'HOST', description: 'address to listen on (0.0.0.0: every interface)', default: '127.0.0.1' },
  { name: 'timezone', type: 'string', value: 'ZONE', description: 'IANA zone of "today" (default: the system zone)' },
  ...HTTP_GUARD_OPTIONS,
  ...DISPLAY_OPTIONS,
];

/** `tradeflow screen`: the live sales screen of a table that another process fills, until Ctrl-C. */
export async function screenCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const options = readOptions('screen', args, SCREEN_OPTIONS, io.env);
  if (options.has('help')) {
    io.stdout(
      helpText(
        'tradeflow screen [--db URL] [--http-port 8080] [--http-host 127.0.0.1] [--timezone ZONE] [--locale en-US] [--currency CODE]',
        'Serves the live sales screen of trade_channel_collect and trade_channel_history (another process fills them)\nuntil Ctrl-C: the page at /, and /events, /api/snapshot, /api/day, /api/days, /metrics, /livez, /readyz (/healthz).',
        SCREEN_OPTIONS,
      ),
    );
    return 0;
  }
  const location = withTables(readDatabase(options, io), options.has('config') ? readJobFile(String(options.get('config'))) : undefined);
  const zone = checked(() => checkZone(String(options.get('timezone') ?? systemZone())));
  const port = wholeNumber('http-port', options.get('http-port'), 0) ?? 8080;
  if (port > 65535) throw new UsageError(`--http-port: expected a port from 0 to 65535, got "${port}"`);
  const host = String(options.get('http-host'));
  const display = readDisplay(options);
  const guard = readGuard(options);

  const sqliteFile = location.client === 'better-sqlite3' ? (location.config.connection as { filename: string }).filename : undefined;
  if (sqliteFile !== undefined && sqliteFile !== ':memory:' && !existsSync(sqliteFile)) {
    io.log.warn(`no SQLite file at ${location.display} yet: the screen says "database unreachable" until a run creates it`, { db: location.display });
  }
  const db = openDatabase(readOnly(location));
  const database = await watchDatabase(db);
  let screen;
  try {
    screen = await naming({ http: `--http-port ${port} (--http-host ${host})` }, () => startScreen({ db, zone, port, host, display, guard, status: () => ({ pipeline: 'none', database: database.state() }) }));
  } catch (error) {
    database.stop();
    await db.destroy();
    throw error;
  }
  io.log.info(`screen of ${location.display} at ${screen.url} (zone ${zone}); Ctrl-C stops`, { db: location.display, url: screen.url, zone });
  const warning = guardWarning(host, guard);
  if (warning !== undefined) io.log.warn(warning, { host });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  database.stop();
  await screen.close();
  await db.destroy();
  io.log.info('screen stopped');
  return 0;
}

/** The location opened read-only where the driver can (SQLite): the screen only reads. */
function readOnly(location: DatabaseLocation): DatabaseLocation {
  if (location.client !== 'better-sqlite3') return location;
  const connection = location.config.connection as { filename: string };
  if (connection.filename === ':memory:') return location;
  return { ...location, config: { ...location.config, connection: { ...connection, options: { readonly: true } } } };
}

function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
