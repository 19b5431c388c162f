/** The tutorial sample's expected result (the table at the end of SEMANTICS.md). */

/** Selects the result table as the sample expectations are written. */
export const RESULT_SQL = `select channel_code, channel_name, cur_gmv, cur_order_user_count as users, cur_order_count as orders, last_pay_time, begin_time
  from trade_channel_collect order by begin_time, channel_code`;

/** The table at the end of SEMANTICS.md. */
export const SAMPLE_DAY = [
  { channel_code: 'appShop', channel_name: 'Shopping App', cur_gmv: 50.5, users: 1, orders: 1, last_pay_time: '2021-03-25 06:07:00', begin_time: '2021-03-25 00:00:00' },
  { channel_code: 'miniAppShop', channel_name: 'Miniprogram', cur_gmv: 148.8, users: 2, orders: 2, last_pay_time: '2021-03-25 12:03:00', begin_time: '2021-03-25 00:00:00' },
  { channel_code: 'other', channel_name: 'Other', cur_gmv: 400, users: 1, orders: 1, last_pay_time: '2021-03-25 15:10:00', begin_time: '2021-03-25 00:00:00' },
  { channel_code: 'webShop', channel_name: 'Website', cur_gmv: 986.5, users: 2, orders: 5, last_pay_time: '2021-03-25 16:16:16', begin_time: '2021-03-25 00:00:00' },
];

