import * as vscode from 'vscode';
import type { ConflictPolicy, InstallPlan, InstallResult, MarketplaceClient, TemplateManifest } from '../../core';
import { describeError } from '../log';
import { l10n } from '../l10n';
import type { Services } from '../services';
import { withCancellableProgress } from '../ui/progress';
import { InputFlowAction, isItem, MultiStepInput, type InputStep } from '../ui/quickInput';
import { implicitTargetFolder, pickTargetFolder } from '../ui/targetFolder';
import { ArgumentError, parseInstallArgs, type InstallAnswers, type InstallCommandResult } from './args';
import type { CommandArgs } from './index';
import { compareFile, conflictsOf, ensureFolder, failureOf, openMainFile, previewFile, templateItem, variableSteps, type TemplateItem } from './installFlow';

/**
 * Install Template...: search (skipped when invoked on a template), target folder, one input per
 * variable, a summary of the files with conflicts marked (Overwrite, Skip Existing, Compare), then
 * the install under a progress notification, and the main file opened.
 *
 * With an answers object (`{ ref, targetDir, variables?, onConflict?, open? }`) it runs without UI
 * and returns an InstallCommandResult; a conflict without `onConflict` writes nothing.
 */
export async function installTemplate(services: Services, args: CommandArgs): Promise<InstallCommandResult> {
  let invocation;
  try {
    invocation = parseInstallArgs(args.target);
  } catch (err) {
    if (err instanceof ArgumentError) return { status: 'failed', code: err.code, message: err.message };
    throw err;
  }
  if (invocation.kind === 'answers') return installWithAnswers(services, invocation.answers);
  return installInteractively(services, invocation.ref);
}

async function installWithAnswers(services: Services, a: InstallAnswers): Promise<InstallCommandResult> {
  try {
    // The client stays open until the install is done, even if settings change meanwhile.
    return await services.host.use((client) => installWith(services, client, a));
  } catch (err) {
    const failure = failureOf(err);
    if (failure.code === 'E_CONFLICT') return { status: 'conflict', ref: a.ref, conflicts: [...((err as { paths?: string[] }).paths ?? [])] };
    services.log.error(`Install ${a.ref}: ${describeError(err)}`);
    return { status: 'failed', ref: a.ref, ...failure };
  }
}

async function installWith(services: Services, client: MarketplaceClient, a: InstallAnswers): Promise<InstallCommandResult> {
  await ensureFolder(a.targetDir);
  const plan = await client.plan(a.ref, a.targetDir, a.variables);
  const conflicts = conflictsOf(plan).map((f) => f.path);
  if (conflicts.length > 0 && !a.onConflict) {
    services.log.info(`Install ${a.ref}: not installed, ${conflicts.length} file(s) exist: ${conflicts.join(', ')}`);
    return { status: 'conflict', ref: a.ref, conflicts };
  }
  const result = await services.busy.run(() => client.install(a.ref, a.targetDir, a.variables, { onConflict: a.onConflict ?? 'fail' }));
  logInstalled(services, a.ref, result);
  services.installs.fire(a.targetDir);
  const mainFile = a.open ? await openMainFile(a.targetDir, plan.files.map((f) => f.path), [...result.written, ...result.overwritten], plan.folder) : undefined;
  return { status: 'installed', ref: a.ref, ...result, ...(mainFile ? { mainFile } : {}) };
}

interface FlowState {
  ref?: string;
  name?: string;
  manifest?: TemplateManifest;
  targetDir?: string;
  values: Record<string, string>;
  plan?: InstallPlan;
  policy?: ConflictPolicy;
}

interface SummaryItem extends vscode.QuickPickItem {
  action?: 'install' | 'overwrite' | 'skip' | 'compare' | 'cancel';
  file?: InstallPlan['files'][number];
}

function installInteractively(services: Services, presetRef: string | undefined): Promise<InstallCommandResult> {
  return services.host.use((client) => installInteractivelyWith(services, client, presetRef));
}

