/**
 * The longest the main thread is held while some work runs (monitorEventLoopDelay, max), and the
 * peak rise of the process's RSS meanwhile, sampled from a thread of its own so that a blocked
 * main thread cannot hide it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const SAMPLER = `
const { parentPort } = require('node:worker_threads');
let peak = process.memoryUsage.rss();
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
parentPort.once('message', () => { clearInterval(timer); parentPort.postMessage(Math.max(peak, process.memoryUsage.rss())); });
parentPort.postMessage('ready');
`;

/** What `work` costs the main thread: its result, the longest block in ms, the wall time in ms and the peak RSS rise in bytes. */
export async function mainThreadCost<T>(work: () => Promise<T>): Promise<{ result: T; blockMs: number; wallMs: number; peakRssBytes: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const sampler = new Worker(SAMPLER, { eval: true });
  await new Promise((resolve) => sampler.once('message', resolve));
  const before = process.memoryUsage.rss();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5)); // lets the timer see the last block
  delay.disable();
  const peak = await new Promise<number>((resolve) => {
    sampler.once('message', resolve);
    sampler.postMessage('stop');
  });
  await sampler.terminate();
  return { result, blockMs: delay.max / 1e6, wallMs, peakRssBytes: Math.max(0, peak - before) };
}
