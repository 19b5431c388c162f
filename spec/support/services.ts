/**
 * Specs that need a real service (MariaDB, Kafka): run when it answers; when it does not, they
 * fail under CI or TRADEFLOW_REQUIRE_SERVICES, and are skipped with a note otherwise.
 */
import { createServer } from 'node:net';
import { isPortOpen } from '../../src/stack/probe.ts';
import { describe, it } from 'vitest';

/** A network service that specs use. */
export interface Service {
  /** What it is, for messages, e.g. "MariaDB". */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** Resolves true when a TCP connection to the service opens within `timeoutMs`. */
export function isReachable(service: Service, timeoutMs = 1000): Promise<boolean> {
  return isPortOpen(service.host, service.port, timeoutMs);
}

/** Whether a missing service fails the run (CI, or TRADEFLOW_REQUIRE_SERVICES) rather than skipping its specs. */
export function servicesRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (value: string | undefined): boolean => value !== undefined && !['', '0', 'false'].includes(value.toLowerCase());
  return set(env.CI) || set(env.TRADEFLOW_REQUIRE_SERVICES);
}

/** Something specs need that the machine may lack, and how to get it. */
export interface Requirement {
  /** Whether it is there now. */
  readonly present: boolean;
  /** What it is and where, e.g. "Kafka at 127.0.0.1:9092". */
  readonly what: string;
  /** Why it is not there, as a sentence start, e.g. "Kafka at 127.0.0.1:9092 is not reachable". */
  readonly absence: string;
  /** The command that provides it, e.g. "npm run stack:up". */
  readonly remedy: string;
}

/**
 * `describe(title, specs)` when the requirement is present. When it is not: a failing spec saying
 * so if services are required (CI), else the specs skipped with a note on how to run them, so
 * that a skip always says why and never hides a real-service spec in CI.
 */
export function describeRequiring(requirement: Requirement, title: string, specs: () => void): void {
  const { present, what, absence, remedy } = requirement;
  if (present) {
    describe(title, specs);
  } else if (servicesRequired()) {
    describe(title, () => {
      it(`needs ${what}`, () => {
        throw new Error(`${absence} (required by CI or TRADEFLOW_REQUIRE_SERVICES): ${remedy}`);
      });
    });
  } else {
    console.warn(`Skipped "${title}": ${absence}. To run these specs: ${remedy}, then npm test.`);
    describe.skip(title, specs);
  }
}

/** {@link describeRequiring} a network service: `describe` when it is reachable. */
export function describeWithService(service: Service, reachable: boolean, title: string, specs: () => void): void {
  const what = `${service.name} at ${service.host}:${service.port}`;
  describeRequiring({ present: reachable, what, absence: `${what} is not reachable`, remedy: 'npm run stack:up' }, title, specs);
}

/** A local port that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('Cannot find a free port: the server has no address');
  return address.port;
}
