#!/usr/bin/env node
/**
 * The installed `tradeflow` command: compiled to dist/cli/bin.js (`npm run build`, run by
 * `prepare` and `prepack`), so that a start costs no TypeScript compilation.
 */
import { main } from './main.ts';
import { redactedCommandLine } from './secrets.ts';

// What ps shows: the command line with URL passwords and secret -X values as ***.
process.title = `tradeflow ${redactedCommandLine(process.argv.slice(2))}`;
process.exitCode = await main(process.argv.slice(2));
