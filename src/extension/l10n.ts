/**
 * `l10n.t` for the extension's pure modules. The composition root plugs in `vscode.l10n.t`; unit
 * tests run with the built-in formatter, so tree labels and status text are testable without VS Code.
 * Keep messages literal at every call site (`l10n.t('Installed {0}', name)`): `npm run l10n`
 * (@vscode/l10n-dev) extracts them into l10n/bundle.l10n.json, and a unit test keeps that current.
 * The extractor only reads files that import 'vscode', so pure modules carry a type-only import of
 * it, which the build erases.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

const format: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m));

let translate: Translate = format;

export const l10n = {
  t: ((message, ...args) => translate(message, ...args)) as Translate,
};

/** Called once by `activate` with `vscode.l10n.t`. */
export function setTranslator(t: Translate): void {
  translate = t;
}
