/**
 * `npm run bench`: the pipeline against the plain single-loop floor on the same recorded file,
 * measured in the same run, reported as orders/s and as a ratio (absolute times vary here).
 * Options: --orders N[,N..] (default 1000000), --repeat N (default 3, best of),
 * --memory-orders N (default 5000000; 0 skips the memory figure).
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { replayIntoSqlite } from './core.ts';
import { plainLoop } from './plain-loop.ts';
import { heapBytesPerOrder } from './memory.ts';
import { BENCH_DAY, recordedFile } from './recorded-file.ts';

const { values } = parseArgs({
  options: { orders: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '3' }, 'memory-orders': { type: 'string', default: '5000000' } },
});
const sizes = String(values.orders).split(',').map(Number);
const repeat = Number(values.repeat);
const rate = (n: number, ms: number): string => `${((n / ms) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })}/s`;

const rows: string[][] = [];
for (const orders of sizes) {
  const file = await recordedFile(orders);
  let floorMs = Infinity;
  let coreMs = Infinity;
  let read = 0;
  for (let i = 0; i < repeat; i++) {
    let started = performance.now();
    read = (await plainLoop(file, BENCH_DAY)).read;
    floorMs = Math.min(floorMs, performance.now() - started);
    started = performance.now();
    const { counters } = await replayIntoSqlite(file, BENCH_DAY, 'data/bench/core.sqlite');
    coreMs = Math.min(coreMs, performance.now() - started);
    if (counters.read !== read) throw new RangeError(`Cannot compare: the pipeline read ${counters.read} records, the floor ${read}`);
    process.stderr.write(`bench: ${orders.toLocaleString('en-US')} orders, round ${i + 1} of ${repeat} done\n`);
  }
  rows.push([`core, ${orders.toLocaleString('en-US')} orders (${read.toLocaleString('en-US')} records)`, rate(read, coreMs), rate(read, floorMs), (floorMs / coreMs).toFixed(2)]);
}

const memoryOrders = Number(values['memory-orders']);
if (memoryOrders > 0) {
  process.stderr.write(`bench: tracking ${memoryOrders.toLocaleString('en-US')} distinct orders for the memory figure...\n`);
  const { perOrder } = heapBytesPerOrder(memoryOrders);
  rows.push([`memory, ${memoryOrders.toLocaleString('en-US')} orders tracked`, `${perOrder.toFixed(0)} heap bytes/order`, '', '']);
}

const header = ['benchmark', 'pipeline', 'plain loop (floor)', 'pipeline / floor'];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`tradeflow benchmarks, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
