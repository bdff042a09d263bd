import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SourceConfig } from '../../core';
import { loadEngine } from '../client/loadEngine';
import { Commands, SETTINGS_SECTION } from '../constants';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { Services } from '../services';
import {
  bearer,
  checkMarketplaceId,
  checkMarketplaceUrl,
  checkPublicKey,
  checkToken,
  deriveMarketplaceId,
  SAMPLE_ID,
  type MarketplaceSetting,
} from '../config/settings';
import { errorMessage } from '../ui/errorMessages';
import { withCancellableProgress } from '../ui/progress';
import { InputFlowAction, MultiStepInput, type InputStep } from '../ui/quickInput';
import { ArgumentError, isConfirmed, parseAddMarketplaceArgs, parseSetTokenArgs, sourceIdOf, type MarketplaceCommandResult } from './args';
import type { CommandArgs } from './index';
import { failureOf } from './installFlow';

/**
 * Add Marketplace..., Remove Marketplace..., Set Marketplace Token...: the `templateMarketplace.marketplaces`
 * setting (user settings unless the list lives in the workspace) and the tokens in SecretStorage.
 * Both changes rebuild the engine through the configuration watcher.
 */

type Target = 'global' | 'workspace';

/** A configured marketplace as written in the settings, with where it is written. */
interface Configured {
  entry: MarketplaceSetting;
  target: Target;
}

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION);
}

/** The raw lists of the user and (trusted) workspace settings. */
function lists(): { global: unknown[]; workspace: unknown[] | undefined } {
  const inspected = section().inspect<unknown[]>('marketplaces');
  const global = Array.isArray(inspected?.globalValue) ? inspected.globalValue : [];
  const workspace = vscode.workspace.isTrusted && Array.isArray(inspected?.workspaceValue) ? inspected.workspaceValue : undefined;
  return { global, workspace };
}

function idOf(entry: unknown): string | undefined {
  return typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
}

function configured(): Configured[] {
  const { global, workspace } = lists();
  const valid = (target: Target) => (e: unknown) => {
    const m = e as Partial<MarketplaceSetting>;
    return typeof m?.id === 'string' && typeof m.url === 'string' ? [{ entry: m as MarketplaceSetting, target }] : [];
  };
  return [...(workspace ?? []).flatMap(valid('workspace')), ...global.flatMap(valid('global'))];
}

function takenIds(): Set<string> {
  const { global, workspace } = lists();
  return new Set([SAMPLE_ID, ...[...global, ...(workspace ?? [])].map(idOf).filter((id): id is string => id !== undefined)]);
}

// ---- Add ----------------------------------------------------------------------------------------

export async function addMarketplace(services: Services, args: CommandArgs): Promise<MarketplaceCommandResult> {
  let answers;
  try {
    answers = parseAddMarketplaceArgs(args.target);
  } catch (err) {
    if (err instanceof ArgumentError) return { status: 'failed', code: err.code, message: err.message };
    throw err;
  }
  if (answers) {
    const taken = takenIds();
    const id = answers.id ?? deriveMarketplaceId(answers.url, taken);
    const problem =
      checkMarketplaceUrl(answers.url) ?? checkPublicKey(answers.publicKey) ?? checkMarketplaceId(id) ?? (taken.has(id) ? l10n.t('"{0}" is already used', id) : undefined);
    if (problem) return { status: 'failed', code: 'E_USAGE', message: problem };
    const entry: MarketplaceSetting = { id, url: answers.url, publicKey: answers.publicKey, ...(answers.name ? { name: answers.name } : {}) };
    try {
      const templates = await checkMarketplace(services, entry, answers.token);
      return await save(services, entry, templates, answers.token);
    } catch (err) {
      services.log.error(`Add Marketplace ${answers.url}: ${describeError(err)}`);
      return { status: 'failed', ...failureOf(err) };
    }
  }
  return addInteractively(services);
}

