import type { Bootstrap } from '../../protocol/dashboard';

/** A fresh 128-bit nonce per HTML render (never Math.random). */
export function newNonce(): string {
  // The global Web Crypto, not an import of node:crypto: activation should not load that module (~5 ms in a bare process).
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

export interface ShellInput {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `asWebviewUri` of dist/webview/dashboard.js and .css. */
  scriptUri: string;
  styleUri: string;
  title: string;
  bootstrap: Bootstrap;
}

/**
 * Pure: the page around the webview bundle. Nothing inline but data: the script and the stylesheet
 * are files, the bootstrap state is an escaped attribute, and the policy allows only the nonce'd
 * script and this extension's own resources. No connect-src: all data comes through postMessage.
 */
export function dashboardHtml(input: ShellInput): string {
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  const lang = input.bootstrap.locale || 'en';
  return `<!DOCTYPE html>
<html lang="${attr(lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(input.styleUri)}">
<title>${text(input.title)}</title>
</head>
<body data-bootstrap="${attr(JSON.stringify(input.bootstrap))}">
<main id="app"></main>
<script nonce="${attr(input.nonce)}" src="${attr(input.scriptUri)}"></script>
</body>
</html>`;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
