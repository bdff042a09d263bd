import type { Locator, Page } from 'playwright-core';
import { Workbench } from './workbench';

/** The "Templates" activity-bar container and its "Marketplace" tree, by accessible names. */
export class TemplatesView {
  readonly workbench: Workbench;

  constructor(readonly page: Page) {
    this.workbench = new Workbench(page);
  }

  async open(): Promise<void> {
    await this.workbench.showActivity(/^Templates/);
    await this.tree.waitFor({ state: 'visible' });
  }

  get tree(): Locator {
    return this.page.getByRole('tree', { name: /Marketplace/ });
  }

  row(name: string | RegExp): Locator {
    return this.tree.getByRole('treeitem', { name });
  }

  /** Expands a collapsed row (a click on a collapsed row toggles it). */
  async expand(name: string | RegExp): Promise<void> {
    const row = this.row(name).first();
    await row.waitFor({ state: 'visible' });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
    await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle());
  }

  /** The view's welcome content (shown when nothing could be loaded). */
  get welcome(): Locator {
    return this.page.locator('.welcome-view-content');
  }
}
