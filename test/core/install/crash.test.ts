import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPackage, writePackage, type TemplateManifest } from '../../../src/core/format';
import { isTransactionLeftover, recoverInterrupted } from '../../../src/core/install/fileTransaction';
import { installPackage, type ConflictPolicy } from '../../../src/core/install/installer';
import { emptyProvenance, PROVENANCE_FILE, readProvenance, serializeProvenance, upsertEntry } from '../../../src/core/provenance';
import { RECORD_ENTRY } from './fixtures/recordEntry';
import { bundleChild, runChild, snapshotTree } from '../../helpers/crashChild';

/**
 * Installs killed with SIGKILL at every file system call they make, then checked: every file is
 * entirely old or entirely new (never missing, never torn), the next run sweeps what the dead one
 * left and restores all-or-nothing, and re-running the same install succeeds.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);
/** More calls than either scenario makes: bounds the loop even if the protocol grows. */
const MAX_KILL_POINTS = 80;

let sandbox: string;
let childScript: string;

before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'tm-crash-'));
  childScript = bundleChild(join(__dirname, 'fixtures', 'installProcess.ts'), sandbox);
});

after(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

interface Scenario {
  name: string;
  policy: ConflictPolicy;
  /** Files present before the install (relative to the target), with their content. */
  before: Record<string, string>;
  /** What the template writes. */
  files: Record<string, string>;
  /** The target folder, relative to the run's folder; created with `before` unless `missingTarget`. */
  missingTarget?: boolean;
  /** Record the install in .template-marketplace.json (one more file of the transaction). */
  record?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'overwrite two files, add two in new folders',
    policy: 'overwrite',
    before: { 'README.md': 'old readme', 'docs/guide.md': 'old guide', 'keep.txt': 'untouched' },
    files: { 'README.md': 'new readme for {{project}}', 'docs/guide.md': 'new guide', 'docs/added.md': 'added', 'src/app/{{project}}.txt': 'main' },
  },
  {
    name: 'a new target folder, default policy',
    policy: 'fail',
    before: {},
    files: { 'a.txt': 'a', 'b/c.txt': 'c' },
    missingTarget: true,
  },
  {
    name: 'overwrite a file and replace the install record',
    policy: 'overwrite',
    before: {
      'README.md': 'old readme',
      // A record with another template's entry: the install adds its own, in the same transaction.
      '.template-marketplace.json': serializeProvenance(
        upsertEntry(emptyProvenance(), { ...RECORD_ENTRY, marketplace: { ...RECORD_ENTRY.marketplace, id: 'other' }, variables: {}, files: [{ path: 'x.md', sha256: 'd'.repeat(64) }] }),
      ),
    },
    files: { 'README.md': 'new readme', 'docs/added.md': 'added' },
    record: true,
  },
];

function packageOf(files: Record<string, string>): Uint8Array {
  const manifest: TemplateManifest = {
    id: 'crash', name: 'Crash', version: '1.0.0', description: '', category: 'documentation', tags: [], author: 'Test', targetFolder: '.',
    variables: [{ name: 'project', prompt: 'Project', default: 'demo' }],
  };
  return writePackage(manifest, new Map(Object.entries(files).map(([k, v]) => [k, utf8(v)])));
}

const rendered = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace('{{project}}', 'demo'), v.replace('{{project}}', 'demo')]));

