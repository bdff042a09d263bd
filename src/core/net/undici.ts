import type * as Undici from 'undici';

/**
 * undici, required on first use. It is most of the engine bundle (~400 kB) and pulls in node:http,
 * node:tls, node:net and more: requiring it eagerly cost a first search on a file: marketplace
 * (the sample) tens of milliseconds for sockets it never opens (test/bench/activation.bench.ts).
 * esbuild still bundles it; a `require` inside a function only defers running it.
 */
let undici: typeof Undici | undefined;

export function loadUndici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undici ??= require('undici') as typeof Undici);
}
