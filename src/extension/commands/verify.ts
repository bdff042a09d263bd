import * as vscode from 'vscode';
import { l10n } from '../l10n';
import type { Services } from '../services';
import type { VerificationState } from '../state/verificationStore';
import { batchReporter, withCancellableProgress } from '../ui/progress';
import { parseVerifyArgs, type VerifyCommandResult } from './args';
import type { CommandArgs } from './index';
import { verifyFailureSummary, verifySuccessMessage } from './summary';

/**
 * Verify Templates (all), Verify Selected and Verify (a node): revalidates the catalogs, then checks
 * each package's size, digest and publisher signature under one cancellable progress notification.
 * Results go to the verification store (the tree shows them) and the log; failures are named in one
 * summary notification. `verifyTemplates({ refs })` verifies just those. Returns every outcome.
 */
export async function verifyTemplates(services: Services, args: CommandArgs, scope: 'all' | 'selection'): Promise<VerifyCommandResult | undefined> {
  const requested = parseVerifyArgs(args.target, args.selection).refs;
  if (scope === 'selection' && !requested) return undefined;
  // The client stays open until the checks are done, even if settings change meanwhile.
  const run = await services.host.use((client) =>
    services.busy.run(() =>
      withCancellableProgress(l10n.t('Verifying templates'), async (report, signal) => {
        report({ message: l10n.t('Checking the catalogs…') });
        await client.refresh({ force: true, signal });
        if (signal.aborted) return { outcomes: [], aborted: true };
        const refs = requested ?? (await client.list()).map((t) => t.ref);
        if (refs.length === 0) return { outcomes: [], aborted: false };
        const outcomes = await client.verifyBatch(refs, { signal, onProgress: batchReporter(report, refs.length) });
        return { outcomes, aborted: signal.aborted };
      }),
    ),
  );

  const at = Date.now();
  // A cancelled item says nothing about its package: neither recorded nor reported.
  const outcomes = run.outcomes
    .filter((o) => o.ok || o.error.code !== 'E_ABORTED')
    .map((o) => (o.ok ? { ref: o.ref, ok: true, cached: o.cached } : { ref: o.ref, ok: false, cached: o.cached, code: o.error.code, message: o.error.message }));
  services.verification.record(
    outcomes.map((o) => ({
      ref: o.ref,
      state: (o.ok ? { ok: true, at } : { ok: false, at, code: o.code!, reason: o.message! }) satisfies VerificationState,
    })),
  );
  for (const o of outcomes) {
    if (o.ok) services.log.info(`Verified ${o.ref}${o.cached ? ' (cached result)' : ''}`);
    else services.log.error(`Verification failed: ${o.ref}: ${o.code}: ${o.message}`);
  }
  if (run.aborted) {
    services.log.info(`Verify: cancelled after ${outcomes.length} templates`);
    return { outcomes, cancelled: true };
  }

  if (outcomes.length === 0) {
    void vscode.window.showInformationMessage(l10n.t('There are no templates to verify.'));
  } else {
    const failures = verifyFailureSummary(outcomes);
    if (failures) {
      const showLog = l10n.t('Show Log');
      void vscode.window.showWarningMessage(failures, showLog).then((picked) => picked === showLog && services.log.show(true));
    } else {
      vscode.window.setStatusBarMessage(verifySuccessMessage(outcomes.length, outcomes.filter((o) => o.cached).length), 5000);
    }
  }
  services.log.info(`Verify: ${outcomes.filter((o) => o.ok).length} of ${outcomes.length} templates verified`);
  return { outcomes, cancelled: false };
}
