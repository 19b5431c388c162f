import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { finished, runCli, SAMPLE, scratchDir, startCli, type CliResult } from '../support/cli.ts';
import { uniqueTopic } from '../support/kafka.ts';
import { waitFor } from '../support/result-rows.ts';
import { describeRequiring } from '../support/services.ts';
import {
  SASL_SSL, SCRAM_USER, SECURE_DB, dbPassword, freePort, scramPassword, secureDbPaths, secureKafkaPaths, secureStack, tlsPaths, useSecureSpecDatabase,
} from '../support/secure-stack.ts';

const requirement = await secureStack([SASL_SSL, SECURE_DB]);
const DAY = '2021-03-25';
/** A secret that is no one's password, for the malformed URLs and the wrong values; no six characters of it can stand in a name the specs make (`secret-` + random hex once held "cret-9"). */
const MADE_UP = 'Kn0wnPa55w0rdZqX';

/** Every run of six characters of the secret: none may appear anywhere. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 5 }, (_, i) => secret.slice(i, i + 6));
}

/** Asserts that no piece of any secret is in `text` (named `what` in the failure). */
function expectNoSecret(text: string, secrets: readonly string[], what: string): void {
  for (const secret of secrets) {
    for (const piece of [...pieces(secret), encodeURIComponent(secret)]) expect(text.includes(piece), `${what} shows "${piece}" of a secret`).toBe(false);
  }
}

