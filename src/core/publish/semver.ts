import { FormatError } from '../errors';
import { SEMVER } from '../format/validate';

/**
 * Compares two semantic versions by precedence (semver.org §11): negative when `a` is lower, zero
 * when equal, positive when higher. Build metadata (`+…`) does not take part in precedence.
 */
export function compareSemver(a: string, b: string): number {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const order = compareNumeric(x.core[i]!, y.core[i]!);
    if (order !== 0) return order;
  }
  // A version without a pre-release ranks above the same version with one: 1.0.0-rc.1 < 1.0.0.
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const order = compareIdentifier(x.pre[i]!, y.pre[i]!);
    if (order !== 0) return order;
  }
  return x.pre.length - y.pre.length;
}

function parse(version: string): { core: string[]; pre: string[] } {
  const m = SEMVER.exec(version);
  if (!m) throw new FormatError(`expected a semantic version like 1.2.0, got ${JSON.stringify(version)}`, undefined, 'version');
  return { core: [m[1]!, m[2]!, m[3]!], pre: m[4] ? m[4].split('.') : [] };
}

/** Numeric identifiers have no leading zeros, so a longer one is larger; this avoids Number overflow. */
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifier(a: string, b: string): number {
  const [aNum, bNum] = [/^\d+$/.test(a), /^\d+$/.test(b)];
  if (aNum && bNum) return compareNumeric(a, b);
  // Numeric identifiers always rank below alphanumeric ones.
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