describe('installs survive SIGKILL at any point', () => {
  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      const dir = join(sandbox, scenario.name.replace(/\W+/g, '-'));
      const zip = join(dir, 'package.zip');
      const pristine = join(dir, 'pristine');
      await mkdir(pristine, { recursive: true });
      const bytes = packageOf(scenario.files);
      await writeFile(zip, bytes);
      for (const [path, content] of Object.entries(scenario.before)) {
        await mkdir(join(pristine, path, '..'), { recursive: true });
        await writeFile(join(pristine, path), content);
      }
      const oldState = await snapshotTree(pristine);
      const newFiles = rendered(scenario.files);

      const prepare = async (run: string): Promise<string> => {
        const runDir = join(dir, run);
        await rm(runDir, { recursive: true, force: true });
        await mkdir(runDir);
        if (scenario.missingTarget) return join(runDir, 'new', 'target');
        await cp(pristine, join(runDir, 'target'), { recursive: true });
        return join(runDir, 'target');
      };

      // The complete run tells how many calls there are to kill at, and the final state.
      const target0 = await prepare('complete');
      const extra = scenario.record ? ['record'] : [];
      const complete = await runChild(childScript, [zip, target0, scenario.policy, '0', 'before', ...extra]);
      assert.equal(complete.code, 0, complete.stderr);
      const [, count, list] = /ops (\d+) (\S+)/.exec(complete.stdout) ?? [];
      const ops = Number(count);
      const calls = list!.split(',');
      assert.ok(ops > 5 && ops < MAX_KILL_POINTS && calls.length === ops, `${ops} calls`);
      const newState = await snapshotTree(target0);
      for (const [path, content] of Object.entries(newFiles)) assert.equal(newState.get(path), content, path);
      if (scenario.record) {
        assert.deepEqual((await readProvenance(target0)).entries.map((e) => e.marketplace.id), ['crash', 'other']);
        newFiles[PROVENANCE_FILE] = newState.get(PROVENANCE_FILE)!;
      }

      const points: [number, 'before' | 'torn'][] = [];
      // Killed before each call, and in the middle of each write.
      for (let k = 1; k <= ops; k++) {
        points.push([k, 'before']);
        if (calls[k - 1] === 'writeFile') points.push([k, 'torn']);
      }
      let killed = 0;
      for (const [k, mode] of points) {
        const target = await prepare('killed');
        const run = await runChild(childScript, [zip, target, scenario.policy, String(k), mode, ...extra]);
        const label = `killed before call ${k} (${mode})`;
        assert.equal(run.signal, 'SIGKILL', `${label}: ${run.stderr}`);
        killed++;

        // 1. Right after the crash: each file is entirely old or entirely new, never missing.
        const crashed = await snapshotTree(target);
        for (const [path, content] of oldState) {
          if (path.endsWith('/')) continue;
          const now = crashed.get(path);
          assert.ok(now === content || now === newFiles[path], `${label}: ${path} is ${JSON.stringify(now)}`);
        }
        for (const [path, content] of Object.entries(newFiles)) {
          const now = crashed.get(path);
          if (!oldState.has(path)) assert.ok(now === undefined || now === content, `${label}: new ${path} is ${JSON.stringify(now)}`);
        }

        // 2. The next run's recovery restores all or nothing and sweeps every leftover.
        await recoverInterrupted(target);
        const recovered = await snapshotTree(target);
        const same = (a: Map<string, string>, b: Map<string, string>) => JSON.stringify([...a]) === JSON.stringify([...b]);
        const pristineView = scenario.missingTarget ? new Map<string, string>() : oldState;
        // Folders created before the journal existed may stay (empty); compare files only for those.
        const filesOf = (m: Map<string, string>) => new Map([...m].filter(([p]) => !p.endsWith('/')));
        assert.ok(
          same(filesOf(recovered), filesOf(pristineView)) || same(recovered, newState),
          `${label}: after recovery the folder is neither the old nor the new state:\n${JSON.stringify([...recovered], null, 1)}`,
        );
        for (const path of recovered.keys()) assert.ok(!isTransactionLeftover(path.split('/').filter(Boolean).pop()!), `${label}: leftover ${path}`);

        // 3. Re-running the same install succeeds and gives the complete state.
        const pkg = readPackage(bytes);
        await installPackage(pkg, {
          targetDir: target, variables: { project: 'demo' }, onConflict: scenario.policy, ...(scenario.record ? { record: { entry: RECORD_ENTRY } } : {}),
        });
        assert.deepEqual([...(await snapshotTree(target))], [...newState], `${label}: re-run`);
      }
      assert.equal(killed, points.length);
      assert.ok(calls.filter((c) => c === 'rename').length >= 2 && calls.includes('link'), `the kills covered the moves: ${calls.join(' ')}`);
    });
  }

  it('a journal left by a live process is not touched', async () => {
    const target = join(sandbox, 'live');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'a.txt'), 'new content');
    const journal = {
      v: 1, pid: process.pid, host: (await import('node:os')).hostname(), startedAt: Date.now(), phase: 'staging', dirs: [], createdAbove: 0,
      files: [{ rel: 'a.txt', temp: '.template-000000000000.tmp', sha256: 'a'.repeat(64) }],
    };
    await writeFile(join(target, `.template-install-${process.pid}-0123456789ab.json`), JSON.stringify(journal));
    assert.equal((await recoverInterrupted(target)).recovered, 0);
    assert.ok((await readdir(target)).includes(`.template-install-${process.pid}-0123456789ab.json`));
  });

  it('a journal naming paths outside the rules is ignored, not obeyed', async () => {
    const target = join(sandbox, 'planted');
    await mkdir(join(target, 'docs'), { recursive: true });
    await writeFile(join(target, 'docs', 'README.md'), 'mine');
    await writeFile(join(target, 'docs', '.template-aaaaaaaaaaaa.bak'), 'evil');
    const journal = {
      v: 1, pid: 999_999_999, host: (await import('node:os')).hostname(), startedAt: 0, phase: 'staging', dirs: [], createdAbove: 0,
      files: [{ rel: '../outside/README.md', temp: '.template-bbbbbbbbbbbb.tmp', backup: '.template-aaaaaaaaaaaa.bak', sha256: 'a'.repeat(64) }],
    };
    await writeFile(join(target, '.template-install-999999999-0123456789ab.json'), JSON.stringify(journal));
    await recoverInterrupted(target);
    assert.equal(await readFile(join(target, 'docs', 'README.md'), 'utf8'), 'mine');
  });
});
