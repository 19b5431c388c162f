#!/usr/bin/env node
// `tradeflow` in development: the TypeScript sources through tsx, no build needed. The installed
// command (package.json's bin) is the compiled dist/cli/bin.js.
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
