import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { FileConflict, MarketplaceClient } from '../../core';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { Services } from '../services';
import { withCancellableProgress } from '../ui/progress';
import { InputFlowAction, isItem, MultiStepInput } from '../ui/quickInput';
import { applyUpdateEdits } from '../update/apply';
import { updateEngine, variableQuestionsOf, type UpdateEdits, type UpdateEngine, type UpdateProposal, type UpdateVariableQuestion } from '../update/engine';
import { mergeInEditor } from '../update/mergeEditor';
import { mergeOutcome } from '../update/regions';
import { changedFiles, changeRows, conflictsOf, countsText, isMergeable, reasonText, updateTitle, writtenCount, type Resolution } from '../update/summary';
import type { FolderNode, InstalledTemplateNode } from '../views/installed/model';
import type { InstalledTreeProvider } from '../views/installed/provider';
import { ArgumentError, parseUpdateArgs, type UpdateAnswers, type UpdateCommandResult } from './args';
import type { CommandArgs } from './index';
import { failureOf, variableSteps } from './installFlow';

/** Where an update applies: the folder holding the record, and the template's `<marketplace>/<id>`. */
interface Target {
  dir: string;
  ref: string;
  name: string;
}

const encoder = new TextEncoder();

/**
 * Update Template: prepare (download, verify, render, plan) → answer new variables → settle each
 * conflict in the merge editor, one file at a time → review every change → apply it all as one
 * undoable workspace edit. Nothing is written before the user presses Apply.
 */
export async function updateTemplate(services: Services, installed: InstalledTreeProvider, args: CommandArgs, mode: 'one' | 'all'): Promise<UpdateCommandResult | UpdateCommandResult[]> {
  let invocation;
  try {
    invocation = parseUpdateArgs(args.target);
  } catch (err) {
    if (err instanceof ArgumentError) return { status: 'failed', files: [], code: err.code, message: err.message };
    throw err;
  }
  if (invocation.kind === 'answers') return updateWithAnswers(services, installed, invocation.answers);
  const targets = mode === 'all' ? await allTargets(installed) : await pickTarget(installed, args.target);
  if (targets.length === 0) {
    if (mode === 'all' || args.target === undefined) void vscode.window.showInformationMessage(l10n.t('Every installed template in this workspace is up to date.'));
    return mode === 'all' ? [] : { status: 'up-to-date', files: [] };
  }
  const results: UpdateCommandResult[] = [];
  for (const target of targets) {
    const result = await updateInteractively(services, target);
    results.push(result);
    if (result.status === 'cancelled') break;
  }
  return mode === 'all' ? results : results[0]!;
}

// ---- Targets --------------------------------------------------------------------------------------

function updatable(installed: InstalledTreeProvider): InstalledTemplateNode[] {
  return (installed.folders ?? []).flatMap((f: FolderNode) => f.templates.filter((t) => t.status.flags.updateAvailable));
}

function targetOf(node: InstalledTemplateNode): Target {
  return { dir: node.parent.dir, ref: node.ref, name: node.name ?? node.entry.template.id };
}

async function allTargets(installed: InstalledTreeProvider): Promise<Target[]> {
  await installed.reload();
  return updatable(installed).map(targetOf);
}

