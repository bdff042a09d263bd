import type { FrameLocator, Locator, Page } from 'playwright-core';

/**
 * The VS Code workbench as a user sees it. Specs go through this page object, never raw selectors:
 * it finds things by role and accessible name, and drives the workbench through its commands.
 */
export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits until the workbench has rendered and the extension host is up. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.statusBar.waitFor({ state: 'visible', timeout: timeoutMs });
  }

  get statusBar(): Locator {
    return this.page.locator('footer[role="status"]');
  }

  /** Runs a command from the command palette by its title, as a user would (F1, type, Enter). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInputBox;
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const option = this.quickPickOption(title);
    await option.first().waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
  }

  get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget input.input');
  }

  quickPickOption(name: string | RegExp): Locator {
    return this.page.locator('.quick-input-widget').getByRole('option', { name });
  }

  /** The sidebar view container with the given title (e.g. "Extensions"). */
  sideBar(): Locator {
    return this.page.locator('#workbench\\.parts\\.sidebar');
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
