import { isAbsolute } from 'node:path';
import type { ConflictPolicy } from '../../core';

/**
 * Pure parsing of what the commands are invoked with: nothing (palette), a tree node, the tree's
 * selection, or an object of answers (tests and other extensions). An object of answers runs the
 * command without any UI and makes it return a result object instead of notifying.
 */

/** The problem with an argument object, reported as `{ status: 'failed', code: 'E_USAGE' }`. */
export class ArgumentError extends Error {
  readonly code = 'E_USAGE';
}

const POLICIES: readonly ConflictPolicy[] = ['fail', 'skip', 'overwrite'];

/** A template reference from a ref string, a node/entry with `ref`, or a node wrapping a `template` with `ref`. */
export function refOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target.trim() || undefined;
  if (typeof target !== 'object' || target === null) return undefined;
  const t = target as { ref?: unknown; template?: { ref?: unknown } };
  if (typeof t.ref === 'string' && t.ref.trim()) return t.ref.trim();
  if (typeof t.template === 'object' && t.template !== null && typeof t.template.ref === 'string' && t.template.ref.trim()) return t.template.ref.trim();
  return undefined;
}

/** The template refs of a selection (nodes of other kinds are ignored), deduplicated, in order. */
export function refsOf(values: readonly unknown[]): string[] {
  return [...new Set(values.map(refOf).filter((r): r is string => r !== undefined))];
}

/**
 * A marketplace id from a source node (`{ sourceId }`, `{ kind: 'source', id }`, `{ source: { id } }`),
 * an answers object `{ id }`, or a plain id string.
 */
export function sourceIdOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target.trim() || undefined;
  if (typeof target !== 'object' || target === null) return undefined;
  const t = target as { sourceId?: unknown; id?: unknown; kind?: unknown; source?: unknown; ref?: unknown };
  if (typeof t.sourceId === 'string' && t.sourceId) return t.sourceId;
  if (typeof t.source === 'object' && t.source !== null && typeof (t.source as { id?: unknown }).id === 'string') return (t.source as { id: string }).id;
  // A template node has a ref and its own id: only a source (or an answers object) names a marketplace by `id`.
  if (typeof t.id === 'string' && t.id && t.ref === undefined && (t.kind === undefined || t.kind === 'source')) return t.id;
  return undefined;
}

function isAnswers(target: unknown, keys: readonly string[]): target is Record<string, unknown> {
  return typeof target === 'object' && target !== null && !Array.isArray(target) && keys.some((k) => Object.hasOwn(target, k));
}

function variablesOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArgumentError(`${where} must be an object of variable names to string values`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ArgumentError(`${where}.${name} must be a string`);
    out[name] = v;
  }
  return out;
}

function policyOf(value: unknown): ConflictPolicy | undefined {
  if (value === undefined) return undefined;
  if (!POLICIES.includes(value as ConflictPolicy)) throw new ArgumentError(`onConflict must be one of ${POLICIES.join(', ')}`);
  return value as ConflictPolicy;
}

function targetDirOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ArgumentError('targetDir must be an absolute folder path');
  if (!isAbsolute(value)) throw new ArgumentError(`targetDir must be an absolute path, got "${value}"`);
  return value;
}

function booleanOf(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ArgumentError(`${name} must be true or false`);
  return value;
}

// ---- Install Template ---------------------------------------------------------------------------

/** `installTemplate({ ref, targetDir, variables?, onConflict?, open? })`: no UI at all. */
export interface InstallAnswers {
  ref: string;
  targetDir: string;
  variables: Record<string, string>;
  /** Absent: a conflict refuses the install and nothing is written. */
  onConflict?: ConflictPolicy;
  /** Open the main file and reveal it in the Explorer afterwards. Default false without UI. */
  open: boolean;
}

export type InstallInvocation = { kind: 'answers'; answers: InstallAnswers } | { kind: 'interactive'; ref?: string };

