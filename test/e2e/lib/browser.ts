import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './paths';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface GuardedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to make to anything but 127.0.0.1: each one fails the run. */
  blocked: string[];
  close(): Promise<void>;
}

/**
 * Headless Debian Chromium in a fresh profile. Every request that is not to 127.0.0.1 is aborted
 * and recorded, as is everything the page prints, into `consoleLog`.
 */
export async function openBrowser(opts: { home: string; consoleLog: (line: string) => void; viewport?: { width: number; height: number } }): Promise<GuardedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS, // Playwright gives every launch a fresh temporary profile
  });
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 860 }, deviceScaleFactor: 1 });
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (m) => opts.consoleLog(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => opts.consoleLog(`[pageerror] ${e.message}`));
  return {
    browser,
    context,
    page,
    blocked,
    close: () => browser.close().catch(() => undefined),
  };
}

/** data:, blob: and the like never leave the machine; http(s)/ws(s) must target 127.0.0.1. */
export function isLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  return parsed.hostname === '127.0.0.1';
}
