import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { finished, runCli, SAMPLE, scratchDir, startCli, type CliResult } from '../support/cli.ts';
import { waitFor } from '../support/result-rows.ts';
import { uniqueTopic } from '../support/kafka.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';
import { describeRequiring } from '../support/services.ts';
import { MTLS, SASL_SSL, SCRAM_USER, SECURE_DB, scramPassword, secureDbPaths, secureKafkaPaths, secureStack, tlsPaths, useSecureSpecDatabase } from '../support/secure-stack.ts';

const DAY = '2021-03-25';
const requirement = await secureStack([SASL_SSL, MTLS, SECURE_DB]);

/** Runs a command and how long it took, in ms. */
async function timed(args: readonly string[]): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const result = await runCli(args);
  return { ...result, ms: Date.now() - started };
}

/** Resolves when the child's stderr has said every one of `patterns` (from its start); rejects with what it said if it exits first. */
function untilSaid(child: ChildProcess, ...patterns: RegExp[]): Promise<void> {
  let said = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (patterns.every((pattern) => pattern.test(said))) resolve();
    });
    child.once('exit', () => reject(new Error(`Cannot wait for ${patterns.join(', ')}: the run exited; it said:\n${said}`)));
  });
}

/** The failure bound the README states for a cause no retry mends (the first attempt, plus start-up on a busy machine). */
const DEFINITIVE_BOUND_MS = 10_000;

