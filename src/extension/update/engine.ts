import type { MarketplaceClient, UpdateVariableQuestion } from '../../core';

export type { UpdateEdits, UpdateProposal, UpdateVariableQuestion } from '../../core';

/** The part of the engine the Update command uses (the client itself; narrowed for readers). */
export type UpdateEngine = Pick<MarketplaceClient, 'prepareUpdate' | 'updateEdits' | 'checkUpdateFresh'>;

export function updateEngine(client: MarketplaceClient): UpdateEngine {
  return client;
}

/** The questions of E_UPDATE_VARIABLES: variables the new version added, or recorded answers it now refuses. */
export function variableQuestionsOf(err: unknown): readonly UpdateVariableQuestion[] | undefined {
  if ((err as { code?: unknown })?.code !== 'E_UPDATE_VARIABLES') return undefined;
  const v = (err as { variables?: unknown }).variables;
  return Array.isArray(v) ? (v as UpdateVariableQuestion[]) : [];
}
