/**
 * node-rdkafka as a machine without zstd's headers builds it (librdkafka without zstd), made once
 * under data/ from the installed package's own sources, and a copy of tradeflow that loads it:
 * what the codec specs run, since a build that lacks a codec cannot be had otherwise.
 * `node --import tsx spec/support/rdkafka-without-zstd.ts` builds it ahead (`.ci/run` does, in
 * the background, while the stack starts).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { scratchDir } from './cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODULES = join(ROOT, 'node_modules');
const BUILD = join(ROOT, 'data', 'rdkafka-without-zstd');
const PACKAGE = join(BUILD, 'node_modules', 'node-rdkafka');
const READY = join(BUILD, 'ready');
const run = promisify(execFile);

/** The folder whose node_modules holds node-rdkafka without zstd; built the first time (a few minutes). */
export async function rdkafkaWithoutZstd(): Promise<string> {
  if (existsSync(READY)) return BUILD;
  const lock = join(BUILD, 'building');
  mkdirSync(BUILD, { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    // Another process builds it: wait for it (a build takes minutes; give up after 15).
    for (let waited = 0; !existsSync(READY) && waited < 900; waited += 2) await new Promise((resolve) => setTimeout(resolve, 2000));
    if (existsSync(READY)) return BUILD;
    throw new Error(`Cannot build node-rdkafka without zstd: ${lock} is there but nothing came of it (remove it and try again)`);
  }
  try {
    rmSync(PACKAGE, { recursive: true, force: true });
    cpSync(join(MODULES, 'node-rdkafka'), PACKAGE, { recursive: true, filter: (source) => !source.startsWith(join(MODULES, 'node-rdkafka', 'build')) });
    for (const dependency of ['nan', 'bindings']) symlinkSync(join(MODULES, dependency), join(BUILD, 'node_modules', dependency));
    const configure = join(PACKAGE, 'util', 'configure.js');
    const script = readFileSync(configure, 'utf8');
    if (!script.includes("' --libdir=' + releaseDir")) throw new Error(`Cannot build node-rdkafka without zstd: ${configure} is not as expected`);
    writeFileSync(configure, script.replace("' --libdir=' + releaseDir", "' --libdir=' + releaseDir + ' --disable-zstd'"));
    await run('make', ['-s', '-C', join(PACKAGE, 'deps', 'librdkafka'), 'clean'], { maxBuffer: 64 << 20 }).catch(() => undefined);
    // npm puts its own node-gyp on the PATH of a package's scripts; the headers are the running Node's.
    const nodedir = process.env.npm_config_nodedir ?? dirname(dirname(process.execPath));
    await run('npm', ['run', 'install', '--silent'], { cwd: PACKAGE, env: { ...process.env, npm_config_nodedir: nodedir, JOBS: '2' }, maxBuffer: 256 << 20 });
    const features = (await run(process.execPath, ['-e', `console.log(require(${JSON.stringify(PACKAGE)}).features.join(','))`])).stdout.trim();
    if (features.split(',').includes('zstd')) throw new Error(`Cannot build node-rdkafka without zstd: it came out with ${features}`);
    writeFileSync(READY, `${features}\n`);
    return BUILD;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A copy of tradeflow's sources whose node_modules is this checkout's, but for node-rdkafka,
 * which is the one in `build`. Returns the path of its command.
 */
export function tradeflowWith(build: string): string {
  const copy = scratchDir();
  cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  mkdirSync(join(copy, 'node_modules'));
  for (const entry of readdirSync(MODULES)) {
    if (entry === 'node-rdkafka' || entry === '.bin') continue;
    symlinkSync(join(MODULES, entry), join(copy, 'node_modules', entry));
  }
  symlinkSync(join(build, 'node_modules', 'node-rdkafka'), join(copy, 'node_modules', 'node-rdkafka'));
  return join(copy, 'src', 'cli', 'tradeflow.js');
}

const script = process.argv[1];
if (script !== undefined && fileURLToPath(import.meta.url) === script) {
  rdkafkaWithoutZstd().then(
    (build) => console.log(`node-rdkafka without zstd: ${build}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
