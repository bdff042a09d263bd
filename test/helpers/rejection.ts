import assert from 'node:assert/strict';

/** The error a promise rejects with; fails the test if it fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return assert.fail('expected a rejection');
}

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
