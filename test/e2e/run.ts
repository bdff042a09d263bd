/**
 * `npm run test:e2e`: the extension in a real VS Code (code-server 4.139.1 = VS Code 1.139.1), offline.
 *
 * 1. Installs what it needs, idempotently: Debian packages (as root) and pinned tools from the
 *    lockfiles under test/e2e/tools into .e2e/tools.
 * 2. Packages the extension and checks what the .vsix holds.
 * 3. Extension-host suites (mocha, bundled into dist/test/e2e): a code-server with the smoke-test
 *    driver loads the extension from this folder; two phases on the same user data (first start, second start).
 * 4. UI scenarios (Playwright + Debian Chromium) against a code-server with the .vsix installed.
 *
 * Screenshots and logs go to .e2e/artifacts/<time>/. Every process started is stopped by process group,
 * also on failure, on the overall timeout and on Ctrl-C. Ends with "N passed, N failed".
 * Options: --host-only, --ui-only, --grep <text> (host suites and UI scenarios whose name contains it).
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser } from './lib/browser';
import { startCodeServer, type CodeServer } from './lib/codeServer';
import { E2E_HOME, REPO } from './lib/paths';
import { killAllNow, run, stopAll } from './lib/processes';
import { ensureDebianPackages, ensureTools } from './lib/setup';
import { checkVsix } from './lib/vsix';
import { uiTests, type UiContext } from './ui/harness';
import { Workbench } from './ui/pages/workbench';

const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 20 * 60_000);
const HOST_PHASE_TIMEOUT_MS = 5 * 60_000;

const args = process.argv.slice(2);
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : undefined;
const hostOnly = args.includes('--host-only');
const uiOnly = args.includes('--ui-only');

interface Result {
  name: string;
  ok: boolean;
  detail?: string;
}
const results: Result[] = [];
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const artifacts = join(E2E_HOME, 'artifacts', stamp);
mkdirSync(artifacts, { recursive: true });
// Short: code-server puts Unix sockets under TMPDIR, and their paths are limited to ~100 bytes.
const scratch = mkdtempSync('/tmp/tme-');

function say(line: string): void {
  console.log(line);
  appendFileSync(join(artifacts, 'run.log'), `${line}\n`);
}

function record(r: Result): void {
  results.push(r);
  say(`${r.ok ? '  ✓' : '  ✗'} ${r.name}${r.ok || !r.detail ? '' : `\n      ${r.detail.split('\n').join('\n      ')}`}`);
}

async function main(): Promise<void> {
  say(`Artifacts (screenshots, logs): ${relative(process.cwd(), artifacts) || artifacts}`);
  await ensureDebianPackages(say);
  await ensureTools(say);

  say('Packaging the extension…');
  const vsix = join(E2E_HOME, 'template-marketplace.vsix');
  rmSync(vsix, { force: true });
  const buildLog = openSync(join(artifacts, 'build.log'), 'a');
  await run('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: REPO, stdio: ['ignore', buildLog, buildLog] });
  const { entries, problems } = checkVsix(vsix);
  writeFileSync(join(artifacts, 'vsix-contents.txt'), entries.join('\n'));
  record({ name: `the .vsix holds what the extension needs and nothing else (${entries.length} files)`, ok: problems.length === 0, detail: problems.join('\n') });

  // A development build on top: it adds the host suites under dist/test/e2e.
  await run('node', ['esbuild.js'], { cwd: REPO, stdio: ['ignore', buildLog, buildLog] });

  if (!uiOnly) await hostSuites();
  if (!hostOnly) await uiScenarios(vsix);
}

/** Both phases share one user-data folder, so the second sees what the first start left behind. */
async function hostSuites(): Promise<void> {
  const home = join(scratch, 'h');
  const workspace = join(scratch, 'ws-host');
  mkdirSync(workspace, { recursive: true });
  for (const phase of ['first', 'second'] as const) {
    say(`Extension-host suites, ${phase} start…`);
    const server = await startCodeServer({ home, logFile: join(artifacts, `server-host-${phase}.log`), smokeTestDriver: true });
    try {
      await hostPhase(phase, server, workspace);
    } finally {
      await server.stop();
      copyLogs(server, `host-${phase}`);
    }
    checkExtensionHostLog(server, phase);
  }
  await restrictedPhase();
}

/**
 * A third start, with workspace trust on: a folder whose own settings name a marketplace (and turn
 * the sample off) opens in Restricted Mode, and *.restricted.ts checks that the engine ignores them.
 */
