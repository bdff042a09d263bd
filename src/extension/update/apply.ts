import { join } from 'node:path';
import * as vscode from 'vscode';
import { l10n } from '../l10n';
import type { UpdateEdits } from './engine';
import { isText } from './summary';

/**
 * Writes an update as ONE workspace edit, so that a single Undo takes it all back: existing text
 * files are replaced through their documents (then saved), new or binary files are created with
 * their bytes, removed files are deleted, and the record is replaced last. Refuses, writing
 * nothing, when a file to change has unsaved edits: they would be silently overwritten.
 */
export async function applyUpdateEdits(dir: string, edits: UpdateEdits, label: string): Promise<vscode.Uri[]> {
  const edit = new vscode.WorkspaceEdit();
  const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: false, label };
  const toSave: vscode.Uri[] = [];
  const touched: vscode.Uri[] = [];
  const decoder = new TextDecoder();
  for (const f of [...edits.files, edits.record]) {
    const uri = vscode.Uri.file(join(dir, ...f.path.split('/')));
    touched.push(uri);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) throw new UnsavedChangesError(f.path);
    if (f.bytes === null) {
      edit.deleteFile(uri, { ignoreIfNotExists: true }, metadata);
      continue;
    }
    const exists = await vscode.workspace.fs.stat(uri).then(
      (s) => s.type === vscode.FileType.File,
      () => false,
    );
    if (exists && isText(f.bytes)) {
      const doc = open ?? (await vscode.workspace.openTextDocument(uri));
      const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
      edit.replace(uri, whole, decoder.decode(f.bytes), metadata);
      toSave.push(uri);
    } else {
      edit.createFile(uri, { overwrite: true, contents: f.bytes }, metadata);
    }
  }
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(l10n.t('VS Code refused the update edit; nothing was changed.'));
  for (const uri of toSave) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
  }
  return touched;
}

export class UnsavedChangesError extends Error {
  readonly code = 'E_UNSAVED';
  constructor(readonly path: string) {
    super(l10n.t('{0} has unsaved changes: save or revert it, then update again. Nothing was changed.', path));
  }
}
