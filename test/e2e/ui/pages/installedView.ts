import type { Locator, Page } from 'playwright-core';
import { Workbench } from './workbench';

/** The "Installed Templates" view of the Templates container, by accessible names. */
export class InstalledView {
  readonly workbench: Workbench;

  constructor(readonly page: Page) {
    this.workbench = new Workbench(page);
  }

  /** Shows the Templates container; expands the view's section if it is collapsed. */
  async open(): Promise<void> {
    await this.workbench.showActivity(/^Templates/);
    const header = this.page.getByRole('button', { name: /Installed Templates Section/ });
    await header.first().waitFor({ state: 'visible' });
    if ((await header.first().getAttribute('aria-expanded')) === 'false') await header.first().click();
    await this.tree.waitFor({ state: 'visible' });
  }

  get tree(): Locator {
    return this.page.getByRole('tree', { name: /Installed Templates/ });
  }

  row(name: string | RegExp): Locator {
    return this.tree.getByRole('treeitem', { name });
  }

  /** A row's inline action (shown on hover), e.g. "Update Template...". */
  async inlineAction(row: Locator, name: string | RegExp): Promise<Locator> {
    await row.hover();
    const action = row.getByRole('button', { name });
    await action.waitFor({ state: 'visible' });
    return action;
  }
}
