import type * as Nacl from 'tweetnacl';

/**
 * tweetnacl, required on first use: only signing and key generation need it (publishing, tests),
 * while verification, the path every user takes, runs on node:crypto. Deferring it keeps ~35 kB
 * of JavaScript off the engine's start-up.
 */
let nacl: typeof Nacl | undefined;

export function loadNacl(): typeof Nacl {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (nacl ??= require('tweetnacl') as typeof Nacl);
}
