import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { access, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, before, describe, test } from 'node:test';
import { buildSync } from 'esbuild';
import { ConflictError } from '../../../src/core/errors';
import { generateKeyPair, toPrivateKeyFile, type KeyPair } from '../../../src/core/format';
import { LOCK_FILE, openCatalog, packTemplateDir, publishPackages } from '../../../src/core/publish';
import { sampleManifest, writeTemplateDir } from './templateFixture';

/**
 * Two (or more) real `publish` processes on one marketplace folder: none may lose another's update.
 * One publish is held right after it starts reading catalog.json (PUBLISH_PAUSE, see the fixture),
 * which is where, without a lock, a second one would read the same catalog version and the later
 * writer would silently drop the earlier one's template.
 */

const REPO_ROOT = resolve(__dirname, '../../..');
let tmp: string;
let cli: string;
let keyFile: string;
let catalogKey: KeyPair;
let n = 0;
const fresh = () => join(tmp, `d${++n}`);

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'publish-lock-'));
  cli = join(tmp, 'publishProcess.js');
  buildSync({
    entryPoints: [join(__dirname, 'fixtures', 'publishProcess.ts')],
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, logLevel: 'warning', absWorkingDir: REPO_ROOT,
  });
  catalogKey = generateKeyPair();
  keyFile = join(tmp, 'key.json');
  await writeFile(keyFile, JSON.stringify(toPrivateKeyFile(catalogKey)));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Children still running when a test ends (it failed): killed, so a paused one never keeps the run alive. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

async function templateDir(id: string): Promise<string> {
  return writeTemplateDir(fresh(), sampleManifest({ id }), { 'README.md': `# ${id} {{projectName}}\n` });
}