/** An Installed Templates row, a Marketplace row (its installs with updates), or a pick from the palette. */
async function pickTarget(installed: InstalledTreeProvider, target: unknown): Promise<Target[]> {
  const t = target as { kind?: unknown; ref?: unknown; parent?: { dir?: unknown } } | undefined;
  if (t?.kind === 'installed' && typeof t.ref === 'string' && typeof t.parent?.dir === 'string') {
    return [targetOf(target as InstalledTemplateNode)];
  }
  if (!installed.folders) await installed.reload();
  let candidates = updatable(installed);
  if (t?.kind === 'template' && typeof t.ref === 'string') candidates = candidates.filter((c) => c.ref === t.ref);
  if (candidates.length <= 1) return candidates.map(targetOf);
  type Item = vscode.QuickPickItem & { node: InstalledTemplateNode };
  const items: Item[] = candidates.map((node) => ({
    label: node.name ?? node.entry.template.id,
    description: `${node.status.installedVersion} → ${node.status.catalogVersion ?? ''}`,
    detail: node.parent.label,
    node,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: l10n.t('Update Template'), placeHolder: l10n.t('Pick an installed template to update') });
  return picked ? [targetOf(picked.node)] : [];
}

// ---- Interactive ----------------------------------------------------------------------------------

function updateInteractively(services: Services, target: Target): Promise<UpdateCommandResult> {
  // The client stays open until the update is done, even if settings change meanwhile.
  return services.host.use((client) => updateInteractivelyWith(services, client, target));
}

async function updateInteractivelyWith(services: Services, client: MarketplaceClient, target: Target): Promise<UpdateCommandResult> {
  const engine = updateEngine(client);
  const variables: Record<string, string> = {};
  let proposals: UpdateProposal[];
  for (;;) {
    try {
      proposals = await withCancellableProgress(l10n.t('Preparing the update of {0}', target.name), (_report, signal) =>
        engine.prepareUpdate(target.dir, { ids: [target.ref], variables, signal }),
      );
      break;
    } catch (err) {
      const questions = variableQuestionsOf(err);
      if (!questions) throw err;
      const answers = await askVariables(questions, target.name, variables);
      if (!answers) return { status: 'cancelled', ref: target.ref, files: [] };
    }
  }
  const proposal = proposals[0];
  if (!proposal) {
    vscode.window.setStatusBarMessage(l10n.t('$(check) {0} is up to date', target.name), 5000);
    return { status: 'up-to-date', ref: target.ref, files: [] };
  }
  const base = { ref: proposal.ref, fromVersion: proposal.fromVersion, toVersion: proposal.toVersion };
  const title = updateTitle(target.name, proposal.fromVersion, proposal.toVersion);

  const resolutions = new Map<string, Resolution>();
  const conflicts = conflictsOf(proposal.plan);
  for (const [i, conflict] of conflicts.entries()) {
    const resolution = await settleConflict(services, proposal, conflict, target.name, { index: i + 1, total: conflicts.length });
    if (!resolution) return { status: 'cancelled', ...base, files: [] };
    resolutions.set(conflict.path, resolution);
  }

  const edits = engine.updateEdits(proposal, bytesOf(resolutions));
  const apply = await review(services, proposal, resolutions, edits, title);
  if (!apply) return { status: 'cancelled', ...base, files: changedFiles(proposal.plan, resolutions) };
  await write(services, engine, proposal, edits, title);
  const rows = changeRows(proposal.plan, resolutions);
  vscode.window.setStatusBarMessage(l10n.t('$(check) Updated {0} to {1}: {2}', target.name, proposal.toVersion, countsText(rows)), 8000);
  return { status: 'updated', ...base, files: changedFiles(proposal.plan, resolutions) };
}

/** One input box per question, with the new version's prompt, default and pattern; merged into `values`. */
async function askVariables(questions: readonly UpdateVariableQuestion[], name: string, values: Record<string, string>): Promise<boolean> {
  const title = l10n.t('Update {0}: new variables', name);
  const steps = variableSteps({ variables: questions.map((q) => ({ ...q, prompt: q.reason === 'invalid' ? l10n.t('{0} (the recorded answer "{1}" is no longer valid)', q.prompt, q.recorded ?? '') : q.prompt })) }, values, {
    title,
    firstStep: 1,
    totalSteps: questions.length,
  });
  return steps ? MultiStepInput.run(steps) : true;
}

type SettleItem = vscode.QuickPickItem & { choice?: 'again' | 'markers' | 'as-is' | 'ours' | 'theirs' | 'delete' | 'compare' | 'cancel' };

/** One conflicting file: the merge editor for text both sides changed, a choice for the rest. */
async function settleConflict(services: Services, proposal: UpdateProposal, conflict: FileConflict, name: string, n: { index: number; total: number }): Promise<Resolution | undefined> {
  const title = l10n.t('Conflict {0} of {1}: {2}', n.index, n.total, conflict.path);
  if (isMergeable(conflict)) {
    for (;;) {
      const { initial, text } = await mergeInEditor(services, proposal.dir, conflict, { name, fromVersion: proposal.fromVersion, toVersion: proposal.toVersion, markers: proposal.labels });
      const outcome = mergeOutcome(initial, text);
      if (outcome.how === 'merged') return { bytes: encoder.encode(text), how: 'merged' };
      const left = outcome.how === 'unresolved';
      const question = left
        ? outcome.regions === 1
          ? l10n.t("{0}: 1 conflicting region was left unresolved; it holds the installed version's text, neither your change nor the new version's. What should the update do with it?", conflict.path)
          : l10n.t("{0}: {1} conflicting regions were left unresolved; they hold the installed version's text, neither your changes nor the new version's. What should the update do with them?", conflict.path, outcome.regions)
        : l10n.t('{0} still has conflicts. What should the update do with it?', conflict.path);
      const choice = await choose(title, question, [
        { label: l10n.t('Open the Merge Editor Again'), choice: 'again' },
        { label: l10n.t('Write It with Conflict Markers'), description: l10n.t('resolve them later in the editor'), choice: 'markers' },
        ...(left ? [{ label: l10n.t('Keep It as Completed'), description: l10n.t("the unresolved regions keep the installed version's text"), choice: 'as-is' as const }] : []),
        { label: l10n.t('Keep Your Version'), choice: 'ours' },
        { label: l10n.t('Take the New Version'), description: l10n.t('your changes to this file are dropped'), choice: 'theirs' },
        { label: l10n.t('Cancel the Update'), description: l10n.t('nothing is written'), choice: 'cancel' },
      ]);
      if (choice === 'again') continue;
      if (choice === 'markers') return { bytes: encoder.encode(outcome.how === 'unresolved' ? outcome.withMarkers : text), how: 'markers' };
      if (choice === 'as-is' && outcome.how === 'unresolved') return { bytes: encoder.encode(text), how: 'unresolved', regions: outcome.regions };
      if (choice === 'ours') return { bytes: conflict.ours!, how: 'ours' };
      if (choice === 'theirs') return { bytes: conflict.theirs!, how: 'theirs' };
      return undefined;
    }
  }
  const items: SettleItem[] = [];
  if (conflict.ours) items.push({ label: l10n.t('Keep Your Version'), choice: 'ours' });
  else items.push({ label: l10n.t('Keep It Deleted'), choice: 'ours' });
  if (conflict.theirs) items.push({ label: l10n.t('Take the New Version'), choice: 'theirs' });
  else items.push({ label: l10n.t('Delete It'), description: l10n.t('the new version no longer has it'), choice: 'delete' });
  if (conflict.ours && conflict.theirs) items.push({ label: l10n.t('Compare...'), description: l10n.t('your version against the new one'), choice: 'compare' });
  items.push({ label: l10n.t('Cancel the Update'), description: l10n.t('nothing is written'), choice: 'cancel' });
  for (;;) {
    const choice = await choose(title, l10n.t('{0}: {1}', conflict.path, reasonText(conflict.reason)), items);
    if (choice === 'compare') {
      const theirs = services.documents.add('theirs', basename(conflict.path), new TextDecoder().decode(conflict.theirs));
      await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(join(proposal.dir, ...conflict.path.split('/'))), theirs, l10n.t('{0} (yours ↔ new version)', conflict.path), { preview: true });
      continue;
    }
    if (choice === 'ours') return { bytes: conflict.ours ?? null, how: 'ours' };
    if (choice === 'theirs') return { bytes: conflict.theirs!, how: 'theirs' };
    if (choice === 'delete') return { bytes: null, how: 'deleted' };
    return undefined;
  }
}

