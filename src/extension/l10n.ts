/**
 * `l10n.t` for the extension's pure modules. The composition root plugs in `vscode.l10n.t`; unit
 * tests run with the built-in formatter, so tree labels and status text are testable without VS Code.
 * Keep messages literal at every call site (`l10n.t('Installed {0}', name)`): the l10n extractor
 * finds them there.
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