async function restrictedPhase(): Promise<void> {
  const workspace = join(scratch, 'ws-restricted');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  const planted = { 'templateMarketplace.marketplaces': [{ id: 'planted', url: 'http://127.0.0.1:9/', publicKey: Buffer.alloc(32, 9).toString('base64') }], 'templateMarketplace.includeSampleMarketplace': false, 'e2e.planted': true };
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(planted, null, 2));
  say('Extension-host suites, Restricted Mode…');
  const server = await startCodeServer({ home: join(scratch, 'r'), logFile: join(artifacts, 'server-host-restricted.log'), smokeTestDriver: true, workspaceTrust: true });
  try {
    await hostPhase('restricted', server, workspace);
  } finally {
    await server.stop();
    copyLogs(server, 'host-restricted');
  }
  checkExtensionHostLog(server, 'restricted');
}

async function hostPhase(phase: 'first' | 'second' | 'restricted', server: CodeServer, workspace: string): Promise<void> {
  const hostLog = join(artifacts, `exthost-${phase}.log`);
  const b = await openBrowser({ home: scratch, consoleLog: (l) => appendFileSync(join(artifacts, `browser-host-${phase}.log`), `${l}\n`) });
  try {
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    await b.page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    let resultLine: string | undefined;
    await b.page.exposeFunction('codeAutomationLog', (level: string, lines: unknown) => {
      const text = Array.isArray(lines) ? formatConsole(lines.map(String)) : String(lines);
      appendFileSync(hostLog, `[${level}] ${text}\n`);
      const at = text.indexOf('E2E_HOST_RESULT ');
      if (at >= 0) resultLine = text.slice(at + 'E2E_HOST_RESULT '.length);
    });
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(REPO)],
      ['extensionTestsPath', remote(join(REPO, 'dist', 'test', 'e2e', 'index'))],
      ['extensionEnvironment', JSON.stringify({ E2E_PHASE: phase, E2E_USER_DATA_DIR: server.userDataDir, E2E_WORKSPACE: workspace, ...(grep ? { E2E_GREP: grep } : {}) })],
      ['skipWelcome', 'true'],
    ];
    await b.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), HOST_PHASE_TIMEOUT_MS).unref());
    const outcome = await Promise.race([exited, timeout]);
    await b.page.screenshot({ path: join(artifacts, `host-${phase}.png`) }).catch(() => undefined);
    if (outcome === 'timeout') {
      record({ name: `extension-host suites (${phase} start)`, ok: false, detail: `no result within ${HOST_PHASE_TIMEOUT_MS / 1000} s; see ${hostLog}` });
      return;
    }
    const parsed = resultLine ? (JSON.parse(resultLine) as { passed: string[]; failures: string[] }) : undefined;
    if (!parsed) {
      record({ name: `extension-host suites (${phase} start)`, ok: false, detail: `the test runner exited with ${outcome} before reporting (activation failed?); see ${hostLog}` });
      return;
    }
    for (const title of parsed.passed) record({ name: `host (${phase} start): ${title}`, ok: true });
    for (const f of parsed.failures) record({ name: `host (${phase} start): ${f.split('\n')[0]}`, ok: false, detail: f.split('\n').slice(1).join('\n') });
    if (parsed.failures.length === 0 && outcome !== 0) record({ name: `extension-host runner (${phase} start)`, ok: false, detail: `exit code ${outcome}` });
    if (b.blocked.length > 0) record({ name: `no browser request leaves 127.0.0.1 (host ${phase})`, ok: false, detail: b.blocked.join('\n') });
  } finally {
    await b.close();
  }
}

/** UI scenarios run like a user: the .vsix installed, no smoke-test driver (notifications and dialogs show). */
async function uiScenarios(vsix: string): Promise<void> {
  const files = readdirSync(join(__dirname, 'ui')).filter((f) => f.endsWith('.ui.ts')).sort();
  // Each spec registers its scenarios with uiTest() when loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const f of files) require(join(__dirname, 'ui', f));
  const selected = uiTests.filter((t) => !grep || t.name.includes(grep));
  if (selected.length === 0) return;
  say(`UI scenarios (${selected.length})…`);
  const workspace = join(scratch, 'ws-ui');
  mkdirSync(workspace, { recursive: true });
  const server = await startCodeServer({
    home: join(scratch, 'u'),
    logFile: join(artifacts, 'server-ui.log'),
    smokeTestDriver: false,
    install: [vsix],
    // The settings editor is typed into by tests: no auto-closing or auto-indenting of what they type.
    settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never', 'editor.autoIndent': 'none', 'editor.formatOnType': false },
  });
  const b = await openBrowser({ home: scratch, consoleLog: (l) => appendFileSync(join(artifacts, 'browser-ui.log'), `${l}\n`) });
  try {
    await b.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    for (const t of selected) await uiScenario(t, b.page, workspace, join(server.userDataDir, 'User', 'settings.json'));
    record({ name: 'no browser request leaves 127.0.0.1 (UI)', ok: b.blocked.length === 0, detail: b.blocked.join('\n') });
  } finally {
    await b.close();
    await server.stop();
    copyLogs(server, 'ui');
  }
}

