import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { InstallPlan, ListedTemplate, TemplateManifest, TemplateVariable } from '../../core';
import { loadEngine } from '../client/loadEngine';
import { l10n } from '../l10n';
import type { Services } from '../services';
import { InputFlowAction, type InputStep } from '../ui/quickInput';
import { pickMainFile } from './summary';

/** Pieces shared by Install Template and Install Templates: quick pick items, variable prompts, diffs, opening the result. */

export interface TemplateItem extends vscode.QuickPickItem {
  ref?: string;
}

/** A template as a quick pick row: name, "version · category" (and the marketplace when there are several), description. */
export function templateItem(t: ListedTemplate, opts: { showSource: boolean; searchResult: boolean }): TemplateItem {
  const description = opts.showSource ? `${t.version} · ${t.category} · ${t.source}` : `${t.version} · ${t.category}`;
  // alwaysShow for search results: they come from the engine's ranking (name, description, tags), and
  // VS Code's own label filter would hide hits that matched only on description or tags.
  return { label: t.name, description, detail: t.description, ref: t.ref, ...(opts.searchResult ? { alwaysShow: true } : {}) };
}

/**
 * One input box per variable, chained in front of `next`: the template's prompt, its default as
 * the initial value (or the previous answer after Back), and its pattern checked as the user types.
 */
export function variableSteps(
  manifest: Pick<TemplateManifest, 'variables'> | { readonly variables: readonly TemplateVariable[] },
  values: Record<string, string>,
  opts: { title: string; firstStep: number; totalSteps: number; only?: (v: TemplateVariable) => boolean; next?: InputStep },
): InputStep | undefined {
  const { compileVariablePattern } = loadEngine();
  const vars = manifest.variables.filter(opts.only ?? (() => true));
  let next = opts.next;
  for (let i = vars.length - 1; i >= 0; i--) {
    const v = vars[i]!;
    const after = next;
    const pattern = v.pattern === undefined ? undefined : compileVariablePattern(v.pattern);
    next = async (input) => {
      const answer = await input.showInputBox({
        title: opts.title,
        step: opts.firstStep + i,
        totalSteps: opts.totalSteps,
        value: values[v.name] ?? v.default ?? '',
        prompt: v.pattern === undefined ? v.prompt : l10n.t('{0} (pattern: {1})', v.prompt, v.pattern),
        placeholder: v.default ?? v.prompt,
        ignoreFocusOut: true,
        // VS Code shows the message in place of the prompt: it names the variable, so the question stays visible.
        validate: (value) => {
          if (value === '' && v.default === undefined && !pattern) return l10n.t('{0}: a value is required.', v.prompt);
          if (pattern && !pattern.test(value)) return l10n.t('{0}: must match the pattern {1}', v.prompt, v.pattern!);
          return undefined;
        },
      });
      if (typeof answer !== 'string') throw InputFlowAction.cancel;
      values[v.name] = answer;
      return after;
    };
  }
  return next;
}

/** The files of a plan that already exist. */
export function conflictsOf(plan: InstallPlan): InstallPlan['files'] {
  return plan.files.filter((f) => f.existing !== 'absent');
}

/** Shows the rendered new content of `file` against the existing file (`vscode.diff`), read-only on the right. */
export async function compareFile(services: Services, plan: InstallPlan, file: InstallPlan['files'][number], created: vscode.Uri[], preview = true): Promise<void> {
  const existing = vscode.Uri.file(join(plan.targetDir, ...file.path.split('/')));
  const rendered = services.documents.add('new', basename(file.path), textOf(file.bytes));
  created.push(rendered);
  await vscode.commands.executeCommand('vscode.diff', existing, rendered, l10n.t('{0} (existing ↔ template)', file.path), { preview, preserveFocus: true });
}

/** Shows what a new file will contain, read-only. */
export async function previewFile(services: Services, file: InstallPlan['files'][number], created: vscode.Uri[]): Promise<void> {
  const uri = services.documents.add('new', basename(file.path), textOf(file.bytes));
  created.push(uri);
  await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true });
}

function textOf(bytes: Uint8Array): string {
  if (bytes.includes(0)) return l10n.t('(binary file, {0} bytes)', bytes.length);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return l10n.t('(binary file, {0} bytes)', bytes.length);
  }
}

/** Opens the installed template's main file and reveals it in the Explorer; returns its path relative to the target. */
export async function openMainFile(targetDir: string, order: readonly string[], written: readonly string[], folder: string): Promise<string | undefined> {
  const main = pickMainFile(order, written, folder);
  if (!main) return undefined;
  const uri = vscode.Uri.file(join(targetDir, ...main.split('/')));
  await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
  await vscode.commands.executeCommand('revealInExplorer', uri);
  return main;
}

/** The target folder must exist for the engine (it resolves real paths); answers may name a new one. */
export async function ensureFolder(path: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises'); // on use: activation should not load it
  await mkdir(path, { recursive: true });
}

/** `{ code, message }` of anything thrown, for result objects and the log. */
export function failureOf(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown })?.code;
  return { code: typeof code === 'string' ? code : 'E_UNKNOWN', message: err instanceof Error ? err.message : String(err) };
}
