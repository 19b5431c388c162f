/**
 * Random order streams for property tests. Every field is drawn as a pair: the JSON text the
 * producer writes, and what it means by SEMANTICS.md. The references read the meanings, never
 * the text, so they do not share the parser they check.
 */
import fc from 'fast-check';

/** What a generated record means. */
export interface RecordMeaning {
  /** null: the record must be rejected. */
  readonly order: {
    readonly orderId: string;
    readonly orderTime: string;
    readonly payTime: string | null;
    /** `real_pay` in atto-units (10^-18). */
    readonly attos: bigint | null;
    readonly userId: string | null;
    readonly channel: string | null;
  } | null;
}

/** A generated line and its meaning. */
export interface GeneratedRecord {
  readonly json: string;
  readonly meaning: RecordMeaning;
}

type Field<T> = { readonly json: string | undefined; readonly value: T } | { readonly json: string; readonly reject: true };

const valid = <T>(json: string | undefined, value: T): Field<T> => ({ json, value });
const invalid = (json: string): Field<never> => ({ json, reject: true });

/** The day the streams are about, and its neighbours. */
export const DAY = '2021-03-25';
const DAYS = ['2021-03-24', DAY, '2021-03-26'];

const orderIdField = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1', '2', '3', 'A-1').map((id) => valid(JSON.stringify(id), id)) },
  { weight: 3, arbitrary: fc.constantFrom(1, 2, 3).map((id) => valid(String(id), String(id))) },
  // Beyond 2^53: JSON.parse would make these two one number.
  { weight: 2, arbitrary: fc.constantFrom('9007199254740993', '9007199254740992').map((id) => valid(id, id)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '""', '1.5', 'true', '1.0', '1e2', '1E0').map(invalid) },
  // Integer syntax keeps its text: -0 is its own id, not 0.
  { weight: 1, arbitrary: fc.constantFrom('-0', '0', '-7').map((id) => valid(id, id)) },
);

const time = (day: string): fc.Arbitrary<string> =>
  // Few distinct times, so that versions of an order often tie.
  fc.tuple(fc.constantFrom(0, 12, 23), fc.constantFrom(0, 59), fc.constantFrom(0, 59)).map(
    ([h, m, s]) => `${day} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`,
  );

const orderTimeField = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...DAYS).chain(time).map((t) => valid(JSON.stringify(t), t)) },
  { weight: 1, arbitrary: fc.constantFrom('"2021-03-25"', '"2021-02-30 10:00:00"', 'null', '20210325').map(invalid) },
);

const payTimeField = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(DAY, DAY, ...DAYS).chain(time).map((t) => valid<string | null>(JSON.stringify(t), t)) },
  { weight: 2, arbitrary: fc.constantFrom('null', undefined).map((json) => valid<string | null>(json, null)) },
  { weight: 1, arbitrary: fc.constantFrom('"2021-03-25 24:00:00"', '"yesterday"', '5').map(invalid) },
);

const CENT = 10n ** 16n;
const MICRO = 10n ** 12n;

/** Up to 18 decimal places, as text and as the exact atto-units it means. */
const precise = fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.stringMatching(/^\d{1,18}$/)).map(([whole, fraction]) => ({
  text: `${whole}.${fraction}`,
  attos: BigInt(whole) * 10n ** 18n + BigInt(fraction.padEnd(18, '0')),
}));