async function installInteractivelyWith(services: Services, client: MarketplaceClient, presetRef: string | undefined): Promise<InstallCommandResult> {
  const state: FlowState = { values: {} };
  const title = () => (state.name ? l10n.t('Install {0}', state.name) : l10n.t('Install Template'));
  const created: vscode.Uri[] = [];
  const implicitFolder = implicitTargetFolder();
  if (implicitFolder) state.targetDir = implicitFolder;

  const load = async (ref: string, signal?: AbortSignal) => {
    const pkg = await client.open(ref, signal ? { signal } : {});
    state.ref = ref;
    state.name = pkg.manifest.name;
    state.manifest = pkg.manifest;
    state.values = {};
  };

  // Steps after the template: [folder] + one per variable + summary.
  const numbering = () => {
    const offset = presetRef ? 0 : 1;
    const folder = implicitFolder ? 0 : 1;
    const vars = state.manifest?.variables.length ?? 0;
    return { folderStep: offset + 1, firstVarStep: offset + folder + 1, summaryStep: offset + folder + vars + 1, total: offset + folder + vars + 1 };
  };

  const summaryStep: InputStep = (input) => summary(services, client, input, state, title(), numbering(), created);
  const afterFolder = (): InputStep => variableSteps(state.manifest!, state.values, { title: title(), firstStep: numbering().firstVarStep, totalSteps: numbering().total, next: summaryStep }) ?? summaryStep;
  const folderStep: InputStep = async (input) => {
    const n = numbering();
    state.targetDir = await pickTargetFolder(input, { title: title(), step: n.folderStep, totalSteps: n.total, ...(state.targetDir ? { current: state.targetDir } : {}) });
    return afterFolder();
  };
  const afterTemplate = (): InputStep => (implicitFolder ? afterFolder() : folderStep);

  const templateStep: InputStep = async (input) => {
    const showSource = client.status().length > 1;
    let latest = 0;
    const picked = await input.showQuickPick<TemplateItem>({
      title: l10n.t('Install Template'),
      placeholder: l10n.t('Search templates by name, description or tag'),
      items: [],
      matchOnDescription: true,
      matchOnDetail: true,
      load: async (value, pick) => {
        const mine = ++latest;
        pick.busy = true;
        try {
          const { hits, total } = await client.search(value.trim() ? { query: value, limit: 50 } : { sort: 'downloads', limit: 50 });
          if (mine !== latest) return;
          pick.items =
            hits.length > 0
              ? hits.map((h) => templateItem(h.entry, { showSource, searchResult: true }))
              : [{ label: value.trim() ? l10n.t('No templates match "{0}"', value.trim()) : l10n.t('No templates are available'), alwaysShow: true }];
          if (total > hits.length) pick.items = [...pick.items, { label: l10n.t('{0} more: keep typing to narrow the search', total - hits.length), alwaysShow: true }];
        } finally {
          if (mine === latest) pick.busy = false;
        }
      },
      onWillAccept: async (item) => {
        if (!item.ref) return false;
        await load(item.ref);
        return true;
      },
    });
    if (!isItem(picked)) throw InputFlowAction.cancel;
    return afterTemplate();
  };

  try {
    if (presetRef) {
      await withCancellableProgress(l10n.t('Loading template {0}', presetRef), (_report, signal) => load(presetRef, signal));
    }
    const completed = await MultiStepInput.run(presetRef ? afterTemplate() : templateStep);
    if (!completed || !state.ref || !state.targetDir || !state.plan || !state.policy) return { status: 'cancelled', ...(state.ref ? { ref: state.ref } : {}) };

    const { ref, targetDir, values, plan, policy } = state as Required<FlowState>;
    const result = await services.busy.run(() =>
      withCancellableProgress(l10n.t('Installing {0}', state.name ?? ref), (report, signal) => {
        report({ message: plan.files.length === 1 ? l10n.t('1 file into {0}', targetDir) : l10n.t('{0} files into {1}', plan.files.length, targetDir) });
        return client.install(ref, targetDir, values, { onConflict: policy, signal });
      }),
    );
    logInstalled(services, ref, result);
    services.installs.fire(targetDir);
    const done = [...result.written, ...result.overwritten];
    const mainFile = await openMainFile(targetDir, plan.files.map((f) => f.path), done, plan.folder);
    if (done.length === 0) {
      void vscode.window.showInformationMessage(l10n.t('Nothing was written: every file of {0} already exists in {1}.', state.name ?? ref, targetDir));
    } else {
      const name = state.name ?? ref;
      vscode.window.setStatusBarMessage(done.length === 1 ? l10n.t('$(check) Installed {0}: 1 file', name) : l10n.t('$(check) Installed {0}: {1} files', name, done.length), 5000);
    }
    return { status: 'installed', ref, ...result, ...(mainFile ? { mainFile } : {}) };
  } finally {
    services.documents.remove(created);
  }
}

