import { FormatError } from '../core/errors';

/**
 * The time a build stamps into what it writes. SOURCE_DATE_EPOCH (seconds since 1970, see
 * reproducible-builds.org) fixes it, so the same inputs give byte-identical output.
 */
export function buildTime(env: NodeJS.ProcessEnv): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d{1,12}$/.test(epoch)) throw new FormatError(`expected whole seconds since 1970, got "${epoch}"`, 'SOURCE_DATE_EPOCH');
  return new Date(Number(epoch) * 1000);
}
