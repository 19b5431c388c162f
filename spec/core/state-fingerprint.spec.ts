import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DaySelection } from '../../src/core/business-day.ts';
import { channelMap, OTHER_CHANNEL, TUTORIAL_CHANNELS, type Channel } from '../../src/core/channel.ts';
import { stateFingerprint } from '../../src/core/state-fingerprint.ts';

const WEB: Channel = { code: 'webShop', name: 'Website' };
const APP: Channel = { code: 'appShop', name: 'Shopping App' };
const MINI: Channel = { code: 'miniAppShop', name: 'Miniprogram' };
const FIXED: DaySelection = { kind: 'fixed', day: '2021-03-25' };

describe('the fingerprint of a stage state', () => {
  it('is the same for the same days and channels, whatever the order of their keys or of the known channels', () => {
    const reordered = JSON.parse('{"day":"2021-03-25","kind":"fixed"}') as DaySelection;
    expect(stateFingerprint(reordered)).toBe(stateFingerprint(FIXED));
    expect(stateFingerprint(FIXED, channelMap([MINI, WEB, APP], OTHER_CHANNEL))).toBe(stateFingerprint(FIXED, TUTORIAL_CHANNELS));
    expect(stateFingerprint(reordered, channelMap([{ name: 'Website', code: 'webShop' }], { name: 'Other', code: 'other' }))).toBe(stateFingerprint(FIXED, channelMap([WEB], OTHER_CHANNEL)));
  });

  it('differs for another day selection', () => {
    const selections: DaySelection[] = [FIXED, { kind: 'fixed', day: '2021-03-26' }, { kind: 'all' }, { kind: 'live', zone: 'Asia/Shanghai' }, { kind: 'live', zone: 'UTC' }];
    const prints = selections.map((days) => stateFingerprint(days, TUTORIAL_CHANNELS));
    expect(new Set(prints).size).toBe(selections.length);
  });

  it('differs for another channel map: another channel known, another code or name, another rest, or none at all', () => {
    const maps = [
      TUTORIAL_CHANNELS,
      channelMap([WEB, APP], OTHER_CHANNEL),
      channelMap([WEB, APP, MINI, { code: 'qqShop', name: 'QQ Shop' }], OTHER_CHANNEL),
      channelMap([{ ...WEB, name: 'Web' }, APP, MINI], OTHER_CHANNEL),
      channelMap([WEB, APP, MINI], { code: 'rest', name: 'Other' }),
      channelMap([WEB, APP, MINI], { code: 'other', name: 'The rest' }),
    ];
    const prints = [...maps.map((channels) => stateFingerprint(FIXED, channels)), stateFingerprint(FIXED)];
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('tells two channel maps apart exactly when their channels differ (property)', () => {
    const channel = fc.record({ code: fc.constantFrom('a', 'b', 'c', 'd'), name: fc.constantFrom('A', 'B', 'x') });
    const known = fc.uniqueArray(channel, { selector: (c) => c.code, maxLength: 4 });
    const listing = (list: readonly Channel[], rest: Channel): string => JSON.stringify([[...list].map((c) => `${c.code}=${c.name}`).sort(), rest.code, rest.name]);
    fc.assert(
      fc.property(known, channel, known, channel, (knownA, restA, knownB, restB) => {
        const same = listing(knownA, restA) === listing(knownB, restB);
        expect(stateFingerprint(FIXED, channelMap(knownA, restA)) === stateFingerprint(FIXED, channelMap(knownB, restB))).toBe(same);
      }),
      { numRuns: 300 },
    );
  });
});
