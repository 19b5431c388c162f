import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelByCode, channelOf } from '../../src/core/channel.ts';
import { groupKeyOfRow, groupKeyText, parseGroupKey } from '../../src/core/group-key.ts';

const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const orderChannel = fc.oneof(fc.constantFrom('webShop', 'appShop', 'miniAppShop', 'WebShop', 'other', ''), fc.string(), fc.constant(null));

describe('group keys', () => {
  it('read back as the day and channel code they were made of, for any channel an order names', () => {
    fc.assert(
      fc.property(day, orderChannel, (d, channel) => {
        const code = channelOf(channel).code;
        expect(parseGroupKey(groupKeyText(d, code))).toEqual({ day: d, channelCode: code });
      }),
    );
  });

  it('are the same for a result row as for the changes of its day and channel', () => {
    fc.assert(fc.property(day, orderChannel, (d, channel) => {
      const code = channelOf(channel).code;
      expect(groupKeyOfRow({ beginTime: `${d} 00:00:00`, channelCode: code })).toBe(groupKeyText(d, code));
    }));
  });

  it('resolve the channel name from the code alone, as the order channel resolved it', () => {
    fc.assert(
      fc.property(orderChannel, (channel) => {
        expect(channelByCode(channelOf(channel).code)).toEqual(channelOf(channel));
      }),
    );
  });
});