const realPayField = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 99_999_999 }).map((cents) => valid<bigint | null>(`"${(cents / 100).toFixed(2)}"`, BigInt(cents) * CENT)) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 9_999_999 }).map((cents) => valid<bigint | null>(String(cents / 100), BigInt(cents) * CENT)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 999_999_999 }).map((micros) => valid<bigint | null>(`" ${(micros / 1e6).toFixed(6)} "`, BigInt(micros) * MICRO)) },
  { weight: 1, arbitrary: fc.constantFrom('0.1', '0.2', '0.3').map((text) => valid<bigint | null>(text, BigInt(Number(text) * 10) * 10n ** 17n)) },
  // Exact to the last of 18 places, as a JSON number and as a string.
  { weight: 1, arbitrary: precise.map(({ text, attos }) => valid<bigint | null>(text, attos)) },
  { weight: 1, arbitrary: precise.map(({ text, attos }) => valid<bigint | null>(`"${text}"`, attos)) },
  { weight: 1, arbitrary: fc.constantFrom('1.5e2', '"1E-18"', '25e-1').map((text) => valid<bigint | null>(text, { '1.5e2': 150n * 10n ** 18n, '"1E-18"': 1n, '25e-1': 25n * 10n ** 17n }[text]!)) },
  { weight: 2, arbitrary: fc.constantFrom('null', undefined).map((json) => valid<bigint | null>(json, null)) },
  { weight: 1, arbitrary: fc.constantFrom('"12.x"', '{}', 'true', '"NaN"', '-5', '"-0.01"', '1e16', '-1e-400', '0.0000000000000000001', '"1000000000000000.0000001"').map(invalid) },
);

const userIdField = fc.oneof(
  fc.constantFrom('u1', 'u2', 'u3', '7').map((id) => valid<string | null>(JSON.stringify(id), id)),
  fc.constantFrom(7, 8).map((id) => valid<string | null>(String(id), String(id))),
  fc.constantFrom('null', 'true', '1.5', '7.0', '7e0', '{}', undefined).map((json) => valid<string | null>(json, null)),
);

const channelField = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('webShop', 'appShop', 'miniAppShop').map((c) => valid<string | null>(JSON.stringify(c), c)) },
  { weight: 2, arbitrary: fc.constantFrom('qqShop', 'WebShop', '').map((c) => valid<string | null>(JSON.stringify(c), c)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '5', undefined).map((json) => valid<string | null>(json, null)) },
);

/** One record: mostly valid orders, some rejects of every rule, and now and then not JSON at all. */
export const orderRecord: fc.Arbitrary<GeneratedRecord> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .record({ orderId: orderIdField, orderTime: orderTimeField, payTime: payTimeField, realPay: realPayField, userId: userIdField, channel: channelField })
      .map(toRecord),
  },
  { weight: 1, arbitrary: fc.constantFrom('{"order_id":"1",', '[1,2]', 'null', '"text"', '{"order_id":"1" "x":1}').map((json) => ({ json, meaning: { order: null } })) },
);

/** A stream of records with many versions of few orders. */
export const orderStream = fc.array(orderRecord, { minLength: 0, maxLength: 60, size: 'max' });

function toRecord(fields: {
  orderId: Field<string>;
  orderTime: Field<string>;
  payTime: Field<string | null>;
  realPay: Field<bigint | null>;
  userId: Field<string | null>;
  channel: Field<string | null>;
}): GeneratedRecord {
  const parts: string[] = [];
  const put = (name: string, field: Field<unknown>): void => {
    if (field.json !== undefined) parts.push(`"${name}":${field.json}`);
  };
  put('order_id', fields.orderId);
  put('order_channel', fields.channel);
  put('order_time', fields.orderTime);
  parts.push('"pay_amount":"1.00"');
  put('real_pay', fields.realPay);
  put('pay_time', fields.payTime);
  put('user_id', fields.userId);
  parts.push('"user_name":"x","area_id":"330106"');
  const json = `{${parts.join(',')}}`;
  const { orderId, orderTime, payTime, realPay, userId, channel } = fields;
  if ('reject' in orderId || 'reject' in orderTime || 'reject' in payTime || 'reject' in realPay || 'reject' in userId || 'reject' in channel) {
    return { json, meaning: { order: null } };
  }
  return {
    json,
    meaning: {
      order: { orderId: orderId.value, orderTime: orderTime.value, payTime: payTime.value, attos: realPay.value, userId: userId.value, channel: channel.value },
    },
  };
}
