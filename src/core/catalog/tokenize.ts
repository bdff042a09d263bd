// Only nonspacing marks are accents; spacing marks are vowel signs in Indic scripts and stay in the word.
const NONSPACING_MARKS = /\p{Mn}+/gu;
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/u;
const ENDS_WITH_SEPARATOR = /[^\p{L}\p{M}\p{N}]$/u;

/**
 * Folds text for matching: compatibility decomposition (NFKD) splits "é" into "e" + a combining
 * accent and "ﬁ" into "fi"; dropping the marks and lowercasing makes "Café", "CAFE" and "cafe"
 * the same. Marks go before lowercasing so "İ" becomes "i", not "i̇".
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(NONSPACING_MARKS, '').toLowerCase();
}

/** Words of `text`, folded: letters and digits of any script; everything else separates. */
export function tokenize(text: string): string[] {
  return foldText(text)
    .split(SEPARATORS)
    .filter((token) => token.length > 0);
}

/** True when `text` ends in a separator: someone typing "api " has finished the word "api". */
export function endsWithSeparator(text: string): boolean {
  return ENDS_WITH_SEPARATOR.test(text);
}
