import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batchProgressMessage,
  installSummary,
  MAX_NAMED_FAILURES,
  pickMainFile,
  progressIncrement,
  verifyFailureSummary,
  verifySuccessMessage,
} from '../../../src/extension/commands/summary';
import { BusyCounter } from '../../../src/extension/state/busy';

describe('batch texts', () => {
  it('reports progress per item and in total', () => {
    assert.equal(batchProgressMessage(3, 20, 'samples/readme'), '3/20 samples/readme');
    assert.equal(progressIncrement(4), 25);
    assert.equal(progressIncrement(0), 100);
  });

  it('summarises an install batch, leaving out empty parts', () => {
    assert.equal(installSummary({ installed: 18, failed: 2, skipped: 0 }), '18 installed, 2 failed');
    assert.equal(installSummary({ installed: 3, failed: 0, skipped: 1 }), '3 installed, 1 skipped');
    assert.equal(installSummary({ installed: 0, failed: 0, skipped: 0 }), '0 installed');
  });
});

describe('verifyFailureSummary', () => {
  it('is undefined when everything verified', () => {
    assert.equal(verifyFailureSummary([{ ref: 'a/x', ok: true }]), undefined);
    assert.equal(verifySuccessMessage(20, 0), '$(verified) 20 templates verified');
    assert.equal(verifySuccessMessage(20, 20), '$(verified) 20 templates verified (20 from the cache)');
    assert.equal(verifySuccessMessage(1, 1), '$(verified) 1 template verified');
  });

  it('names every failure with its reason', () => {
    const text = verifyFailureSummary([
      { ref: 'a/x', ok: true },
      { ref: 'a/y', ok: false, message: 'the signature does not verify' },
      { ref: 'a/z', ok: false, message: 'sha256 mismatch\nsecond line' },
    ]);
    assert.equal(text, '2 of 3 templates failed verification: a/y (the signature does not verify); a/z (sha256 mismatch second line)');
    assert.equal(verifyFailureSummary([{ ref: 'a/y', ok: false, message: 'x' }]), 'The template failed verification: a/y (x)');
    assert.equal(verifyFailureSummary([{ ref: 'a/x', ok: true }, { ref: 'a/y', ok: false, message: 'x' }]), '1 of 2 templates failed verification: a/y (x)');
  });

  it('caps the list and says how many more are in the log', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ref: `a/t${i}`, ok: false, message: 'E'.repeat(500) }));
    const text = verifyFailureSummary(many)!;
    assert.equal(text.match(/a\/t\d+ \(/g)?.length, MAX_NAMED_FAILURES);
    assert.match(text, /; and 7 more \(see the log\)$/);
    assert.ok(text.length < 1000, `${text.length} characters`);
  });
});

describe('pickMainFile', () => {
  const order = ['docs/guide.md', 'README.md', 'src/index.ts'];
  it('prefers a README at the top of the template folder', () => {
    assert.equal(pickMainFile(order, ['README.md', 'docs/guide.md', 'src/index.ts'], ''), 'README.md');
    assert.equal(pickMainFile(['app/src/a.ts', 'app/readme.markdown'], ['app/src/a.ts', 'app/readme.markdown'], 'app'), 'app/readme.markdown');
  });

  it('else takes the first written file in the template order', () => {
    assert.equal(pickMainFile(order, ['src/index.ts', 'docs/guide.md'], ''), 'docs/guide.md');
    assert.equal(pickMainFile(['docs/README.md', 'a.md'], ['a.md', 'docs/README.md'], ''), 'docs/README.md', 'a nested README is not the main file');
    assert.equal(pickMainFile(order, [], ''), undefined);
  });
});

describe('BusyCounter', () => {
  it('is busy while any work runs and tells only on a flip', async () => {
    const busy = new BusyCounter();
    const seen: boolean[] = [];
    const sub = busy.onDidChange((b) => seen.push(b));
    let release!: () => void;
    const first = busy.run(() => new Promise<void>((r) => (release = r)));
    const second = busy.run(async () => {
      throw new Error('fails');
    });
    await assert.rejects(second, /fails/);
    assert.equal(busy.busy, true);
    release();
    await first;
    assert.equal(busy.busy, false);
    assert.deepEqual(seen, [true, false]);
    sub.dispose();
  });
});
