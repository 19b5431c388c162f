import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { checkZone, dayInZone, systemZone } from '../core/business-day.ts';
import { LAYOUTS, streamInLayout, type LayoutName } from '../generate/layouts.ts';
import { recordedStream } from '../generate/recorded-stream.ts';
import { formatCount } from '../core/format.ts';
import type { CommandIO } from './command-io.ts';
import { helpText, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';

const GENERATE_OPTIONS: readonly OptionSpec[] = [
  { name: 'orders', type: 'string', value: 'N', description: 'distinct orders (each has about two versions)' },
  { name: 'seed', type: 'string', value: 'S', description: 'the same seed writes the same stream', default: '1' },
  { name: 'day', type: 'string', value: 'yyyy-MM-dd', description: 'the (last) day of the orders (default: today)' },
  { name: 'days', type: 'string', value: 'D', description: 'spread the orders over D days ending with --day', default: '1' },
  { name: 'out', type: 'string', value: 'FILE', description: 'write here instead of to standard output' },
  { name: 'timezone', type: 'string', value: 'ZONE', description: 'zone of "today" (default: the system zone)' },
  { name: 'layout', type: 'string', value: 'LAYOUT', description: `how the shop writes its orders: ${LAYOUTS.join(', ')} (README, "Your own order stream", has the job file of each)`, default: 'tutorial' },
];

/** `tradeflow generate`: a realistic recorded order stream, one JSON order per line. */
export async function generateCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const options = readOptions('generate', args, GENERATE_OPTIONS, io.env);
  if (options.has('help')) {
    io.stdout(helpText('tradeflow generate --orders N [options]', 'Writes a recorded order stream (.jsonl): repeated versions, ties, late arrivals, unpaid orders, a few bad lines.', GENERATE_OPTIONS));
    return 0;
  }
  const orders = wholeNumber('orders', options.get('orders'));
  if (orders === undefined) throw new UsageError('--orders is required, e.g. --orders 100000');
  const seed = wholeNumber('seed', options.get('seed'), 0) ?? 1;
  const days = wholeNumber('days', options.get('days')) ?? 1;
  const dayOption = options.get('day');
  let zone: string;
  try {
    zone = checkZone(String(options.get('timezone') ?? systemZone()));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const day = dayOption === undefined ? dayInZone(Date.now(), zone) : String(dayOption);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new UsageError(`--day: expected yyyy-MM-dd, got "${day}"`);

  const layout = String(options.get('layout')) as LayoutName;
  if (!LAYOUTS.includes(layout)) throw new UsageError(`--layout: expected ${LAYOUTS.join(', ')}, got "${layout}"`);
  const outPath = options.get('out');
  const out: Writable = outPath === undefined ? process.stdout : createWriteStream(String(outPath));
  let lines = 0;
  let chunk = '';
  const stream = recordedStream({ orders, seed, day, days });
  for (const line of layout === 'tutorial' ? stream : streamInLayout(layout, stream, zone)) {
    chunk += `${line}\n`;
    lines += 1;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
      if (outPath !== undefined && lines % 500_000 < 200) io.log.info(`generate: ${formatCount(lines)} lines...`, { lines });
    }
  }
  out.write(chunk);
  if (outPath !== undefined) {
    out.end();
    await once(out, 'finish');
    io.log.info(`generate: ${formatCount(lines)} lines (${formatCount(orders)} orders, seed ${seed}, ${days} day(s) to ${day}) -> ${String(outPath)}`, { lines, orders, seed, days, day, file: String(outPath) });
  }
  return 0;
}
