import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../helpers/marketplaceFixture';
import { runCli } from './runCli';

describe('CLI install: failures leave no trace, odd variable names are handled', () => {
  test('an install that fails (unknown id, bad variable) creates no folder', async (t) => {
    const dir = await tempDir(t);
    const cache = join(dir, 'cache');
    const unknown = await runCli(['install', 'no-such-template', join(dir, 'ws', 'deep'), '--cache', cache], { cwd: dir });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /E_NOT_FOUND/);
    const badVar = await runCli(['install', 'adr', join(dir, 'ws2'), '--cache', cache, '--var', 'number=12'], { cwd: dir });
    assert.equal(badVar.code, 1);
    assert.deepEqual((await readdir(dir)).sort(), ['cache'], 'neither ws nor ws2 was created');
  });

  test('--var named like an Object.prototype key is a variable, refused clearly when the template has none by that name', async (t) => {
    const dir = await tempDir(t);
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const r = await runCli(['install', 'readme', join(dir, 'ws'), '--cache', join(dir, 'cache'), '--var', `${name}=x`], { cwd: dir });
      assert.equal(r.code, 1, `${name}: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`error\\[E_FORMAT\\]: (?:${name}: )?"${name}" is not a variable of template`), name);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['cache']);
  });
});
