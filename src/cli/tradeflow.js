#!/usr/bin/env node
// The `tradeflow` command: loads the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const { redactedCommandLine } = await import('./secrets.ts');
// What ps shows: the command line with URL passwords and secret -X values as ***.
process.title = `tradeflow ${redactedCommandLine(process.argv.slice(2))}`;
process.exitCode = await main(process.argv.slice(2));