/** Throws ArgumentError for an answers object that cannot be used. */
export function parseInstallArgs(target: unknown): InstallInvocation {
  if (!isAnswers(target, ['targetDir'])) return { kind: 'interactive', ...(refOf(target) ? { ref: refOf(target) } : {}) };
  const ref = refOf(target);
  if (!ref) throw new ArgumentError('ref must name a template, e.g. "samples/readme"');
  const onConflict = policyOf(target.onConflict);
  return {
    kind: 'answers',
    answers: {
      ref,
      targetDir: targetDirOf(target.targetDir),
      variables: variablesOf(target.variables, 'variables'),
      ...(onConflict ? { onConflict } : {}),
      open: booleanOf(target.open, 'open', false),
    },
  };
}

export type InstallCommandResult =
  | { status: 'installed'; ref: string; targetFolder: string; written: string[]; skipped: string[]; overwritten: string[]; mainFile?: string }
  | { status: 'conflict'; ref: string; conflicts: string[] }
  | { status: 'cancelled'; ref?: string }
  | { status: 'failed'; ref?: string; code: string; message: string };

// ---- Install Templates (batch) ------------------------------------------------------------------

/** `installTemplates({ refs, targetDir, variables?: { [ref]: { name: value } }, onConflict? })`: defaults for the rest, no UI. */
export interface BatchInstallAnswers {
  refs: string[];
  targetDir: string;
  variables: Record<string, Record<string, string>>;
  onConflict?: ConflictPolicy;
}

export type BatchInstallInvocation = { kind: 'answers'; answers: BatchInstallAnswers } | { kind: 'interactive'; refs: string[] };

export function parseBatchInstallArgs(target: unknown, selection: readonly unknown[]): BatchInstallInvocation {
  if (!isAnswers(target, ['targetDir'])) return { kind: 'interactive', refs: refsOf(selection) };
  if (!Array.isArray(target.refs) || target.refs.length === 0) throw new ArgumentError('refs must be a non-empty list of template refs');
  const refs = refsOf(target.refs);
  if (refs.length !== target.refs.length) throw new ArgumentError('refs must be distinct template refs (strings)');
  const variables: Record<string, Record<string, string>> = {};
  if (target.variables !== undefined) {
    if (typeof target.variables !== 'object' || target.variables === null || Array.isArray(target.variables)) {
      throw new ArgumentError('variables must be an object of template refs to variable objects');
    }
    for (const [ref, vars] of Object.entries(target.variables)) {
      if (!refs.includes(ref)) throw new ArgumentError(`variables.${ref} is not one of refs`);
      variables[ref] = variablesOf(vars, `variables.${ref}`);
    }
  }
  const onConflict = policyOf(target.onConflict);
  return { kind: 'answers', answers: { refs, targetDir: targetDirOf(target.targetDir), variables, ...(onConflict ? { onConflict } : {}) } };
}

export interface BatchInstallResult {
  installed: { ref: string; targetFolder: string; written: string[]; skipped: string[]; overwritten: string[] }[];
  failed: { ref: string; code: string; message: string; conflicts?: string[] }[];
  /** Templates the user chose not to install (a prompt dismissed, "Skip This Template"). */
  skipped: string[];
  cancelled: boolean;
}

// ---- Verify -------------------------------------------------------------------------------------

/** `verifyTemplates()` all, `verifyTemplates({ refs })` some; a node or the tree selection for the others. */
export function parseVerifyArgs(target: unknown, selection: readonly unknown[]): { refs?: string[] } {
  if (isAnswers(target, ['refs'])) {
    if (!Array.isArray(target.refs)) throw new ArgumentError('refs must be a list of template refs');
    return { refs: refsOf(target.refs) };
  }
  const refs = refsOf(selection.length > 0 ? selection : [target]);
  return refs.length > 0 ? { refs } : {};
}

export interface VerifyCommandResult {
  outcomes: { ref: string; ok: boolean; cached: boolean; code?: string; message?: string }[];
  cancelled: boolean;
}

// ---- Marketplaces -------------------------------------------------------------------------------

/** `addMarketplace({ url, publicKey, id?, name?, token? })`: checked by loading it once, then saved; no UI. */
export interface AddMarketplaceAnswers {
  url: string;
  publicKey: string;
  id?: string;
  name?: string;
  token?: string;
}

