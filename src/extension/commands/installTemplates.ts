import * as vscode from 'vscode';
import type { BatchItemResult, ConflictPolicy, InstallPlan, MarketplaceClient, TemplateManifest } from '../../core';
import { describeError } from '../log';
import { l10n } from '../l10n';
import type { Services } from '../services';
import { batchReporter, withCancellableProgress } from '../ui/progress';
import { InputFlowAction, isItem, MultiStepInput, type InputStep } from '../ui/quickInput';
import { implicitTargetFolder, pickTargetFolder } from '../ui/targetFolder';
import { ArgumentError, parseBatchInstallArgs, type BatchInstallAnswers, type BatchInstallResult } from './args';
import type { CommandArgs } from './index';
import { conflictsOf, ensureFolder, failureOf, templateItem, variableSteps } from './installFlow';
import { batchProgressMessage, installSummary, progressIncrement } from './summary';

/**
 * Install Templates... (palette: a multi-select pick) and Install Selected (the tree selection):
 * one target folder, "Use Defaults for All" or "Ask for Each Template" up front, every package
 * downloaded in parallel under one cancellable progress notification, then each template's prompts
 * and conflict choices, the installs under a second progress, and one summary notification.
 *
 * With an answers object (`{ refs, targetDir, variables?, onConflict? }`) it runs without UI and
 * returns a BatchInstallResult.
 */
export async function installTemplates(services: Services, args: CommandArgs): Promise<BatchInstallResult | undefined> {
  let invocation;
  try {
    invocation = parseBatchInstallArgs(args.target, args.selection);
  } catch (err) {
    if (err instanceof ArgumentError) return { installed: [], failed: [{ ref: '', code: err.code, message: err.message }], skipped: [], cancelled: false };
    throw err;
  }
  if (invocation.kind === 'answers') return installWithAnswers(services, invocation.answers);
  return installInteractively(services, invocation.refs);
}

function installWithAnswers(services: Services, a: BatchInstallAnswers): Promise<BatchInstallResult> {
  // The client stays open until the batch is done, even if settings change meanwhile.
  return services.host.use((client) => installWith(services, client, a));
}

async function installWith(services: Services, client: MarketplaceClient, a: BatchInstallAnswers): Promise<BatchInstallResult> {
  const result: BatchInstallResult = { installed: [], failed: [], skipped: [], cancelled: false };
  await ensureFolder(a.targetDir);
  const downloads = await services.busy.run(() => client.downloadBatch(a.refs));
  for (const item of downloads.items) {
    if (!item.ok) {
      fail(services, result, item.ref, item.error);
      continue;
    }
    const variables = a.variables[item.ref] ?? {};
    try {
      const plan = await client.plan(item.ref, a.targetDir, variables);
      const conflicts = conflictsOf(plan).map((f) => f.path);
      if (conflicts.length > 0 && !a.onConflict) {
        result.failed.push({ ref: item.ref, code: 'E_CONFLICT', message: `${conflicts.length} file(s) exist; nothing was written`, conflicts });
        continue;
      }
      const r = await services.busy.run(() => client.install(item.ref, a.targetDir, variables, { onConflict: a.onConflict ?? 'fail' }));
      result.installed.push({ ref: item.ref, ...r });
      services.installs.fire(a.targetDir);
    } catch (err) {
      fail(services, result, item.ref, err);
    }
  }
  logSummary(services, result);
  return result;
}

type Mode = 'defaults' | 'ask';

interface Job {
  ref: string;
  name: string;
  values: Record<string, string>;
  policy: ConflictPolicy;
}

function installInteractively(services: Services, preselected: string[]): Promise<BatchInstallResult | undefined> {
  return services.host.use((client) => installInteractivelyWith(services, client, preselected));
}

