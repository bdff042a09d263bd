/**
 * HTTP/2 against HTTP/1.1 keep-alive, over TLS on loopback with real latency added: a DelayProxy
 * holds every chunk for RTT/2 each way (so TLS handshakes and each request pay real round trips).
 * The server is node:http2's createSecureServer with allowHTTP1, so ALPN decides the protocol. The
 * workload is what a user's batch does: the catalog (256 kB), then 200 small packages (2 kB) at
 * concurrency 8, each round on a fresh client (cold connections), then the same 200 again on the
 * warm connections. Modes alternate within each round; the median of the rounds is reported.
 *
 *   node --import tsx test/bench/http2.bench.ts
 *
 * The third mode is what HTTP/2 is for, many streams on one connection: undici 6 multiplexes only
 * with `pipelining` above 1, which HttpClient does not use (see the README, "HTTP/2"); it is
 * measured with bare undici to show what it would buy, and whether it survives.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { HttpClient } from '../../src/core/net/httpClient';
import { DelayProxy } from '../helpers/delayProxy';
import { LOOPBACK_TLS } from '../helpers/loopbackTls';

const RTTS_MS = [20, 50] as const;
const PACKAGES = 200;
const CONCURRENCY = 8;
const ROUNDS = 3;
const PACKAGE = randomBytes(2048);
const CATALOG = Buffer.from(JSON.stringify({ templates: Array.from({ length: 1000 }, (_, i) => ({ id: `t${i}`, pad: 'x'.repeat(220) })) }));

interface Mode {
  name: string;
  /** A fresh client: GETs `url` and returns the body length; closed after the round. */
  open(): { get(url: string): Promise<number>; close(): Promise<void> };
}

const allModes: Mode[] = [
  {
    name: 'HttpClient, HTTP/1.1 keep-alive (8 connections)',
    open: () => httpClientMode(false),
  },
  {
    name: 'HttpClient, HTTP/2 via ALPN (8 connections)',
    open: () => httpClientMode(true),
  },
  {
    name: 'bare undici, HTTP/2 multiplexed (1 connection, 8 streams)',
    open: () => {
      const agent = new Agent({ allowH2: true, connections: 1, pipelining: CONCURRENCY, connect: { ca: [LOOPBACK_TLS.cert] } });
      return {
        get: async (url) => {
          const { statusCode, body } = await request(url, { dispatcher: agent });
          const bytes = Buffer.from(await body.arrayBuffer());
          if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
          return bytes.length;
        },
        close: () => agent.close(),
      };
    },
  },
];

/**
 * BENCH_H2_MODES=0,2 picks modes by index. By default the first two run here and the multiplexed
 * one in a child process of its own (next to the HTTP/1.1 baseline): undici 6.29's h2 client
 * throws an assertion from an event handler under multiplexed load, which ends the process.
 */
const CHILD = process.env.BENCH_H2_MODES !== undefined;
const modes = CHILD ? process.env.BENCH_H2_MODES!.split(',').map((i) => allModes[Number(i)]!) : allModes.slice(0, 2);

function httpClientMode(http2: boolean): ReturnType<Mode['open']> {
  const client = new HttpClient({ http2, ca: [LOOPBACK_TLS.cert], retries: 0 });
  return {
    get: async (url) => {
      const result = await client.get(url, { maxBytes: 1 << 20 });
      if (result.status !== 200) throw new Error(`HTTP ${result.status}`);
      return result.bytes.length;
    },
    close: () => client.close(),
  };
}

interface Sample {
  coldMs: number;
  warmMs: number;
  h2: number;
  h1: number;
}