export function parseAddMarketplaceArgs(target: unknown): AddMarketplaceAnswers | undefined {
  if (!isAnswers(target, ['url', 'publicKey'])) return undefined;
  const str = (key: string, required: boolean): string | undefined => {
    const v = target[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string') throw new ArgumentError(`${key} must be a string`);
    return v.trim();
  };
  const answers: AddMarketplaceAnswers = { url: str('url', true)!, publicKey: str('publicKey', true)! };
  const id = str('id', false);
  const name = str('name', false);
  const token = str('token', false);
  if (id) answers.id = id;
  if (name) answers.name = name;
  if (token) answers.token = token;
  return answers;
}

export type MarketplaceCommandResult =
  | { status: 'added'; id: string; templates: number; target: 'global' | 'workspace' }
  | { status: 'removed'; id: string }
  | { status: 'tokenSet'; id: string }
  | { status: 'tokenCleared'; id: string }
  | { status: 'cancelled' }
  | { status: 'failed'; code: string; message: string };

/** `setToken({ id, token })`: an empty token clears it. */
export function parseSetTokenArgs(target: unknown): { id: string; token: string } | undefined {
  if (!isAnswers(target, ['token'])) return undefined;
  const id = sourceIdOf(target);
  if (!id) throw new ArgumentError('id must name a configured marketplace');
  if (typeof target.token !== 'string') throw new ArgumentError('token must be a string ("" clears it)');
  return { id, token: target.token };
}

/** `removeMarketplace({ id, confirmed: true })` and `clearCache({ confirmed: true })` skip the modal confirmation. */
export function isConfirmed(target: unknown): boolean {
  return typeof target === 'object' && target !== null && (target as { confirmed?: unknown }).confirmed === true;
}

// ---- Update Template ----------------------------------------------------------------------------

/**
 * `updateTemplate({ id, dir?, variables?, resolutions?, confirmed?, merge? })`: `id` a template id or
 * `<marketplace>/<id>`; `dir` the folder holding the record (default: the one folder of the
 * workspace that records `id`). `resolutions` settle conflicts: path → the file's text, or null to
 * delete it. Without `confirmed: true` nothing is written (a dry run that reports what would change).
 * With `merge: true`, conflicts without a resolution open in the merge editor one at a time, as for
 * a user; otherwise they make the result `conflict` and nothing is written.
 */
export interface UpdateAnswers {
  id: string;
  dir?: string;
  variables: Record<string, string>;
  resolutions: Map<string, string | null>;
  confirmed: boolean;
  merge: boolean;
}

export type UpdateInvocation = { kind: 'answers'; answers: UpdateAnswers } | { kind: 'interactive' };

/** An answers object has no `kind` (tree nodes do) and names the template by `id`. */
export function parseUpdateArgs(target: unknown): UpdateInvocation {
  if (!isAnswers(target, ['id', 'dir']) || Object.hasOwn(target, 'kind')) return { kind: 'interactive' };
  if (typeof target.id !== 'string' || !target.id.trim()) throw new ArgumentError('id must name an installed template, e.g. "readme" or "samples/readme"');
  const dir = target.dir === undefined ? undefined : targetDirOf(target.dir);
  const resolutions = new Map<string, string | null>();
  if (target.resolutions !== undefined) {
    if (typeof target.resolutions !== 'object' || target.resolutions === null || Array.isArray(target.resolutions)) {
      throw new ArgumentError('resolutions must be an object of record paths to file text (or null to delete)');
    }
    for (const [path, text] of Object.entries(target.resolutions)) {
      if (text !== null && typeof text !== 'string') throw new ArgumentError(`resolutions.${path} must be a string or null`);
      resolutions.set(path, text);
    }
  }
  return {
    kind: 'answers',
    answers: {
      id: target.id.trim(),
      ...(dir ? { dir } : {}),
      variables: variablesOf(target.variables, 'variables'),
      resolutions,
      confirmed: booleanOf(target.confirmed, 'confirmed', false),
      merge: booleanOf(target.merge, 'merge', false),
    },
  };
}

export interface UpdateCommandResult {
  status: 'updated' | 'up-to-date' | 'conflict' | 'cancelled' | 'failed';
  ref?: string;
  fromVersion?: string;
  toVersion?: string;
  /** Every file the update changes or keeps as the user left it (unchanged files left out). */
  files: { path: string; kind: string; resolution?: string; unresolvedRegions?: number }[];
  /** Conflicting paths without a resolution (status `conflict`). */
  conflicts?: string[];
  code?: string;
  message?: string;
}
