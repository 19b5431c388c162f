import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

/** Every TypeScript file of src/, as a path relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

/** The files of src/ a file imports (static and dynamic, types too), relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+\.ts)'/g)].map((m) => m[1]!);
  return found.map((spec) => relative(SRC, resolve(dirname(join(SRC, file)), spec)));
}

const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]));

/** One import circle, as the files in it, or undefined. */
function firstCircle(): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    path.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return undefined;
}

const importsInto = (from: (file: string) => boolean, into: (file: string) => boolean): string[] =>
  [...graph].flatMap(([file, imports]) => (from(file) ? imports.filter(into).map((target) => `${file} -> ${target}`) : []));

describe('the layers of src/', () => {
  it('have no import circle', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(firstCircle()).toBeUndefined();
  });

  it('point one way: core imports only core, sources and sinks no operators, nothing below the CLI imports it, nothing below the runtime imports the runtime', () => {
    expect(importsInto((f) => f.startsWith('core/'), (t) => !t.startsWith('core/'))).toEqual([]);
    expect(importsInto((f) => f.startsWith('sinks/') || f.startsWith('sources/'), (t) => t.startsWith('operators/') || t === 'pipeline.ts')).toEqual([]);
    expect(importsInto((f) => !f.startsWith('cli/'), (t) => t.startsWith('cli/'))).toEqual([]);
    // The runtime sits between the CLI and everything else: nothing it runs climbs back into it.
    expect(importsInto((f) => !f.startsWith('cli/') && !f.startsWith('runtime/'), (t) => t.startsWith('runtime/'))).toEqual([]);
  });

  it('leave the process to the CLI: no signal handlers, exit or environment below src/cli', () => {
    const below = [...graph.keys()].filter((file) => !file.startsWith('cli/') && !file.startsWith('stack/')); // stack: its own small command
    const touching = below.filter((file) => /process\.(on|once|off|exit|env|kill|stdout|stderr)\b/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(touching).toEqual([]);
  });

  it('take time in: no clock read in the core, the operators, the pipeline or the runtime', () => {
    const timeless = [...graph.keys()].filter((file) => /^(core|operators|runtime)\//.test(file) || file === 'pipeline.ts');
    const reading = timeless.filter((file) => /Date\.now\(|new Date\(\)/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(reading).toEqual([]);
  });
});
