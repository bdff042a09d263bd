import { UsageError } from '../core/errors';

/** `--var name=value` options as variables. */
export function parseVars(pairs: readonly string[] | undefined): Record<string, string> {
  // No prototype: "--var __proto__=x" must become a variable, not a prototype assignment that vanishes.
  const variables: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var expects name=value, got "${pair}"`);
    variables[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return variables;
}
