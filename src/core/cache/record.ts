import { IntegrityError } from '../errors';
import { utf8 } from '../format';
import type { EntryMeta } from './types';

/** How a blob's bytes sit on disk. */
export type Compression = 'deflate' | 'none';

/**
 * The file stored per key (`keys/<sha256 of key>.json`). Version 1 is one line of JSON naming a
 * blob. Version 2 carries a small value itself: the same JSON (v: 2) on the first line, then the
 * stored bytes, so a small package costs one file to write and to read instead of two. Readers of
 * version 1 only (earlier releases) see invalid JSON: a corrupt entry, dropped and refetched.
 */
export interface KeyRecord {
  v: 1 | 2;
  /** The key itself, so a record found under the wrong name is caught rather than served. */
  key: string;
  compression: Compression;
  meta: EntryMeta;
  /** v2: the stored bytes (as `compression` says), in the record instead of a blob. */
  inline?: Uint8Array;
}

const NEWLINE = 0x0a;

export function serializeRecord(record: KeyRecord): Uint8Array {
  const { sha256, size, storedAt, expiresAt, etag, lastModified } = record.meta;
  // Fields picked one by one so nothing a caller tacked onto `meta` ends up on disk.
  const meta: EntryMeta = { sha256, size, storedAt, expiresAt };
  if (etag !== undefined) meta.etag = etag;
  if (lastModified !== undefined) meta.lastModified = lastModified;
  if (record.inline === undefined) return utf8.encode(JSON.stringify({ v: 1, key: record.key, compression: record.compression, meta }));
  // JSON.stringify never writes a raw newline, so the first one ends the header.
  const header = utf8.encode(`${JSON.stringify({ v: 2, key: record.key, compression: record.compression, meta })}\n`);
  const out = new Uint8Array(header.byteLength + record.inline.byteLength);
  out.set(header);
  out.set(record.inline, header.byteLength);
  return out;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses and checks a record; anything off (torn write, foreign file, older layout) throws
 * IntegrityError and the caller treats the entry as corrupt. `expectedKey` guards against a record
 * that does not belong to the key being read.
 */
export function parseRecord(bytes: Uint8Array, subject: string, expectedKey?: string): KeyRecord {
  const newline = bytes.indexOf(NEWLINE);
  const version = newline < 0 ? 1 : 2;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(newline < 0 ? bytes : bytes.subarray(0, newline)));
  } catch {
    throw new IntegrityError('record is not valid JSON', subject);
  }
  if (!isObject(value) || value.v !== version) throw new IntegrityError('record has an unknown version', subject);
  const { key, compression, meta } = value;
  if (typeof key !== 'string') throw new IntegrityError('record has no key', subject);
  if (expectedKey !== undefined && key !== expectedKey) throw new IntegrityError('record belongs to another key', subject);
  if (compression !== 'deflate' && compression !== 'none') throw new IntegrityError('record has an unknown compression', subject);
  const record: KeyRecord = { v: version, key, compression, meta: parseMeta(meta, subject) };
  if (version === 2) record.inline = bytes.subarray(newline + 1);
  return record;
}

function parseMeta(value: unknown, subject: string): EntryMeta {
  if (!isObject(value)) throw new IntegrityError('record has no meta', subject);
  const { sha256, size, storedAt, expiresAt, etag, lastModified } = value;
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) throw new IntegrityError('record has a malformed sha256', subject);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new IntegrityError('record has a malformed size', subject);
  if (!isFiniteNumber(storedAt) || !isFiniteNumber(expiresAt)) throw new IntegrityError('record has malformed times', subject);
  if (etag !== undefined && typeof etag !== 'string') throw new IntegrityError('record has a malformed etag', subject);
  if (lastModified !== undefined && typeof lastModified !== 'string') throw new IntegrityError('record has a malformed lastModified', subject);
  const meta: EntryMeta = { sha256, size, storedAt, expiresAt };
  if (etag !== undefined) meta.etag = etag;
  if (lastModified !== undefined) meta.lastModified = lastModified;
  return meta;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
