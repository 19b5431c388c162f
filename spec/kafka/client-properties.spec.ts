import { describe, expect, it } from 'vitest';
import { clientConfig, withKafkaProperties } from '../../src/kafka/client.ts';
import { checkProperties, describeProperties, isSecretProperty, parseAssignment, parsePropertiesFile } from '../../src/kafka/client-properties.ts';
import { createSecrets, redactedCommandLine } from '../../src/cli/secrets.ts';

describe('Kafka client properties', () => {
  it('reads a librdkafka properties file: comments, blank lines, a byte order mark, CRLF, = in values', () => {
    const text = '\uFEFF# Confluent Cloud\r\nbootstrap.servers = pkc-1.example:9092\r\n\r\n! old style comment\r\nsasl.password=a=b==\r\n';
    expect([...parsePropertiesFile(text, 'x.properties')]).toEqual([['bootstrap.servers', 'pkc-1.example:9092'], ['sasl.password', 'a=b==']]);
  });

  it('reads -X key=value with = in the value', () => {
    expect(parseAssignment('sasl.oauthbearer.config=principal=shop scope=a')).toEqual(['sasl.oauthbearer.config', 'principal=shop scope=a']);
  });

  it('knows which properties hold secrets', () => {
    for (const name of ['sasl.password', 'ssl.key.password', 'ssl.keystore.password', 'sasl.oauthbearer.client.secret', 'ssl.key.pem', 'sasl.oauthbearer.config', 'sasl.jaas.config']) expect(isSecretProperty(name), name).toBe(true);
    for (const name of ['sasl.username', 'ssl.ca.location', 'ssl.key.location', 'security.protocol', 'sasl.mechanisms']) expect(isSecretProperty(name), name).toBe(false);
    expect(describeProperties(new Map([['sasl.username', 'u'], ['sasl.password', 'p4ssw0rd']]))).toBe('sasl.username=u sasl.password=***');
  });

  it('hands the properties of the command to every client made inside it, over tradeflow\'s tuning, and none outside', async () => {
    const inside = await withKafkaProperties(new Map([['linger.ms', '50'], ['security.protocol', 'SASL_SSL']]), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1)); // across an await and a timer, as clients are made
      return clientConfig('b:9092', 'c', { 'linger.ms': 5 });
    });
    expect(inside).toMatchObject({ 'metadata.broker.list': 'b:9092', 'linger.ms': '50', 'security.protocol': 'SASL_SSL' });
    expect(clientConfig('b:9092', 'c', { 'linger.ms': 5 })).not.toHaveProperty('security.protocol');
  });

  it('lets librdkafka judge names and values, and never quotes a secret value it refuses', () => {
    expect(() => checkProperties(new Map([['security.protocol', 'SASL_SSL'], ['sasl.mechanisms', 'SCRAM-SHA-512']]), (n) => `-X ${n}`)).not.toThrow();
    expect(() => checkProperties(new Map([['queue.buffering.max.ms', 'soon']]), (n) => `-X ${n}`)).toThrow('Cannot use -X queue.buffering.max.ms: librdkafka refuses the value "soon" of queue.buffering.max.ms');
    expect(() => checkProperties(new Map([['ssl.keystore.password', '']]), (n) => `-X ${n}`)).not.toThrow();
  });
});

describe('secrets kept out of output and the process title', () => {
  it('stars out a remembered secret, also %-encoded, and any URL password', () => {
    const secrets = createSecrets();
    secrets.add('p@ss word!');
    expect(secrets.redact('a p@ss word! b p%40ss%20word! c mysql://u:other@h/d')).toBe('a *** b *** c mysql://u:***@h/d');
  });

  it('writes the command line with URL passwords and secret -X values as ***', () => {
    expect(redactedCommandLine(['run', '--db', 'mysql://app:top secret@h/db', '-X', 'sasl.password=hunter2', '-Xssl.key.password=k', '-X', 'sasl.username=u', '--db=mysql://a:b@c/d']))
      .toBe('run --db mysql://app:***@h/db -X sasl.password=*** -Xssl.key.password=*** -X sasl.username=u --db=mysql://a:***@c/d');
  });
});
