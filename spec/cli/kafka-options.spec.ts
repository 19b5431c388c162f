import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir } from '../support/cli.ts';

/** A port nothing answers on: these refusals come before any connection. */
const NOBODY = ['--brokers', '127.0.0.1:1'];

describe('Kafka client properties on the command line (-X, --kafka-config)', () => {
  it.each([
    [['-X', 'foo.bar=1'], 'ERROR Cannot use -X foo.bar: librdkafka has no property foo.bar'],
    [['-X', 'linger.ms=soon'], 'ERROR Cannot use -X linger.ms: librdkafka refuses the value "soon" of linger.ms'],
    [['-X', 'security.protocol=TLS'], 'ERROR Cannot use -X security.protocol: librdkafka refuses the value "TLS" of security.protocol'],
    [['-X', 'group.id=mine'], 'ERROR Cannot use -X group.id: tradeflow sets group.id itself (use --group)'],
    [['-X', 'dr_cb=true'], 'ERROR Cannot use -X dr_cb: dr_cb is a callback, tradeflow sets the callbacks itself'],
    [['-X', 'sasl.password'], 'ERROR Cannot use -X: expected key=value, e.g. -X security.protocol=SASL_SSL'],
    [['-X'], 'ERROR -X needs a value, e.g. -X security.protocol=SASL_SSL'],
    [['-X', 'ssl.ca.location=/no/such/ca.pem'], 'ERROR Cannot use -X ssl.ca.location: no such file /no/such/ca.pem'],
    [['--kafka-config', '/no/such.properties'], 'ERROR Cannot use --kafka-config /no/such.properties: no such file'],
  ])('refuses %j for run, produce and topic in one line naming it, with exit 2', async (args, line) => {
    for (const command of [['run', '--source', 'kafka'], ['produce', '--file', 'spec/fixtures/orders-sample.jsonl'], ['topic', 'create']]) {
      const result = await runCli([...command, ...NOBODY, ...args]);
      expect(result.stderr).toBe(`${line}\n`);
      expect(result.code).toBe(2);
    }
  }, 60_000);

  it('names a Java client property and says what librdkafka takes instead, without its value (it holds the password)', async () => {
    const result = await runCli(['topic', 'create', ...NOBODY, '-X', 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="JAASSECRET";']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ERROR Cannot use -X sasl.jaas.config: librdkafka refuses the value of sasl.jaas.config \(Java JAAS configuration is not supported/);
    expect(result.stderr).not.toContain('JAASSECRET');
  });

  it('names the file and the line number of a line that is not key=value, not the line (it may be a secret)', async () => {
    const file = join(scratchDir(), 'client.properties');
    writeFileSync(file, '# a comment\nsecurity.protocol=SASL_SSL\n\nhunter2hunter2\n');
    const result = await runCli(['produce', '--file', 'spec/fixtures/orders-sample.jsonl', ...NOBODY, '--kafka-config', file]);
    expect(result.stderr).toBe(`ERROR Cannot use --kafka-config ${file}: line 4 is not key=value\n`);
    expect(result.code).toBe(2);
  });

  it('takes bootstrap.servers of the file for --brokers, and refuses both at once', async () => {
    const file = join(scratchDir(), 'client.properties');
    writeFileSync(file, 'bootstrap.servers=127.0.0.1:1\n');
    const both = await runCli(['topic', 'create', '--brokers', '127.0.0.1:2', '--kafka-config', file]);
    expect(both.stderr).toBe(`ERROR Cannot use --kafka-config ${file}: bootstrap.servers and --brokers both name the brokers; give one of them\n`);
    expect(both.code).toBe(2);
  });

  it('refuses -X and --kafka-config for a run that does not read Kafka', async () => {
    const result = await runCli(['run', '--source', 'simulator', '-X', 'client.id=x']);
    expect(result.stderr).toBe('ERROR -X: only with --source kafka\n');
    expect(result.code).toBe(2);
  });

  it('says in --help which properties tradeflow sets, which a user may override, and the precedence', async () => {
    for (const command of [['run'], ['produce'], ['topic', 'create']]) {
      const { stdout, code } = await runCli([...command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain('-X key=value');
      expect(stdout).toContain('--kafka-config FILE');
      expect(stdout).toContain('env TRADEFLOW_KAFKA_CONFIG');
      expect(stdout).toContain('Precedence: tradeflow\'s settings < --kafka-config FILE < -X.');
      expect(stdout).toMatch(/you may override: client\.id, socket\.keepalive\.enable/);
      expect(stdout).toMatch(/refuses from you:\n\s+group\.id\s+use --group/);
    }
  }, 30_000);

  it('hints at -X security.protocol when --brokers carries a scheme', async () => {
    const result = await runCli(['run', '--source', 'kafka', '--brokers', 'SASL_SSL://broker.example:9092']);
    expect(result.stderr).toBe('ERROR --brokers: expected host:port[,host:port], got "SASL_SSL://broker.example:9092" (no scheme: TLS and SASL are set with -X security.protocol=SASL_SSL or --kafka-config FILE)\n');
    expect(result.code).toBe(2);
  });
});
