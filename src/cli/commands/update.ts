import { resolve } from 'node:path';
import { UpdateVariablesError, UsageError } from '../../core/errors';
import { PROVENANCE_FILE } from '../../core/provenance';
import type { UpdateFileAction, UpdateProposal, UpdateResult } from '../../core';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { parseCommandArgs } from '../args';
import { parseVars } from '../vars';
import type { Command } from './command';

type ConflictMode = 'markers' | 'fail';

/** How each action reads in the listing; unchanged files are not listed. */
const ACTION_TEXT: Record<Exclude<UpdateFileAction, 'unchanged'>, string> = {
  updated: 'updated',
  merged: 'merged',
  'kept-local': 'kept local edit',
  added: 'added',
  deleted: 'deleted',
  'kept-deleted': 'kept deleted',
  resolved: 'resolved',
  'conflict-markers': 'CONFLICT',
  'conflict-kept-local': 'CONFLICT',
  'conflict-left-deleted': 'CONFLICT',
};

const REASON_TEXT = {
  'both-modified': 'changed locally and upstream; conflict markers written',
  'no-base': 'changed locally and upstream, and the installed version is not available to merge from; conflict markers written',
  binary: 'a binary file changed locally and upstream; local version kept',
  'modified-locally-removed-upstream': 'changed locally, removed upstream; local file kept (no longer recorded)',
  'deleted-locally-changed-upstream': 'deleted locally, changed upstream; left deleted',
  'exists-locally': 'new upstream, but a different local file is there; local file kept',
} as const;

export const update: Command = {
  name: 'update',
  usage: `update [id...] [--dir <dir>] [--conflict markers|fail] [--var name=value]... [--json] ${ENGINE_USAGE}`,
  summary: `update templates recorded in a folder's ${PROVENANCE_FILE} to their catalog version, keeping local edits`,
  details: [
    `Updates every template recorded in --dir (default: the current folder) that the catalog has a newer`,
    'version of, or the named ones. The new package is verified like an install; the installed version is',
    're-rendered with the recorded answers and each file is merged three ways (installed version, local',
    'file, new version): untouched files are updated, local edits are kept and merged with upstream changes.',
    'A conflict is never silent. --conflict markers (the default) writes git-style conflict markers into text',
    'files changed on both sides and keeps the local file otherwise (binary files, files deleted or removed',
    'on one side, local files where the new version adds one); --conflict fail writes nothing at all when any',
    'template has a conflict. Files and the record are written all or nothing, even if the process is killed.',
    'A variable the new version adds takes its default, or must be given with --var name=value, which also',
    'overrides a recorded answer.',
    'Exit codes: 0 when everything was updated cleanly (or was up to date); 1 when conflicts were left with',
    'markers, the update was refused (--conflict fail, an answer missing, a verification failure); 2 on a usage',
    'error. --json prints { dir, ok, updates: [{ ref, fromVersion, toVersion, applied, files, conflicts }] }.',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...ENGINE_OPTIONS,
      dir: { type: 'string' },
      conflict: { type: 'string' },
      var: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    });
    const conflict = (values.conflict ?? 'markers') as ConflictMode;
    if (conflict !== 'markers' && conflict !== 'fail') throw new UsageError(`--conflict expects markers or fail, got "${values.conflict}"`);
    const variables = parseVars(values.var);
    const dir = resolve(io.cwd, values.dir ?? '.');
    const client = await openClient(values, io, { recordDir: dir });
    try {
      let proposals: UpdateProposal[];
      try {
        proposals = await client.prepareUpdate(dir, { ...(positionals.length > 0 ? { ids: positionals } : {}), variables, acceptDefaults: true });
      } catch (err) {
        if (err instanceof UpdateVariablesError) throw missingAnswers(err);
        throw err;
      }
      const blocked = conflict === 'fail' ? proposals.filter((p) => !p.plan.clean) : [];
      const results: UpdateResult[] = [];
      if (blocked.length === 0) {
        for (const p of proposals) results.push(await client.applyUpdate(p, { conflict }));
      }
      const conflicts = results.reduce((n, r) => n + r.conflicts.length, 0);
      const ok = blocked.length === 0 && conflicts === 0;
      if (values.json) {
        io.out(JSON.stringify({ dir, ok, updates: proposals.map((p) => jsonOf(p, results.find((r) => r.ref === p.ref))) }, null, 2));
        return ok ? 0 : 1;
      }
      if (proposals.length === 0) {
        io.out(positionals.length > 0 ? `${positionals.join(', ')}: up to date` : `nothing to update in ${dir}`);
        return 0;
      }
      for (const p of proposals) printProposal(io.out, p, results.find((r) => r.ref === p.ref), conflict);
      if (blocked.length > 0) {
        const paths = blocked.flatMap((p) => p.plan.files.filter((f) => f.kind === 'conflict').map((f) => `${p.ref}: ${f.path}`));
        io.err(`error[E_UPDATE_CONFLICT]: ${paths.length === 1 ? '1 conflict' : `${paths.length} conflicts`} (${paths.join(', ')}); nothing was written. Run with --conflict markers to write conflict markers, or update after resolving the local changes.`);
        return 1;
      }
      io.out(conflicts === 0 ? `updated ${results.length} of ${results.length} cleanly` : `updated ${results.length}; ${conflicts === 1 ? '1 conflict needs' : `${conflicts} conflicts need`} resolving (look for <<<<<<< or the files listed as CONFLICT)`);
      return ok ? 0 : 1;
    } finally {
      await client.close();
    }
  },
};

