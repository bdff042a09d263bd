import type { MarketplaceClient, UpdatePlan } from '../../core';

/**
 * The engine's update API as agreed with the engine branch (`update-core`, client/updates.ts and
 * update/proposal.ts there). Until that branch is merged the extension reaches it through this
 * narrow view of the client; afterwards these types come from the engine itself.
 */
export interface UpdateProposal {
  dir: string;
  sourceId: string;
  templateId: string;
  ref: string;
  fromVersion: string;
  toVersion: string;
  variables: Record<string, string>;
  newVariables: string[];
  plan: UpdatePlan;
}

export interface UpdateEdits {
  files: { path: string; bytes: Uint8Array | null }[];
  record: { path: string; bytes: Uint8Array };
  conflicts: string[];
}

export interface UpdateVariableQuestion {
  name: string;
  prompt: string;
  default?: string;
  pattern?: string;
  reason: 'new' | 'invalid';
  recorded?: string;
}

export interface UpdateEngine {
  prepareUpdate(dir: string, opts: { ids?: readonly string[]; variables?: Record<string, string>; acceptDefaults?: boolean; signal?: AbortSignal }): Promise<UpdateProposal[]>;
  updateEdits(proposal: UpdateProposal, resolutions?: ReadonlyMap<string, Uint8Array | null>, opts?: { conflict?: 'markers' | 'fail' }): UpdateEdits;
  checkUpdateFresh?(proposal: UpdateProposal): Promise<void>;
}

export function updateEngine(client: MarketplaceClient): UpdateEngine {
  return client as unknown as UpdateEngine;
}

/** The questions of E_UPDATE_VARIABLES: variables the new version added, or recorded answers it now refuses. */
export function variableQuestionsOf(err: unknown): UpdateVariableQuestion[] | undefined {
  if ((err as { code?: unknown })?.code !== 'E_UPDATE_VARIABLES') return undefined;
  const v = (err as { variables?: unknown }).variables;
  return Array.isArray(v) ? (v as UpdateVariableQuestion[]) : [];
}
