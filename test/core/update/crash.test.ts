import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import { MarketplaceClient } from '../../../src/core';
import { isTransactionLeftover, recoverInterrupted } from '../../../src/core/install/fileTransaction';
import { PROVENANCE_FILE, readProvenance } from '../../../src/core/provenance';
import { FixtureServer, MarketplaceFixture } from '../../helpers/marketplaceFixture';

/**
 * Updates killed with SIGKILL at every file system call of their transaction (a real child process,
 * against a loopback marketplace), then checked: right after the crash every file is entirely old
 * or entirely new, the next run's recovery gives exactly the folder before the update or exactly
 * the updated one, and running the update again succeeds.
 */

const REPO_ROOT = resolve(__dirname, '../../..');
/** More calls than the scenario makes: bounds the loop even if the protocol grows. */
const MAX_KILL_POINTS = 80;

let sandbox: string;
let childScript: string;

before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'tm-update-crash-'));
  // A bundled script starts in a fraction of tsx's time: there are dozens of children to run.
  childScript = join(sandbox, 'updateProcess.js');
  buildSync({
    entryPoints: [join(__dirname, 'fixtures', 'updateProcess.ts')],
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: childScript, logLevel: 'warning', absWorkingDir: REPO_ROOT,
  });
});

after(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

/** The child's clock too, so records written by either are byte for byte the same. */
const NOW = Date.parse('2026-11-25T00:00:00Z');
const GUIDE = 'one\ntwo\nthree\nfour\nfive\nsix\n';

/** Every file below `dir` with its content, and every folder (as "path/"). */
async function snapshot(dir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if ((await lstat(path)).isDirectory()) {
      out.set(`${prefix}${name}/`, '');
      for (const [k, v] of await snapshot(path, `${prefix}${name}/`)) out.set(k, v);
    } else {
      out.set(`${prefix}${name}`, await readFile(path, 'utf8'));
    }
  }
  return out;
}

