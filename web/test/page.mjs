// Drives the offline page in headless Chromium for tests/page.rs, and prints what it saw as
// JSON on stdout.
//
// usage: node web/test/page.mjs PAGE.html OUT_DIR FILE...
// Every request that is not the page itself, a blob: or a data: URL is blocked and counted.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pagePath, outDir, ...inputs] = process.argv.slice(2);
const pageUrl = pathToFileURL(path.resolve(pagePath)).href;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const result = { network: [], consoleErrors: [] };
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const local = (url) => url === pageUrl || url.startsWith("blob:") || url.startsWith("data:");
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (local(url)) return route.continue();
    result.network.push(url);
    return route.abort();
  });
  context.on("request", (req) => {
    if (!local(req.url()) && !result.network.includes(req.url())) result.network.push(req.url());
  });
  const page = await context.newPage();
  page.on("console", (msg) => { if (msg.type() === "error") result.consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => result.consoleErrors.push(String(err)));
  await page.goto(pageUrl);
  await page.waitForFunction(() => document.body.dataset.ready === "1", null, { timeout: 60000 });
  result.ready = await page.textContent("#status");
  const started = Date.now();
  await page.setInputFiles("#files", inputs);
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("完成"), null, { timeout: 600000 });
  result.seconds = (Date.now() - started) / 1000;
  result.timing = JSON.parse(await page.evaluate(() => document.body.dataset.timing));
  result.status = await page.textContent("#status");
  result.files = await page.$$eval("#file-list tbody tr", (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent)));
  result.findings = await page.$$eval("#findings tbody tr", (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent)));
  // Filtering to 错误 shows only errors.
  await page.selectOption("#severity-filter", "错误");
  result.errorRows = await page.$$eval("#findings tbody tr", (rows) => rows.length);
  await page.selectOption("#severity-filter", "");
  await page.screenshot({ path: path.join(outDir, "page.png"), fullPage: true });
  // One file laid out again in the split grid.
  await page.selectOption("#relaid-file", "0");
  await page.selectOption("#relaid-layout", "split");
  for (const [id, name] of [["#download-merged", "merged.xlsx"], ["#download-csv", "flat.csv"], ["#download-template-2026", "template.xlsx"], ["#download-template-split", "template-split.xlsx"], ["#download-relaid", "relaid-split.xlsx"]]) {
    const clicked = Date.now();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(id)]);
    await download.saveAs(path.join(outDir, name));
    result[name] = download.suggestedFilename();
    result[`${name} seconds`] = (Date.now() - clicked) / 1000;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
