/**
 * The dashboard's message protocol, shared by the extension host (src/extension/dashboard) and the
 * webview (src/webview/dashboard). Every message is an envelope `{ v, kind, method, params }`:
 * - `command`: webview → host, fire and forget (the host answers, if at all, with notifications);
 * - `notification`: host → webview, always a complete state of its kind, never a delta that
 *   depends on an earlier message being seen (except `samples` appended while the panel stays visible;
 *   a `replace` resends the whole series whenever the webview may have missed some).
 * Both sides validate what they receive: the host trusts nothing a webview posts.
 * This module imports types only, so both bundles can use it.
 */
import type { MeasureProgress, StatsSnapshot, TierMeasurement } from '../core/stats/types';

export type { MeasureProgress, SourceSummary, StatsSnapshot, TierMeasurement, TierRun } from '../core/stats/types';
export type { LatencySummary, MetricsSnapshot, Tier } from '../core/metrics/snapshot';

export const PROTOCOL_VERSION = 1;

/** What the webview may ask the host to do; the host maps each to a command or does it itself. */
export const ACTIONS = ['warmUp', 'clearCache', 'refresh', 'copySnapshot'] as const;
export type ActionId = (typeof ACTIONS)[number];

/** One point of the session's time series, derived from a snapshot by the host. Ratios are 0…1. */
export interface Sample {
  /** Epoch ms. */
  t: number;
  /** Overall hit ratio and per tier (cumulative since the client opened). */
  hit: number;
  memory: number;
  disk: number;
  network: number;
  /** Downloaded templates/s and bytes/s, and packages served from any tier per second (sliding window). */
  tps: number;
  bps: number;
  served: number;
}

export type MeasureState =
  | { status: 'idle' }
  | { status: 'running'; progress: MeasureProgress }
  | { status: 'done'; result: TierMeasurement }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string };

export interface HostState {
  /** The engine opens on first use; the dashboard shows what it can meanwhile. */
  engine: 'opening' | 'open' | 'failed';
  /** A localized reason when `engine` is `failed`. */
  engineError?: string;
  /** Actions started from the dashboard that have not finished: their buttons are disabled. */
  running: ActionId[];
}

interface Envelope<K extends 'command' | 'notification', M extends string, P> {
  v: typeof PROTOCOL_VERSION;
  kind: K;
  method: M;
  params: P;
}

export type WebviewMessage =
  | Envelope<'command', 'webview/ready', Record<string, never>>
  | Envelope<'command', 'action/run', { action: ActionId }>
  | Envelope<'command', 'measure/start', Record<string, never>>
  | Envelope<'command', 'measure/cancel', Record<string, never>>
  /** Something went wrong inside the webview (a CSP violation, an uncaught error): the host logs it. */
  | Envelope<'command', 'webview/didFail', { kind: 'csp' | 'error'; message: string }>;

export type HostMessage =
  | Envelope<'notification', 'metrics/didChange', { snapshot: StatsSnapshot; samples: Sample[]; replace: boolean }>
  | Envelope<'notification', 'state/didChange', { state: HostState }>
  | Envelope<'notification', 'measure/didChange', { measure: MeasureState }>;

export type WebviewMethod = WebviewMessage['method'];
export type HostMethod = HostMessage['method'];
type ParamsOf<U, M> = U extends { method: M; params: infer P } ? P : never;

export function command<M extends WebviewMethod>(method: M, params: ParamsOf<WebviewMessage, M>): WebviewMessage {
  return { v: PROTOCOL_VERSION, kind: 'command', method, params } as WebviewMessage;
}

export function notification<M extends HostMethod>(method: M, params: ParamsOf<HostMessage, M>): HostMessage {
  return { v: PROTOCOL_VERSION, kind: 'notification', method, params } as HostMessage;
}

/** The longest text a webview may send the host's log in one message. */
export const MAX_FAILURE_MESSAGE = 2_000;

/**
 * Host side: checks an inbound message from the webview and returns a fresh, well-typed copy, or
 * `undefined` for anything unexpected (wrong version, kind, method, params, or extra params).
 */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isEnvelope(raw, 'command')) return undefined;
  const { method, params } = raw;
  switch (method) {
    case 'webview/ready':
    case 'measure/start':
    case 'measure/cancel':
      return hasKeys(params, []) ? command(method, {}) : undefined;
    case 'action/run': {
      if (!hasKeys(params, ['action'])) return undefined;
      const action = params.action;
      return typeof action === 'string' && (ACTIONS as readonly string[]).includes(action) ? command('action/run', { action: action as ActionId }) : undefined;
    }
    case 'webview/didFail': {
      if (!hasKeys(params, ['kind', 'message'])) return undefined;
      const { kind, message } = params;
      if ((kind !== 'csp' && kind !== 'error') || typeof message !== 'string') return undefined;
      return command('webview/didFail', { kind, message: message.slice(0, MAX_FAILURE_MESSAGE) });
    }
    default:
      return undefined;
  }
}

/** Webview side: the host is trusted, but a message from another version or origin is ignored. */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isEnvelope(raw, 'notification')) return undefined;
  const p = raw.params;
  switch (raw.method) {
    case 'metrics/didChange':
      return isObject(p.snapshot) && Array.isArray(p.samples) && typeof p.replace === 'boolean' ? (raw as unknown as HostMessage) : undefined;
    case 'state/didChange':
      return isObject(p.state) ? (raw as unknown as HostMessage) : undefined;
    case 'measure/didChange':
      return isObject(p.measure) && typeof p.measure.status === 'string' ? (raw as unknown as HostMessage) : undefined;
    default:
      return undefined;
  }
}

/** What the host puts into the page for the webview's first render (an attribute, not a script). */
export interface Bootstrap {
  v: typeof PROTOCOL_VERSION;
  /** `vscode.env.language`, for number and date formats. */
  locale: string;
  /** `vscode.l10n.bundle`: the translations of this extension, or undefined for English. */
  l10n?: Record<string, string | { message: string; comment: string[] }>;
}

/** What the webview keeps with `setState` across reloads: navigation and view choices, never data. */
export interface UiState {
  v: typeof PROTOCOL_VERSION;
  /** Time range of the charts. */
  range: ChartRange;
}
export const CHART_RANGES = ['1m', '5m', 'all'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

export function parseUiState(raw: unknown): UiState {
  const range = isObject(raw) && raw.v === PROTOCOL_VERSION && (CHART_RANGES as readonly unknown[]).includes(raw.range) ? (raw.range as ChartRange) : 'all';
  return { v: PROTOCOL_VERSION, range };
}

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isEnvelope(raw: unknown, kind: 'command' | 'notification'): raw is { method: string; params: Obj } {
  return (
    isObject(raw) &&
    raw.v === PROTOCOL_VERSION &&
    raw.kind === kind &&
    typeof raw.method === 'string' &&
    isObject(raw.params) &&
    hasKeys(raw, ['v', 'kind', 'method', 'params'])
  );
}

/** Exactly these own keys, no more (and nothing inherited counts). */
function hasKeys(o: Obj, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(o, k));
}
