/**
 * Specs that need a real service (MariaDB, Kafka): run when it answers; when it does not, they
 * fail under CI or TRADEFLOW_REQUIRE_SERVICES, and are skipped with a note otherwise.
 */
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

/**
 * `describe(title, specs)` when the service is reachable. When it is not: a failing spec saying
 * so if services are required, else the specs skipped and a note on how to run them.
 */
export function describeWithService(service: Service, reachable: boolean, title: string, specs: () => void): void {
  const where = `${service.name} at ${service.host}:${service.port}`;
  if (reachable) {
    describe(title, specs);
  } else if (servicesRequired()) {
    describe(title, () => {
      it(`needs ${where}`, () => {
        throw new Error(`${where} is not reachable (required by CI or TRADEFLOW_REQUIRE_SERVICES); start it with: npm run stack:up`);
      });
    });
  } else {
    console.warn(`Skipped "${title}": ${where} is not reachable. To run these specs: npm run stack:up, then npm test.`);
    describe.skip(title, specs);
  }
}
