/**
 * tradeflow as a user installs it: `npm pack` of this checkout (which builds dist/), then
 * `npm install -g` of that tarball into a fresh prefix under data/: a few minutes, for npm builds
 * the native addons. The same tarball again (npm packs with fixed times) is not installed again. `.ci/run` starts it in the background
 * (`node --import tsx spec/support/installed-package.ts`) while the stack starts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PLACE = join(ROOT, 'data', 'installed-package');
const PREFIX = join(PLACE, 'prefix');
const READY = join(PLACE, 'installed-tarball');
const run = promisify(execFile);

/** Where the installed command and its package are. */
export interface InstalledPackage {
  /** The `tradeflow` npm linked into the prefix's bin/. */
  readonly bin: string;
  /** The installed package's folder. */
  readonly packageDir: string;
  /** The tarball's file names (package/...), as npm packed them. */
  readonly files: readonly string[];
}

let pending: Promise<InstalledPackage> | undefined;

/** Packs this checkout and installs the tarball globally into data/installed-package/prefix. */
export function installedPackage(): Promise<InstalledPackage> {
  pending ??= install();
  return pending;
}

async function install(): Promise<InstalledPackage> {
  const lock = join(PLACE, 'installing');
  mkdirSync(PLACE, { recursive: true });
  // Another process (the background install of .ci/run) may be at it: wait for it to finish first.
  for (let waited = 0; !tryLock(lock); waited += 2) {
    if (waited >= 2400) throw new Error(`Cannot install the package: ${lock} has been held for 40 minutes (remove it and try again)`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  try {
    const packs = join(PLACE, 'tarballs');
    rmSync(packs, { recursive: true, force: true });
    mkdirSync(packs);
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: ROOT, maxBuffer: 64 << 20 });
    const packed = (JSON.parse(stdout.slice(Math.max(0, stdout.search(/^\[\s*$/m)))) as { filename: string; integrity: string; files: { path: string }[] }[])[0];
    if (packed === undefined) throw new Error('Cannot install the package: npm pack made no tarball');
    const tarball = join(packs, readdirSync(packs).find((name) => name.endsWith('.tgz')) ?? packed.filename);
    const bin = join(PREFIX, 'bin', 'tradeflow');
    const installed = { bin, packageDir: join(PREFIX, 'lib', 'node_modules', 'tradeflow'), files: packed.files.map((file) => file.path) };
    // npm packs with fixed times, so the same files give the same tarball: installed already.
    if (existsSync(bin) && existsSync(READY) && readFileSync(READY, 'utf8') === packed.integrity) return installed;
    rmSync(READY, { force: true });
    rmSync(PREFIX, { recursive: true, force: true }); // a fresh prefix, as a first install has
    // node-gyp builds the addons against the running Node's headers (no download here).
    const nodedir = process.env.npm_config_nodedir ?? join(process.execPath, '..', '..');
    // Allowed by name: npm 11 warns of (and later npm versions skip) the addons' build scripts otherwise.
    await run('npm', ['install', '--global', '--prefix', PREFIX, '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3,node-rdkafka', tarball], {
      cwd: PLACE,
      env: { ...process.env, npm_config_nodedir: nodedir },
      maxBuffer: 256 << 20,
    });
    if (!existsSync(bin)) throw new Error(`Cannot install the package: npm install -g made no ${bin}`);
    writeFileSync(READY, packed.integrity);
    return installed;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Takes the lock (a folder holding the owner's pid); one whose owner is gone is taken over. */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    const owner = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
    if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const script = process.argv[1];
if (script !== undefined && fileURLToPath(import.meta.url) === script) {
  installedPackage().then(
    ({ bin }) => console.log(`tradeflow installed: ${bin}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
