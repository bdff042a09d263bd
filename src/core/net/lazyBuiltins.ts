import type * as Http from 'node:http';
import type * as Net from 'node:net';

/*
 * node:http and node:net, required on first use. Loading node:http costs ~6 ms (it loads node:net,
 * node:stream and more), which every start-up paid for a table of status texts and an IP parser,
 * even with only file: marketplaces (test/bench/activation.bench.ts).
 */

/** `Not Found` for 404: the reason phrase Node knows for `status`, if any. */
export function statusText(status: number): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:http') as typeof Http).STATUS_CODES[status];
}

export function nodeNet(): typeof Net {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:net') as typeof Net;
}