async function uiScenario(t: (typeof uiTests)[number], page: Page, workspace: string, settingsFile: string): Promise<void> {
  const slug = t.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60);
  const ctx: UiContext = {
    page,
    workspace,
    log: (line) => appendFileSync(join(artifacts, 'ui-tests.log'), `[${t.name}] ${line}\n`),
    settings: async (patch) => {
      const apply = async (p: Record<string, unknown>) => {
        const current = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
        const previous = Object.fromEntries(Object.keys(p).map((k) => [k, current[k]]));
        for (const [k, v] of Object.entries(p)) if (v === undefined) delete current[k];
        else current[k] = v;
        const wb = new Workbench(page);
        const text = JSON.stringify(current, null, 2);
        await wb.replaceUserSettings(text);
        await waitFor(() => sameJson(readFileSync(settingsFile, 'utf8'), text), 'the settings were saved');
        await wb.closeModalEditor();
        return previous;
      };
      const previous = await apply(patch);
      return async () => void (await apply(previous));
    },
    screenshot: async (name) => {
      const path = join(artifacts, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
  page.setDefaultTimeout(30_000);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      t.fn(ctx),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs / 1000} s`)), t.timeoutMs))),
    ]);
    record({ name: `UI: ${t.name}`, ok: true });
  } catch (err) {
    // The screenshot taken at the moment of failure is the most useful artifact of all.
    const shot = join(artifacts, `FAILED-${slug}.png`);
    await page.screenshot({ path: shot }).catch(() => undefined);
    record({ name: `UI: ${t.name}`, ok: false, detail: `${(err as Error).message.split('\n').slice(0, 6).join('\n')}\nscreenshot: ${relative(REPO, shot)}` });
  } finally {
    clearTimeout(timer);
    await page.keyboard.press('Escape').catch(() => undefined);
  }
}

/** VS Code's own logs (extension host, our LogOutputChannel) from the throwaway user data. */
function copyLogs(server: CodeServer, label: string): void {
  const logs = join(server.userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, join(artifacts, `vscode-logs-${label}`), { recursive: true });
}

/** VS Code logs activation failures and uncaught extension errors to exthost.log: none may name us. */
const checkedLogs = new Set<string>();
function checkExtensionHostLog(server: CodeServer, phase: string): void {
  const logs = join(server.userDataDir, 'logs');
  // Both phases share the user data: look only at the logs this start wrote.
  const files = existsSync(logs) ? (readdirSync(logs, { recursive: true }) as string[]).filter((f) => f.endsWith('exthost.log') && !checkedLogs.has(f)) : [];
  for (const f of files) checkedLogs.add(f);
  const errors = files
    .flatMap((f) => readFileSync(join(logs, f), 'utf8').split('\n'))
    .filter((l) => /\[error\]/i.test(l) && /template-marketplace|templateMarketplace/i.test(l))
    // When the window closes while a tree reload is in flight, VS Code logs the cancelled refresh: shutdown noise, not a fault.
    .filter((l) => !/Unable to refresh tree view .* Canceled/i.test(l));
  record({
    name: `the extension host log has no errors from the extension (${phase} start, ${files.length} log files)`,
    ok: files.length > 0 && errors.length === 0,
    detail: files.length === 0 ? `no exthost.log under ${logs}` : errors.slice(0, 10).join('\n'),
  });
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false; // half written
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The extension host forwards console calls as (format, ...args), the way mocha's reporter writes them. */
function formatConsole([first = '', ...rest]: string[]): string {
  let i = 0;
  const text = first.replace(/%[sdioOjc%]/g, (m) => (m === '%%' ? '%' : m === '%c' ? (i++, '') : i < rest.length ? rest[i++]! : m));
  return [text, ...rest.slice(i)].join(' ');
}

function summary(): number {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  say('');
  for (const r of results.filter((r) => !r.ok)) say(`FAILED ${r.name}${r.detail ? `: ${r.detail.split('\n')[0]}` : ''}`);
  say(`Screenshots and logs: ${artifacts}`);
  say(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

let finished = false;
async function finish(code: number): Promise<never> {
  if (!finished) {
    finished = true;
    await stopAll();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(code);
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\nInterrupted (${signal}): stopping everything this run started.`);
    void finish(130);
  });
}
setTimeout(() => {
  record({ name: 'the whole e2e run', ok: false, detail: `did not finish within ${OVERALL_TIMEOUT_MS / 60_000} min` });
  void finish(summary() || 1);
}, OVERALL_TIMEOUT_MS).unref();

main()
  .then(() => finish(summary()))
  .catch((err: unknown) => {
    record({ name: 'e2e infrastructure', ok: false, detail: (err as Error).stack ?? String(err) });
    return finish(summary() || 1);
  });
