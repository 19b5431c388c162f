/**
 * The metrics every Node.js service is expected to have: prom-client's defaults (`process_*`
 * CPU, memory, file descriptors, start time; `nodejs_*` event loop, heap, GC, versions) and
 * `tradeflow_build_info`, appended to the run's own on `/metrics`.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { packageVersion } from '../package-version.ts';

/** The process's metrics in the text format, read at each scrape. */
export interface ProcessMetrics {
  text(): Promise<string>;
}

/** A registry of its own (never prom-client's global one), so that each screen's scrape stands alone. */
export function processMetrics(): ProcessMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({ name: 'tradeflow_build_info', help: 'Always 1: the version of tradeflow and of Node.js that run, as labels.', labelNames: ['version', 'node'], registers: [registry] })
    .set({ version: packageVersion(), node: process.version }, 1);
  return { text: () => registry.metrics() };
}
