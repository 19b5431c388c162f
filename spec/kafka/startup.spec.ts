/**
 * `--startup`: which values it takes (an ISO time only with its offset, and only one that
 * exists), and where a run with no checkpoint begins at `timestamp:`, on a real broker.
 */
import { describe, expect, it } from 'vitest';
import { parseStartup } from '../../src/kafka/startup.ts';
import { runCli } from '../support/cli.ts';

describe('--startup', () => {
  it.each([
    ['2021-03-25T00:00:00Z', Date.UTC(2021, 2, 25)],
    ['2021-03-25T00:00:00+08:00', Date.UTC(2021, 2, 24, 16)],
    ['2021-03-25T00:00:00-05:30', Date.UTC(2021, 2, 25, 5, 30)],
    ['2021-03-25T12:03Z', Date.UTC(2021, 2, 25, 12, 3)],
    ['2021-03-25T12:03:04.5Z', Date.UTC(2021, 2, 25, 12, 3, 4, 500)],
    ['2021-03-25T12:03:04.123+00:00', Date.UTC(2021, 2, 25, 12, 3, 4, 123)],
    ['2020-02-29T23:59:59+14:00', Date.UTC(2020, 1, 29, 9, 59, 59)],
  ])('takes timestamp:%s as the instant it names, whatever zone the process runs in', (iso, epochMs) => {
    expect(parseStartup(`timestamp:${iso}`)).toEqual({ kind: 'timestamp', epochMs });
  });

  it.each([
    ['1'], // Date.parse: the year 2001
    ['March 7'],
    ['2021-03-25'],
    ['2021-03-25T00:00:00'], // no offset: another instant on each host
    ['2021-03-25 00:00:00Z'],
    ['2021-03-25T00:00:00z'],
    ['2021-03-25T00:00:00+0800'],
    ['2021-03-25T00:00:00+08'],
    ['2021-03-25T00:00:00.1234Z'],
    ['Thu, 25 Mar 2021 00:00:00 GMT'],
    [''],
  ])('refuses timestamp:%j in one line asking for an ISO time with an offset', (value) => {
    expect(() => parseStartup(`timestamp:${value}`)).toThrow(
      new RangeError(`Cannot use --startup: "${value}" is not an ISO time with an offset, e.g. timestamp:2021-03-25T00:00:00+08:00`),
    );
  });

  it.each([
    ['2021-02-30T00:00:00Z', '2021-02 has 28 days'], // Date.parse: March 2
    ['2020-02-30T00:00:00Z', '2020-02 has 29 days'],
    ['2021-04-31T00:00:00Z', '2021-04 has 30 days'],
    ['2021-13-01T00:00:00Z', 'there is no month 13'],
    ['2021-00-10T00:00:00Z', 'there is no month 0'],
    ['2021-03-00T00:00:00Z', '2021-03 has 31 days'],
    ['2021-03-25T24:00:00Z', 'hours go from 00 to 23, minutes and seconds from 00 to 59'],
    ['2021-03-25T23:60:00Z', 'hours go from 00 to 23, minutes and seconds from 00 to 59'],
    ['2021-03-25T23:59:60Z', 'hours go from 00 to 23, minutes and seconds from 00 to 59'],
    ['2021-03-25T00:00:00+25:00', 'offsets go from -14:00 to +14:00'],
    ['2021-03-25T00:00:00+08:60', 'offsets go from -14:00 to +14:00'],
  ])('refuses timestamp:%s, a time that does not exist, saying why (%s)', (iso, why) => {
    expect(() => parseStartup(`timestamp:${iso}`)).toThrow(new RangeError(`Cannot use --startup: "${iso}" does not exist (${why}), e.g. timestamp:2021-03-25T00:00:00+08:00`));
  });

  it('takes latest, earliest and group, and refuses anything else naming --startup', () => {
    expect(['latest', 'earliest', 'group'].map(parseStartup)).toEqual([{ kind: 'latest' }, { kind: 'earliest' }, { kind: 'group' }]);
    expect(() => parseStartup('newest')).toThrow(/^Cannot use --startup: expected latest, earliest, group or timestamp:<ISO>, got "newest"$/);
  });

  it('refuses run --startup timestamp:1 before connecting anywhere: exit code 2, one line naming --startup, no stack trace', async () => {
    const result = await runCli(['run', '--source', 'kafka', '--brokers', '127.0.0.1:1', '--startup', 'timestamp:1']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['ERROR Cannot use --startup: "1" is not an ISO time with an offset, e.g. timestamp:2021-03-25T00:00:00+08:00']);
  }, 30_000);
});
