import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addAmount, amountToText, parseAmount, sumToAttos, sumToNumber, sumToText, toAttos, zeroSum, type Amount } from '../../src/core/money.ts';

const amount = (text: string): Amount => {
  const parsed = parseAmount(text);
  if (typeof parsed === 'string') throw new TypeError(`${text}: ${parsed}`);
  return parsed;
};

/** Decimal text with up to 18 places as atto-units, written plainly for the references. */
const attosOf = (whole: bigint, fraction: string): bigint => whole * 10n ** 18n + BigInt(fraction.padEnd(18, '0') || '0');

describe('exact money', () => {
  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    const sum = zeroSum();
    addAmount(sum, amount('0.1'), 1);
    addAmount(sum, amount('0.2'), 1);
    expect(sumToText(sum)).toBe('0.30');
    expect(sumToNumber(sum)).toBe(0.3);
  });

  it('keeps every digit up to 18 decimal places: ten times 0.0000001 is 0.000001', () => {
    const sum = zeroSum();
    for (let i = 0; i < 10; i++) addAmount(sum, amount('0.0000001'), 1);
    expect(sumToText(sum)).toBe('0.000001');
    addAmount(sum, amount('0.000000000000000001'), 1);
    expect(sumToText(sum)).toBe('0.000001000000000001');
  });

  it('reads decimal text with signs, exponents and trailing zeros, exactly', () => {
    expect(amount('100.00')).toBe(100_000_000);
    expect(amount('1e3')).toBe(1_000_000_000);
    expect(amount('+5')).toBe(5_000_000);
    expect(amount('.5')).toBe(500_000);
    expect(amount('12.')).toBe(12_000_000);
    expect(amount('-0')).toBe(0);
    expect(amount('-0.000')).toBe(0);
    expect(amount('5.000000000000000000000000')).toBe(5_000_000); // trailing zeros are no precision
    expect(amount('1.5e-17')).toBe(15n);
    expect(amount('0.0000015')).toBe(1_500_000_000_000n);
  });

  it('names the problem of what is not an accepted amount', () => {
    for (const text of ['12.x', 'NaN', '.', '', '1e', '0x10', '1,5', 'Infinity']) expect(parseAmount(text)).toBe('not-a-number');
    for (const text of ['-0.5', '-5', '-1e-400', '-0.0000000000000000001']) expect(parseAmount(text)).toBe('negative');
    for (const text of ['1000000000000000.0000001', '1e400', '1e99999999999999999999', '10000000000000000']) expect(parseAmount(text)).toBe('too-large');
    for (const text of ['0.0000000000000000001', '1e-400', '1e-99999999999999999999']) expect(parseAmount(text)).toBe('too-precise');
    expect(amount('1000000000000000')).toBe(10n ** 33n); // exactly 10^15 is accepted
    expect(amount('999999999999999.999999999999999999')).toBe(10n ** 33n - 1n);
  });

  it('reads any decimal of up to 18 places as its exact value (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.stringMatching(/^\d{0,18}$/), fc.integer({ min: 0, max: 3 }), (whole, fraction, zeros) => {
        const text = `${whole}${fraction === '' ? '' : `.${fraction}`}${'0'.repeat(fraction === '' ? 0 : zeros)}`;
        expect(toAttos(amount(text))).toBe(attosOf(whole, fraction));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps sums beyond 2^53 micro-units exact', () => {
    const sum = zeroSum();
    for (let i = 0; i < 3; i++) addAmount(sum, amount('999999999999.999999'), 1);
    addAmount(sum, amount('0.000001'), 1);
    expect(sumToText(sum)).toBe('2999999999999.999998');
    addAmount(sum, amount('999999999999.999999'), -1);
    expect(sumToText(sum)).toBe('1999999999999.999999');
  });

  it('gives the same exact sum whatever the order of adding and retracting (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 33n }), fc.boolean())), (amounts) => {
        const sum = zeroSum();
        let exact = 0n;
        for (const [attos, add] of amounts) {
          addAmount(sum, amount(amountToText(attos)), add ? 1 : -1);
          exact += add ? attos : -attos;
        }
        expect(sumToAttos(sum)).toBe(exact);
      }),
    );
  });

  it('writes the nearest double of the exact sum for the DOUBLE column', () => {
    const sum = zeroSum();
    addAmount(sum, amount('0.1'), 1);
    addAmount(sum, amount('0.000000000000000001'), 1);
    expect(sumToNumber(sum)).toBe(0.1);
    addAmount(sum, amount('999999999999999'), 1);
    expect(sumToNumber(sum)).toBe(999999999999999.1);
  });
});