async function choose(title: string, placeholder: string, items: SettleItem[]): Promise<SettleItem['choice']> {
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: placeholder, ignoreFocusOut: true });
  return picked?.choice ?? 'cancel';
}

type ReviewItem = vscode.QuickPickItem & { action?: 'apply' | 'cancel'; path?: string };

/** Every change, with Apply and Cancel; a file row opens its diff (the file now ↔ after the update). */
async function review(services: Services, proposal: UpdateProposal, resolutions: ReadonlyMap<string, Resolution>, edits: UpdateEdits, title: string): Promise<boolean> {
  const rows = changeRows(proposal.plan, resolutions);
  const after = new Map(edits.files.map((f) => [f.path, f.bytes]));
  const written = writtenCount(rows);
  const items: ReviewItem[] = [
    {
      label: `$(check) ${l10n.t('Apply Update')}`,
      description: written === 1 ? l10n.t('changes 1 file and the record') : l10n.t('changes {0} files and the record', written),
      action: 'apply',
    },
    { label: `$(close) ${l10n.t('Cancel')}`, description: l10n.t('nothing is written'), action: 'cancel' },
    ...(proposal.base.ok
      ? []
      : [{ label: `$(warning) ${l10n.t('Merged without the installed version')}`, detail: l10n.t('{0}. Files changed on both sides were compared as whole files.', proposal.base.reason) } satisfies ReviewItem]),
    { label: l10n.t('Changes'), kind: vscode.QuickPickItemKind.Separator },
    ...rows.map((r): ReviewItem => ({ label: `$(${r.icon}) ${r.path}`, description: r.word, path: r.path })),
  ];
  const created: vscode.Uri[] = [];
  let apply = false;
  try {
    await MultiStepInput.run(async (input) => {
      const picked = await input.showQuickPick<ReviewItem>({
        title,
        placeholder: l10n.t('{0}. Pick a file to see its changes.', countsText(rows)),
        items,
        ignoreFocusOut: true,
        onWillAccept: async (item) => {
          if (!item.path) return item.action !== undefined;
          const bytes = after.get(item.path);
          const current = vscode.Uri.file(join(proposal.dir, ...item.path.split('/')));
          if (bytes === undefined) {
            await vscode.commands.executeCommand('vscode.open', current, { preview: true, preserveFocus: true });
          } else {
            const next = services.documents.add('after', basename(item.path), bytes === null ? '' : new TextDecoder().decode(bytes));
            created.push(next);
            await vscode.commands.executeCommand('vscode.diff', current, next, l10n.t('{0} (now ↔ after the update)', item.path), { preview: true, preserveFocus: true });
          }
          return false;
        },
      });
      if (!isItem(picked) || picked.action !== 'apply') throw InputFlowAction.cancel;
      apply = true;
    });
  } finally {
    services.documents.remove(created);
  }
  return apply;
}

