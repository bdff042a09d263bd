import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Leases } from '../../../src/extension/client/leases';

/** Resolves after every queued microtask and one macrotask: a pending drain would have settled. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Leases (a replaced engine closes only after the commands holding it)', () => {
  it('drain waits for the last lease, not the first', async () => {
    const leases = new Leases<object>();
    const client = {};
    const install = leases.acquire(client)!;
    const verify = leases.acquire(client)!;
    let drained = false;
    const draining = leases.drain(client).then(() => (drained = true));
    install();
    await settle();
    assert.equal(drained, false, 'verify still holds the client');
    verify();
    await draining;
    assert.equal(drained, true);
  });

  it('drain resolves at once when nobody holds it, and then refuses new leases', async () => {
    const leases = new Leases<object>();
    const client = {};
    await leases.drain(client);
    assert.equal(leases.acquire(client), undefined, 'a closing client is not handed out');
    assert.ok(leases.acquire({}), 'another client still is');
  });

  it('a lease taken while draining keeps the client open until it too is released', async () => {
    const leases = new Leases<object>();
    const client = {};
    const first = leases.acquire(client)!;
    let drained = false;
    const draining = leases.drain(client).then(() => (drained = true));
    const second = leases.acquire(client)!; // e.g. a command that got the client just before the rebuild
    first();
    await settle();
    assert.equal(drained, false);
    second();
    await draining;
    assert.equal(leases.held(client), 0);
  });

  it('releasing twice counts once', async () => {
    const leases = new Leases<object>();
    const client = {};
    const a = leases.acquire(client)!;
    const b = leases.acquire(client)!;
    a();
    a();
    assert.equal(leases.held(client), 1, 'b is still held');
    let drained = false;
    const draining = leases.drain(client).then(() => (drained = true));
    await settle();
    assert.equal(drained, false);
    b();
    await draining;
  });
});
