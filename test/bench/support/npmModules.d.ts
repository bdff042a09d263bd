// The few calls the npm-peer bench makes into npm's own stack (make-fetch-happen, cacache), which ship
// no types of their own. Only what test/bench/support/npmStack.ts uses.

declare module 'make-fetch-happen' {
  interface FetchOptions {
    /** A cacache folder: responses that may be cached are written there while they stream. */
    cachePath?: string;
    cache?: 'default' | 'no-store' | 'reload' | 'no-cache' | 'force-cache' | 'only-if-cached';
    /** SRI string: the body is checked against it while it streams (and cacache checks it on write). */
    integrity?: string;
    /** Digests computed while streaming and stored under (default sha512, plus the one `integrity` names). */
    algorithms?: string[];
    /** Sockets per origin of the keep-alive agent (@npmcli/agent). */
    maxSockets?: number;
    retry?: number | { retries: number };
  }
  interface FetchResponse {
    readonly status: number;
    readonly headers: { get(name: string): string | null };
    buffer(): Promise<Buffer>;
  }
  interface Fetch {
    (url: string, options?: FetchOptions): Promise<FetchResponse>;
    defaults(options: FetchOptions): Fetch;
  }
  const fetch: Fetch;
  export = fetch;
}

declare module 'cacache' {
  export const get: {
    /** The content stored under an SRI digest, checked against it as it is read. */
    byDigest(cachePath: string, integrity: string, opts?: { memoize?: boolean; size?: number }): Promise<Buffer>;
  };
  /** Every index entry: key -> entry. */
  export function ls(cachePath: string): Promise<Record<string, { integrity: string; size: number }>>;
}
