/** The version of the installed package, from its package.json (read only when asked). */
import { readFileSync } from 'node:fs';

/** `version` of tradeflow's package.json (beside src/ and dist/ alike). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new RangeError('Cannot tell the version: package.json has no "version"');
  return version;
}
