// Drives the offline page in headless Chromium for tests/page.rs, and prints what it saw as
// JSON on stdout.
//
// usage: node web/test/page.mjs PAGE.html OUT_DIR FILE... [-- MANY_FILE...]
// Every request that is not the page itself, a blob: or a data: URL is blocked and counted.
// Files after `--` are added after clearing the first ones (the list folds for many files).
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const [pagePath, outDir, ...rest] = process.argv.slice(2);
const cut = rest.indexOf("--");
const inputs = cut < 0 ? rest : rest.slice(0, cut);
const many = cut < 0 ? [] : rest.slice(cut + 1);
const pageUrl = pathToFileURL(path.resolve(pagePath)).href;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const result = { network: [], consoleErrors: [] };

// The worker's gzip decoder for engines without DecompressionStream, run here on the page's
// own module and on a few small inputs (fixed, stored and dynamic blocks) against zlib.
{
  const html = fs.readFileSync(pagePath, "utf8");
  const worker = fs.readFileSync(new URL("../worker.js", import.meta.url), "utf8");
  const part = worker.slice(worker.indexOf("// inflate:begin"), worker.indexOf("// inflate:end"));
  const gunzip = new Function(`${part}\nreturn gunzip;`)();
  const packed = Buffer.from(html.match(/const WASM_GZ_BASE64 = "([^"]*)"/)[1], "base64");
  const samples = [packed, zlib.gzipSync("合并 merge ".repeat(50)), zlib.gzipSync(Buffer.alloc(0)), zlib.gzipSync(Buffer.from("x".repeat(70000)), { level: 0 })];
  result.gunzip = samples.every((z) => Buffer.compare(Buffer.from(gunzip(new Uint8Array(z))), zlib.gunzipSync(z)) === 0);
}

// The worker's reading of files in groups, run here: 40 files in groups of at most 16, each
// file's bytes cut from its group's read; a group with a file that cannot be read (its read
// fails, and so does the group's, whose bytes are then short) is read file by file, and only
// that file gives an error.
{
  const worker = fs.readFileSync(new URL("../worker.js", import.meta.url), "utf8");
  const part = worker.slice(worker.indexOf("// read:begin"), worker.indexOf("// read:end"));
  const { groupsOf, readGroup } = new Function(`${part}\nreturn { groupsOf, readGroup };`)();
  const files = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, file: new Blob([`文件${i}`.repeat(i)]) }));
  const broken = { size: 5, arrayBuffer: () => Promise.reject(new Error("gone")) };
  const withBroken = files.slice(0, 3).concat([{ name: "broken", file: broken }]);
  const text = (b) => (b instanceof Uint8Array ? new TextDecoder().decode(b) : `error: ${b.message}`);
  const groups = groupsOf(files);
  const read = [];
  for (const g of groups) read.push(...(await readGroup(g)).map(text));
  result.groupRead = {
    sizes: groups.map((g) => g.length),
    same: read.every((t, i) => t === `文件${i}`.repeat(i)),
    broken: (await readGroup(withBroken)).map(text),
  };
}

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
  const opened = Date.now();
  await page.goto(pageUrl);
  await page.waitForFunction(() => document.body.dataset.ready === "1", null, { timeout: 60000 });
  result.readySeconds = (Date.now() - opened) / 1000;
  // The worker warms the library up while the page waits for files: time the files after it.
  await page.waitForFunction(() => document.body.dataset.warm, null, { timeout: 60000 });
  result.warm = JSON.parse(await page.evaluate(() => document.body.dataset.warm));
  result.warmSeconds = (Date.now() - opened) / 1000;
  result.ready = await page.textContent("#status");
  // The page's own clock, beside this driver's: from the file input's change event to 完成,
  // and from the click on the merged download to the download handed to the browser (a Blob
  // URL made for it). The driver's clock adds Playwright's handing over of the files and its
  // saving of the download.
  await page.evaluate(() => {
    const s = (window.__pageClock = {});
    const status = document.getElementById("status");
    document.getElementById("files").addEventListener("change", () => { s.change = performance.now(); }, { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (status.textContent.includes("完成")) { s.done = performance.now(); observer.disconnect(); }
    }).observe(status, { childList: true, characterData: true, subtree: true });
    document.getElementById("download-merged").addEventListener("click", () => { s.click = performance.now(); }, { capture: true, once: true });
    const make = URL.createObjectURL;
    URL.createObjectURL = (blob) => {
      if (s.click && !s.blob) s.blob = performance.now();
      return make(blob);
    };
  });
  const started = Date.now();
  await page.setInputFiles("#files", inputs);
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("完成"), null, { timeout: 600000 });
  result.seconds = (Date.now() - started) / 1000;
  result.timing = JSON.parse(await page.evaluate(() => document.body.dataset.timing));
  result.status = await page.textContent("#status");
  result.files = await page.$$eval("#file-list tbody tr", (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent)));
  result.findings = await page.$$eval("#findings tbody tr", (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent)));
  result.ruleTitles = await page.$$eval("#findings tbody tr", (rows) => rows.map((r) => r.cells[1].title));
  result.counts = await page.$$eval(".count b", (bs) => bs.map((b) => Number(b.textContent)));
  const duplicates = () => page.$eval("#duplicates", (ul) => ({ hidden: ul.hidden, items: Array.from(ul.children, (li) => li.textContent) }));
  result.duplicates = await duplicates();
  // The engine check: this engine has every feature; one without bulk memory (a fake
  // validate that refuses memory.fill), or without WebAssembly, is told in Chinese.
  result.engine = await page.evaluate(() => ({
    real: declformEngineProblem(WebAssembly.validate),
    noBulkMemory: declformEngineProblem((bytes) => !bytes.some((b, i) => b === 0xfc && bytes[i + 1] === 0x0b) && WebAssembly.validate(bytes)),
    throwing: declformEngineProblem(() => { throw new Error("x"); }),
    unsupported: window.DECLFORM_UNSUPPORTED || null,
  }));
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
  // The worker's time for the merge, beside the reading's.
  result.timing = JSON.parse(await page.evaluate(() => document.body.dataset.timing));
  const clock = await page.evaluate(() => window.__pageClock);
  result.pageClock = { read_ms: clock.done - clock.change, merged_ms: clock.blob - clock.click };
  if (many.length) {
    await page.click("#clear");
    await page.waitForFunction(() => document.querySelector("#status").textContent.includes("尚未添加文件"));
    await page.setInputFiles("#files", many);
    await page.waitForFunction(() => document.querySelector("#status").textContent.includes("完成"), null, { timeout: 600000 });
    const box = async (sel) => (await page.locator(sel).boundingBox()) || {};
    result.many = {
      status: await page.textContent("#status"),
      counts: await page.$$eval(".count b", (bs) => bs.map((b) => Number(b.textContent))),
      open: await page.$eval("#file-details", (d) => d.open),
      summary: await page.textContent("#file-summary"),
      rows: await page.$$eval("#file-list tbody tr", (rows) => rows.length),
      mergedTop: (await box("#download-merged")).y,
      findingsTop: (await box("#findings")).y,
      filesTop: (await box("#file-details")).y,
      duplicates: await duplicates(),
    };
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