async function write(services: Services, engine: UpdateEngine, proposal: UpdateProposal, edits: UpdateEdits, title: string): Promise<void> {
  await services.busy.run(async () => {
    await engine.checkUpdateFresh(proposal);
    await applyUpdateEdits(proposal.dir, edits, title, services.updateUndo);
  });
  services.log.info(`Updated ${proposal.ref} in ${proposal.dir} from ${proposal.fromVersion} to ${proposal.toVersion}: ${edits.files.length} file(s) written or deleted`);
  services.installs.fire(proposal.dir);
}

function bytesOf(resolutions: ReadonlyMap<string, Resolution>): Map<string, Uint8Array | null> {
  return new Map([...resolutions].map(([path, r]) => [path, r.bytes]));
}

// ---- Answers (tests, other extensions) ------------------------------------------------------------

async function updateWithAnswers(services: Services, installed: InstalledTreeProvider, a: UpdateAnswers): Promise<UpdateCommandResult> {
  try {
    const dir = a.dir ?? (await folderRecording(installed, a.id));
    if (!dir) return { status: 'failed', files: [], code: 'E_NOT_FOUND', message: `no folder of the workspace records "${a.id}"` };
    return await services.host.use((client) => updateWithAnswersOn(services, updateEngine(client), dir, a));
  } catch (err) {
    services.log.error(`Update ${a.id}: ${describeError(err)}`);
    return { status: 'failed', files: [], ...failureOf(err) };
  }
}

async function updateWithAnswersOn(services: Services, engine: UpdateEngine, dir: string, a: UpdateAnswers): Promise<UpdateCommandResult> {
  const [proposal] = await engine.prepareUpdate(dir, { ids: [a.id], variables: a.variables });
  if (!proposal) return { status: 'up-to-date', files: [] };
  const base = { ref: proposal.ref, fromVersion: proposal.fromVersion, toVersion: proposal.toVersion };
  const resolutions = new Map<string, Resolution>();
  for (const [path, text] of a.resolutions) resolutions.set(path, text === null ? { bytes: null, how: 'deleted' } : { bytes: encoder.encode(text), how: 'merged' });
  for (const conflict of conflictsOf(proposal.plan)) {
    if (resolutions.has(conflict.path) || !a.merge || !isMergeable(conflict)) continue;
    const { initial, text } = await mergeInEditor(services, dir, conflict, { name: proposal.templateId, fromVersion: proposal.fromVersion, toVersion: proposal.toVersion, markers: proposal.labels });
    const outcome = mergeOutcome(initial, text);
    resolutions.set(conflict.path, { bytes: encoder.encode(text), how: outcome.how, ...(outcome.how === 'unresolved' ? { regions: outcome.regions } : {}) });
  }
  const unresolved = conflictsOf(proposal.plan).filter((c) => !resolutions.has(c.path)).map((c) => c.path);
  if (unresolved.length > 0) return { status: 'conflict', ...base, files: changedFiles(proposal.plan, resolutions), conflicts: unresolved };
  const edits = engine.updateEdits(proposal, bytesOf(resolutions));
  const title = updateTitle(proposal.templateId, proposal.fromVersion, proposal.toVersion);
  if (!a.confirmed && !(await review(services, proposal, resolutions, edits, title))) return { status: 'cancelled', ...base, files: changedFiles(proposal.plan, resolutions) };
  await write(services, engine, proposal, edits, title);
  return { status: 'updated', ...base, files: changedFiles(proposal.plan, resolutions) };
}

/** The one folder that records `id` (a template id or a ref). */
async function folderRecording(installed: InstalledTreeProvider, id: string): Promise<string | undefined> {
  const folders = await installed.reload();
  const matches = folders.filter((f) => f.templates.some((t) => t.ref === id || t.entry.template.id === id));
  return matches.length === 1 ? matches[0]!.dir : undefined;
}
