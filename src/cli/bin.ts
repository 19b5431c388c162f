#!/usr/bin/env node
/**
 * The installed `tradeflow` command: compiled to dist/cli/bin.js (`npm run build`, run by
 * `prepare` and `prepack`), so that a start costs no TypeScript compilation.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
