/** The plain loop in a process of its own: `node --import tsx benchmarks/plain-loop-child.ts FILE DAY` prints `{"read": N}`. */
import { plainLoop } from './plain-loop.ts';

const [file = '', day = ''] = process.argv.slice(2);
const { read } = await plainLoop(file, day);
process.stdout.write(`${JSON.stringify({ read })}\n`);