async function installInteractivelyWith(services: Services, client: MarketplaceClient, preselected: string[]): Promise<BatchInstallResult | undefined> {
  const refs = preselected.length > 0 ? preselected : await pickTemplates(client);
  if (!refs || refs.length === 0) return undefined;

  // Folder and mode, up front.
  let targetDir = implicitTargetFolder();
  let mode: Mode | undefined;
  const askFolder = !targetDir;
  const title = refs.length === 1 ? l10n.t('Install 1 Template') : l10n.t('Install {0} Templates', refs.length);
  const modeStep: InputStep = async (input) => {
    const items: (vscode.QuickPickItem & { mode: Mode })[] = [
      { label: l10n.t('Use Defaults for All'), detail: l10n.t('Ask only for values that have no default'), mode: 'defaults' },
      { label: l10n.t('Ask for Each Template'), detail: l10n.t('One prompt per variable of every template'), mode: 'ask' },
    ];
    const picked = await input.showQuickPick({
      title,
      // Numbered only when there are two steps.
      ...(askFolder ? { step: 2, totalSteps: 2 } : {}),
      placeholder: l10n.t('How to fill in the templates’ variables'),
      items,
      activeItem: items.find((i) => i.mode === mode),
    });
    if (!isItem(picked)) throw InputFlowAction.cancel;
    mode = picked.mode;
  };
  const folderStep: InputStep = async (input) => {
    targetDir = await pickTargetFolder(input, { title, step: 1, totalSteps: 2, ...(targetDir ? { current: targetDir } : {}) });
    return modeStep;
  };
  if (!(await MultiStepInput.run(askFolder ? folderStep : modeStep)) || !targetDir || !mode) return undefined;
  const dir = targetDir;

  const result: BatchInstallResult = { installed: [], failed: [], skipped: [], cancelled: false };

  // 1. Every download in parallel, one notification.
  const downloads = await services.busy.run(() =>
    withCancellableProgress(refs.length === 1 ? l10n.t('Downloading 1 template') : l10n.t('Downloading {0} templates', refs.length), (report, signal) =>
      client.downloadBatch(refs, { signal, onProgress: batchReporter(report, refs.length) }).then((r) => ({ ...r, aborted: signal.aborted })),
    ),
  );
  if (downloads.aborted) {
    services.log.info(`Install Templates: cancelled while downloading`);
    return { ...result, cancelled: true };
  }
  const ready: Extract<BatchItemResult, { ok: true }>[] = [];
  for (const item of downloads.items) {
    if (item.ok) ready.push(item);
    else fail(services, result, item.ref, item.error);
  }

  // 2. Prompts and conflict choices, template by template.
  const jobs: Job[] = [];
  let policyForAll: ConflictPolicy | 'skipTemplate' | undefined;
  for (const [i, item] of ready.entries()) {
    const manifest = (await client.open(item.ref)).manifest;
    const values: Record<string, string> = {};
    const name = manifest.name;
    const only = mode === 'defaults' ? (v: { default?: string }) => v.default === undefined : undefined;
    const asked = manifest.variables.filter(only ?? (() => true)).length;
    if (asked > 0) {
      const first = variableSteps(manifest, values, {
        title: l10n.t('Install {0} ({1}/{2})', name, i + 1, ready.length),
        firstStep: 1,
        totalSteps: asked,
        ...(only ? { only } : {}),
      });
      if (!(await MultiStepInput.run(first!))) {
        result.skipped.push(item.ref);
        continue;
      }
    }
    let plan: InstallPlan;
    try {
      plan = await client.plan(item.ref, dir, values);
    } catch (err) {
      fail(services, result, item.ref, err);
      continue;
    }
    let policy: Decision = 'fail';
    const conflicts = conflictsOf(plan);
    if (conflicts.length > 0) {
      const canOverwrite = conflicts.every((c) => c.existing === 'file');
      const choice = policyForAll && (canOverwrite || policyForAll !== 'overwrite') ? policyForAll : await askConflict(manifest, plan, conflicts.length, canOverwrite, ready.length - i - 1);
      if (choice.endsWith('ForAll')) policyForAll = choice.replace('ForAll', '') as ConflictPolicy | 'skipTemplate';
      policy = choice.replace('ForAll', '') as Decision;
    }
    if (policy === 'cancel') {
      result.skipped.push(...ready.slice(i).map((r) => r.ref));
      break;
    }
    if (policy === 'skipTemplate') {
      result.skipped.push(item.ref);
      continue;
    }
    jobs.push({ ref: item.ref, name, values, policy });
  }

  // 3. The installs, one notification.
  if (jobs.length > 0) {
    const aborted = await services.busy.run(() =>
      withCancellableProgress(jobs.length === 1 ? l10n.t('Installing 1 template') : l10n.t('Installing {0} templates', jobs.length), async (report, signal) => {
        const step = progressIncrement(jobs.length);
        for (const [i, job] of jobs.entries()) {
          if (signal.aborted) return true;
          report({ message: batchProgressMessage(i, jobs.length, job.ref) });
          try {
            const r = await client.install(job.ref, dir, job.values, { onConflict: job.policy, signal });
            result.installed.push({ ref: job.ref, ...r });
            services.installs.fire(dir);
            services.log.info(`Installed ${job.ref} into ${r.targetFolder}: ${r.written.length} written, ${r.overwritten.length} overwritten, ${r.skipped.length} skipped`);
          } catch (err) {
            if (signal.aborted) return true;
            fail(services, result, job.ref, err);
          }
          report({ message: batchProgressMessage(i + 1, jobs.length, job.ref), increment: step });
        }
        return signal.aborted;
      }),
    );
    if (aborted) {
      result.cancelled = true;
      services.log.info(`Install Templates: cancelled after ${result.installed.length} installs`);
      return result;
    }
  }

  logSummary(services, result);
  const message = installSummary({ installed: result.installed.length, failed: result.failed.length, skipped: result.skipped.length });
  const showLog = l10n.t('Show Log');
  const show = result.failed.length > 0 ? vscode.window.showWarningMessage(message, showLog) : vscode.window.showInformationMessage(message, showLog);
  void show.then((picked) => picked === showLog && services.log.show(true));
  return result;
}

