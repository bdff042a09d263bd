import { IntegrityError } from '../errors';
import { utf8 } from '../format';
import type { EntryMeta } from './types';

/** How a blob's bytes sit on disk. */
export type Compression = 'deflate' | 'none';

/**
 * The file stored per key (`keys/<sha256 of key>.json`). Version 1 is one line of JSON naming a
 * blob. Version 2 carries the value itself: the same JSON (v: 2) on the first line, then the
 * stored bytes, so a package costs one file to write and to read instead of two. Readers of
 * version 1 only (earlier releases) see invalid JSON: a corrupt entry, dropped and refetched.
 */
export interface KeyRecord {
  v: 1 | 2;
  /** The key itself, so a record found under the wrong name is caught rather than served. */
  key: string;
  compression: Compression;
  meta: EntryMeta;
  /** v2: the stored bytes (as `compression` says), in the record instead of a blob; absent when only the header was read. */
  inline?: Uint8Array;
}

/** Whether the record holds its value itself (v2) rather than naming a blob (v1). */
export function holdsValue(record: KeyRecord): boolean {
  return record.v === 2;
}

const NEWLINE = 0x0a;

/**
 * The record as the chunks to write in order: the header, then (v2) the value itself, passed
 * as it is so a 1 MB value is handed to `writev` rather than copied into one buffer.
 */
export function serializeRecord(record: KeyRecord): Uint8Array[] {
  const { sha256, size, storedAt, expiresAt, etag, lastModified } = record.meta;
  // Fields picked one by one so nothing a caller tacked onto `meta` ends up on disk.
  const meta: EntryMeta = { sha256, size, storedAt, expiresAt };
  if (etag !== undefined) meta.etag = etag;
  if (lastModified !== undefined) meta.lastModified = lastModified;
  if (record.inline === undefined) return [utf8.encode(JSON.stringify({ v: 1, key: record.key, compression: record.compression, meta }))];
  // JSON.stringify never writes a raw newline, so the first one ends the header.
  return [utf8.encode(`${JSON.stringify({ v: 2, key: record.key, compression: record.compression, meta })}\n`), record.inline];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses and checks a record; anything off (torn write, foreign file, older layout) throws
 * IntegrityError and the caller treats the entry as corrupt. `expectedKey` guards against a record
 * that does not belong to the key being read. The value is a view into `bytes`, not a copy.
 */
export function parseRecord(bytes: Uint8Array, subject: string, expectedKey?: string): KeyRecord {
  const newline = bytes.indexOf(NEWLINE);
  const record = parseHeader(newline < 0 ? bytes : bytes.subarray(0, newline), newline < 0 ? 1 : 2, subject, expectedKey);
  if (record.v === 2) record.inline = bytes.subarray(newline + 1);
  return record;
}

/**
 * Parses the head of a record file, for passes that need only its header (gc, eviction): the
 * whole of a v1 record, or the first line of a v2 record and any of its value after it (ignored).
 * `complete` says whether `head` is the whole file; a v1 record must be.
 */
export function parseRecordHead(head: Uint8Array, complete: boolean, subject: string): KeyRecord {
  const newline = head.indexOf(NEWLINE);
  if (newline < 0 && !complete) throw new IntegrityError('record header is too long', subject);
  return parseHeader(newline < 0 ? head : head.subarray(0, newline), newline < 0 ? 1 : 2, subject);
}

function parseHeader(json: Uint8Array, version: 1 | 2, subject: string, expectedKey?: string): KeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(json));
  } catch {
    throw new IntegrityError('record is not valid JSON', subject);
  }
  if (!isObject(value) || value.v !== version) throw new IntegrityError('record has an unknown version', subject);
  const { key, compression, meta } = value;
  if (typeof key !== 'string') throw new IntegrityError('record has no key', subject);
  if (expectedKey !== undefined && key !== expectedKey) throw new IntegrityError('record belongs to another key', subject);
  if (compression !== 'deflate' && compression !== 'none') throw new IntegrityError('record has an unknown compression', subject);
  return { v: version, key, compression, meta: parseMeta(meta, subject) };
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
