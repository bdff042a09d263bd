import type { FrameLocator, Locator, Page } from 'playwright-core';

/**
 * The VS Code workbench as a user sees it. Specs go through this page object, never raw selectors:
 * it finds things by role and accessible name, and drives the workbench through its commands.
 */
export class Workbench {
  constructor(readonly page: Page) {}

  /**
   * Waits until the workbench has rendered and the remote extension host has registered our
   * contributions (the "Templates" activity-bar entry): before that the palette lacks our commands.
   */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.statusBar.waitFor({ state: 'visible', timeout: timeoutMs });
    await this.activityBarItem(/^Templates/).waitFor({ state: 'visible', timeout: timeoutMs });
  }

  get statusBar(): Locator {
    return this.page.locator('footer[role="status"]');
  }

  /** Runs a command from the command palette by its title, as a user would (F1, type, Enter). */
  async runCommand(title: string): Promise<void> {
    // A palette opened while a webview has focus closes again when focus goes back to it: open it
    // from the workbench, and open it again (a bounded number of times) if it closed under us.
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1 || (await this.webviewHasFocus())) await this.page.locator('#workbench\\.parts\\.titlebar').first().click({ position: { x: 300, y: 10 } });
        await this.page.keyboard.press('F1');
        const input = this.quickInputBox;
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(`>${title}`, { timeout: 10_000 });
        await this.quickPickOption(title).first().waitFor({ state: 'visible', timeout: 10_000 });
        await this.page.keyboard.press('Enter');
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Whether keyboard focus is inside a webview's iframe. */
  async webviewHasFocus(): Promise<boolean> {
    // A string: this file is compiled without the DOM library; the expression runs in the page.
    return (await this.page.evaluate("document.activeElement?.tagName === 'IFRAME'")) === true;
  }

  /**
   * Replaces the user settings as a person would: "Open User Settings (JSON)", select all, type,
   * save, close. (VS Code does not notice a settings.json rewritten behind its back in code-server.)
   */
  async replaceUserSettings(json: string): Promise<void> {
    await this.runCommand('Preferences: Open User Settings (JSON)');
    // 1.139 opens it in a modal editor; the cursor is in it once its title shows.
    await this.page.getByText('settings.json', { exact: true }).first().waitFor({ state: 'visible' });
    await this.page.locator('.monaco-editor.focused').first().waitFor({ state: 'visible' });
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
    await this.page.keyboard.press('ControlOrMeta+S');
  }

  /** Closes the modal settings editor (Escape), then clears any notification it left. */
  async closeModalEditor(): Promise<void> {
    const title = this.page.getByText('settings.json', { exact: true }).first();
    for (let i = 0; i < 3 && (await title.isVisible()); i++) await this.page.keyboard.press('Escape');
    await title.waitFor({ state: 'hidden' });
    await this.runCommand('Notifications: Clear All Notifications');
  }

  get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget input.input');
  }

  /** The prompt line under the quick input box (an input box's `prompt`). */
  quickInputMessage(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-message');
  }

  /** The validation message shown while the value breaks the input's rule. */
  quickInputValidation(): Locator {
    return this.page.locator('.quick-input-widget .monaco-inputbox.error, .quick-input-widget .quick-input-message.error, .quick-input-widget .monaco-inputbox-message.error').first();
  }

  quickPickOption(name: string | RegExp): Locator {
    return this.page.locator('.quick-input-widget').getByRole('option', { name });
  }

  /** The sidebar view container with the given title (e.g. "Extensions"). */
  sideBar(): Locator {
    return this.page.locator('#workbench\\.parts\\.sidebar');
  }

  /** Shows a view container (e.g. "Explorer") without toggling it closed when it is already shown. */
  async showActivity(name: RegExp): Promise<void> {
    const tab = this.activityBarItem(name).first();
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  }

  /** Drags the sidebar's edge so that it is `width` pixels wide (long tree descriptions fit). */
  async resizeSideBar(width: number): Promise<void> {
    const box = await this.sideBar().boundingBox();
    if (!box) return;
    const edge = box.x + box.width;
    await this.page.mouse.move(edge + 1, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  activityBarItem(name: string | RegExp): Locator {
    return this.page.getByRole('tab', { name });
  }

  treeItem(name: string | RegExp, within?: Locator): Locator {
    return (within ?? this.page).getByRole('treeitem', { name });
  }

  /** The status bar entry with this accessible name. */
  statusBarItem(name: string | RegExp): Locator {
    return this.statusBar.getByRole('button', { name });
  }

  /** The content of the active webview (two iframes deep), e.g. an extension's details page. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  notifications(): Locator {
    return this.page.locator('.notifications-toasts .notification-toast');
  }
}