describeRequiring(requirement, 'tradeflow through a secured Kafka (SASL_SSL with SCRAM-SHA-512, mTLS)', () => {
  const database = useSecureSpecDatabase();

  it('creates the topic, produces the tutorial sample and runs it through SASL_SSL into the TLS-only MariaDB, giving the documented table', async () => {
    const topic = uniqueTopic('sasl');
    const config = ['--kafka-config', secureKafkaPaths.saslProperties];
    const created = await runCli(['topic', 'create', '--topic', topic, ...config]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(`created topic ${topic} with 1 partition(s)\n`);
    const produced = await runCli(['produce', '--topic', topic, '--file', SAMPLE, ...config]);
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stdout).toMatch(/^produced 11 messages/);
    const url = `${database.url}?ssl-mode=VERIFY_CA&ssl-ca=${tlsPaths.ca}`;
    const result = await runCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--exit-at-end', ...config,
      '--db', url, '--db-password-file', secureDbPaths.password, '--as-of', `${DAY} 12:03:00`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 /m);
    const db = database.open();
    const [rows] = (await db.raw(RESULT_SQL)) as [Record<string, unknown>[]];
    expect(rows.map((row) => ({ ...row }))).toEqual(SAMPLE_DAY);
  }, 90_000);

  it('runs both stages of a scaled-out run through SASL_SSL, their replays after a restart included, giving the documented table', async () => {
    const topic = uniqueTopic('sasl-stages');
    const config = ['--kafka-config', secureKafkaPaths.saslProperties];
    expect((await runCli(['topic', 'create', '--topic', topic, '--partitions', '2', '--stages-of', topic, ...config])).code).toBe(0);
    expect((await runCli(['produce', '--topic', topic, '--file', SAMPLE, ...config])).code).toBe(0);
    const args = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--stage', 'both', '--instance-id', 'a', ...config,
      '--db', `${database.url}?ssl-ca=${tlsPaths.ca}`, '--db-password-file', secureDbPaths.password, '--as-of', `${DAY} 12:03:00`];
    const db = database.open();
    const rows = async (): Promise<Record<string, unknown>[]> => ((await db.raw(RESULT_SQL)) as [Record<string, unknown>[]])[0].map((row) => ({ ...row }));
    await db.raw('DELETE FROM trade_channel_collect').catch(() => undefined); // the first spec's rows, if it ran
    const first = startCli(args);
    const firstDone = finished(first);
    await waitFor(async () => JSON.stringify(await rows().catch(() => [])) === JSON.stringify(SAMPLE_DAY), 60_000);
    first.kill('SIGTERM');
    expect((await firstDone).code).toBe(0);
    // The restart restores both stages' states from the snapshots their clean stop saved (read
    // back through SASL_SSL and the TLS-only MariaDB), reading nothing of the logs again.
    const second = startCli(args);
    const secondDone = finished(second);
    await untilSaid(second, /aggregate stage owns .* state rebuilt from 0 messages/, /dedupe stage owns .* state rebuilt from 0 messages/);
    second.kill('SIGTERM');
    const stopped = await secondDone;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/restored \S+ partition \d from snapshot at offset \d+ \([\d,]+ orders\), replayed 0 messages/);
    expect(stopped.stderr).toMatch(/restored \S+-changes partition \d from snapshot at offset \d+ \([\d,]+ groups?\), replayed 0 messages/);
    // Without snapshots, both rebuild from their logs: the replays' clients, made deep in a rebalance, through SASL_SSL.
    const third = startCli([...args, '--snapshot-interval', '0']);
    const thirdDone = finished(third);
    await untilSaid(third, /aggregate stage owns .* state rebuilt from 4 messages/, /dedupe stage owns .* state rebuilt from 11 messages/);
    third.kill('SIGTERM');
    const replayed = await thirdDone;
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(await rows()).toEqual(SAMPLE_DAY);
  }, 120_000);

  it('produces and reads through the mTLS listener with a client certificate, and is refused without one', async () => {
    const topic = uniqueTopic('mtls');
    const config = ['--kafka-config', secureKafkaPaths.mtlsProperties];
    expect((await runCli(['topic', 'create', '--topic', topic, ...config])).code).toBe(0);
    expect((await runCli(['produce', '--topic', topic, '--file', SAMPLE, ...config])).code).toBe(0);
    const db = join(scratchDir(), 'mtls.sqlite');
    const result = await runCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--startup', 'earliest', '--exit-at-end', ...config, '--db', `sqlite:${db}`, '--as-of', `${DAY} 12:03:00`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^read 11 \| rejected 0 \| filtered 2 /m);

    const withoutCertificate = await timed(['topic', 'create', '--topic', topic, '--brokers', `127.0.0.1:${MTLS.port}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${tlsPaths.ca}`]);
    expect(withoutCertificate.code).toBe(3);
    expect(withoutCertificate.stderr.trim().split('\n')).toHaveLength(1);
    expect(withoutCertificate.stderr).toMatch(/^FATAL Cannot connect to Kafka at 127\.0\.0\.1:9095: .*alert bad certificate/);
  }, 90_000);

  it('connects with SASL PLAIN over TLS as Confluent Cloud\'s API keys do, and names a wrong secret', async () => {
    const topic = uniqueTopic('plain');
    const config = ['--kafka-config', secureKafkaPaths.saslProperties, '-X', 'sasl.mechanisms=PLAIN'];
    const created = await runCli(['topic', 'create', '--topic', topic, ...config]);
    expect(created.code, created.stderr).toBe(0);
    expect((await runCli(['produce', '--topic', topic, '--file', SAMPLE, ...config])).code).toBe(0);
    const wrong = await timed(['topic', 'create', '--topic', topic, ...config, '-X', 'sasl.password=not-the-secret']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe('FATAL Cannot connect to Kafka at 127.0.0.1:9094: SASL authentication error: Authentication failed: Invalid username or password (check sasl.username and sasl.password)\n');
    expect(wrong.ms).toBeLessThan(DEFINITIVE_BOUND_MS);
  }, 60_000);

  it('takes the properties from -X alone, and lets -X win over the file in both directions', async () => {
    const topic = uniqueTopic('props');
    const alone = await runCli(['topic', 'create', '--topic', topic, '--brokers', `127.0.0.1:${SASL_SSL.port}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512',
      '-X', `sasl.username=${SCRAM_USER}`, `-Xsasl.password=${scramPassword()}`, '-X', `ssl.ca.location=${tlsPaths.ca}`]);
    expect(alone.stderr).toBe('');
    expect(alone.code).toBe(0);

    const wrongInFile = join(scratchDir(), 'wrong.properties');
    writeFileSync(wrongInFile, `bootstrap.servers=127.0.0.1:${SASL_SSL.port}\nsecurity.protocol=SASL_SSL\nsasl.mechanisms=SCRAM-SHA-512\nsasl.username=${SCRAM_USER}\nsasl.password=not-the-password\nssl.ca.location=${tlsPaths.ca}\n`);
    const rightOnTop = await runCli(['topic', 'create', '--topic', topic, '--kafka-config', wrongInFile, '-X', `sasl.password=${scramPassword()}`]);
    expect(rightOnTop.stdout).toBe(`topic ${topic} already exists, with 1 partition(s)\n`);
    const wrongOnTop = await runCli(['topic', 'create', '--topic', topic, '--kafka-config', secureKafkaPaths.saslProperties, '-X', 'sasl.password=not-the-password']);
    expect(wrongOnTop.code).toBe(3);
    expect(wrongOnTop.stderr).toMatch(/invalid credentials/);
    // Through the environment as well, as a container would set it.
    const fromEnv = await runCli(['topic', 'create', '--topic', topic], { TRADEFLOW_KAFKA_CONFIG: secureKafkaPaths.saslProperties });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  }, 90_000);

  it('ends a run with a wrong password in one line naming it, with a non-zero exit, within the stated bound', async () => {
    const topic = uniqueTopic('wrong-password');
    for (const args of [
      ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', `sqlite:${join(scratchDir(), 'x.sqlite')}`],
      ['produce', '--topic', topic, '--file', SAMPLE],
      ['topic', 'create', '--topic', topic],
    ]) {
      const result = await timed([...args, '--kafka-config', secureKafkaPaths.saslProperties, '-X', 'sasl.password=not-the-password']);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe('FATAL Cannot connect to Kafka at 127.0.0.1:9094: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (check sasl.username and sasl.password)\n');
      expect(result.ms).toBeLessThan(DEFINITIVE_BOUND_MS);
    }
  }, 90_000);

  it('ends a run with a CA that did not sign the broker\'s certificate, and with a mechanism the listener lacks, in one line each within the stated bound', async () => {
    const topic = uniqueTopic('wrong-ca');
    const run = ['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--db', `sqlite:${join(scratchDir(), 'x.sqlite')}`, '--kafka-config', secureKafkaPaths.saslProperties];
    const wrongCa = await timed([...run, '-X', `ssl.ca.location=${tlsPaths.otherCa}`]);
    expect(wrongCa.code).toBe(3);
    expect(wrongCa.stderr).toMatch(/^FATAL Cannot connect to Kafka at 127\.0\.0\.1:9094: .*certificate verify failed.*\(check ssl\.ca\.location: the CA that signed the broker's certificate\)\n$/);
    expect(wrongCa.ms).toBeLessThan(DEFINITIVE_BOUND_MS);

    const oauth = await timed([...run, '-X', 'sasl.mechanisms=OAUTHBEARER', '-X', 'enable.sasl.oauthbearer.unsecure.jwt=true', '-X', 'sasl.oauthbearer.config=principal=shop']);
    expect(oauth.code).toBe(3);
    expect(oauth.stderr).toBe('FATAL Cannot connect to Kafka at 127.0.0.1:9094: SASL OAUTHBEARER mechanism handshake failed: Broker: Unsupported SASL mechanism: broker\'s supported mechanisms: SCRAM-SHA-512,PLAIN (check sasl.mechanisms)\n');
    expect(oauth.ms).toBeLessThan(DEFINITIVE_BOUND_MS);

    const unknown = await timed([...run, '-X', 'sasl.mechanisms=SCRAM-SHA-1024']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe('FATAL Cannot connect to Kafka at 127.0.0.1:9094: Unsupported hash function: SCRAM-SHA-1024 (try SCRAM-SHA-512)\n');
    const nonsense = await timed([...run, '-X', 'sasl.mechanisms=KERBEROS-PLEASE']);
    expect(nonsense.code).toBe(3);
    expect(nonsense.stderr).toBe('FATAL Cannot connect to Kafka at 127.0.0.1:9094: Unsupported SASL mechanism: KERBEROS-PLEASE\n');
  }, 90_000);

  it('ends a plaintext client at a TLS listener after the 15 s bound with the likely cause named', async () => {
    const result = await timed(['topic', 'create', '--topic', uniqueTopic('plain'), '--brokers', `127.0.0.1:${SASL_SSL.port}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^FATAL Cannot connect to Kafka at 127\.0\.0\.1:9094 within 15 s: .*\(a TLS or SASL listener\? set security\.protocol\)\n$/);
    expect(result.ms).toBeLessThan(15_000 + DEFINITIVE_BOUND_MS);
  }, 60_000);
});