/** The pages and endpoints a running screen serves, as one text. */
async function served(port: number): Promise<string> {
  const paths = ['/', '/page.js', '/metrics', '/healthz', '/api/snapshot', '/api/config', '/api/days', `/api/day?day=${DAY}`];
  const bodies = await Promise.all(paths.map(async (path) => `${path}\n${await (await fetch(`http://127.0.0.1:${port}${path}`)).text()}`));
  return bodies.join('\n');
}

describeRequiring(requirement, 'no secret in anything tradeflow prints, serves or stores', () => {
  const database = useSecureSpecDatabase();
  const tls = `ssl-mode=VERIFY_CA&ssl-ca=${tlsPaths.ca}`;

  it('shows no password of a malformed --db or TRADEFLOW_DB, for run, migrate and screen', async () => {
    const urls = [
      `mysql://app:${MADE_UP}@127.0.0.1:abc/db`, `MYSQL://app:${MADE_UP}@127.0.0.1:abc/db`, `mysql:/app:${MADE_UP}@127.0.0.1/db`,
      `mysql://app:${MADE_UP}@[::1/db`, `mysql://app:${MADE_UP}%zz@127.0.0.1/db`, `mysql://app:${MADE_UP}@127.0.0.1/db?ssl=true`,
      `mysql://app:${MADE_UP}@127.0.0.1/db?ssl-mode=PREFERRED`, `postgres://app:${MADE_UP}@127.0.0.1/db`,
    ];
    // Every form through run's --db; the first three also through TRADEFLOW_DB, migrate and screen
    // (one parser serves them all: spec/db/db-url.spec.ts tries 2,000 more forms).
    const cases = [
      ...urls.map((url) => ({ args: ['run', '--db', url], env: {} })),
      ...urls.slice(0, 3).flatMap((url) => [{ args: ['run'], env: { TRADEFLOW_DB: url } }, { args: ['migrate', '--db', url], env: {} }, { args: ['screen'], env: { TRADEFLOW_DB: url } }]),
    ];
    for (const { args, env } of cases) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^ERROR Cannot use (--db|ssl-mode)/);
      expectNoSecret(result.stdout + result.stderr, [MADE_UP], args.join(' '));
    }
  }, 120_000);

  it('shows no database password given in the URL, by TRADEFLOW_DB_PASSWORD or by file: not in output, pages, metrics, tables or the process title', async () => {
    const secret = dbPassword();
    const port = await freePort();
    const url = `${database.url.replace('tradeflow@', `tradeflow:${encodeURIComponent(secret)}@`)}?${tls}`;
    const run = startCli(['run', '--db', url, '--rate', '200', '--http-port', String(port), '--timezone', 'UTC']);
    const done = finished(run);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/snapshot`).then((r) => r.text())).includes('"paidOrders"'));
    const title = readFileSync(`/proc/${run.pid}/cmdline`, 'utf8');
    expect(title).toMatch(/^tradeflow run --db mysql:\/\/tradeflow:\*\*\*@127\.0\.0\.1:3307\//);
    const pages = await served(port);
    run.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(title, [secret], 'the process title');
    expectNoSecret(pages, [secret], 'the served pages');
    expectNoSecret(result.stdout + result.stderr, [secret], 'the run\'s output');

    const screenPort = await freePort();
    const screen = startCli(['screen', '--db', `${database.url}?${tls}`, '--http-port', String(screenPort)], { TRADEFLOW_DB_PASSWORD: secret });
    const screenDone = finished(screen);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${screenPort}/healthz`).then((r) => r.ok)));
    const screenPages = await served(screenPort);
    screen.kill('SIGTERM');
    const screenResult = await screenDone;
    expectNoSecret(screenPages + screenResult.stdout + screenResult.stderr, [secret], 'the screen');

    const outputs: CliResult[] = [
      await runCli(['run', '--source', `file:${SAMPLE}`, '--as-of', `${DAY} 12:03:00`, '--db', `${database.url}?${tls}`, '--db-password-file', secureDbPaths.password]),
      await runCli(['migrate', '--db', `${database.url}?${tls}`], { TRADEFLOW_DB_PASSWORD: secret }),
      await runCli(['migrate', '--db', `${database.url}?${tls}`], { TRADEFLOW_DB_PASSWORD: MADE_UP }), // refused: its line names the user only
      await runCli(['migrate', '--db', `${database.url}?${tls}`, '--db-password-file', secureDbPaths.password], { TRADEFLOW_DEBUG: '1' }),
    ];
    expect(outputs.map((o) => o.code)).toEqual([0, 0, 3, 0]);
    for (const output of outputs) expectNoSecret(output.stdout + output.stderr, [secret, MADE_UP], 'a command\'s output');
    expectNoSecret(await storedText(), [secret, MADE_UP], 'the tables');
  }, 120_000);

  it('shows no SASL password from --kafka-config or -X, right or wrong, for topic, produce and run, nor in the tables or the process title', async () => {
    const secret = scramPassword();
    const topic = uniqueTopic('secret');
    const file = ['--kafka-config', secureKafkaPaths.saslProperties];
    const flags = ['--brokers', `127.0.0.1:${SASL_SSL.port}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', `sasl.username=${SCRAM_USER}`, '-X', `ssl.ca.location=${tlsPaths.ca}`];
    const poison = join(scratchDir(), 'orders.jsonl');
    // A reject keeps its message: one that quotes nothing secret, so any secret found in the table came from tradeflow.
    writeFileSync(poison, `${readFileSync(SAMPLE, 'utf8')}not json\n`);
    const outputs: CliResult[] = [
      await runCli(['topic', 'create', '--topic', topic, ...file]),
      await runCli(['produce', '--topic', topic, '--file', poison, ...flags, '-X', `sasl.password=${secret}`]),
      await runCli(['topic', 'create', '--topic', topic, ...flags, `-Xsasl.password=${MADE_UP}`]),
      await runCli(['produce', '--topic', topic, '--file', SAMPLE, ...file, '-X', `ssl.key.password=${MADE_UP}`]),
    ];
    expect(outputs.map((o) => o.code)).toEqual([0, 0, 3, 0]);
    const port = await freePort();
    const run = startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', ...flags, '-X', `sasl.password=${secret}`,
      '--db', `${database.url}?${tls}`, '--db-password-file', secureDbPaths.password, '--as-of', `${DAY} 12:03:00`, '--http-port', String(port)]);
    const done = finished(run);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())).includes('tradeflow'));
    const title = readFileSync(`/proc/${run.pid}/cmdline`, 'utf8');
    expect(title).toContain('-X sasl.password=***');
    const pages = await served(port);
    run.kill('SIGTERM');
    outputs.push(await done);
    for (const output of outputs) expectNoSecret(output.stdout + output.stderr, [secret, MADE_UP], 'a command\'s output');
    expectNoSecret(title, [secret], 'the process title');
    expectNoSecret(pages, [secret], 'the served pages');
    expectNoSecret(await storedText(), [secret, dbPassword(), MADE_UP], 'the tables');
  }, 120_000);

  /** Every row of every table of the spec's database, as text. */
  async function storedText(): Promise<string> {
    const db = database.open();
    const tables = (await db('information_schema.TABLES').select({ name: 'TABLE_NAME' }).where({ TABLE_SCHEMA: database.name })) as { name: string }[];
    expect(tables.length).toBeGreaterThan(0);
    const rows = await Promise.all(tables.map(async ({ name }) => JSON.stringify(await db(name).select())));
    return rows.join('\n');
  }
});
