import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDatabase } from '../../src/db/connect.ts';
import { parseMysqlUrl, shownUrl } from '../../src/db/db-url.ts';
import { redactedCommandLine } from '../../src/cli/secrets.ts';

const CA = new URL('../fixtures/orders-sample.jsonl', import.meta.url).pathname; // any readable file stands for a PEM here

describe('a mysql:// URL as MySQL users write it', () => {
  it('keeps TLS options of the query, named as the mysql client names them, and shows the password as ***', () => {
    const { connection, display } = parseMysqlUrl(`mysql://app:s3cret@db.example:3307/dli-demo?ssl-mode=VERIFY_IDENTITY&ssl-ca=${CA}`);
    expect(connection).toMatchObject({ host: 'db.example', port: 3307, user: 'app', password: 's3cret', database: 'dli-demo', ssl: { rejectUnauthorized: true, verifyIdentity: true } });
    expect(display).toBe(`mysql://app:***@db.example:3307/dli-demo?ssl-mode=VERIFY_IDENTITY&ssl-ca=${CA}`);
  });

  it('reads REQUIRED as encrypted without a check of the certificate, VERIFY_CA as a check of the CA only, and a lone ssl-ca as VERIFY_CA', () => {
    expect(parseMysqlUrl('mysql://app@h/d?ssl-mode=REQUIRED').connection.ssl).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(parseMysqlUrl(`mysql://app@h/d?ssl-mode=verify_ca&ssl-ca=${CA}`).connection.ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: false });
    expect(parseMysqlUrl(`mysql://app@h/d?ssl-ca=${CA}`).connection.ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: false });
    expect(parseMysqlUrl('mysql://app@h/d').connection.ssl).toBeUndefined();
  });

  it('lets a flag win over the query and a given password win over the URL\'s', () => {
    const { connection } = parseMysqlUrl('mysql://app:old@h/d?ssl-mode=DISABLED', { 'ssl-mode': 'REQUIRED' }, 'new');
    expect(connection).toMatchObject({ password: 'new', ssl: { rejectUnauthorized: false } });
  });

  it('connects through a unix socket given as ?socket=', () => {
    const { connection, display } = parseMysqlUrl('mysql://root@localhost/test?socket=/run/mysqld/mysqld.sock');
    expect(connection).toMatchObject({ socketPath: '/run/mysqld/mysqld.sock', user: 'root', database: 'test' });
    expect(connection).not.toHaveProperty('host');
    expect(display).toBe('mysql://root@localhost/test?socket=/run/mysqld/mysqld.sock');
  });

  it.each([
    ['mysql://app@db.example/dli-demo?ssl=true', 'Cannot use --db: unknown query option "ssl" (the options are ssl-mode, ssl-ca, ssl-cert, ssl-key, socket)'],
    ['mysql://app@h/d?socketPath=/tmp/s', 'Cannot use --db: unknown query option "socketPath" (the options are ssl-mode, ssl-ca, ssl-cert, ssl-key, socket)'],
    ['mysql://app@h/d?password=hunter22', 'Cannot use --db: unknown query option "password" (the options are ssl-mode, ssl-ca, ssl-cert, ssl-key, socket)'],
    ['mysql://app@h/d?ssl-mode=PREFERRED', 'Cannot use ssl-mode: expected DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY, got "PREFERRED" (PREFERRED would fall back to plain text without a word: pick REQUIRED or DISABLED)'],
    ['mysql://app@h/d?ssl-mode=VERIFY_CA', 'Cannot use ssl-mode=VERIFY_CA: it needs ssl-ca, the CA that signed the server\'s certificate'],
    ['mysql://app@h/d?ssl-mode=DISABLED&ssl-ca=/x', 'Cannot use ssl-ca: ssl-mode is DISABLED'],
    ['mysql://app@h/d?ssl-ca=/no/such/ca.pem', 'Cannot use ssl-ca /no/such/ca.pem: no such file'],
    [`mysql://app@h/d?ssl-mode=REQUIRED&ssl-cert=${CA}`, 'Cannot use ssl-cert: a client certificate needs both ssl-cert and ssl-key'],
  ])('refuses %s in one line naming the option, never dropping it', (url, message) => {
    expect(() => parseMysqlUrl(url)).toThrow(message);
  });

  it.each([
    'mysql://app:TOPSECRET@127.0.0.1:abc/db',
    'MYSQL://app:TOPSECRET@127.0.0.1:abc/db',
    'mysql:/app:TOPSECRET@127.0.0.1/db',
    'mysql:app:TOPSECRET@127.0.0.1/db',
    'mysql://app:TOPSECRET@[::1/db',
    'mysql://app:TOP%zzSECRET@127.0.0.1/db',
    'mysql://app:TOP/SECRET@127.0.0.1/db',
    'mysql://app:TOPSECRET@127.0.0.1',
    'mysqlx://app:TOPSECRET@127.0.0.1/db',
  ])('names --db without the password for the malformed %s', (url) => {
    let message = '';
    try {
      parseDatabase(url);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Cannot use --db: /);
    expect(message).not.toMatch(/TOP|SECRET/);
  });

  it('never shows any byte run of a password in a message about a malformed URL (property)', () => {
    // Six plain characters to look for, then anything a password may hold, escaped or not.
    const plain = fc.string({ unit: fc.constantFrom(...'abcXYZ0189'.split('')), minLength: 6, maxLength: 6 });
    const tail = fc.string({ unit: fc.constantFrom(...'abcXYZ0189!$&\'()*+,;=%:@/?#[]~-._ '.split('')), maxLength: 18 });
    const password = fc.tuple(plain, tail).map(([a, b]) => a + b);
    const broken = fc.constantFrom('127.0.0.1:abc/db', '[::1/db', 'h:99999/db', 'h/', 'h:1/%zz', '');
    const scheme = fc.constantFrom('mysql://', 'MYSQL://', 'mysql:/', 'mysql:', 'Mysql://');
    fc.assert(fc.property(scheme, password, broken, (s, p, rest) => {
      const url = `${s}app:${p}@${rest}`;
      let message = '';
      try {
        parseDatabase(url);
      } catch (error) {
        message = (error as Error).message;
      }
      // The password's first six characters, which the generator keeps plain, never appear.
      return !message.includes(p.slice(0, 6)) && !redactedCommandLine(['run', '--db', url]).includes(p.slice(0, 6)) && !redactedCommandLine([`--db=${url}`]).includes(p.slice(0, 6)) && !shownUrl(url).includes(p.slice(0, 6));
    }), { numRuns: 2000 });
  });
});
