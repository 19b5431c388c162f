import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('links only files that a clone of the repository has (the contract is in it, not beside it)', () => {
    const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^(https?:|#|mailto:)/.test(target));
    expect(targets.filter((target) => target.startsWith('../') || target.startsWith('/'))).toEqual([]);
    expect(targets.filter((target) => !existsSync(`${ROOT}${target.split('#')[0]}`))).toEqual([]);
    expect(README).not.toMatch(/\.\.\/shared\/|SEMANTICS\.md/);
  });
});
