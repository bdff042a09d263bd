/**
 * The entry of dist/display.js: what turns the engine's data into what VS Code shows (the trees'
 * models and rows, the status bar's text and tooltip, error messages) and the settings parser that
 * turns settings into the engine's options. Every one of them runs only once the engine is open or
 * opening, so activation does not compile them (test/bench/activation.bench.ts); the composition root
 * requires this bundle in the background right after activation, with the engine (lazy/preload.ts).
 * Its own state is its copy of l10n.ts's translator, set on load. test/extension/bundles.test.ts
 * keeps these modules out of dist/extension.js.
 */
import * as vscode from 'vscode';
import { setTranslator } from '../l10n';

export { classifyChange, formatProblem, readSettings, settingOf, toClientOptions } from '../config/settings';
export { describeProxy, deriveProxy } from '../config/proxy';
export { statusAccessibilityLabel, statusText, statusTooltip } from '../status/format';
export { errorMessage, loadFailureKind } from '../ui/errorMessages';
export { buildInstalledTree, childrenOf, installedMarks, installedTooltip, presentInstalled } from '../views/installed/model';
export { catalogKeyOf, describeFilter, searchQueryOf, TreeSnapshot } from '../views/model';
export { present, tooltipFor } from '../views/present';

setTranslator(vscode.l10n.t);
