import { describe, expect, it } from 'vitest';
import { collectHistory } from '../../src/core/minute-history.ts';

const DAY = '2021-03-25 00:00:00';
const minute = (m: number, gmv: number, orders: number) => ({ minute: m, gmvText: `${gmv}.000000`, orderCount: orders });

describe('collecting minute changes for a flush', () => {
  it('keeps one entry per group with the latest figures of each minute, minutes ascending', () => {
    const history = collectHistory();
    history.add(DAY, 'webShop', { whole: false, minutes: [minute(5, 1, 1), minute(9, 2, 1)] });
    history.add(DAY, 'appShop', { whole: false, minutes: [minute(1, 7, 1)] });
    history.add(DAY, 'webShop', { whole: false, minutes: [minute(2, 3, 1), minute(5, 4, 2)] });
    expect(history.result()).toEqual([
      { beginTime: DAY, channelCode: 'webShop', whole: false, minutes: [minute(2, 3, 1), minute(5, 4, 2), minute(9, 2, 1)] },
      { beginTime: DAY, channelCode: 'appShop', whole: false, minutes: [minute(1, 7, 1)] },
    ]);
  });

  it('lets a whole set of minutes replace what came before it, and stays whole when changes follow', () => {
    const history = collectHistory();
    history.add(DAY, 'webShop', { whole: false, minutes: [minute(5, 1, 1)] });
    history.add(DAY, 'webShop', { whole: true, minutes: [minute(9, 2, 1)] });
    history.add(DAY, 'webShop', { whole: false, minutes: [minute(10, 3, 1)] });
    expect(history.result()).toEqual([{ beginTime: DAY, channelCode: 'webShop', whole: true, minutes: [minute(9, 2, 1), minute(10, 3, 1)] }]);
  });
});
