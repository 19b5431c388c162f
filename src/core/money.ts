/**
 * Exact money: amounts are whole numbers of micro-units (10^-6), as a JS number while that
 * is exact (below 2^53) and as a bigint beyond, so sums never drift (0.1 + 0.2 = 0.3).
 */

/** An amount in micro-units: a safe integer, or a bigint when it does not fit one. */
export type Micros = number | bigint;

/** Decimal places kept; more are rounded half to even, as a bank would. */
export const DECIMALS = 6;
const SCALE = 1_000_000;
const SCALE_BIG = 1_000_000n;
/** The largest accepted amount (SEMANTICS.md: above 10^15 is rejected). */
export const MAX_AMOUNT_MICROS = 10n ** 21n;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

const PLAIN_DECIMAL = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

/**
 * Reads amount text to micro-units: plain decimals of up to 6 places below 10^9 (nearly all of
 * them) without a bigint, the rest through {@link parseDecimal}; undefined when not a number.
 */
export function microsFromText(text: string): Micros | undefined {
  const plain = PLAIN_DECIMAL.exec(text);
  if (plain === null) {
    const micros = parseDecimal(text);
    return micros === undefined ? undefined : compactMicros(micros);
  }
  const fraction = plain[2] ?? '';
  return Number(plain[1]) * SCALE + (fraction === '' ? 0 : Number(fraction) * 10 ** (DECIMALS - fraction.length));
}

/** Parses decimal text ("100.00", " 7 ", "1e3") to micro-units; undefined when it is not a number. */
export function parseDecimal(text: string): bigint | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) {
    // An absurd exponent: zero stays zero, anything else is far out of range either way.
    return /[1-9]/.test(whole + fraction) ? (exponent > 0 ? MAX_AMOUNT_MICROS * 10n : 0n) : 0n;
  }
  const digits = (whole + fraction).replace(/^0+(?=\d)/, '') || '0';
  const shift = fraction.length - exponent - DECIMALS; // digits to drop (>0) or zeros to add (<0)
  let micros: bigint;
  if (shift <= 0) {
    micros = BigInt(digits) * 10n ** BigInt(-shift);
  } else {
    const divisor = 10n ** BigInt(shift);
    const value = BigInt(digits);
    micros = value / divisor;
    const remainder = (value % divisor) * 2n;
    if (remainder > divisor || (remainder === divisor && micros % 2n === 1n)) micros += 1n;
  }
  return sign === '-' ? -micros : micros;
}

/**
 * Converts a JSON number to micro-units, rounded half to even at 6 places, when the double
 * settles it; undefined when it does not (large, or too near a half) and the exact text is needed.
 */
export function microsFromNumber(value: number): number | undefined {
  // Below 10^8 the product is off the true decimal by < 0.03 micro-units, so any value farther
  // than 0.4 from a half rounds the same way as the decimal the producer wrote.
  if (!(Math.abs(value) < 1e8)) return undefined;
  const scaled = value * SCALE;
  const micros = Math.round(scaled);
  return Math.abs(scaled - micros) < 0.4 ? micros + 0 : undefined;
}

/** Normalizes a micro-unit amount: a number when it is a safe integer, else a bigint. */
export function compactMicros(micros: bigint): Micros {
  return micros >= -9007199254740991n && micros <= 9007199254740991n ? Number(micros) : micros;
}

/** A running exact sum of micro-units: a fast number part plus a bigint carry. */
export interface MoneySum {
  small: number;
  big: bigint;
}

/** A sum of nothing. */
export function zeroSum(): MoneySum {
  return { small: 0, big: 0n };
}

/** Adds (sign 1) or subtracts (sign -1) an amount, exactly. */
export function addMicros(sum: MoneySum, micros: Micros, sign: 1 | -1): void {
  if (typeof micros === 'number') {
    const delta = sign * micros;
    if (Math.abs(sum.small) + Math.abs(delta) > Number.MAX_SAFE_INTEGER) {
      sum.big += BigInt(sum.small);
      sum.small = 0;
    }
    sum.small += delta;
  } else {
    sum.big += sign === 1 ? micros : -micros;
  }
}

/** The sum as exact decimal text with 6 places, e.g. "986.500000". */
export function sumToText(sum: MoneySum): string {
  return microsToText(sum.big + BigInt(sum.small));
}

/** Micro-units as exact decimal text with 6 places. */
export function microsToText(micros: Micros): string {
  const value = BigInt(micros);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(DECIMALS + 1, '0');
  const cut = digits.length - DECIMALS;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** The sum as the nearest double, for the DOUBLE column (correctly rounded from the exact value). */
export function sumToNumber(sum: MoneySum): number {
  if (sum.big === 0n) return sum.small / SCALE; // exact integer / exact 1e6: one correct rounding
  const total = sum.big + BigInt(sum.small);
  return Number(microsToText(total));
}

/** Micro-units as the nearest double. */
export function microsToNumber(micros: Micros): number {
  return typeof micros === 'number' ? micros / SCALE : Number(microsToText(micros));
}

export { SCALE_BIG as MICROS_PER_UNIT };
