import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intern, interned, lookup } from '../../src/core/interned.ts';

describe('intern', () => {
  it('numbers strings from 0 in the order they first come, the same string always the same number', () => {
    // Few distinct characters, so that strings repeat and hashes collide in the slots.
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '1', '\u00e9', '\ud83d\ude00'), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 3000 }), (strings) => {
        const table = interned();
        const expected = new Map<string, number>();
        for (const value of strings) {
          if (!expected.has(value)) expected.set(value, expected.size);
          expect(intern(table, value)).toBe(expected.get(value));
        }
        expect(table.values).toEqual([...expected.keys()]);
        for (const [value, number] of expected) expect(lookup(table, number)).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  it('finds every one of a million order ids again after the table has grown', () => {
    const table = interned();
    const ids = Array.from({ length: 1_000_000 }, (_, index) => `2026112000${String(index).padStart(10, '0')}`);
    const misnumbered = ids.filter((id, index) => intern(table, id) !== index);
    const lost = ids.filter((id, index) => intern(table, id.slice(0, 1) + id.slice(1)) !== index);
    expect({ misnumbered, lost, size: table.values.length }).toEqual({ misnumbered: [], lost: [], size: 1_000_000 });
  });

  it('gives null the number -1 and keeps nothing for it', () => {
    const table = interned();
    expect(intern(table, null)).toBe(-1);
    expect(lookup(table, -1)).toBeNull();
    expect(table.values).toEqual([]);
  });
});
