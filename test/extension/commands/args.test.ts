import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ArgumentError,
  isConfirmed,
  parseAddMarketplaceArgs,
  parseBatchInstallArgs,
  parseInstallArgs,
  parseSetTokenArgs,
  parseVerifyArgs,
  refOf,
  refsOf,
  sourceIdOf,
} from '../../../src/extension/commands/args';

const dir = process.platform === 'win32' ? 'C:\\work\\demo' : '/work/demo';

describe('refOf / refsOf', () => {
  it('takes a ref string, a node with ref, or a node wrapping a template', () => {
    assert.equal(refOf('samples/readme'), 'samples/readme');
    assert.equal(refOf({ kind: 'template', ref: 'samples/readme', id: 'template/samples/readme' }), 'samples/readme');
    assert.equal(refOf({ template: { ref: 'acme/api' } }), 'acme/api');
    for (const other of [undefined, null, '', '  ', 42, {}, { ref: 3 }, { kind: 'source', id: 'acme' }]) assert.equal(refOf(other), undefined, JSON.stringify(other));
  });

  it('keeps the template nodes of a selection, once each, in order', () => {
    assert.deepEqual(refsOf([{ ref: 'a/x' }, { kind: 'category' }, 'a/y', { ref: 'a/x' }]), ['a/x', 'a/y']);
  });
});

describe('sourceIdOf', () => {
  it('reads source nodes and answer objects, never a template node', () => {
    assert.equal(sourceIdOf({ sourceId: 'acme' }), 'acme');
    assert.equal(sourceIdOf({ kind: 'source', id: 'acme' }), 'acme');
    assert.equal(sourceIdOf({ source: { id: 'acme' } }), 'acme');
    assert.equal(sourceIdOf({ id: 'acme', confirmed: true }), 'acme');
    assert.equal(sourceIdOf('acme'), 'acme');
    assert.equal(sourceIdOf({ kind: 'template', id: 'template/acme/x', ref: 'acme/x' }), undefined);
    assert.equal(sourceIdOf({ kind: 'category', id: 'category/acme/docs' }), undefined);
    assert.equal(sourceIdOf(undefined), undefined);
  });
});

describe('parseInstallArgs', () => {
  it('is interactive from the palette and from a tree node (template step skipped)', () => {
    assert.deepEqual(parseInstallArgs(undefined), { kind: 'interactive' });
    assert.deepEqual(parseInstallArgs({ kind: 'template', ref: 'samples/readme' }), { kind: 'interactive', ref: 'samples/readme' });
    assert.deepEqual(parseInstallArgs('samples/readme'), { kind: 'interactive', ref: 'samples/readme' });
  });

  it('runs without UI when given the answers', () => {
    assert.deepEqual(parseInstallArgs({ ref: 'samples/readme', targetDir: dir, variables: { projectName: 'demo' }, onConflict: 'skip' }), {
      kind: 'answers',
      answers: { ref: 'samples/readme', targetDir: dir, variables: { projectName: 'demo' }, onConflict: 'skip', open: false },
    });
    const minimal = parseInstallArgs({ ref: 'samples/readme', targetDir: dir, open: true });
    assert.deepEqual(minimal, { kind: 'answers', answers: { ref: 'samples/readme', targetDir: dir, variables: {}, open: true } });
    assert.equal('onConflict' in (minimal.kind === 'answers' ? minimal.answers : {}), false, 'no policy: a conflict refuses');
  });

  it('refuses unusable answers with a clear message', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ targetDir: dir }, /ref must name a template/],
      [{ ref: 'a/b', targetDir: 'relative/dir' }, /absolute path/],
      [{ ref: 'a/b', targetDir: '' }, /absolute folder path/],
      [{ ref: 'a/b', targetDir: dir, variables: ['x'] }, /variables must be an object/],
      [{ ref: 'a/b', targetDir: dir, variables: { n: 1 } }, /variables\.n must be a string/],
      [{ ref: 'a/b', targetDir: dir, onConflict: 'merge' }, /onConflict must be one of fail, skip, overwrite/],
      [{ ref: 'a/b', targetDir: dir, open: 'yes' }, /open must be true or false/],
    ];
    for (const [args, message] of bad) assert.throws(() => parseInstallArgs(args), (err: Error) => err instanceof ArgumentError && message.test(err.message) && (err as ArgumentError).code === 'E_USAGE', JSON.stringify(args));
  });
});

