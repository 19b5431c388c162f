/**
 * Exact money: an amount is kept to the last digit the producer wrote, up to 18 decimal places,
 * and sums never drift (0.1 + 0.2 = 0.3). The common amount (at most 6 decimal places, below
 * 2^53 micro-units) is a plain number of micro-units (10^-6), added without a bigint; any other
 * amount is a bigint of atto-units (10^-18). A sum keeps both parts and is exact either way.
 */

/**
 * An exact amount: a safe integer of micro-units (10^-6), or a bigint of atto-units (10^-18)
 * when it has more than 6 decimal places or is too large for that.
 */
export type Amount = number | bigint;

/** The most decimal places an amount may have (more is a reject: the limit is stated to the producer). */
export const MAX_DECIMALS = 18;
/** The largest accepted amount, in units (SEMANTICS.md: above 10^15 is a reject). */
export const MAX_UNITS = 10n ** 15n;

const MICROS_PER_UNIT = 1_000_000;
const ATTOS_PER_MICRO = 10n ** 12n;
const ATTOS_PER_UNIT = 10n ** 18n;
const MAX_ATTOS = MAX_UNITS * ATTOS_PER_UNIT;

/** Why a text is not an accepted amount. */
export type AmountProblem = 'not-a-number' | 'negative' | 'too-large' | 'too-precise';

/** Any decimal: sign, whole digits, fraction, exponent. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads decimal text exactly ("100.00", "1e3", "-0.5", a JSON number's own digits): the amount,
 * or the problem with it. Surrounding white space is the caller's to remove.
 */
export function parseAmount(text: string): Amount | AmountProblem {
  const plain = plainMicros(text);
  if (plain >= 0) return plain;
  const match = DECIMAL.exec(text);
  if (match === null) return 'not-a-number';
  const [, sign = '', whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return 'not-a-number';
  // The significant digits and the power of ten they are scaled by: value = digits * 10^-scale.
  const digits = (whole + fraction).replace(/^0+/, '');
  const trimmed = digits.replace(/0+$/, '');
  if (trimmed === '') return 0; // zero, however written ("-0.00" too: zero is not negative)
  if (sign === '-') return 'negative';
  // An exponent beyond any bound is settled by its sign alone (and never made into a bigint).
  const exponent = exponentText === undefined ? 0 : Math.max(-1e9, Math.min(1e9, Number(exponentText)));
  const scale = fraction.length - exponent - (digits.length - trimmed.length); // decimal places of the value
  if (scale > MAX_DECIMALS) return 'too-precise';
  if (trimmed.length - scale > 16) return 'too-large'; // 10^16 or more
  const attos = BigInt(trimmed) * 10n ** BigInt(MAX_DECIMALS - scale);
  if (attos > MAX_ATTOS) return 'too-large';
  return compactAttos(attos);
}

/**
 * Micro-units of a plain decimal of 1 to 9 whole digits and up to 6 decimals (nearly every
 * amount), read digit by digit without a bigint or a regular expression; -1 for any other text.
 */
function plainMicros(text: string): number {
  const length = text.length;
  let whole = 0;
  let at = 0;
  for (; at < length && at < 10; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
  }
  if (at === 0 || at > 9) return -1;
  if (at === length) return whole * MICROS_PER_UNIT;
  if (text.charCodeAt(at) !== 46 || length - at - 1 > 6 || length - at - 1 === 0) return -1;
  let fraction = 0;
  for (let i = at + 1; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    fraction = fraction * 10 + digit;
  }
  return whole * MICROS_PER_UNIT + fraction * POWERS[6 - (length - at - 1)]!;
}

const POWERS = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

/** An amount of atto-units in its compact form: micro-units as a number when that is exact and safe. */
export function compactAttos(attos: bigint): Amount {
  if (attos % ATTOS_PER_MICRO === 0n) {
    const micros = attos / ATTOS_PER_MICRO;
    if (micros >= -9007199254740991n && micros <= 9007199254740991n) return Number(micros);
  }
  return attos;
}

/** The amount in atto-units. */
export function toAttos(amount: Amount): bigint {
  return typeof amount === 'number' ? BigInt(amount) * ATTOS_PER_MICRO : amount;
}

/** A running exact sum: micro-units in a number while that is exact, the rest in a bigint of atto-units. */
export interface MoneySum {
  small: number;
  big: bigint;
}

/** A sum of nothing. */
export function zeroSum(): MoneySum {
  return { small: 0, big: 0n };
}

/** Adds (sign 1) or subtracts (sign -1) an amount, exactly. */
export function addAmount(sum: MoneySum, amount: Amount, sign: 1 | -1): void {
  if (typeof amount === 'number') {
    const delta = sign * amount;
    if (Math.abs(sum.small) + Math.abs(delta) > Number.MAX_SAFE_INTEGER) {
      sum.big += BigInt(sum.small) * ATTOS_PER_MICRO;
      sum.small = 0;
    }
    sum.small += delta;
  } else {
    sum.big += sign === 1 ? amount : -amount;
  }
}

/** The sum in atto-units. */
export function sumToAttos(sum: MoneySum): bigint {
  return sum.big + BigInt(sum.small) * ATTOS_PER_MICRO;
}

/** The sum as exact decimal text, with at least two decimal places ("986.50", "0.0000001"). */
export function sumToText(sum: MoneySum): string {
  return sum.big === 0n ? amountToText(sum.small) : attosToText(sumToAttos(sum));
}

/** An amount as exact decimal text, with at least two decimal places. */
export function amountToText(amount: Amount): string {
  if (typeof amount === 'bigint') return attosToText(amount);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(7, '0');
  return decimalText(negative, digits.slice(0, -6), digits.slice(-6));
}

/** Atto-units as exact decimal text, with at least two decimal places. */
export function attosToText(attos: bigint): string {
  const negative = attos < 0n;
  const digits = (negative ? -attos : attos).toString().padStart(MAX_DECIMALS + 1, '0');
  return decimalText(negative, digits.slice(0, -MAX_DECIMALS), digits.slice(-MAX_DECIMALS));
}

function decimalText(negative: boolean, whole: string, fraction: string): string {
  let end = fraction.length;
  while (end > 2 && fraction.charCodeAt(end - 1) === 48) end -= 1;
  return `${negative ? '-' : ''}${whole}.${fraction.slice(0, end)}`;
}

/** The sum as the nearest double, for the DOUBLE column (correctly rounded from the exact value). */
export function sumToNumber(sum: MoneySum): number {
  if (sum.big === 0n) return sum.small / MICROS_PER_UNIT; // an exact integer over an exact 10^6: one rounding
  return Number(attosToText(sumToAttos(sum)));
}

/** An amount as the nearest double. */
export function amountToNumber(amount: Amount): number {
  return typeof amount === 'number' ? amount / MICROS_PER_UNIT : Number(attosToText(amount));
}

export { ATTOS_PER_UNIT };
