import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, SAMPLE, scratchDir } from '../support/cli.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';
import { describeRequiring } from '../support/services.ts';
import { SECURE_DB, dbPassword, secureDbPaths, secureStack, tlsPaths, useSecureSpecDatabase } from '../support/secure-stack.ts';

const DAY = '2021-03-25';
const requirement = await secureStack([SECURE_DB]);

describeRequiring(requirement, 'tradeflow into a TLS-only MariaDB (require_secure_transport=ON) with a password', () => {
  const database = useSecureSpecDatabase();
  const sample = ['run', '--source', `file:${SAMPLE}`, '--as-of', `${DAY} 12:03:00`];

  it('writes the tutorial sample with ssl-mode=VERIFY_CA and the password from a file, giving the documented table', async () => {
    const result = await runCli([...sample, '--db', `${database.url}?ssl-mode=VERIFY_CA&ssl-ca=${tlsPaths.ca}`, '--db-password-file', secureDbPaths.password]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`-> ${database.url.replace('tradeflow@', 'tradeflow:***@')}?ssl-mode=VERIFY_CA&ssl-ca=${tlsPaths.ca} (`);
    const [rows] = (await database.open().raw(RESULT_SQL)) as [Record<string, unknown>[]];
    expect(rows.map((row) => ({ ...row }))).toEqual(SAMPLE_DAY);
  }, 60_000);

  it('takes the TLS options as flags and the password from TRADEFLOW_DB_PASSWORD, and checks the host name with VERIFY_IDENTITY', async () => {
    const byName = database.url.replace('127.0.0.1', 'localhost');
    const flags = await runCli(['migrate', '--db', byName, '--ssl-mode', 'VERIFY_IDENTITY', '--ssl-ca', tlsPaths.ca], { TRADEFLOW_DB_PASSWORD: dbPassword() });
    expect(flags.code, flags.stderr).toBe(0);
    expect(flags.stdout).toMatch(/tables up to date/);
    // mysql2 checks names, not addresses: VERIFY_IDENTITY with an address would check nothing.
    const byAddress = await runCli(['migrate', '--db', database.url, '--ssl-mode', 'VERIFY_IDENTITY', '--ssl-ca', tlsPaths.ca], { TRADEFLOW_DB_PASSWORD: dbPassword() });
    expect(byAddress.code).toBe(2);
    expect(byAddress.stderr).toBe('ERROR Cannot use ssl-mode=VERIFY_IDENTITY with the address 127.0.0.1: give the host name the server\'s certificate is made out to, or use VERIFY_CA\n');
  }, 60_000);

  it('says in one line that a connection without TLS is refused, and that a wrong password is', async () => {
    for (const [args, env] of [
      [['--db', database.url, '--db-password-file', secureDbPaths.password], {}],
      [['--db', `${database.url}?ssl-mode=VERIFY_CA&ssl-ca=${tlsPaths.ca}`], { TRADEFLOW_DB_PASSWORD: 'not-the-password' }],
    ] as const) {
      const started = Date.now();
      const result = await runCli([...sample, ...args], env);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/^FATAL --db mysql:\/\/\S+: Cannot connect to MySQL: Access denied for user 'tradeflow'@'127\.0\.0\.1' \(using password: YES\) \(check the user and the password; a server with require_secure_transport=ON also answers so to a connection without TLS: add \?ssl-mode=VERIFY_CA&ssl-ca=FILE\)\n$/);
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  }, 60_000);

  it('says in one line that the server\'s certificate is not signed by the given CA', async () => {
    const result = await runCli([...sample, '--db', `${database.url}?ssl-ca=${tlsPaths.otherCa}`, '--db-password-file', secureDbPaths.password]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^FATAL --db mysql:\/\/\S+: Cannot connect to MySQL over TLS: the server's certificate is not verified: self-signed certificate in certificate chain \(check ssl-ca: the CA that signed it\)\n$/);
  }, 60_000);

  it('reads only the first line of the password file, so that a file with a newline at its end works', async () => {
    const file = join(scratchDir(), 'password');
    writeFileSync(file, `${dbPassword()}\r\n`);
    const result = await runCli(['migrate', '--db', `${database.url}?ssl-mode=REQUIRED`, '--db-password-file', file]);
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);
});
