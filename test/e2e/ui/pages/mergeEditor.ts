import type { Locator, Page } from 'playwright-core';
import { Workbench } from './workbench';

/** VS Code's merge editor, as the Update command opens it on a conflicting file. */
export class MergeEditor {
  readonly workbench: Workbench;

  constructor(readonly page: Page) {
    this.workbench = new Workbench(page);
  }

  get root(): Locator {
    return this.page.locator('.merge-editor').first();
  }

  /** The editor tab of the merge (its label is the result file's name). */
  tab(file: string | RegExp): Locator {
    return this.page.getByRole('tab', { name: file });
  }

  /** Our editor-title action on merges that an update opened. */
  get completeMerge(): Locator {
    return this.page.getByRole('button', { name: /Complete Merge and Continue the Update/ }).first();
  }

  /** The header of the Result pane: what the merge writes to. */
  get resultHeader(): Locator {
    return this.root.getByText(/^Result$/).first();
  }
}
