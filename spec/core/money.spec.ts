import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMicros, microsFromNumber, parseDecimal, sumToNumber, sumToText, zeroSum } from '../../src/core/money.ts';

describe('exact money', () => {
  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    const sum = zeroSum();
    addMicros(sum, microsFromNumber(0.1)!, 1);
    addMicros(sum, microsFromNumber(0.2)!, 1);
    expect(sumToText(sum)).toBe('0.300000');
    expect(sumToNumber(sum)).toBe(0.3);
  });

  it('reads decimal text with spaces, signs, exponents, and rounds past 6 places half to even', () => {
    expect(parseDecimal(' 7 ')).toBe(7_000_000n);
    expect(parseDecimal('100.00')).toBe(100_000_000n);
    expect(parseDecimal('1e3')).toBe(1_000_000_000n);
    expect(parseDecimal('-0.5')).toBe(-500_000n);
    expect(parseDecimal('0.0000005')).toBe(0n);
    expect(parseDecimal('0.0000015')).toBe(2n);
    expect(parseDecimal('12.x')).toBeUndefined();
    expect(parseDecimal('NaN')).toBeUndefined();
    expect(parseDecimal('.')).toBeUndefined();
  });

  it('keeps sums beyond 10^12 exact, and beyond 2^53 micro-units too', () => {
    const sum = zeroSum();
    for (let i = 0; i < 3; i++) addMicros(sum, parseDecimal('999999999999.999999')!, 1);
    addMicros(sum, 1n, 1);
    expect(sumToText(sum)).toBe('2999999999999.999998');
    addMicros(sum, parseDecimal('999999999999.999999')!, -1);
    expect(sumToText(sum)).toBe('1999999999999.999999');
  });

  it('gives the same sum whatever the order of adding and retracting (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 21n }), fc.boolean())), (amounts) => {
        const sum = zeroSum();
        let exact = 0n;
        for (const [micros, add] of amounts) {
          const compact = micros <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(micros) : micros;
          addMicros(sum, compact, add ? 1 : -1);
          exact += add ? micros : -micros;
        }
        expect(sum.big + BigInt(sum.small)).toBe(exact);
      }),
    );
  });

  it('takes a JSON number as the decimal the producer wrote, or asks for the exact text', () => {
    expect(microsFromNumber(66.6)).toBe(66_600_000);
    expect(microsFromNumber(0.30000000000000004)).toBe(300_000);
    expect(microsFromNumber(1e12)).toBeUndefined();
    expect(microsFromNumber(0.0000005)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999_999 }), (micros) => {
        const text = (micros / 1e6).toFixed(6);
        const fast = microsFromNumber(Number(text));
        if (fast !== undefined) expect(BigInt(fast)).toBe(parseDecimal(text));
      }),
    );
  });
});
