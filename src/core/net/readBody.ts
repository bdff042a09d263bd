import { type Failure, lengthMismatchFailure, tooLargeFailure } from './failure';

/** A response body as undici hands it out: an async iterable of chunks that can be torn down early. */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(): unknown;
}

export type BodyOutcome = { ok: true; bytes: Uint8Array } | { ok: false; failure: Failure };

/**
 * Reads a whole body, but never more than `maxBytes`: the stream is destroyed on the chunk that
 * crosses the cap, so a hostile or broken server cannot make us buffer an endless response.
 * With a Content-Length (already checked against the cap) the bytes land in one buffer of that
 * size, so a large package is never held twice. Stream errors (timeouts, resets, aborts) are
 * thrown for the caller to classify.
 */
export async function readBody(
  body: BodyStream,
  maxBytes: number,
  contentLength: number | undefined,
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void,
): Promise<BodyOutcome> {
  const announced = contentLength === undefined ? undefined : new Uint8Array(contentLength);
  const chunks: Uint8Array[] = [];
  let received = 0;
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
  if (announced === undefined) return { ok: true, bytes: concat(chunks, received) };
  // undici reports a connection closed mid-body as an error; this guards the contract regardless.
  if (received !== announced.byteLength) return { ok: false, failure: lengthMismatchFailure(received, announced.byteLength) };
  return { ok: true, bytes: announced };
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
