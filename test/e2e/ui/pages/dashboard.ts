import type { FrameLocator, Locator, Page } from 'playwright-core';
import { Workbench } from './workbench';

export type ThemeKind = 'light' | 'dark' | 'high-contrast';

/** The settings ids 'Default Light Modern', 'Default Dark Modern' and 'Default High Contrast', as the theme picker labels them. */
const THEMES: Record<ThemeKind, { label: string; id: string; bodyClass: string }> = {
  light: { label: 'Light Modern', id: 'Default Light Modern', bodyClass: 'vscode-light' },
  dark: { label: 'Dark Modern', id: 'Default Dark Modern', bodyClass: 'vscode-dark' },
  'high-contrast': { label: 'Dark High Contrast', id: 'Default High Contrast', bodyClass: 'vscode-high-contrast' },
};

/**
 * The Template Marketplace dashboard as a user sees it: opened from the command palette, read by
 * role and accessible name inside its webview. The specs go through this page object only.
 */
export class DashboardPage {
  readonly wb: Workbench;

  constructor(readonly page: Page) {
    this.wb = new Workbench(page);
  }

  async open(): Promise<void> {
    // The extension's contributions are in once its activity bar item shows: only then does the palette list its commands.
    await this.wb.activityBarItem(/Templates/).first().waitFor({ state: 'visible', timeout: 60_000 });
    await this.wb.runCommand('Template Marketplace: Show Dashboard');
    await this.heading.waitFor({ state: 'visible', timeout: 30_000 });
  }

  get frame(): FrameLocator {
    return this.wb.webview();
  }

  /** The dashboard's editor tab. */
  get tab(): Locator {
    return this.page.getByRole('tab', { name: /Template Marketplace Dashboard/ }).first();
  }

  get heading(): Locator {
    return this.frame.getByRole('heading', { name: 'Template Marketplace Cache', exact: true });
  }

  /** A figure (a group named by its label): its whole text, e.g. "Overall hit ratio 92% 12 of 13 reads…". */
  figure(name: string): Locator {
    return this.frame.getByRole('group', { name, exact: true });
  }

  async figureText(name: string): Promise<string> {
    return (await this.figure(name).textContent()) ?? '';
  }

  button(name: string): Locator {
    return this.frame.getByRole('button', { name, exact: true });
  }

  /** A chart range toggle ("1 min", "5 min", "Session"): one per chart, all showing the same choice. */
  rangeButton(name: string): Locator {
    return this.frame.getByRole('button', { name, exact: true });
  }

  get measureResults(): Locator {
    return this.frame.getByRole('group', { name: 'Tier measurement results', exact: true });
  }

  /** Templates/s of one measured tier ("Cold", "Warm from disk", "Warm from memory"), as shown. */
  async measuredRate(name: string): Promise<number> {
    const text = await this.figureText(name);
    const m = /([\d,.]+)\s*templates\/s/.exec(text);
    if (!m) throw new Error(`no "templates/s" figure in ${JSON.stringify(text)}`);
    return Number(m[1]!.replace(/,/g, ''));
  }

  /** Picks a colour theme through "Preferences: Color Theme", as a user would, and waits for the webview to follow. */
  async setTheme(kind: ThemeKind, viaSettings?: (themeId: string) => Promise<unknown>): Promise<void> {
    const theme = THEMES[kind];
    if (viaSettings) {
      // The user's settings.json, edited as a person would (see UiContext.settings): steadier than
      // clicking a row of the command palette while 600 commands fill it.
      await viaSettings(theme.id);
      await this.frame.locator(`body.${theme.bodyClass}`).waitFor({ state: 'attached', timeout: 30_000 });
      // The palette that opened the settings fades out: a screenshot taken meanwhile shows it as a veil.
      await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
      return;
    }
    // The workbench re-renders everything on a theme change; an attempt that lands in the middle of
    // that is closed (Escape) and made again, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#pickTheme(theme.label);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.frame.locator(`body.${theme.bodyClass}`).waitFor({ state: 'attached', timeout: 30_000 });
  }

  async #pickTheme(label: string): Promise<void> {
    const timeout = 10_000;
    // Focus the workbench first: a picker opened while the webview has focus closes when focus returns to it.
    await this.tab.click({ timeout });
    await this.page.keyboard.press('F1');
    await this.wb.quickInputBox.waitFor({ state: 'visible', timeout });
    // Typed rather than filled, then the entry clicked: "Preferences: Browse Color Themes in
    // Marketplace" ranks first for this text, so Enter would pick the wrong one.
    await this.page.keyboard.type('Preferences: Color Theme');
    await this.wb.quickPickOption(/^Preferences: Color Theme/).first().click({ timeout });
    // The picker lists every installed theme: narrow it down, then click the one wanted.
    await this.wb.quickPickOption(/Dark Modern|Light Modern/).first().waitFor({ state: 'visible', timeout });
    await this.page.keyboard.type(label);
    await this.wb.quickPickOption(new RegExp(`^${label}\\b`)).first().click({ timeout });
  }

  /** A screenshot of the whole dashboard: the window is made tall enough for all of it, then restored. */
  async fullScreenshot(path: string): Promise<void> {
    const size = this.page.viewportSize() ?? { width: 1400, height: 860 };
    // The workbench around the editor takes about 100 px; the webview's own page is as tall as its content.
    const content = await this.frame.locator('body').evaluate((b) => b.scrollHeight);
    await this.page.setViewportSize({ width: size.width, height: Math.min(4000, Math.max(size.height, content + 110)) });
    try {
      await this.heading.waitFor({ state: 'visible' });
      // No hover tooltip in the picture: rest the pointer on the page's heading.
      await this.heading.hover();
      // Let the charts take the new size (ResizeObserver) before the picture.
      await this.page.waitForTimeout(300);
      await this.page.screenshot({ path });
    } finally {
      await this.page.setViewportSize(size);
    }
  }
}
