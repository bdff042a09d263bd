import * as vscode from 'vscode';
import type { TemplatePreviews } from './provider';
import { PREVIEW_SCHEME } from './uri';

/**
 * Registers the `template-preview:` scheme at activation (a tab restored after a reload asks for its
 * content at once); the previews themselves (provider.ts, in the deferred bundle) are created by
 * `load` on the first preview, once. `changed` is the scheme's change event, which they fire.
 */
export function registerPreviews(load: (changed: vscode.EventEmitter<vscode.Uri>) => TemplatePreviews): {
  previews(): TemplatePreviews;
  disposables: vscode.Disposable[];
} {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  let previews: TemplatePreviews | undefined;
  const get = (): TemplatePreviews => (previews ??= load(changed));
  return {
    previews: get,
    disposables: [
      changed,
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
        onDidChange: changed.event,
        provideTextDocumentContent: (uri) => get().provideTextDocumentContent(uri),
      }),
      // Links come with a summary's content, so there are none before the previews exist.
      vscode.languages.registerDocumentLinkProvider({ scheme: PREVIEW_SCHEME }, { provideDocumentLinks: (doc) => previews?.provideDocumentLinks(doc) ?? [] }),
      { dispose: () => previews?.dispose() },
    ],
  };
}
