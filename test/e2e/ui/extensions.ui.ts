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
  // The details editor opens with the extension's name as its heading.
  await page.getByRole('heading', { name: 'Template Marketplace' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  // Its README renders in the details webview.
  await wb.webview().getByRole('heading', { name: /The command line/ }).waitFor({ state: 'visible', timeout: 30_000 });
  const label = await item.first().getAttribute('aria-label');
  assert.match(label ?? '', /Template Marketplace/);
  await screenshot('extensions-view');
});
