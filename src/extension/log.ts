import * as vscode from 'vscode';

/**
 * The extension's one log, a LogOutputChannel so that the user picks the level. Engine errors are
 * logged with their code and cause; tokens and Authorization headers never are.
 */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Template Marketplace', { log: true });
}

/** `code: message` plus the cause chain, for engine errors and anything else thrown. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    parts.push(typeof code === 'string' ? `${code}: ${message}` : message);
  }
  return parts.join(' <- ');
}
