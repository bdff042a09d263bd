import { type Failure, lengthMismatchFailure, slowTransferFailure, tooLargeFailure } from './failure';

/** A response body as undici hands it out: an async iterable of chunks that can be torn down early. */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/** The slowest transfer tolerated: at least `bytesPerSecond` on average over every window of `windowMs`. */
export interface MinSpeed {
  bytesPerSecond: number;
  windowMs: number;
}

export type BodyOutcome = { ok: true; bytes: Uint8Array } | { ok: false; failure: Failure };

/**
 * Reads a whole body, but never more than `maxBytes`: the stream is destroyed on the chunk that
 * crosses the cap, so a hostile or broken server cannot make us buffer an endless response.
 * With a Content-Length (already checked against the cap) the bytes land in one buffer of that
 * size, so a large package is never held twice. Stream errors (timeouts, resets, aborts) are
 * thrown for the caller to classify.
 *
 * With `minSpeed`, the body is also cut off as soon as one window of `windowMs` brings fewer than
 * `bytesPerSecond * windowMs / 1000` bytes: a server that trickles a byte now and then never
 * trips a silence timeout, but it trips this (like curl's --speed-limit / --speed-time).
 */
export async function readBody(
  body: BodyStream,
  maxBytes: number,
  contentLength: number | undefined,
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void,
  minSpeed?: MinSpeed,
): Promise<BodyOutcome> {
  const announced = contentLength === undefined ? undefined : new Uint8Array(contentLength);
  const chunks: Uint8Array[] = [];
  let received = 0;
  let slow: Failure | undefined;
  let windowStart = 0;
  const minBytes = minSpeed ? Math.ceil((minSpeed.bytesPerSecond * minSpeed.windowMs) / 1000) : 0;
  const watchdog =
    minSpeed &&
    setInterval(() => {
      const inWindow = received - windowStart;
      windowStart = received;
      if (inWindow < minBytes && slow === undefined) {
        slow = slowTransferFailure(minSpeed, inWindow, received);
        body.destroy(new Error('transfer too slow'));
      }
    }, minSpeed.windowMs);
  try {
    return await readChunks();
  } catch (err) {
    if (slow) return { ok: false, failure: slow };
    throw err;
  } finally {
    if (watchdog) clearInterval(watchdog);
  }

  async function readChunks(): Promise<BodyOutcome> {
    for await (const chunk of body) {
      const offset = received;
      received += chunk.byteLength;
      if (received > maxBytes) {
        body.destroy();
        return { ok: false, failure: tooLargeFailure(maxBytes) };
      }
      if (announced === undefined) {
        chunks.push(chunk);
      } else if (received <= announced.byteLength) {
        announced.set(chunk, offset);
      } else {
        body.destroy();
        return { ok: false, failure: lengthMismatchFailure(received, announced.byteLength) };
      }
      onProgress?.(received, contentLength);
    }
    if (slow) return { ok: false, failure: slow };
    if (announced === undefined) return { ok: true, bytes: concat(chunks, received) };
    // undici reports a connection closed mid-body as an error; this guards the contract regardless.
    if (received !== announced.byteLength) return { ok: false, failure: lengthMismatchFailure(received, announced.byteLength) };
    return { ok: true, bytes: announced };
  }
}

/** Copies into a fresh, exactly sized array (Buffer.concat may hand out a slice of a shared pool). */
function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