async function pickTemplates(client: MarketplaceClient): Promise<string[] | undefined> {
  const showSource = client.status().length > 1;
  const items = (await client.list()).map((t) => templateItem(t, { showSource, searchResult: false }));
  const picked = await vscode.window.showQuickPick(items, {
    title: l10n.t('Install Templates'),
    placeHolder: l10n.t('Choose the templates to install'),
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  return picked?.map((p) => p.ref!).filter(Boolean);
}

type Decision = ConflictPolicy | 'skipTemplate' | 'cancel';
type ConflictChoice = ConflictPolicy | 'skipTemplate' | 'cancel' | 'overwriteForAll' | 'skipForAll';

async function askConflict(manifest: TemplateManifest, plan: InstallPlan, count: number, canOverwrite: boolean, remaining: number): Promise<ConflictChoice> {
  const items: (vscode.QuickPickItem & { choice: ConflictChoice })[] = [];
  if (canOverwrite) items.push({ label: l10n.t('Overwrite'), description: count === 1 ? l10n.t('replace the existing file') : l10n.t('replace the {0} existing files', count), choice: 'overwrite' });
  const fresh = plan.files.length - count;
  if (fresh > 0) items.push({ label: l10n.t('Skip Existing Files'), description: fresh === 1 ? l10n.t('write only the new file') : l10n.t('write only the {0} new files', fresh), choice: 'skip' });
  items.push({ label: l10n.t('Skip This Template'), choice: 'skipTemplate' });
  if (remaining > 0) {
    if (canOverwrite) items.push({ label: l10n.t('Overwrite, Here and in the Other Templates'), choice: 'overwriteForAll' });
    items.push({ label: l10n.t('Skip Existing Files, Here and in the Other Templates'), choice: 'skipForAll' });
    items.push({ label: l10n.t('Cancel the Remaining Installs'), choice: 'cancel' });
  }
  const existing = conflictsOf(plan)
    .slice(0, 3)
    .map((f) => f.path)
    .join(', ');
  const picked = await vscode.window.showQuickPick(items, {
    title: l10n.t('Install {0}', manifest.name),
    placeHolder:
      count === 1
        ? l10n.t('{0} already exists: it is never overwritten without asking', existing)
        : l10n.t('{0} files already exist ({1}{2}): they are never overwritten without asking', count, existing, count > 3 ? ', …' : ''),
    ignoreFocusOut: true,
  });
  return picked?.choice ?? 'skipTemplate';
}

function fail(services: Services, result: BatchInstallResult, ref: string, err: unknown): void {
  const failure = failureOf(err);
  services.log.error(`Install ${ref}: ${describeError(err)}`);
  result.failed.push({ ref, ...failure, ...(failure.code === 'E_CONFLICT' ? { conflicts: [...((err as { paths?: string[] }).paths ?? [])] } : {}) });
}

function logSummary(services: Services, r: BatchInstallResult): void {
  services.log.info(
    `Install Templates: ${r.installed.length} installed, ${r.failed.length} failed, ${r.skipped.length} skipped` +
      (r.failed.length > 0 ? ` (failed: ${r.failed.map((f) => `${f.ref} ${f.code}`).join(', ')})` : ''),
  );
}