async function runChild(args: string[]): Promise<{ signal: NodeJS.Signals | null; code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

describe('updates survive SIGKILL at any point', () => {
  it('update, merge, conflict markers, delete (emptying a folder), add in a new folder and the record', async (t) => {
    const fixture = new MarketplaceFixture([{
      id: 'docs', version: '1.0.0',
      files: { 'README.md': '# {{projectName}} v1\n', 'docs/guide.md': GUIDE, 'LICENSE': 'MIT\n', 'old/notes.md': 'old notes\n' },
    }]);
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const cacheDir = join(sandbox, 'cache');
    const pristine = join(sandbox, 'pristine');
    const client = await MarketplaceClient.open({ sources: [{ id: 'local', url: server.url, publicKey: fixture.publicKey }], cacheDir: join(sandbox, 'cache0'), prefetchPopular: 0, now: () => NOW });
    t.after(() => client.close());
    await client.install('local/docs', pristine, { projectName: 'acme' });
    await writeFile(join(pristine, 'docs/guide.md'), GUIDE.replace('five', 'five (mine)')); // merges cleanly
    await writeFile(join(pristine, 'LICENSE'), 'MIT, mine\n'); // conflicts
    fixture.publish([{
      id: 'docs', version: '2.0.0',
      files: { 'README.md': '# {{projectName}} v2\n', 'docs/guide.md': GUIDE.replace('two', 'two (v2)'), 'LICENSE': 'Apache-2.0\n', 'new/deep/added.md': 'added\n' },
    }], { version: 2 });
    // A client that reads the catalog as it is now (the installer's has v1 cached).
    const updater = await MarketplaceClient.open({ sources: [{ id: 'local', url: server.url, publicKey: fixture.publicKey }], cacheDir: join(sandbox, 'cache1'), prefetchPopular: 0, now: () => NOW });
    t.after(() => updater.close());
    const oldState = await snapshot(pristine);
    const args = (target: string, k: number, mode: string) => [server.url, fixture.publicKey, cacheDir, target, String(k), mode];
    const prepare = async (run: string): Promise<string> => {
      const target = join(sandbox, run);
      await rm(target, { recursive: true, force: true });
      await cp(pristine, target, { recursive: true });
      return target;
    };

    // The complete run tells how many calls there are to kill at, and the final state.
    const target0 = await prepare('complete');
    const complete = await runChild(args(target0, 0, 'before'));
    assert.equal(complete.code, 0, complete.stderr);
    const [, count, list] = /ops (\d+) (\S+)/.exec(complete.stdout) ?? [];
    const ops = Number(count);
    const calls = list!.split(',');
    assert.ok(ops > 10 && ops < MAX_KILL_POINTS && calls.length === ops, `${ops} calls`);
    const newState = await snapshot(target0);
    assert.equal(newState.get('README.md'), '# acme v2\n');
    assert.equal(newState.get('docs/guide.md'), 'one\ntwo (v2)\nthree\nfour\nfive (mine)\nsix\n');
    assert.match(newState.get('LICENSE')!, /^<<<<<<< local\nMIT, mine\n/);
    assert.equal(newState.get('new/deep/added.md'), 'added\n');
    assert.equal(newState.has('old/'), false, 'the emptied folder is gone');
    assert.equal((await readProvenance(target0)).entries[0]!.template.version, '2.0.0');
    assert.ok(calls.includes('link') && calls.filter((c) => c === 'rename').length >= 4, calls.join(' '));

    const points: [number, 'before' | 'torn'][] = [];
    for (let k = 1; k <= ops; k++) {
      points.push([k, 'before']);
      if (calls[k - 1] === 'writeFile') points.push([k, 'torn']);
    }
    const filesOf = (m: Map<string, string>) => new Map([...m].filter(([p]) => !p.endsWith('/')));
    const same = (a: Map<string, string>, b: Map<string, string>) => JSON.stringify([...a]) === JSON.stringify([...b]);
    let killed = 0;
    const outcomes = { old: 0, updated: 0 };
    for (const [k, mode] of points) {
      const label = `killed before call ${k} ${calls[k - 1]} (${mode})`;
      const target = await prepare('killed');
      const run = await runChild(args(target, k, mode));
      assert.equal(run.signal, 'SIGKILL', `${label}: ${run.stderr}`);
      killed++;

      // 1. Right after the crash: each file is entirely old or entirely new.
      const crashed = await snapshot(target);
      for (const path of new Set([...oldState.keys(), ...newState.keys()])) {
        if (path.endsWith('/')) continue;
        const now = crashed.get(path);
        assert.ok(now === oldState.get(path) || now === newState.get(path), `${label}: ${path} is ${JSON.stringify(now)}`);
      }

      // 2. Recovery (which any next update or install runs first) gives the old or the new folder, no leftovers.
      await recoverInterrupted(target);
      const recovered = await snapshot(target);
      // Folders a rolled-back update created before its journal may stay, empty; compare files for the old state.
      const isOld = same(filesOf(recovered), filesOf(oldState));
      assert.ok(isOld || same(filesOf(recovered), filesOf(newState)), `${label}: neither old nor new:\n${JSON.stringify([...recovered], null, 1)}`);
      outcomes[isOld ? 'old' : 'updated']++;
      for (const path of recovered.keys()) assert.ok(!isTransactionLeftover(path.split('/').filter(Boolean).pop()!), `${label}: leftover ${path}`);

      // 3. Updating again succeeds (or, once updated, there is nothing left to do) and gives the updated folder.
      const proposals = await updater.prepareUpdate(target);
      assert.equal(proposals.length, isOld ? 1 : 0, label);
      if (isOld) await updater.applyUpdate(proposals[0]!, { conflict: 'markers' });
      assert.deepEqual([...filesOf(await snapshot(target))], [...filesOf(newState)], `${label}: re-run`);
      assert.equal((await readProvenance(target)).entries[0]!.template.version, '2.0.0');
      assert.ok((await readFile(join(target, PROVENANCE_FILE), 'utf8')).endsWith('}\n'));
    }
    assert.equal(killed, points.length);
    // Kills before the commit point roll back, kills after it roll forward: both were exercised.
    t.diagnostic(`${ops} calls, ${points.length} kill points: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.old > 5 && outcomes.updated > 2, JSON.stringify(outcomes));
  });
});
