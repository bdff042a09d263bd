import * as assert from 'node:assert/strict';
import { uiTest } from './harness';
import { Workbench } from './pages/workbench';

uiTest('the packaged extension is installed and listed in the Extensions view', async ({ page, screenshot }) => {
  const wb = new Workbench(page);
  await wb.ready();
  await wb.runCommand('Extensions: Show Installed Extensions');
  const sideBar = wb.sideBar();
  const item = sideBar.getByRole('listitem', { name: /Template Marketplace/ });
  await item.first().waitFor({ state: 'visible', timeout: 30_000 });
  await item.first().click();
  // The details editor opens with the extension's name as its heading. On a loaded machine the
  // list may redraw under the click (it showed the item's hover instead, once): then open the
  // focused item with Enter, as a keyboard user would.
  const heading = page.getByRole('heading', { name: 'Template Marketplace' }).first();
  const opened = await heading.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
  if (!opened) {
    await item.first().focus();
    await page.keyboard.press('Enter');
    await heading.waitFor({ state: 'visible', timeout: 30_000 });
  }
  // Its README renders in the details webview.
  await wb.webview().getByRole('heading', { name: /The command line/ }).waitFor({ state: 'visible', timeout: 30_000 });
  const label = await item.first().getAttribute('aria-label');
  assert.match(label ?? '', /Template Marketplace/);
  await screenshot('extensions-view');
});
