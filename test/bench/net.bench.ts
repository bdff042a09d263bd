/**
 * What the keep-alive pool buys: sequential small GETs against a loopback server through
 * HttpClient (pooled), through bare undici on a pooled Agent, and through bare undici with a
 * fresh TCP connection per request (`reset: true`). Modes alternate over several rounds so they
 * are measured side by side; the best round of each is reported.
 *
 *   node --import tsx test/bench/net.bench.ts
 *
 * Client and server share one process (and event loop), so absolute numbers understate both;
 * the ratio is the point. Loopback has no latency: over a real network each new connection
 * also costs a round trip (two or more with TLS), so the gap only grows.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { HttpClient } from '../../src/core/net/httpClient';
import { LoopbackServer } from '../helpers/loopbackServer';

const REQUESTS_PER_ROUND = 1000;
const ROUNDS = 3;
const BODY = Buffer.alloc(512, 'x');

type Mode = (url: string) => Promise<void>;

export async function run(): Promise<void> {
  const server = await LoopbackServer.start((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BODY.length) }).end(BODY);
  });
  const client = new HttpClient({ retries: 0 });
  const agent = new Agent({ connections: 8 });
  // Its own agent: `reset: true` requests would otherwise close the pooled sockets of the one above.
  const resetAgent = new Agent({ connections: 8 });
  try {
    const modes: Record<string, Mode> = {
      'HttpClient, keep-alive pool': async (url) => {
        const result = await client.get(url, { maxBytes: 4096 });
        if (result.status !== 200) throw new Error(`unexpected status ${result.status}`);
      },
      'undici, keep-alive pool': async (url) => {
        const { body } = await request(url, { dispatcher: agent });
        await body.arrayBuffer();
      },
      'undici, new connection each': async (url) => {
        const { body } = await request(url, { dispatcher: resetAgent, reset: true });
        await body.arrayBuffer();
      },
    };
    const best = new Map<string, number>();
    const connections = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, mode] of Object.entries(modes)) {
        const connectionsBefore = server.connections;
        const perSecond = await measure(mode, server.url('/catalog.json'));
        best.set(name, Math.max(best.get(name) ?? 0, perSecond));
        connections.set(name, (connections.get(name) ?? 0) + server.connections - connectionsBefore);
      }
    }
    print(best, connections);
  } finally {
    await server.close();
    await Promise.all([client.close(), agent.close(), resetAgent.close()]);
  }
}

async function measure(mode: Mode, url: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS_PER_ROUND; i++) await mode(url);
  return REQUESTS_PER_ROUND / ((performance.now() - started) / 1000);
}

function print(best: Map<string, number>, connections: Map<string, number>): void {
  const fresh = best.get('undici, new connection each') ?? NaN;
  console.log(`\n${REQUESTS_PER_ROUND} sequential 512-byte GETs per round, best of ${ROUNDS} — Node ${process.version}, loopback, one process`);
  for (const [name, perSecond] of best) {
    const ratio = `x${(perSecond / fresh).toFixed(2)} vs new connection each`;
    const used = `${connections.get(name)} connection(s) opened in all`;
    console.log(`${name.padEnd(30)} ${Math.round(perSecond).toLocaleString('en-US').padStart(7)} req/s   ${ratio}   ${used}`);
  }
}

if (require.main === module) void run();
