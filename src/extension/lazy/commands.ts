/**
 * The entry of dist/commands.js: every command implementation and the dashboard panel, required on
 * the first command (commands/deferred.ts), panel or preview, so that activation does not compile them.
 * Whatever holds state (the log, the client host, the views, the stores) comes in through `services`
 * and `views`, built once by the composition root; this bundle's own state is its l10n translator
 * (its copy of l10n.ts, set on load) and the one Dashboard and TemplatePreviews the composition root asks for.
 */
import * as vscode from 'vscode';
import { installedCommands } from '../commands/installed';
import type { CommandTable } from '../commands/index';
import { installAndCacheCommands } from '../commands/table';
import { Dashboard } from '../dashboard/panel';
import { setTranslator } from '../l10n';
import { TemplatePreviews } from '../preview/provider';
import type { Services } from '../services';
import { createViewCommands } from '../views/commands';
import type { InstalledTreeProvider } from '../views/installed/provider';
import type { TemplatesTreeProvider } from '../views/provider';

export { showError } from '../ui/errors';

/** The views' parts the commands drive; the composition root creates them at activation. */
export interface DeferredViews {
  readonly installed: InstalledTreeProvider;
  readonly templates: TemplatesTreeProvider;
  /** The one TemplatePreviews (preview/host.ts creates it through `createPreviews`). */
  readonly previews: () => TemplatePreviews;
}

setTranslator(vscode.l10n.t);

export function commandTable(services: Services, views: DeferredViews): CommandTable {
  return {
    ...installAndCacheCommands(services),
    ...createViewCommands({ services, provider: views.templates, previews: views.previews() }),
    ...installedCommands(services, views),
  };
}

export function createDashboardPanel(services: Services): Dashboard {
  return new Dashboard(services);
}

export function createPreviews(services: Services, changed: vscode.EventEmitter<vscode.Uri>): TemplatePreviews {
  return new TemplatePreviews(services, changed);
}
