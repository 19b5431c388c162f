/**
 * Reaching the brokers once before a command's work, so that a wrong password, a wrong CA or an
 * unknown mechanism is one line within a second, not a client that retries for ever in silence
 * (librdkafka retries every failed connection and says why only in its log).
 */
import type * as RdKafka from 'node-rdkafka';
import { clientConfig, kafka } from './client.ts';

/** How long {@link checkConnection} waits for a broker when no failure says why it cannot. */
export const CONNECTION_TIMEOUT_MS = 15_000;

/** The brokers cannot be reached as configured; the message is one line naming the cause. */
export class KafkaConnectionError extends Error {
  override readonly name = 'KafkaConnectionError';
}

// Failures no retry mends: credentials, certificates, mechanisms, protocols.
const DEFINITIVE = /SASL|SSL|certificate|authenticat|security\.protocol|mechanism/i;

/** A librdkafka log line without its thread and broker names and its timing: the cause. */
function causeOf(message: string): { broker?: string; cause: string } {
  const match = /^\[thrd:[^\]]*\]: (?:(?:\w+:\/\/)?([^/\s]+)\/\S*: )?(.*)$/.exec(message);
  const cause = (match?.[2] ?? message).replace(/ \(after \d+ms in state .*\)$/, '');
  return { ...(match?.[1] !== undefined && { broker: match[1] }), cause };
}

function hintFor(cause: string): string {
  if (/invalid credentials|authentication failed/i.test(cause)) return ' (check sasl.username and sasl.password)';
  if (/certificate verify failed|could not be verified/i.test(cause)) return ' (check ssl.ca.location: the CA that signed the broker\'s certificate)';
  if (/Unsupported SASL mechanism/i.test(cause)) return ' (check sasl.mechanisms)';
  if (/in state APIVERSION_QUERY|connection closed by peer/i.test(cause)) return ' (a TLS or SASL listener? set security.protocol)';
  return '';
}

/** One attempt: a client made, connected within `timeoutMs` (or not), and closed again. */
function attempt(brokers: string, timeoutMs: number, onLog: (message: string) => void): Promise<RdKafka.LibrdKafkaError | undefined> {
  const producer = new (kafka().Producer)(clientConfig(brokers, 'tradeflow-connection-check'));
  producer.on('event.log', (log: { severity: number; fac: string; message: string }) => {
    if (log.fac === 'FAIL' || log.severity <= 3) onLog(log.message);
  });
  return new Promise((resolve) => {
    producer.connect({ timeout: timeoutMs }, (error: RdKafka.LibrdKafkaError | null | undefined) => {
      // A failed connect has closed its client already; a good one is closed here.
      if (error) resolve(error);
      else producer.disconnect(() => resolve(undefined));
    });
  });
}

/** Each attempt waits this long for metadata: a failure that says why shows within the first. */
const ATTEMPT_MS = 1000;

/**
 * Connects a client with the command's settings and closes it. Resolves when a broker answered;
 * rejects with a {@link KafkaConnectionError} after the first attempt that failed for a reason no
 * retry mends (about a second), or when nothing answered within `timeoutMs`, naming librdkafka's
 * last reason.
 */
export async function checkConnection(brokers: string, timeoutMs = CONNECTION_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    let definitive: string | undefined;
    const error = await attempt(brokers, ATTEMPT_MS, (message) => {
      last = message;
      if (DEFINITIVE.test(causeOf(message).cause)) definitive ??= message;
    });
    if (error === undefined) return;
    if (definitive !== undefined) {
      const { broker, cause } = causeOf(definitive);
      throw new KafkaConnectionError(`Cannot connect to Kafka at ${broker ?? brokers}: ${cause}${hintFor(cause)}`);
    }
    if (last === undefined && !/transport failure|timed out/i.test(error.message)) {
      // Refused when the client is made: a mechanism librdkafka lacks, a certificate it cannot read.
      throw new KafkaConnectionError(`Cannot connect to Kafka at ${brokers}: ${error.message}`);
    }
    if (Date.now() >= deadline) {
      const cause = last === undefined ? 'no broker answered' : causeOf(last).cause;
      throw new KafkaConnectionError(`Cannot connect to Kafka at ${brokers} within ${timeoutMs / 1000} s: ${cause}${hintFor(cause)}`);
    }
  }
}
