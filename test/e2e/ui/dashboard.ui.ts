import * as assert from 'node:assert/strict';
import type { ConsoleMessage } from 'playwright-core';
import { uiTest } from './harness';
import { DashboardPage } from './pages/dashboard';

uiTest(
  'the dashboard shows live cache figures, measures the tiers, and follows light, dark and high-contrast themes',
  async ({ page, screenshot, log, settings }) => {
    const viaSettings = (themeId: string) => settings({ 'workbench.colorTheme': themeId });
    // Chromium reports CSP violations of any frame, the webview's included, on the console.
    const violations: string[] = [];
    const onConsole = (m: ConsoleMessage) => {
      if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) violations.push(m.text());
    };
    page.on('console', onConsole);
    let sideBarClosed = false;
    try {
      const d = new DashboardPage(page);
      await d.wb.ready();
      await d.wb.runCommand('View: Close All Editors');
      await d.open();
      await d.figure('Overall hit ratio').waitFor({ state: 'visible' });
      // The engine opens and the first snapshot arrives: the figures show numbers, not "–".
      await d.frame.getByText(/Live: updated/).waitFor({ state: 'visible', timeout: 30_000 });
      log(`before: ${await d.figureText('Overall hit ratio')}`);

      // Measure the tiers: three figures, memory faster than disk faster than cold.
      await d.button('Measure the Tiers').click();
      await d.measureResults.waitFor({ state: 'visible', timeout: 60_000 });
      const cold = await d.measuredRate('Cold');
      const disk = await d.measuredRate('Warm from disk');
      const memory = await d.measuredRate('Warm from memory');
      log(`measured: cold ${cold}/s, disk ${disk}/s, memory ${memory}/s`);
      assert.ok(memory > disk && disk > cold && cold > 0, `memory ${memory} > disk ${disk} > cold ${cold}`);

      // A batch (Warm Up) changes the live figures; a second one is served from memory.
      for (let round = 1; round <= 2; round++) {
        const before = await d.figureText('Overall hit ratio');
        await d.button('Warm Up').click();
        await expectChange(() => d.figureText('Overall hit ratio'), before);
        // The button is enabled again once the batch is over.
        await d.frame.locator('vscode-button:not([disabled])', { hasText: 'Warm Up' }).waitFor({ state: 'visible' });
        log(`after warm-up ${round}: ${await d.figureText('Overall hit ratio')} | ${await d.figureText('Templates served per second')}`);
      }
      assert.match(await d.figureText('Memory hit ratio'), /^Memory hit ratio[1-9][\d.]*%/, 'memory hits after the second warm-up');
      assert.match(await d.figureText('Templates served per second'), /[1-9]/, 'served templates/s shows the batch');

      // Room for the pictures: no side bar.
      await d.wb.runCommand('View: Close Primary Side Bar');
      sideBarClosed = true;

      // Three themes, one full picture each.
      await d.setTheme('dark', viaSettings);
      await d.fullScreenshot(await screenshot('dashboard-dark').then((p) => p.replace(/\.png$/, '-full.png')));
      await d.setTheme('light', viaSettings);
      await d.fullScreenshot(await screenshot('dashboard-light').then((p) => p.replace(/\.png$/, '-full.png')));
      await d.setTheme('high-contrast', viaSettings);
      await d.fullScreenshot(await screenshot('dashboard-high-contrast').then((p) => p.replace(/\.png$/, '-full.png')));
      await d.setTheme('dark', viaSettings);

      // Restored after a reload by its serializer, with the chart range chosen before (setState).
      await d.rangeButton('5 min').first().click();
      await d.frame.getByRole('button', { name: '5 min', pressed: true }).first().waitFor({ state: 'visible' });
      await d.wb.runCommand('Developer: Reload Window');
      await d.wb.ready();
      await d.heading.waitFor({ state: 'visible', timeout: 60_000 });
      await d.frame.getByText(/Live: updated/).waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await d.rangeButton('5 min').first().getAttribute('aria-pressed'), 'true', 'the chart range survived the reload');
      await d.rangeButton('Session').first().click();
      await screenshot('dashboard-restored-after-reload');

      assert.deepEqual(violations, [], 'no Content Security Policy violation');
    } finally {
      page.off('console', onConsole);
      // Leave the window as the next scenario expects it: the side bar back.
      if (sideBarClosed) await new DashboardPage(page).wb.runCommand('View: Toggle Primary Side Bar Visibility').catch(() => undefined);
    }
  },
  180_000,
);

/** Polls until `read()` differs from `before` (never a fixed sleep). */
async function expectChange(read: () => Promise<string>, before: string, what = 'a change', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await read()) !== before) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`waiting for ${what}: still "${before}" after ${timeoutMs / 1000} s`);
}
