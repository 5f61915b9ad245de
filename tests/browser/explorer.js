// Drives the explorer in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core; no browser download): waits for the first drawing, moves
// one slider, waits for the redraw, and prints what the charts plot as JSON
// for tests/browser/test_explorer.py to check against a direct run.
//
//   node explorer.js URL LEVER VALUE CHART TRACE [SCREENSHOT.png]
const { chromium } = require('playwright-core');

const [url, lever, value, chart, trace, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

(async () => {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    await page.goto(url);
    const runs = () => page.evaluate(id => Number(document.getElementById(id).dataset.run || 0), 'chart-' + chart);
    await page.waitForFunction(id => Number(document.getElementById(id).dataset.run || 0) >= 1,
                               'chart-' + chart, { timeout: 90000 });
    const plotted = () => page.evaluate(([id, name]) => {
      const gd = document.getElementById(id);
      const t = gd.data.find(d => d.name === name);
      return { x: Array.from(t.x), y: Array.from(t.y) };
    }, ['chart-' + chart, trace]);
    const before = await plotted();
    const n = await runs();
    await page.locator('#input-' + lever).fill(String(value));   // an input event, as a dragged slider fires
    await page.waitForFunction(([id, k]) => Number(document.getElementById(id).dataset.run || 0) > k,
                               ['chart-' + chart, n], { timeout: 90000 });
    const after = await plotted();
    const status = await page.textContent('#status');
    const headline = await page.textContent('#headline');
    const shown = await page.textContent('#val-' + lever);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({ before, after, status, headline, shown, errors }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(String(e && e.stack || e)); process.exit(1); });
