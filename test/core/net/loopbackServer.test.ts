import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { LoopbackServer } from '../../helpers/loopbackServer';

describe('LoopbackServer (test helper)', { timeout: 10_000 }, () => {
  test('records requests and connections, swaps handlers, and close() ends idle keep-alive sockets', async () => {
    const server = await LoopbackServer.start((_req, res) => res.end('one'));
    const agent = new Agent();
    try {
      assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      const first = await request(server.url('/a?x=1'), { dispatcher: agent, headers: { 'x-test': 'yes' } });
      assert.equal(await first.body.text(), 'one');
      server.handle((_req, res) => res.end('two'));
      const second = await request(server.url('/b'), { dispatcher: agent });
      assert.equal(await second.body.text(), 'two');
      assert.equal(server.requests, 2);
      assert.deepEqual(
        server.log.map((r) => [r.index, r.method, r.url]),
        [
          [1, 'GET', '/a?x=1'],
          [2, 'GET', '/b'],
        ],
      );
      assert.equal(server.log[0]!.headers['x-test'], 'yes');
      assert.ok(server.log[0]!.connection >= 1);
      assert.ok(server.connections >= 1);
      assert.ok(server.openConnections >= 1, 'the agent keeps its connection alive');
      // Would hang until the agent's keep-alive timeout if close() left idle sockets open.
      await server.close();
      assert.equal(server.openConnections, 0);
    } finally {
      await server.close(); // idempotent
      await agent.close();
    }
  });

  test('turns a throwing handler into a 500 and records the error', async () => {
    const server = await LoopbackServer.start(() => {
      throw new Error('handler bug');
    });
    const agent = new Agent();
    try {
      const response = await request(server.url('/'), { dispatcher: agent });
      await response.body.dump();
      assert.equal(response.statusCode, 500);
      assert.equal(server.errors.length, 1);
      assert.match(String(server.errors[0]), /handler bug/);
    } finally {
      await server.close();
      await agent.close();
    }
  });
});
