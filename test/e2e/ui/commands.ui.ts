import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uiTest } from './harness';
import { TemplatesView } from './pages/templatesView';
import { Workbench } from './pages/workbench';

uiTest('Install Template… from the palette: search "readme", answer the prompts, see the file', async ({ page, screenshot, workspace }) => {
  const wb = new Workbench(page);
  await wb.ready();
  await wb.runCommand('Template Marketplace: Install Template...');
  await wb.quickPickOption(/README/).first().waitFor({ state: 'visible' });
  await wb.quickInputBox.fill('readme');
  await wb.quickPickOption(/^README/).first().waitFor({ state: 'visible' });
  await screenshot('install-1-search');
  await page.keyboard.press('Enter');

  // One input box per variable, with its prompt, its default and "k/n".
  const prompt = wb.quickInputMessage();
  await prompt.getByText(/Project name/).waitFor({ state: 'visible' });
  await wb.quickInputBox.fill('demo-app');
  await page.keyboard.press('Enter');
  await prompt.getByText(/One sentence/).waitFor({ state: 'visible' });
  await page.keyboard.press('Enter'); // keep the default tagline
  await prompt.getByText(/Repository URL/).waitFor({ state: 'visible' });
  await wb.quickInputBox.fill('not a url');
  await wb.quickInputValidation().waitFor({ state: 'visible' });
  await screenshot('install-2-pattern-checked-as-you-type');
  await wb.quickInputBox.fill('https://github.com/acme/demo-app');
  await page.keyboard.press('Enter');
  await prompt.getByText(/License/).waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');

  // The summary of what will be written, then the file opens.
  await wb.quickPickOption(/^Install/).first().waitFor({ state: 'visible' });
  await screenshot('install-3-summary');
  await page.keyboard.press('Enter');
  await page.getByRole('tab', { name: /README\.md/ }).first().waitFor({ state: 'visible' });
  const readme = join(workspace, 'README.md');
  await expectPoll(() => existsSync(readme));
  assert.match(readFileSync(readme, 'utf8'), /demo-app/);
  assert.match(readFileSync(readme, 'utf8'), /github\.com\/acme\/demo-app/);

  // And the Explorer shows it.
  await wb.showActivity(/^Explorer/);
  await page.getByRole('treeitem', { name: /^README\.md/ }).first().waitFor({ state: 'visible' });
  await screenshot('install-4-in-explorer');
});

uiTest('the status bar item shows the hit ratio; its hover has the tables', async ({ page, screenshot }) => {
  const wb = new Workbench(page);
  await wb.ready();
  const item = wb.statusBarItem(/Template Marketplace cache/i).first();
  await item.waitFor({ state: 'visible' });
  assert.match((await item.textContent()) ?? '', /\d+%/);
  await item.hover();
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /memory/i }).first();
  await hover.waitFor({ state: 'visible' });
  assert.match((await hover.textContent()) ?? '', /disk/i);
  await screenshot('status-bar-tooltip');
});

uiTest('with no marketplace reachable, the welcome view explains and offers Retry', async ({ page, screenshot, settings }) => {
  const view = new TemplatesView(page);
  await view.workbench.ready();
  await view.open();
  const restore = await settings({
    'templateMarketplace.includeSampleMarketplace': false,
    // Port 9 on the loopback: nothing listens, the connection is refused at once.
    'templateMarketplace.marketplaces': [{ id: 'offline', url: 'http://127.0.0.1:9/', publicKey: 'kzVHvmpJev/QzNvLxQlDrZvOltvkDRNnBrpE/4DISg8=', name: 'Team Templates' }],
  });
  try {
    await view.welcome.getByText(/No marketplace could be reached/).waitFor({ state: 'visible' });
    await view.welcome.getByRole('button', { name: 'Retry' }).waitFor({ state: 'visible' });
    await screenshot('welcome-offline');
  } finally {
    await restore();
  }
  await view.row(/^Template Marketplace Samples/).first().waitFor({ state: 'visible' });
});

async function expectPoll(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