/** The last step: what will be written where, conflicts marked, and what to do about them. */
async function summary(
  services: Services,
  client: MarketplaceClient,
  input: MultiStepInput,
  state: FlowState,
  title: string,
  n: { summaryStep: number; total: number },
  created: vscode.Uri[],
): Promise<InputStep | void> {
  const plan = await client.plan(state.ref!, state.targetDir!, state.values);
  state.plan = plan;
  const conflicts = conflictsOf(plan);
  const links = conflicts.filter((f) => f.existing === 'symlink');
  const actions: SummaryItem[] = [];
  if (conflicts.length === 0) {
    actions.push({ label: l10n.t('Install'), description: plan.files.length === 1 ? l10n.t('1 new file') : l10n.t('{0} new files', plan.files.length), action: 'install' });
  } else {
    const fresh = plan.files.length - conflicts.length;
    if (links.length === 0) {
      const replaces = conflicts.length === 1 ? l10n.t('replaces 1 existing file') : l10n.t('replaces {0} existing files', conflicts.length);
      actions.push({ label: l10n.t('Overwrite Existing Files'), description: replaces, action: 'overwrite' });
    }
    const writes = fresh === 0 ? l10n.t('nothing new to write') : fresh === 1 ? l10n.t('writes the 1 new file only') : l10n.t('writes the {0} new files only', fresh);
    actions.push({ label: l10n.t('Skip Existing Files'), description: writes, action: 'skip' });
    if (conflicts.length > links.length) actions.push({ label: l10n.t('Compare...'), description: l10n.t('existing files against the template'), action: 'compare' });
  }
  actions.push({ label: l10n.t('Cancel'), action: 'cancel' });
  const fileItems: SummaryItem[] = plan.files.map((f) => ({
    label: f.path,
    description: f.existing === 'absent' ? l10n.t('new') : f.existing === 'symlink' ? l10n.t('exists as a symbolic link: never replaced') : l10n.t('exists'),
    file: f,
  }));
  const items: SummaryItem[] = [...actions, { label: l10n.t('Files'), kind: vscode.QuickPickItemKind.Separator }, ...fileItems];
  const placeholder =
    conflicts.length === 0
      ? plan.files.length === 1
        ? l10n.t('1 file will be written to {0}', plan.targetDir)
        : l10n.t('{0} files will be written to {1}', plan.files.length, plan.targetDir)
      : plan.files.length === 1
        ? l10n.t('The file already exists in {0}: choose what to do', plan.targetDir)
        : conflicts.length === 1
          ? l10n.t('1 of {0} files already exists in {1}: choose what to do', plan.files.length, plan.targetDir)
          : l10n.t('{0} of {1} files already exist in {2}: choose what to do', conflicts.length, plan.files.length, plan.targetDir);

  const picked = await input.showQuickPick<SummaryItem>({
    title,
    step: n.summaryStep,
    totalSteps: n.total,
    placeholder,
    items,
    ignoreFocusOut: true,
    onWillAccept: async (item) => {
      if (item.action === 'compare') {
        // One diff per existing file (a few at most), kept open beside the summary.
        for (const f of conflicts.filter((c) => c.existing === 'file').slice(0, 5)) await compareFile(services, plan, f, created, conflicts.length === 1);
        return false;
      }
      if (item.file) {
        if (item.file.existing === 'file') await compareFile(services, plan, item.file, created);
        else if (item.file.existing === 'absent') await previewFile(services, item.file, created);
        return false;
      }
      return true;
    },
  });
  if (!isItem(picked) || picked.action === 'cancel' || !picked.action) throw InputFlowAction.cancel;
  state.policy = picked.action === 'overwrite' ? 'overwrite' : picked.action === 'skip' ? 'skip' : 'fail';
  return undefined;
}

function logInstalled(services: Services, ref: string, r: InstallResult): void {
  services.log.info(`Installed ${ref} into ${r.targetFolder}: ${r.written.length} written, ${r.overwritten.length} overwritten, ${r.skipped.length} skipped`);
  for (const p of r.overwritten) services.log.info(`  overwrote ${p}`);
  for (const p of r.skipped) services.log.info(`  skipped ${p} (exists)`);
}
