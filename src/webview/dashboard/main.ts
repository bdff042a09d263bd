/**
 * The dashboard webview's entry (bundled by esbuild for the browser into dist/webview/dashboard.js).
 * It talks to the host only through the typed protocol, keeps only UI choices in setState, and
 * reports CSP violations and uncaught errors to the host's log.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import * as l10n from '@vscode/l10n';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { command, parseHostMessage, parseUiState, PROTOCOL_VERSION, type Bootstrap, type UiState, type WebviewMessage } from '../../protocol/dashboard';
import { createFormatter } from './format';
import { initialState, reduce, withRange, type ViewState } from './state';
import { DashboardView } from './view';

const vscode = acquireVsCodeApi<UiState>();
const post = (message: WebviewMessage) => vscode.postMessage(message);

// First of all, so that nothing the page does later escapes the check.
document.addEventListener('securitypolicyviolation', (e) => {
  post(command('webview/didFail', { kind: 'csp', message: `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})` }));
});
window.addEventListener('error', (e) => post(command('webview/didFail', { kind: 'error', message: `${e.message} (${e.filename}:${e.lineno})` })));
window.addEventListener('unhandledrejection', (e) => post(command('webview/didFail', { kind: 'error', message: String((e.reason as Error)?.stack ?? e.reason) })));

function readBootstrap(): Bootstrap {
  try {
    const raw = document.body.dataset.bootstrap;
    const parsed = raw ? (JSON.parse(raw) as Partial<Bootstrap>) : {};
    return { v: PROTOCOL_VERSION, locale: typeof parsed.locale === 'string' ? parsed.locale : 'en', ...(parsed.l10n ? { l10n: parsed.l10n } : {}) };
  } catch {
    return { v: PROTOCOL_VERSION, locale: 'en' };
  }
}

const boot = readBootstrap();
if (boot.l10n) l10n.config({ contents: boot.l10n });

let state: ViewState = initialState(parseUiState(vscode.getState()));
const view = new DashboardView(document.getElementById('app')!, createFormatter(boot.locale), {
  action: (action) => post(command('action/run', { action })),
  measure: (start) => post(command(start ? 'measure/start' : 'measure/cancel', {})),
  range: (range) => {
    state = withRange(state, range);
    vscode.setState(state.ui);
    schedule();
  },
});

// Render at most once per frame however many messages arrive.
let frame = 0;
function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    view.render(state, Date.now());
  });
}

window.addEventListener('message', (e: MessageEvent) => {
  const message = parseHostMessage(e.data);
  if (!message) return;
  state = reduce(state, message);
  schedule();
});

// VS Code swaps the body's theme classes (and the variables) when the colour theme changes.
new MutationObserver(() => view.retheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Catalog ages count on between snapshots.
setInterval(schedule, 30_000);

view.render(state, Date.now());
post(command('webview/ready', {}));
