import * as vscode from 'vscode';
import type { ListedTemplate, RenderedPackage, TemplateManifest } from '../../core';
import { l10n } from '../l10n';
import type { Services } from '../services';
import { errorMessage } from '../ui/errorMessages';
import { buildPreviewSummary, isBinary, previewFileText, type PreviewFile, type PreviewLink, type PreviewVariable } from './summary';
import { parsePreviewQuery, previewLocation, PREVIEW_SCHEME, type PreviewTarget } from './uri';

/** Everything a preview shows of one template version, rendered once and kept for a while. */
interface PreviewData {
  readonly template: ListedTemplate;
  readonly sourceName: string;
  readonly manifest: TemplateManifest;
  readonly folder: string;
  readonly variables: readonly PreviewVariable[];
  /** Path → bytes, rendered (or as packaged when rendering failed). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly renderError?: string;
}

/** Recently previewed template versions kept rendered (opening their files costs nothing). */
const KEEP = 8;

/**
 * Read-only previews on the `template-preview:` scheme: a summary (name, version, target folder,
 * variables with their defaults, the file list with links) and each rendered file, with its
 * language from its extension. Nothing is written anywhere; the engine renders in memory.
 */
export class TemplatePreviews implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider, vscode.Disposable {
  readonly #data = new Map<string, Promise<PreviewData>>();
  readonly #links = new Map<string, readonly PreviewLink[]>();
  readonly #disposables: vscode.Disposable[] = [];

  /** The scheme's providers are registered at activation by host.ts, which owns `changed` and calls in here. */
  constructor(
    private readonly services: Services,
    private readonly changed: vscode.EventEmitter<vscode.Uri>,
  ) {
    this.#disposables.push(
      // A rebuilt engine may serve other catalogs: render again on next use.
      services.host.onDidChangeClient(() => this.#data.clear()),
      // An open summary states the verification result; keep it current.
      services.verification.onDidChange((refs) => this.#refreshSummaries(refs)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.#links.delete(doc.uri.toString())),
    );
  }

  /** Renders a template (downloading and verifying its package if needed); callers show progress. */
  async prepare(ref: string): Promise<PreviewTarget> {
    const data = await this.#load(ref);
    return { ref: data.template.ref, version: data.template.version };
  }

  /** Opens the summary of a prepared template in a preview tab. */
  async showSummary(target: PreviewTarget, options: { preserveFocus?: boolean } = {}): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(previewUri({ ref: target.ref, version: target.version }));
    return vscode.window.showTextDocument(doc, { preview: true, preserveFocus: options.preserveFocus ?? false });
  }

  // ---- TextDocumentContentProvider --------------------------------------------------------------

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = parsePreviewQuery(uri.query);
    if (!target) throw new Error(`Not a template preview: ${uri.toString()}`);
    const data = await this.#load(target.ref);
    if (target.file === undefined) {
      const summary = buildPreviewSummary({
        template: data.template,
        sourceName: data.sourceName,
        folder: data.folder,
        variables: data.variables,
        files: [...data.files].map(([path, bytes]): PreviewFile => ({ path, size: bytes.length, binary: isBinary(bytes) })),
        ...(data.renderError ? { renderError: data.renderError } : {}),
        ...this.#verification(data.template.ref),
        now: Date.now(),
        locale: vscode.env.language,
      });
      this.#links.set(uri.toString(), summary.links);
      return summary.text;
    }
    const bytes = data.files.get(target.file);
    if (!bytes) throw new Error(`${target.ref} ${data.template.version} has no file "${target.file}"`);
    return previewFileText(target.file, bytes, vscode.env.language);
  }

  // ---- DocumentLinkProvider: each path in a summary opens that file's preview ----------------------

  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    const target = parsePreviewQuery(doc.uri.query);
    const links = this.#links.get(doc.uri.toString());
    if (!target || target.file !== undefined || !links) return [];
    return links
      .filter((l) => l.line < doc.lineCount)
      .map((l) => {
        const link = new vscode.DocumentLink(new vscode.Range(l.line, l.start, l.line, l.end), previewUri({ ref: target.ref, version: target.version, file: l.file }));
        link.tooltip = l10n.t('Open read-only preview');
        return link;
      });
  }

  // ---- Loading ------------------------------------------------------------------------------------

  #verification(ref: string): { verification?: NonNullable<ReturnType<Services['verification']['get']>> } {
    const v = this.services.verification.get(ref);
    return v ? { verification: v } : {};
  }

  async #load(ref: string): Promise<PreviewData> {
    const client = await this.services.host.get();
    const template = await client.get(ref);
    const key = `${template.ref}@${template.version}#${template.sha256}`;
    let data = this.#data.get(key);
    if (!data) {
      data = this.#render(template);
      this.#data.set(key, data);
      data.catch(() => this.#data.delete(key));
      while (this.#data.size > KEEP) this.#data.delete(this.#data.keys().next().value!);
    } else {
      // Most recently used last.
      this.#data.delete(key);
      this.#data.set(key, data);
    }
    return data;
  }

  async #render(template: ListedTemplate): Promise<PreviewData> {
    const client = await this.services.host.get();
    // A preview writes nothing: an expired catalog served offline may still be browsed.
    const pkg = await client.open(template.ref, { purpose: 'browse' });
    const manifest = pkg.manifest;
    // Variables without a default show as their placeholder, so the preview never invents a value.
    const provided: Record<string, string> = {};
    for (const v of manifest.variables) if (v.default === undefined) provided[v.name] = `{{${v.name}}}`;
    let rendered: RenderedPackage | undefined;
    let renderError: string | undefined;
    try {
      rendered = await client.render(template.ref, provided);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'E_FORMAT') throw err;
      // A placeholder that breaks a variable's pattern: list the files as packaged instead.
      renderError = errorMessage(err).message;
      this.services.log.info(`Preview of ${template.ref}: ${renderError}`);
    }
    const sourceName = client.status().find((s) => s.id === template.source)?.name ?? template.source;
    const variables = manifest.variables.map(
      (v): PreviewVariable => ({
        name: v.name,
        prompt: v.prompt,
        ...(v.default !== undefined ? { default: v.default } : {}),
        ...(v.pattern !== undefined ? { pattern: v.pattern } : {}),
        ...(rendered && v.default !== undefined ? { value: rendered.values[v.name] ?? v.default } : v.default !== undefined ? { value: v.default } : {}),
        placeholder: v.default === undefined,
      }),
    );
    const files = rendered ? new Map(rendered.files.map((f) => [f.path, f.bytes])) : new Map(pkg.files);
    const folder = rendered ? rendered.folder : manifest.targetFolder === '.' ? '' : manifest.targetFolder;
    return { template, sourceName, manifest, folder, variables, files, ...(renderError ? { renderError } : {}) };
  }

  #refreshSummaries(refs: readonly string[]): void {
    const wanted = new Set(refs);
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== PREVIEW_SCHEME) continue;
      const target = parsePreviewQuery(doc.uri.query);
      if (target && target.file === undefined && wanted.has(target.ref)) this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    for (const d of this.#disposables.splice(0)) d.dispose();
    this.#data.clear();
    this.#links.clear();
  }
}

export function previewUri(target: PreviewTarget): vscode.Uri {
  return vscode.Uri.from(previewLocation(target));
}
