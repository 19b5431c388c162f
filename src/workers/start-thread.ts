/** Starting a thread of this program, from the installed build or from the sources alike. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the thread module `name` beside the module at `beside` (its `import.meta.url`): the
 * compiled `name.js` when installed; from the sources (tsx, vitest) `name.ts`, started by a
 * bootstrap that registers tsx first, since a thread neither inherits a loader its parent
 * registered nor honours `--import` in its execArgv (Node 20).
 */
export function startThread(beside: string, name: string, options: WorkerOptions = {}): Worker {
  if (!beside.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, beside), options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL(`./${name}.ts`, beside).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); });`, { ...options, eval: true });
}
