import * as vscode from 'vscode';
import { Schemes } from '../constants';

type Content = string | (() => Promise<string>);

/**
 * Read-only documents served from memory on our own scheme: the rendered new content of a file in
 * an install's Compare diff, and the metrics document of Show Dashboard. A document given as a
 * function is produced again each time VS Code asks (`refresh` makes it ask).
 */
export class ReadonlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  readonly #contents = new Map<string, Content>();
  readonly #onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.#onDidChange.event;
  readonly #registration: vscode.Disposable;
  #next = 0;

  constructor() {
    this.#registration = vscode.workspace.registerTextDocumentContentProvider(Schemes.readonly, this);
  }

  /** A new document at `/<area>/<unique>/<name>`; the name (and its extension) is what the tab shows. */
  add(area: string, name: string, content: Content): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: Schemes.readonly, path: `/${area}/${++this.#next}/${name}` });
    this.#contents.set(uri.toString(), content);
    return uri;
  }

  /** A document at a fixed path, replaced on each call (the metrics document). */
  put(path: string, content: Content): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: Schemes.readonly, path });
    this.#contents.set(uri.toString(), content);
    this.#onDidChange.fire(uri);
    return uri;
  }

  /** Forgets documents that are no longer needed (an install flow that ended); open editors keep their text. */
  remove(uris: readonly vscode.Uri[]): void {
    for (const uri of uris) this.#contents.delete(uri.toString());
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const content = this.#contents.get(uri.toString());
    if (content === undefined) return '';
    return typeof content === 'string' ? content : content();
  }

  dispose(): void {
    this.#registration.dispose();
    this.#onDidChange.dispose();
    this.#contents.clear();
  }
}