describe('parseBatchInstallArgs', () => {
  it('takes the tree selection, or nothing from the palette', () => {
    assert.deepEqual(parseBatchInstallArgs({ ref: 'a/x' }, [{ ref: 'a/x' }, { ref: 'a/y' }]), { kind: 'interactive', refs: ['a/x', 'a/y'] });
    assert.deepEqual(parseBatchInstallArgs(undefined, []), { kind: 'interactive', refs: [] });
  });

  it('runs without UI with refs, a folder, per-template variables and a policy', () => {
    assert.deepEqual(parseBatchInstallArgs({ refs: ['a/x', 'a/y'], targetDir: dir, variables: { 'a/x': { n: 'v' } }, onConflict: 'overwrite' }, []), {
      kind: 'answers',
      answers: { refs: ['a/x', 'a/y'], targetDir: dir, variables: { 'a/x': { n: 'v' } }, onConflict: 'overwrite' },
    });
  });

  it('refuses unusable answers', () => {
    for (const [args, message] of [
      [{ targetDir: dir }, /refs must be a non-empty list/],
      [{ refs: [], targetDir: dir }, /refs must be a non-empty list/],
      [{ refs: ['a/x', 'a/x'], targetDir: dir }, /distinct/],
      [{ refs: ['a/x'], targetDir: dir, variables: { 'a/y': {} } }, /variables\.a\/y is not one of refs/],
      [{ refs: ['a/x'], targetDir: dir, variables: { 'a/x': { n: false } } }, /variables\.a\/x\.n must be a string/],
    ] as const) {
      assert.throws(() => parseBatchInstallArgs(args, []), message);
    }
  });
});

describe('parseVerifyArgs', () => {
  it('verifies all, the given refs, a node, or the selection', () => {
    assert.deepEqual(parseVerifyArgs(undefined, []), {});
    assert.deepEqual(parseVerifyArgs({ refs: ['a/x', 'a/x', 'a/y'] }, []), { refs: ['a/x', 'a/y'] });
    assert.deepEqual(parseVerifyArgs({ ref: 'a/x' }, [{ ref: 'a/x' }]), { refs: ['a/x'] });
    assert.deepEqual(parseVerifyArgs({ ref: 'a/x' }, [{ ref: 'a/x' }, { ref: 'a/z' }]), { refs: ['a/x', 'a/z'] });
    assert.throws(() => parseVerifyArgs({ refs: 'a/x' }, []), /refs must be a list/);
  });
});

describe('marketplace answers', () => {
  it('parses Add Marketplace answers, trimming, without empty optionals', () => {
    assert.equal(parseAddMarketplaceArgs(undefined), undefined);
    assert.deepEqual(parseAddMarketplaceArgs({ url: ' https://m.example/ ', publicKey: 'k', id: '', name: 'M', token: 't' }), { url: 'https://m.example/', publicKey: 'k', name: 'M', token: 't' });
    assert.throws(() => parseAddMarketplaceArgs({ url: 1, publicKey: 'k' }), /url must be a string/);
  });

  it('parses Set Token answers; an empty token clears', () => {
    assert.equal(parseSetTokenArgs({ kind: 'source', id: 'acme' }), undefined, 'a node asks for the token');
    assert.deepEqual(parseSetTokenArgs({ id: 'acme', token: '' }), { id: 'acme', token: '' });
    assert.throws(() => parseSetTokenArgs({ token: 'x' }), /id must name/);
    assert.throws(() => parseSetTokenArgs({ id: 'acme', token: 5 }), /token must be a string/);
  });

  it('skips confirmations only when told so explicitly', () => {
    assert.equal(isConfirmed({ id: 'a', confirmed: true }), true);
    assert.equal(isConfirmed({ id: 'a', confirmed: 'yes' }), false);
    assert.equal(isConfirmed(undefined), false);
  });
});