function printProposal(out: (line: string) => void, p: UpdateProposal, result: UpdateResult | undefined, mode: ConflictMode): void {
  out(`${p.ref}  ${p.fromVersion} → ${p.toVersion}${result ? '' : '  (not written)'}`);
  if (!p.base.ok) out(`  note: ${p.base.reason}; files changed on both sides are conflicts`);
  for (const name of p.newVariables) out(`  new variable ${name} = ${JSON.stringify(p.variables[name])}`);
  if (result) {
    for (const f of result.files) {
      if (f.action === 'unchanged') continue;
      const detail = f.reason ? `  (${REASON_TEXT[f.reason]})` : '';
      out(`  ${ACTION_TEXT[f.action].padEnd(15)} ${f.path}${detail}`);
    }
    return;
  }
  // Refused (--conflict fail): what would have happened, conflicts first.
  for (const f of p.plan.files) {
    if (f.kind === 'conflict') out(`  ${'CONFLICT'.padEnd(15)} ${f.path}  (${REASON_TEXT[f.reason].replace(/; .*$/, '')})`);
  }
  if (mode === 'fail') out(`  ${p.plan.files.filter((f) => f.kind !== 'unchanged' && f.kind !== 'conflict').length} other changes not written`);
}

function jsonOf(p: UpdateProposal, result: UpdateResult | undefined) {
  return {
    ref: p.ref,
    fromVersion: p.fromVersion,
    toVersion: p.toVersion,
    applied: result !== undefined,
    base: p.base,
    newVariables: Object.fromEntries(p.newVariables.map((n) => [n, p.variables[n]])),
    files: result ? result.files : p.plan.files.map((f) => ({ path: f.path, kind: f.kind, ...(f.kind === 'conflict' ? { reason: f.reason } : {}) })),
    conflicts: result ? result.conflicts : p.plan.files.filter((f) => f.kind === 'conflict').map((f) => f.path),
  };
}

/** The engine's error, said the way the CLI takes answers. */
function missingAnswers(err: UpdateVariablesError): UpdateVariablesError {
  const lines = err.variables.map((v) => {
    const why = v.reason === 'invalid' ? `the recorded ${JSON.stringify(v.recorded)} does not match ${v.pattern}` : 'new in this version';
    return `  --var ${v.name}=...   ${v.prompt} (${why}${v.pattern !== undefined && v.reason === 'new' ? `, pattern ${v.pattern}` : ''})`;
  });
  return new UpdateVariablesError(`${err.templateId}: the new version needs ${err.variables.length === 1 ? 'an answer' : 'answers'}; run again with:\n${lines.join('\n')}`, err.templateId, err.variables);
}