interface Running {
  child: ChildProcess;
  /** Resolves with the first stdout or stderr line matching, or undefined if the process exits first. */
  line(match: RegExp): Promise<string | undefined>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function publishProcess(dir: string, template: string, opts: { pause?: boolean; extra?: string[] } = {}): Running {
  const child = spawn(process.execPath, [cli, 'publish', dir, '--key', keyFile, ...(opts.extra ?? []), template], {
    env: { ...process.env, ...(opts.pause ? { PUBLISH_PAUSE: '1' } : {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  let stderr = '';
  let exited = false;
  const onLine = (l: string) => {
    lines.push(l);
    for (const w of waiting) w();
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (l) => {
    stderr += `${l}\n`;
    onLine(l);
  });
  const exit = once(child, 'exit').then(([code, signal]) => {
    exited = true;
    for (const w of waiting) w();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stderr };
  });
  const line = (match: RegExp) =>
    new Promise<string | undefined>((resolveLine) => {
      const look = () => {
        const found = lines.find((l) => match.test(l));
        if (found !== undefined || exited) {
          waiting.delete(look);
          resolveLine(found);
        }
      };
      waiting.add(look);
      look();
    });
  return { child, line, exit };
}

async function catalogOf(dir: string) {
  return openCatalog(await readFile(join(dir, 'catalog.json')), catalogKey);
}

async function seeded(): Promise<string> {
  const dir = fresh();
  await publishPackages({ marketplaceDir: dir, packages: [(await packTemplateDir(await templateDir('base'))).bytes], catalogKey });
  return dir;
}

describe('concurrent publishing never loses an update', () => {
  test('a second publish waits for the first, then builds on its catalog', async () => {
    const dir = await seeded();
    const [alpha, beta] = await Promise.all([templateDir('alpha'), templateDir('beta')]);
    const first = publishProcess(dir, alpha, { pause: true });
    assert.equal(await first.line(/^paused$/), 'paused', 'the first publish is inside its critical section');
    const second = publishProcess(dir, beta);
    const waited = await second.line(/waiting for another publish/);
    if (!waited) assert.fail(`the second publish must wait for the lock; it exited with ${JSON.stringify(await second.exit)}`);
    assert.match(waited, new RegExp(`pid ${first.child.pid}`));
    first.child.stdin!.write('go\n');
    const [a, b] = await Promise.all([first.exit, second.exit]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const catalog = await catalogOf(dir);
    assert.deepEqual(catalog.templates.map((t) => t.id).sort(), ['alpha', 'base', 'beta'], 'both updates are in');
    assert.equal(catalog.version, 3, 'two publishes, two versions');
    await assert.rejects(access(join(dir, LOCK_FILE)), { code: 'ENOENT' });
  });

  test('a lock left by a killed publish is taken over', async () => {
    const dir = await seeded();
    const [alpha, beta] = await Promise.all([templateDir('alpha'), templateDir('beta')]);
    const dead = publishProcess(dir, alpha, { pause: true });
    assert.equal(await dead.line(/^paused$/), 'paused');
    dead.child.kill('SIGKILL');
    assert.equal((await dead.exit).signal, 'SIGKILL');
    await access(join(dir, LOCK_FILE)); // left behind
    // A publisher killed while writing leaves temp files, which a server would serve.
    await writeFile(join(dir, 'catalog.json.tmp-0123456789ab'), 'half');
    await writeFile(join(dir, 'packages', 'alpha-1.0.0.zip.tmp-0123456789ab'), 'half');
    const next = publishProcess(dir, beta);
    const done = await next.exit;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual((await catalogOf(dir)).templates.map((t) => t.id).sort(), ['base', 'beta']);
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.publish')), [], 'no lock files remain');
    assert.deepEqual((await readdir(dir, { recursive: true })).filter((f) => f.includes('.tmp-')), [], 'the dead publisher\'s temp files are swept');
  });

  test('a publish that cannot get the lock in time gives up, naming the holder, and writes nothing', async () => {
    const dir = await seeded();
    const before = await readFile(join(dir, 'catalog.json'));
    const [alpha, beta] = await Promise.all([templateDir('alpha'), templateDir('beta')]);
    const holder = publishProcess(dir, alpha, { pause: true });
    assert.equal(await holder.line(/^paused$/), 'paused');
    const impatient = publishProcess(dir, beta, { extra: ['--wait-seconds', '0'] });
    const refused = await impatient.exit;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`E_CONFLICT.*another publish \\(pid ${holder.child.pid} on .*\\) holds .*\\.publish\\.lock`));
    assert.deepEqual(await readFile(join(dir, 'catalog.json')), before);
    holder.child.stdin!.write('go\n');
    assert.equal((await holder.exit).code, 0);
    assert.deepEqual((await catalogOf(dir)).templates.map((t) => t.id).sort(), ['alpha', 'base']);
  });

  test('six publishes started at once all land', async () => {
    const dir = await seeded();
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    const dirs = await Promise.all(ids.map(templateDir));
    const runs = dirs.map((d) => publishProcess(dir, d));
    for (const r of await Promise.all(runs.map((x) => x.exit))) assert.equal(r.code, 0, r.stderr);
    const catalog = await catalogOf(dir);
    assert.deepEqual(catalog.templates.map((t) => t.id).sort(), ['base', ...ids]);
    assert.equal(catalog.version, 1 + ids.length);
  });

  test('a catalog replaced by a writer that ignores the lock is not overwritten (compare and swap)', async () => {
    const dir = await seeded();
    const other = await seeded();
    await publishPackages({ marketplaceDir: other, packages: [(await packTemplateDir(await templateDir('other'))).bytes], catalogKey });
    const fsp = createRequire(__filename)('node:fs/promises') as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const readFileOriginal = fsp.readFile!;
    let swapped = false;
    fsp.readFile = async (...args: unknown[]) => {
      const result = await readFileOriginal(...args);
      if (!swapped && String(args[0]) === join(dir, 'catalog.json')) {
        swapped = true;
        await copyFile(join(other, 'catalog.json'), join(dir, 'catalog.json'));
      }
      return result;
    };
    try {
      await assert.rejects(
        publishPackages({ marketplaceDir: dir, packages: [(await packTemplateDir(await templateDir('alpha'))).bytes], catalogKey }),
        (err: unknown) => err instanceof ConflictError && /changed while this publish ran/.test(err.message),
      );
    } finally {
      fsp.readFile = readFileOriginal;
    }
    assert.deepEqual(await readFile(join(dir, 'catalog.json')), await readFile(join(other, 'catalog.json')), 'the other writer\'s catalog stays');
  });
});
