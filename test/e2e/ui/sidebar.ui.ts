import * as assert from 'node:assert/strict';
import { uiTest } from './harness';
import { TemplatesView } from './pages/templatesView';

uiTest('open the Templates view and expand it to README', async ({ page, screenshot }) => {
  const view = new TemplatesView(page);
  await view.workbench.ready();
  await view.open();
  await view.row(/^Template Marketplace Samples/).first().waitFor({ state: 'visible' });
  await view.expand(/^Documentation, category/);
  const readme = view.row(/^README, version/);
  await readme.first().waitFor({ state: 'visible' });
  await readme.first().click();
  assert.equal(await readme.first().getAttribute('aria-selected'), 'true');
  await readme.first().hover();
  await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'visible' }).catch(() => undefined);
  await screenshot('sidebar-readme');
});
