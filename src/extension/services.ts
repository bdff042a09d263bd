import type * as vscode from 'vscode';
import type { ClientHost } from './client/clientHost';
import type { VerificationStore } from './state/verificationStore';

/** What every feature gets from the composition root. Features never reach for globals. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly host: ClientHost;
  /** Per-template verification results of this window (verify commands write, the tree reads). */
  readonly verification: VerificationStore;
}
