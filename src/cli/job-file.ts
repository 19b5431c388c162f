/**
 * The job file (`--config tradeflow.json`): what a Flink job's DDL says about a shop's stream
 * (field names, time format, envelope, channels) and where the result goes. JSON, checked key by
 * key: a mistake is one line naming the key, exit code 2. Every part is optional; a flag wins.
 */
import { readFileSync } from 'node:fs';
import { channelByCode, type Channel } from '../core/channel.ts';
import { CHANGE_FORMATS, ORDER_FIELDS, TUTORIAL_FIELDS, type ChangeFormat, type FieldNames, type OrderField } from '../core/order-layout.ts';
import type { StreamLayout } from '../core/stream-layout.ts';
import { TIME_FORMATS, type TimeFormat } from '../core/time-format.ts';
import type { DatabaseLocation } from '../db/connect.ts';
import { tablesBeside } from '../db/table-names.ts';
import { UsageError, type OptionSpec } from './options.ts';

/** `--config FILE` of the commands that read the tables (screen, migrate): only its `table` matters there. */
export const TABLES_CONFIG_OPTION: OptionSpec = { name: 'config', type: 'string', value: 'FILE', description: 'the job file of the run: its "table" names the tables (see README, "Your own order stream")' };

/** The database with the tables the job file names (the tutorial's without one). */
export function withTables(location: DatabaseLocation, jobFile: JobFile | undefined): DatabaseLocation {
  return jobFile?.table === undefined ? location : { ...location, tables: tablesBeside(jobFile.table) };
}

/** What a job file says. */
export interface JobFile {
  readonly layout: StreamLayout;
  /** `maxRejected`, as a share (0..1). */
  readonly maxRejectedShare?: number;
  /** `table`: the result table's name. */
  readonly table?: string;
}

const KEYS = ['format', 'fields', 'timeFormat', 'channels', 'otherChannel', 'maxRejected', 'table'] as const;
const CHANNEL_KEYS = ['code', 'name'] as const;
/** The tables' columns are VARCHAR(32). */
const MAX_CHANNEL_TEXT = 32;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Reads and checks the job file at `path`; UsageError naming the file and the key otherwise. */
export function readJobFile(path: string): JobFile {
  const fail = (message: string): never => {
    throw new UsageError(`--config ${path}: ${message}`);
  };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : `cannot be read (${code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  return checkJobFile(value, fail);
}

/** Checks a parsed job file; `fail` throws the line for a key. */
export function checkJobFile(value: unknown, fail: (message: string) => never): JobFile {
  const top = object(value, 'the file', fail);
  keysOf(top, KEYS, '', fail);
  const format = top.format === undefined ? undefined : oneOf<ChangeFormat>(top.format, CHANGE_FORMATS, '"format"', fail);
  const timeFormat = top.timeFormat === undefined ? undefined : oneOf<TimeFormat>(top.timeFormat, TIME_FORMATS, '"timeFormat"', fail);
  let fields: FieldNames | undefined;
  if (top.fields !== undefined) {
    const given = object(top.fields, '"fields"', fail);
    keysOf(given, ORDER_FIELDS, 'fields.', fail);
    const names: Record<OrderField, string> = { ...TUTORIAL_FIELDS };
    for (const field of ORDER_FIELDS) if (given[field] !== undefined) names[field] = text(given[field], `"fields.${field}"`, 200, fail);
    const seen = new Map<string, OrderField>();
    for (const field of ORDER_FIELDS) {
      const other = seen.get(names[field]);
      if (other !== undefined) fail(`"fields.${field}": "${names[field]}" is already the name of ${other} (each field needs its own name)`);
      seen.set(names[field], field);
    }
    fields = names;
  }
  let channels: StreamLayout['channels'];
  if (top.channels !== undefined || top.otherChannel !== undefined) {
    let known: Channel[] = ['webShop', 'appShop', 'miniAppShop'].map(channelByCode);
    if (top.channels !== undefined) {
      if (!Array.isArray(top.channels)) fail(`"channels": expected a list of {"code": ..., "name": ...}, got ${describe(top.channels)}`);
      known = (top.channels as unknown[]).map((entry, index) => channel(entry, `channels[${index}]`, fail));
      const codes = new Set<string>();
      known.forEach((c, index) => {
        if (codes.has(c.code)) fail(`"channels[${index}].code": "${c.code}" is listed twice`);
        codes.add(c.code);
      });
    }
    const other = top.otherChannel === undefined ? undefined : channel(top.otherChannel, 'otherChannel', fail);
    channels = { known, ...(other !== undefined && { other }) };
  }
  let maxRejectedShare: number | undefined;
  if (top.maxRejected !== undefined) {
    if (typeof top.maxRejected !== 'number' || !(top.maxRejected >= 0 && top.maxRejected <= 100)) fail(`"maxRejected": expected a percent from 0 to 100, got ${describe(top.maxRejected)}`);
    maxRejectedShare = (top.maxRejected as number) / 100;
  }
  let table: string | undefined;
  if (top.table !== undefined) {
    table = text(top.table, '"table"', 48, fail);
    if (!TABLE_NAME.test(table)) fail(`"table": expected letters, digits and "_" (not first a digit), got "${table}"`);
    try {
      tablesBeside(table);
    } catch (error) {
      fail(`"table": ${(error as Error).message}`);
    }
  }
  const layout: StreamLayout = { ...(format && { format }), ...(fields && { fields }), ...(timeFormat && { timeFormat }), ...(channels && { channels }) };
  return { layout, ...(maxRejectedShare !== undefined && { maxRejectedShare }), ...(table !== undefined && { table }) };
}

function object(value: unknown, what: string, fail: (message: string) => never): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what}: expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function keysOf(value: Record<string, unknown>, keys: readonly string[], prefix: string, fail: (message: string) => never): void {
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(`unknown key "${prefix}${key}" (keys: ${keys.map((k) => `${prefix}${k}`).join(', ')})`);
}

function oneOf<T extends string>(value: unknown, values: readonly T[], what: string, fail: (message: string) => never): T {
  if (typeof value !== 'string' || !values.includes(value as T)) fail(`${what}: expected ${values.join(', ')}, got ${describe(value)}`);
  return value as T;
}

function text(value: unknown, what: string, max: number, fail: (message: string) => never): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${what}: expected a non-empty string, got ${describe(value)}`);
  if ((value as string).length > max) fail(`${what}: at most ${max} characters, got ${(value as string).length}`);
  return value as string;
}

function channel(value: unknown, where: string, fail: (message: string) => never): Channel {
  const given = object(value, `"${where}"`, fail);
  for (const key of Object.keys(given)) if (!(CHANNEL_KEYS as readonly string[]).includes(key)) fail(`unknown key "${where}.${key}" (keys: ${where}.code, ${where}.name)`);
  for (const key of CHANNEL_KEYS) if (given[key] === undefined) fail(`"${where}.${key}": missing (each channel has a code and a name)`);
  return { code: text(given.code, `"${where}.code"`, MAX_CHANNEL_TEXT, fail), name: text(given.name, `"${where}.name"`, MAX_CHANNEL_TEXT, fail) };
}

function describe(value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}
