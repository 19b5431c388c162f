/** Flags of the commands: each also read from an environment variable, flags win. */
import { parseArgs } from 'node:util';

/** One flag of a command. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** Shown in --help, e.g. `PATH`. */
  readonly value?: string;
  readonly default?: string;
  /** Not read from the environment: a variable left in a service's environment would act at every restart. */
  readonly flagOnly?: boolean;
}

/** A mistake in how the command was called: one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The environment variable of a flag: `--flush-rows` -> `TRADEFLOW_FLUSH_ROWS`. */
export function envName(flag: string): string {
  return `TRADEFLOW_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** The flags given (or their environment variables); UsageError for an unknown or incomplete flag. */
export function readOptions(
  command: string,
  args: readonly string[],
  specs: readonly OptionSpec[],
  env: NodeJS.ProcessEnv,
): Map<string, string | boolean> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const spec of specs) options[spec.name] = { type: spec.type };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${describeParseError(error)} (see: tradeflow ${command} --help)`);
  }
  const result = new Map<string, string | boolean>();
  if (values.help === true) result.set('help', true);
  for (const spec of specs) {
    const given = values[spec.name];
    const fromEnv = spec.flagOnly === true ? undefined : env[envName(spec.name)];
    if (given !== undefined) result.set(spec.name, given);
    else if (fromEnv !== undefined && fromEnv !== '') result.set(spec.name, spec.type === 'boolean' ? /^(1|true|yes)$/i.test(fromEnv) : fromEnv);
    else if (spec.default !== undefined) result.set(spec.name, spec.default);
  }
  return result;
}

/** The longest delay Node's timers take (2^31 - 1 ms, about 24.8 days): a longer one fires at once. */
export const LONGEST_TIMER_MS = 2_147_483_647;

/** A whole number from a flag's value, from `min` to `max`; UsageError naming the flag and the bound. */
export function wholeNumber(flag: string, value: string | boolean | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).replace(/_/g, '');
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`--${flag}: expected a whole number of at least ${min}, got "${String(value)}"`);
  }
  if (number > max) throw new UsageError(`--${flag}: expected at most ${max.toLocaleString('en-US')}${max === LONGEST_TIMER_MS ? ' ms (the longest a timer takes, about 24.8 days)' : ''}, got "${String(value)}"`);
  return number;
}

/** Milliseconds of an interval flag: from 1 to what a timer takes. */
export function interval(flag: string, value: string | boolean | undefined): number | undefined {
  return wholeNumber(flag, value, 1, LONGEST_TIMER_MS);
}

/** The flags every command takes for its log (main.ts reads them, wherever they are). */
export const LOG_OPTIONS: readonly OptionSpec[] = [
  { name: 'log-level', type: 'string', value: 'LEVEL', description: 'the least severe records written: trace, debug, info, warn, error, fatal or silent', default: 'info' },
  { name: 'log-format', type: 'string', value: 'FORMAT', description: 'text (human lines) or json (one object per line) (default: text when stderr is a terminal, json otherwise)' },
];

/** The --help text of a command. */
export function helpText(usage: string, summary: string, specs: readonly OptionSpec[]): string {
  const lines = [`Usage: ${usage}`, '', summary, '', 'Options (each also as an environment variable unless marked flag only; flags win):'];
  for (const spec of [...specs, ...LOG_OPTIONS]) {
    const flag = `--${spec.name}${spec.value ? ` ${spec.value}` : ''}`;
    const suffix = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    lines.push(`  ${flag.padEnd(30)} ${spec.description}${suffix}`, `  ${''.padEnd(30)} ${spec.flagOnly === true ? 'flag only, never from the environment' : `env ${envName(spec.name)}`}`);
  }
  lines.push(`  ${'--help'.padEnd(30)} this text`);
  return lines.join('\n');
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const ambiguous = /Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value (one that starts with "-" is written ${ambiguous[1]}=-5)`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}"`;
  return message.split('\n')[0] ?? message;
}
