import * as vscode from 'vscode';
import { Schemes } from '../constants';

/**
 * An in-memory file system for merge results (`template-marketplace-merge://<session>/<path>`):
 * the merge editor needs a writable result file, and the update must not write anything in the
 * workspace (or leave scratch files on disk) before the user applies it. A label formatter in
 * package.json shows these files by their workspace path.
 */
export class MergeFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  readonly #files = new Map<string, { bytes: Uint8Array; mtime: number }>();
  readonly #onDidChangeFile = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.#onDidChangeFile.event;
  readonly #registration: vscode.Disposable;
  #next = 0;

  constructor() {
    this.#registration = vscode.workspace.registerFileSystemProvider(Schemes.merge, this, { isCaseSensitive: true });
  }

  /** A new result file for a merge of `path` (a record path), holding `bytes`. */
  create(path: string, bytes: Uint8Array): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: Schemes.merge, authority: `m${++this.#next}`, path: `/${path}` });
    this.#files.set(uri.toString(), { bytes, mtime: Date.now() });
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.#files.delete(uri.toString());
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const file = this.#files.get(uri.toString());
    if (file) return { type: vscode.FileType.File, ctime: file.mtime, mtime: file.mtime, size: file.bytes.length };
    const prefix = uri.toString().replace(/\/?$/, '/');
    if ([...this.#files.keys()].some((k) => k.startsWith(prefix)) || uri.path === '/') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {}

  readFile(uri: vscode.Uri): Uint8Array {
    const file = this.#files.get(uri.toString());
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return file.bytes;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): void {
    const exists = this.#files.has(uri.toString());
    if (!exists && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
    if (exists && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    this.#files.set(uri.toString(), { bytes: content, mtime: Date.now() });
    this.#onDidChangeFile.fire([{ type: exists ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
  }

  delete(uri: vscode.Uri): void {
    if (!this.#files.delete(uri.toString())) throw vscode.FileSystemError.FileNotFound(uri);
    this.#onDidChangeFile.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('merge results cannot be renamed');
  }

  dispose(): void {
    this.#registration.dispose();
    this.#onDidChangeFile.dispose();
    this.#files.clear();
  }
}
