// The broker's secured listeners: a SCRAM-SHA-512 user for SASL_SSL on 9094, and ready client
// properties files (librdkafka's format, for --kafka-config) for it and for mTLS on 9095.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KAFKA_HOST, KAFKA_PORT, javaArgs, kafkaPaths, lastProblem } from './kafka.ts';
import { TLS_DIR, stackPassword, tlsPaths } from './tls.ts';
import { KAFKA_SRC_DIR, STACK_DIR, StackError, rel } from './util.ts';

/** The SASL_SSL listener (SCRAM-SHA-512 over TLS). */
export const SASL_SSL_PORT = 9094;
/** The SSL listener that requires a client certificate (mTLS). */
export const MTLS_PORT = 9095;
/** The stack's SCRAM user. */
export const SCRAM_USER = 'tradeflow';

/** Files of the secured listeners' clients. */
export const secureKafkaPaths = {
  scramPassword: path.join(TLS_DIR, 'kafka-scram-password'),
  /** Properties for SASL_SSL with SCRAM-SHA-512 (what `--kafka-config` reads). */
  saslProperties: path.join(STACK_DIR, 'kafka-client.properties'),
  /** Properties for SSL with a client certificate. */
  mtlsProperties: path.join(STACK_DIR, 'kafka-client-mtls.properties'),
} as const;

/** The SCRAM user's password (made at the first stack up). */
export function scramPassword(): string {
  return stackPassword(secureKafkaPaths.scramPassword);
}

/** Adds (or resets) the SCRAM user through the plaintext listener; the broker must be up. */
export function ensureScramUser(libs: string): void {
  scramPassword();
  const result = spawnSync('java', javaArgs(libs, path.join(KAFKA_SRC_DIR, 'ScramUser.java'), `${KAFKA_HOST}:${KAFKA_PORT}`, SCRAM_USER, secureKafkaPaths.scramPassword), { encoding: 'utf8', timeout: 60_000 });
  fs.appendFileSync(kafkaPaths.log, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.error !== undefined || result.status !== 0) {
    throw new StackError(`adding the SCRAM user ${SCRAM_USER} failed: ${result.error?.message ?? lastProblem(`${result.stdout}${result.stderr}`)}; see ${rel(kafkaPaths.log)}`);
  }
}

/** Writes the ready client properties files of both secured listeners. */
export function writeClientProperties(): void {
  const sasl = [
    '# SASL_SSL with SCRAM-SHA-512 to the local stack: tradeflow run --source kafka --kafka-config .stack/kafka-client.properties',
    `bootstrap.servers=${KAFKA_HOST}:${SASL_SSL_PORT}`,
    'security.protocol=SASL_SSL',
    'sasl.mechanisms=SCRAM-SHA-512',
    `sasl.username=${SCRAM_USER}`,
    `sasl.password=${scramPassword()}`,
    `ssl.ca.location=${tlsPaths.ca}`,
  ];
  const mtls = [
    '# SSL with a client certificate (mTLS) to the local stack',
    `bootstrap.servers=${KAFKA_HOST}:${MTLS_PORT}`,
    'security.protocol=SSL',
    `ssl.ca.location=${tlsPaths.ca}`,
    `ssl.certificate.location=${tlsPaths.clientCert}`,
    `ssl.key.location=${tlsPaths.clientKey}`,
  ];
  fs.writeFileSync(secureKafkaPaths.saslProperties, `${sasl.join('\n')}\n`, { mode: 0o600 });
  fs.writeFileSync(secureKafkaPaths.mtlsProperties, `${mtls.join('\n')}\n`, { mode: 0o600 });
}
