import type * as vscode from 'vscode';
import type { ClientHost } from './client/clientHost';
import type { OptionsBuilder } from './config/options';
import type { TokenStore } from './config/secrets';
import type { BusyCounter } from './state/busy';
import type { InstallSignal } from './state/installSignal';
import type { VerificationStore } from './state/verificationStore';
import type { ReadonlyDocuments } from './ui/readonlyDocs';
import type { MergeFileSystem } from './update/mergeFs';
import type { UpdateUndoSaver } from './update/undoSaver';

/** What every feature gets from the composition root. Features never reach for globals. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly host: ClientHost;
  /** Per-template verification results of this window (verify commands write, the tree reads). */
  readonly verification: VerificationStore;
  /** Settings → engine options; also the current settings and their problems. */
  readonly options: OptionsBuilder;
  /** Private-marketplace tokens (SecretStorage). */
  readonly tokens: TokenStore;
  /** User-started batches in progress: the status bar spins while one runs. */
  readonly busy: BusyCounter;
  /** Installs and updates say which folder they wrote to: the installed-state views follow at once. */
  readonly installs: InstallSignal;
  /** Read-only in-memory documents (install diffs, the metrics document). */
  readonly documents: ReadonlyDocuments;
  /** In-memory result files of the merge editor (Update Template). */
  readonly merges: MergeFileSystem;
  /** Saves an update's documents once Undo or Redo has taken all of them back (or forth). */
  readonly updateUndo: UpdateUndoSaver;
}
