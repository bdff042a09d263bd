import * as vscode from 'vscode';
import type { BatchProgress } from '../../core';
import { batchProgressMessage, progressIncrement } from '../commands/summary';

export type Report = (value: { message?: string; increment?: number }) => void;

/**
 * A cancellable progress notification whose Cancel button aborts the engine through an
 * AbortSignal. The notification always closes when `task` settles.
 */
export async function withCancellableProgress<T>(title: string, task: (report: Report, signal: AbortSignal) => Promise<T>): Promise<T> {
  return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      return await task((value) => progress.report(value), controller.signal);
    } finally {
      subscription.dispose();
    }
  });
}

/**
 * Feeds a batch's progress events into a notification: "3/20 samples/readme" as each item starts
 * and finishes, and one step of the bar per finished item.
 */
export function batchReporter(report: Report, total: number, onEvent?: (event: BatchProgress) => void): (event: BatchProgress) => void {
  const step = progressIncrement(total);
  return (event) => {
    onEvent?.(event);
    const finished = event.totals.done + event.totals.failed;
    if (event.type === 'start') report({ message: batchProgressMessage(finished, total, event.ref) });
    else if (event.type === 'done' || event.type === 'failed') report({ message: batchProgressMessage(finished, total, event.ref), increment: step });
  };
}