async function addInteractively(services: Services): Promise<MarketplaceCommandResult> {
  const draft = { url: '', publicKey: '', id: '', name: '', idEdited: false };
  let token: string | undefined;
  const title = l10n.t('Add Marketplace');
  const taken = takenIds();

  const nameStep: InputStep = async (input) => {
    const value = await input.showInputBox({
      title,
      step: 4,
      totalSteps: 4,
      value: draft.name,
      prompt: l10n.t('Display name (optional; the catalog’s own name when empty)'),
      ignoreFocusOut: true,
      validate: (v) => (v.length > 100 ? l10n.t('At most 100 characters.') : undefined),
    });
    if (typeof value !== 'string') throw InputFlowAction.cancel;
    draft.name = value.trim();
  };
  const idStep: InputStep = async (input) => {
    if (!draft.idEdited) draft.id = deriveMarketplaceId(draft.url, taken);
    const value = await input.showInputBox({
      title,
      step: 3,
      totalSteps: 4,
      value: draft.id,
      prompt: l10n.t('A short id for this marketplace, used in template references (<id>/<template>)'),
      ignoreFocusOut: true,
      validate: (v) => checkMarketplaceId(v.trim()) ?? (taken.has(v.trim()) ? l10n.t('"{0}" is already used by another marketplace.', v.trim()) : undefined),
    });
    if (typeof value !== 'string') throw InputFlowAction.cancel;
    draft.idEdited = draft.idEdited || value.trim() !== draft.id;
    draft.id = value.trim();
    return nameStep;
  };
  const keyStep: InputStep = async (input) => {
    const value = await input.showInputBox({
      title,
      step: 2,
      totalSteps: 4,
      value: draft.publicKey,
      prompt: l10n.t('The catalog public key (base64, from the publisher’s marketplace.pub.json, received through a channel you trust)'),
      placeholder: 'kzVHvmpJev/QzNvLxQlDrZvOltvkDRNnBrpE/4DISg8=',
      ignoreFocusOut: true,
      validate: (v) => checkPublicKey(v),
    });
    if (typeof value !== 'string') throw InputFlowAction.cancel;
    draft.publicKey = value.trim();
    return idStep;
  };
  const urlStep: InputStep = async (input) => {
    const value = await input.showInputBox({
      title,
      step: 1,
      totalSteps: 4,
      value: draft.url,
      prompt: l10n.t('The marketplace URL (https:, http: or file:), the folder that holds catalog.json'),
      placeholder: 'https://templates.example.com/',
      ignoreFocusOut: true,
      validate: (v) => checkMarketplaceUrl(v),
    });
    if (typeof value !== 'string') throw InputFlowAction.cancel;
    if (value.trim() !== draft.url) draft.idEdited = false;
    draft.url = value.trim();
    return keyStep;
  };

  let start: InputStep = urlStep;
  for (;;) {
    if (!(await MultiStepInput.run(start))) return { status: 'cancelled' };
    const entry: MarketplaceSetting = { id: draft.id, url: draft.url, publicKey: draft.publicKey, ...(draft.name ? { name: draft.name } : {}) };
    try {
      const templates = await withCancellableProgress(l10n.t('Checking the marketplace {0}', draft.url), (_r, signal) => checkMarketplace(services, entry, token, signal));
      const result = await save(services, entry, templates, token);
      vscode.window.setStatusBarMessage(l10n.t('$(check) Added the marketplace {0} ({1} templates)', draft.name || draft.id, templates), 5000);
      return result;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'E_ABORTED') return { status: 'cancelled' };
      services.log.error(`Add Marketplace ${draft.url}: ${describeError(err)}`);
      const status = (err as { status?: unknown }).status;
      const edit = l10n.t('Edit and Retry');
      const enterToken = l10n.t('Enter Token...');
      const showLog = l10n.t('Show Log');
      const buttons = status === 401 || status === 403 ? [enterToken, edit, showLog] : [edit, showLog];
      const picked = await vscode.window.showErrorMessage(
        l10n.t('The marketplace was not added: {0}', errorMessage(err).message),
        ...buttons,
      );
      if (picked === enterToken) {
        token = await askToken(draft.name || draft.id, draft.url);
        if (token === undefined) return { status: 'cancelled' };
        start = nameStep; // straight back to the last step, answers kept
      } else if (picked === edit) {
        start = urlStep;
      } else {
        if (picked === showLog) services.log.show(true);
        return { status: 'failed', ...failureOf(err) };
      }
    }
  }
}

