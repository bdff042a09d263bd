import type { ListedTemplate, SourceStatus } from '../../core';

/**
 * The Marketplace tree's nodes, a discriminated union (kubernetes-tools `NODE_TYPES`): marketplace
 * (source) → category → template, plus a leaf message for a source's error or an empty result.
 * Pure data, no `vscode`: other commands receive these as their `target`; use `templateRefOf`.
 *
 * Ids are stable across refreshes (`source/<id>`, `category/<source>/<name>`, `template/<ref>`),
 * which keeps expansion and selection and lets `TreeView.reveal` find a node again.
 */
export type MarketplaceNode = SourceNode | CategoryNode | TemplateNode | MessageNode;

export interface SourceNode {
  readonly kind: 'source';
  readonly id: string;
  readonly sourceId: string;
  readonly status: SourceStatus;
  /** A marketplace from the user's settings (not the embedded sample): token and remove apply. */
  readonly custom: boolean;
  /** Templates of this source shown under the current filter. */
  readonly shown: number;
}

export interface CategoryNode {
  readonly kind: 'category';
  readonly id: string;
  readonly parent: SourceNode;
  /** The catalog's category slug, e.g. `documentation`. */
  readonly name: string;
  readonly count: number;
}

export interface TemplateNode {
  readonly kind: 'template';
  readonly id: string;
  readonly parent: CategoryNode;
  /** `<source>/<id>`, the reference every engine call takes (also `template.ref`). */
  readonly ref: string;
  readonly template: ListedTemplate;
}

export type MessageSeverity = 'info' | 'warning' | 'error';

export interface MessageNode {
  readonly kind: 'message';
  readonly id: string;
  readonly parent: SourceNode | undefined;
  readonly text: string;
  readonly severity: MessageSeverity;
}

export const nodeIds = {
  source: (sourceId: string) => `source/${sourceId}`,
  category: (sourceId: string, category: string) => `category/${sourceId}/${category}`,
  template: (ref: string) => `template/${ref}`,
  message: (scope: string, key: string) => `message/${scope}/${key}`,
};

export function isTemplateNode(value: unknown): value is TemplateNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'template' && typeof (value as { ref?: unknown }).ref === 'string';
}

/**
 * The template reference a command argument stands for: a template node of this tree, a
 * `ListedTemplate`-like `{ ref }`, or a ref string. Anything else (a source row, nothing) → undefined.
 */
export function templateRefOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const kind = (value as { kind?: unknown }).kind;
  if (kind !== undefined && kind !== 'template') return undefined;
  const ref = (value as { ref?: unknown }).ref;
  return typeof ref === 'string' && ref.length > 0 ? ref : undefined;
}
