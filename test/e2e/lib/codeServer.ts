import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY, NODE24, NODE24_DIR } from './paths';
import { capture, startGroup, stopGroup } from './processes';
import { cleanEnv } from './setup';

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly userDataDir: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** A short throwaway folder (Unix socket paths are limited to ~100 bytes). */
  home: string;
  logFile: string;
  /** Extension-host tests need VS Code's smoke-test driver to honour the development payload. */
  smokeTestDriver: boolean;
  /** Extra user settings, merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** .vsix files to install before start. */
  install?: string[];
  /** Extra environment for the server and its extension hosts. */
  env?: Record<string, string>;
  /**
   * Workspace trust on, with no prompt: a folder opens in Restricted Mode until trusted. Off by
   * default (every folder trusted), as for most suites.
   */
  workspaceTrust?: boolean;
}

/** Everything that would phone home, show a walkthrough or start an AI agent host is off. */
const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'json.schemaDownload.enable': false,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server (VS Code 1.139 server + web workbench) on 127.0.0.1 with throwaway user data,
 * extensions, XDG and TMPDIR folders, in its own process group. Ready when /healthz answers.
 * Starting is the one place that is retried (a port taken between probe and bind, a slow first start).
 */
export async function startCodeServer(opts: CodeServerOptions, attempts = 3): Promise<CodeServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await startOnce(opts, attempt);
    } catch (err) {
      lastError = err;
      writeFileSync(opts.logFile, `\n[e2e] start attempt ${attempt} failed: ${(err as Error).message}\n`, { flag: 'a' });
    }
  }
  throw new Error(`code-server did not start after ${attempts} attempts: ${(lastError as Error).message} (log: ${opts.logFile})`);
}

async function startOnce(opts: CodeServerOptions, attempt: number): Promise<CodeServer> {
  const dirs = Object.fromEntries(
    ['user', 'ext', 'tmp', 'data', 'config', 'cache'].map((d) => {
      const path = join(opts.home, d);
      mkdirSync(path, { recursive: true });
      return [d, path];
    }),
  ) as Record<'user' | 'ext' | 'tmp' | 'data' | 'config' | 'cache', string>;
  mkdirSync(join(dirs.user, 'User'), { recursive: true });
  const trust = opts.workspaceTrust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' } : {};
  writeFileSync(join(dirs.user, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...trust, ...opts.settings }, null, 2));
  const configFile = join(opts.home, 'config.yaml');
  void attempt;
  writeFileSync(configFile, 'auth: none\ncert: false\n');

  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH ?? ''}`,
    EXTENSIONS_GALLERY: '{}',
    TMPDIR: dirs.tmp,
    XDG_DATA_HOME: dirs.data,
    XDG_CONFIG_HOME: dirs.config,
    XDG_CACHE_HOME: dirs.cache,
    ...opts.env,
  };
  delete env.NODE_OPTIONS;
  const common = ['--user-data-dir', dirs.user, '--extensions-dir', dirs.ext];
  for (const vsix of opts.install ?? []) {
    const r = await capture(NODE24, [CODE_SERVER_ENTRY, ...common, '--install-extension', vsix], { env });
    writeFileSync(opts.logFile, `[e2e] install ${vsix}:\n${r.stdout}${r.stderr}\n`, { flag: 'a' });
    if (r.code !== 0) throw new Error(`installing ${vsix} failed: ${r.stderr || r.stdout}`);
  }

  const port = await freePort();
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--config',
    configFile,
    ...common,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const child = startGroup(NODE24, args, { env, cwd: opts.home, logFile: opts.logFile });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, 60_000);
  return {
    url,
    port,
    userDataDir: dirs.user,
    logFile: opts.logFile,
    stop: () => stopGroup(child),
  };
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`code-server exited with ${child.signalCode ?? child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopGroup(child);
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s`);
}