/**
 * Loads the marketplace once, on its own, before it is saved: a temporary engine with only this
 * source, in a temporary cache folder, with the current network settings. Returns its template count.
 */
async function checkMarketplace(services: Services, entry: MarketplaceSetting, token?: string, signal?: AbortSignal): Promise<number> {
  const { MarketplaceClient } = loadEngine();
  // Loaded here, not at the top: activation should not load node:fs/promises.
  const { mkdtemp, rm } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'template-marketplace-check-'));
  try {
    const source: SourceConfig = { id: entry.id, url: entry.url, publicKey: entry.publicKey, ...(token && !entry.url.startsWith('file:') ? { headers: { authorization: bearer(token) } } : {}) };
    const http = services.options.httpOptions();
    const client = await MarketplaceClient.open({ sources: [source], cacheDir: dir, ...(http ? { http } : {}) });
    try {
      const [status] = await client.refresh({ force: true, ...(signal ? { signal } : {}) });
      if (signal?.aborted) throw Object.assign(new Error('cancelled'), { code: 'E_ABORTED' });
      if (!status || status.state !== 'fresh') throw status?.error ?? new Error(l10n.t('the catalog could not be loaded ({0})', status?.state ?? 'empty'));
      services.log.info(`Add Marketplace: ${entry.url} answered with a valid catalog of ${status.templates} templates (version ${status.version})`);
      return status.templates;
    } finally {
      await client.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function save(services: Services, entry: MarketplaceSetting, templates: number, token?: string): Promise<MarketplaceCommandResult> {
  const { global, workspace } = lists();
  const target: Target = workspace !== undefined ? 'workspace' : 'global';
  // The token first: both changes then make one rebuild (the watcher debounces).
  if (token) await services.tokens.set(entry.id, token);
  await section().update('marketplaces', [...(workspace ?? global), entry], target === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  services.log.info(`Added the marketplace ${entry.id} (${entry.url}) to the ${target} settings${token ? ', with a token' : ''}`);
  return { status: 'added', id: entry.id, templates, target };
}

// ---- Remove -------------------------------------------------------------------------------------

export async function removeMarketplace(services: Services, args: CommandArgs): Promise<MarketplaceCommandResult> {
  const id = sourceIdOf(args.target) ?? (await pickMarketplace(l10n.t('Remove Marketplace'), l10n.t('The marketplace to remove'), true));
  if (!id) return { status: 'cancelled' };
  const interactive = !isConfirmed(args.target);

  if (id === SAMPLE_ID) {
    if (interactive) {
      const hide = l10n.t('Hide');
      const answer = await vscode.window.showWarningMessage(l10n.t('Hide the sample marketplace?'), { modal: true, detail: l10n.t('You can show it again with the setting "Include Sample Marketplace".') }, hide);
      if (answer !== hide) return { status: 'cancelled' };
    }
    await section().update('includeSampleMarketplace', false, vscode.ConfigurationTarget.Global);
    return { status: 'removed', id };
  }

  const { global, workspace } = lists();
  const inGlobal = global.some((e) => idOf(e) === id);
  const inWorkspace = workspace?.some((e) => idOf(e) === id) ?? false;
  if (!inGlobal && !inWorkspace) {
    const message = l10n.t('There is no marketplace "{0}" in the settings.', id);
    if (interactive) void vscode.window.showErrorMessage(message);
    return { status: 'failed', code: 'E_NOT_FOUND', message };
  }
  if (interactive) {
    const remove = l10n.t('Remove');
    const answer = await vscode.window.showWarningMessage(
      l10n.t('Remove the marketplace "{0}"?', id),
      { modal: true, detail: l10n.t('Its templates leave the list and its token is deleted. Files you installed stay.') },
      remove,
    );
    if (answer !== remove) return { status: 'cancelled' };
  }
  if (inWorkspace) await section().update('marketplaces', workspace!.filter((e) => idOf(e) !== id), vscode.ConfigurationTarget.Workspace);
  if (inGlobal) await section().update('marketplaces', global.filter((e) => idOf(e) !== id), vscode.ConfigurationTarget.Global);
  await services.tokens.delete(id);
  services.log.info(`Removed the marketplace ${id} and its token`);
  return { status: 'removed', id };
}

// ---- Token --------------------------------------------------------------------------------------

export async function setToken(services: Services, args: CommandArgs): Promise<MarketplaceCommandResult> {
  let answers;
  try {
    answers = parseSetTokenArgs(args.target);
  } catch (err) {
    if (err instanceof ArgumentError) return { status: 'failed', code: err.code, message: err.message };
    throw err;
  }
  if (answers) {
    const problem = checkMarketplaceId(answers.id) ?? (answers.token ? checkToken(answers.token) : undefined);
    if (problem) return { status: 'failed', code: 'E_USAGE', message: problem };
    await services.tokens.set(answers.id, answers.token);
    services.log.info(`Token ${answers.token.trim() ? 'stored' : 'removed'} for the marketplace ${answers.id}`);
    return { status: answers.token.trim() ? 'tokenSet' : 'tokenCleared', id: answers.id };
  }

  const id = sourceIdOf(args.target) ?? (await pickMarketplace(l10n.t('Set Marketplace Token'), l10n.t('The marketplace the token is for'), false));
  if (!id) return { status: 'cancelled' };
  const m = configured().find((c) => c.entry.id === id)?.entry;
  const token = await askToken(m?.name ?? id, m?.url, (await services.tokens.get(id)) !== undefined);
  if (token === undefined) return { status: 'cancelled' };
  await services.tokens.set(id, token);
  services.log.info(`Token ${token.trim() ? 'stored' : 'removed'} for the marketplace ${id}`);
  vscode.window.setStatusBarMessage(token.trim() ? l10n.t('$(key) Token saved for {0}', m?.name ?? id) : l10n.t('$(key) Token removed for {0}', m?.name ?? id), 5000);
  return { status: token.trim() ? 'tokenSet' : 'tokenCleared', id };
}

/** The password box; undefined when dismissed, "" to remove the stored token. */
async function askToken(name: string, url: string | undefined, hasToken = false): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: l10n.t('Token for {0}', name),
    prompt: hasToken
      ? l10n.t('A token is stored. Enter a new one, or leave empty to remove it. It is kept in the secret storage and sent only to {0}.', url ?? name)
      : l10n.t('The access token of this private marketplace. It is kept in the secret storage and sent only to {0}.', url ?? name),
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v === '' ? undefined : checkToken(v)),
  });
}

interface MarketplaceItem extends vscode.QuickPickItem {
  id?: string;
  add?: true;
}

/** A marketplace of the settings (with "Add Marketplace..." at the end); undefined when dismissed. */
async function pickMarketplace(title: string, placeholder: string, includeSample: boolean): Promise<string | undefined> {
  const entries = configured().filter((c) => includeSample || !c.entry.url.startsWith('file:'));
  const items: MarketplaceItem[] = entries.map((c) => ({
    label: c.entry.name ?? c.entry.id,
    description: c.entry.url,
    detail: c.target === 'workspace' ? l10n.t('Workspace settings') : l10n.t('User settings'),
    id: c.entry.id,
  }));
  if (includeSample && vscode.workspace.getConfiguration(SETTINGS_SECTION).get('includeSampleMarketplace') !== false) {
    items.push({ label: l10n.t('Sample marketplace'), description: SAMPLE_ID, id: SAMPLE_ID });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: l10n.t('Add Marketplace...'), add: true });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: placeholder, matchOnDescription: true });
  if (picked?.add) {
    await vscode.commands.executeCommand(Commands.addMarketplace);
    return undefined;
  }
  return picked?.id;
}
