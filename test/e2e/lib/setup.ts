import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capture, run } from './processes';
import { NODE24_DIR, TOOL_SOURCES, TOOLS } from './paths';

/** Debian packages: the browser, fonts for readable screenshots, and what code-server's native build needs. */
export const DEBIAN_PACKAGES = ['chromium', 'fonts-dejavu-core', 'libkrb5-dev', 'pkg-config'] as const;

/** Installs missing Debian packages when root; otherwise names them and stops. Idempotent. */
export async function ensureDebianPackages(log: (line: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const pkg of DEBIAN_PACKAGES) {
    const { stdout } = await capture('dpkg-query', ['-W', '-f=${Status}', pkg]).catch(() => ({ stdout: '' }));
    if (!stdout.includes('install ok installed')) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`The e2e tests need these Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`Installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/**
 * Installs a pinned tool from its committed package.json + package-lock.json (test/e2e/tools/<name>)
 * into .e2e/tools/<name> with `npm ci`. A stamp of the lockfile's hash makes it idempotent.
 */
async function ensureTool(name: string, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const source = join(TOOL_SOURCES, name);
  const target = join(TOOLS, name);
  const lock = readFileSync(join(source, 'package-lock.json'));
  const stamp = createHash('sha256').update(readFileSync(join(source, 'package.json'))).update(lock).digest('hex');
  const stampFile = join(target, '.installed');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  log(`Installing the pinned ${name} into ${target} (npm ci)…`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(source, f), join(target, f));
  const started = Date.now();
  await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: target, env });
  writeFileSync(stampFile, stamp);
  log(`  ${name} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Node 24 first (code-server 4.139 refuses Node 20), then code-server built against its headers:
 * its postinstall compiles native modules, and kerberos must build from source (no binary downloads here).
 */
export async function ensureTools(log: (line: string) => void): Promise<void> {
  await ensureTool('node24', log, cleanEnv());
  await ensureTool('code-server', log, {
    ...cleanEnv(),
    PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: NODE24_DIR,
    npm_config_build_from_source: 'kerberos',
  });
}

/**
 * The environment without what `npm run` adds (npm_*, NODE): those point the nested npm and its
 * install scripts back at the Node that runs this script instead of the one first on PATH.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_/i.test(key) || key === 'NODE' || key === 'INIT_CWD') delete env[key];
  return env;
}