export async function run(): Promise<void> {
  const seen = { h1: 0, h2: 0, connections: 0 };
  const server = createSecureServer({ ...LOOPBACK_TLS, allowHTTP1: true }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
    if (req.httpVersion === '2.0') seen.h2++;
    else seen.h1++;
    const body = req.url === '/catalog.json' ? CATALOG : PACKAGE;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    res.end(body);
  });
  server.on('secureConnection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    console.log(
      `\nHTTPS on loopback through a delaying proxy — Node ${process.version}; catalog ${(CATALOG.length / 1024).toFixed(0)} kB, ` +
        `then ${PACKAGES} × ${PACKAGE.length / 1024} kB packages at concurrency ${CONCURRENCY}; median of ${ROUNDS} rounds`,
    );
    for (const rtt of RTTS_MS) {
      const proxy = await DelayProxy.start({ port }, rtt);
      const base = `https://127.0.0.1:${proxy.port}`;
      const samples = new Map<string, Sample[]>(modes.map((m) => [m.name, []]));
      const failures = new Map<string, string>();
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (const mode of modes) {
            if (failures.has(mode.name)) continue;
            const before = { ...seen };
            const client = mode.open();
            try {
              const started = performance.now();
              await client.get(`${base}/catalog.json`);
              await batch(client, base, 'a');
              const coldMs = performance.now() - started;
              const warmStarted = performance.now();
              await batch(client, base, 'b');
              const warmMs = performance.now() - warmStarted;
              samples.get(mode.name)!.push({ coldMs, warmMs, h2: seen.h2 - before.h2, h1: seen.h1 - before.h1 });
            } catch (err) {
              failures.set(mode.name, err instanceof Error ? err.message : String(err));
            } finally {
              await client.close().catch(() => undefined);
            }
          }
        }
      } finally {
        await proxy.close();
      }
      print(rtt, samples, failures);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (!CHILD) multiplexedInAChild();
}

/** Runs the multiplexed mode (with the HTTP/1.1 baseline) in a child process, and reports how it ended. */
function multiplexedInAChild(): void {
  console.log(`${allModes[2]!.name}, in a child process:`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename], {
    env: { ...process.env, BENCH_H2_MODES: '0,2', NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const lines = child.stdout.split('\n').filter((l) => /^(RTT| {2}bare undici)/.test(l));
  for (const line of lines) console.log(`  ${line.trim()}`);
  if (child.status !== 0) {
    const assertion = /assert\([^)]*\)/.exec(child.stderr)?.[0] ?? child.stderr.split('\n').find((l) => /Error/.test(l)) ?? `exit ${child.status}`;
    console.log(`  CRASHED the process (exit ${child.status ?? child.signal}): ${assertion} — uncatchable, from undici's h2 stream handler`);
  }
}

async function batch(client: ReturnType<Mode['open']>, base: string, tag: string): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < PACKAGES) await client.get(`${base}/packages/${tag}${next++}.zip`);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function print(rtt: number, samples: Map<string, Sample[]>, failures: Map<string, string>): void {
  const h1 = samples.get(modes[0]!.name)!;
  const h1Cold = median(h1.map((s) => s.coldMs));
  const h1Warm = median(h1.map((s) => s.warmMs));
  console.log(`RTT ${rtt} ms (${rtt / 2} ms each way)`);
  for (const [name, list] of samples) {
    if (failures.has(name) && list.length === 0) {
      console.log(`  ${name.padEnd(58)} FAILED: ${failures.get(name)}`);
      continue;
    }
    const cold = median(list.map((s) => s.coldMs));
    const warm = median(list.map((s) => s.warmMs));
    const protocols = `${list.reduce((n, s) => n + s.h2, 0)} h2 / ${list.reduce((n, s) => n + s.h1, 0)} h1 requests`;
    console.log(
      `  ${name.padEnd(58)} cold ${cold.toFixed(0).padStart(5)} ms (x${(h1Cold / cold).toFixed(2)})   warm ${warm.toFixed(0).padStart(5)} ms (x${(h1Warm / warm).toFixed(2)})   ${protocols}` +
        (failures.has(name) ? `   (a later round FAILED: ${failures.get(name)})` : ''),
    );
  }
  console.log('  (xN) = speed vs HTTP/1.1 keep-alive; above 1 is faster');
}

if (require.main === module) void run();
