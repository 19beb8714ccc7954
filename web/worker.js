// The offline page's Web Worker: runs the declform library (WebAssembly) off the page's
// thread. Messages in: {cmd: "add", files: [{name, bytes}]}, {cmd: "download", what, ...},
// {cmd: "clear"}. Messages out: {type: "file", index, view}, {type: "progress", done, total},
// {type: "done", findings, summary}, {type: "download", name, bytes, mime}, {type: "error"}.
/* global wasm_bindgen, WASM_GZ_BASE64 */
"use strict";

let session = null;
// Bytes of every file added, so that the session can be rebuilt after a trap.
const added = [];

async function wasmBytes() {
  const raw = Uint8Array.from(atob(WASM_GZ_BASE64), (c) => c.charCodeAt(0));
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let module = null;
async function start() {
  if (!module) {
    module = await WebAssembly.compile(await wasmBytes());
  }
  await wasm_bindgen({ module_or_path: module });
  session = new wasm_bindgen.Session();
}

// Browsers first run WebAssembly in a quick baseline compile and optimise the functions that
// turn out hot; a clerk's first batch of files would run mostly unoptimised (measured: twice as
// slow). Reading and merging a few blank forms while the page waits makes the reader's and the
// writer's functions hot before the first file arrives.
function warmUp() {
  const warm = new wasm_bindgen.Session();
  const blank = wasm_bindgen.template("2024", 2026);
  for (let i = 0; i < 40; i++) warm.add("预热.xlsx", blank);
  warm.report();
  warm.merged(today());
  warm.free();
}

// A panic inside the library traps the WebAssembly instance: start a fresh one and read the
// files that were fine again.
async function restart() {
  session = null;
  await start();
  // Files that failed are added empty, so that indexes stay those of the page's list.
  for (const f of added) {
    session.add(f.name, f.ok ? f.bytes : new Uint8Array(0));
  }
}

// Compile and start the library as soon as the page opens, not when the first file comes.
const ready = start().then(warmUp).then(
  () => postMessage({ type: "ready" }),
  (err) => postMessage({ type: "error", message: `无法启动：${err && err.message ? err.message : err}` }),
);

const DAMAGED = "工作簿已损坏，无法打开（解析时遇到无法处理的数据）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试";

// Today's date on this computer, as the summaries print it (YYYY-MM-DD).
function today() {
  const d = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

function download(msg) {
  const y = msg.year || new Date().getFullYear() + 1;
  switch (msg.what) {
    case "merged":
      return ["合并结果.xlsx", session.merged(today()), XLSX];
    case "csv":
      return ["指标明细.csv", session.flat_csv(), "text/csv"];
    case "flat-xlsx":
      return ["指标明细.xlsx", session.flat_xlsx(), XLSX];
    case "json":
      return ["申报表.json", new TextEncoder().encode(session.json()), "application/json"];
    case "relaid": {
      const name = added[msg.index] ? added[msg.index].name.replace(/\.[^.]*$/, "") : "申报表";
      const suffix = msg.layout ? `${LAYOUT_NAMES[msg.layout]}版式` : "官方版式";
      return [`${name}（${suffix}）.xlsx`, session.workbook(msg.index, msg.layout || ""), XLSX];
    }
    case "template-2024":
    case "template-2026":
    case "template-split": {
      const layout = msg.what.slice("template-".length);
      return [`申报表模板（${LAYOUT_NAMES[layout]}版）.xlsx`, wasm_bindgen.template(layout, y), XLSX];
    }
    default:
      throw new Error(`unknown download ${msg.what}`);
  }
}
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
// The layouts' names in the files the page offers (the library's names: 2024, 2026, split).
const LAYOUT_NAMES = { "2024": "2024", "2026": "2026", split: "一体化拆分" };

onmessage = async (e) => {
  const msg = e.data;
  try {
    await ready;
    if (!session) await start();
    if (msg.cmd === "add") {
      const total = msg.files.length;
      const t0 = performance.now();
      let done = 0;
      for (const file of msg.files) {
        const index = added.length;
        let view;
        try {
          view = JSON.parse(session.add(file.name, file.bytes));
        } catch (err) {
          view = { name: file.name, ok: false, error: `错误：${file.name}: ${DAMAGED}`, forms: [], notices: [] };
          added.push({ name: file.name, bytes: null, ok: false });
          await restart();
          postMessage({ type: "file", index, view });
          postMessage({ type: "progress", done: ++done, total });
          continue;
        }
        added.push({ name: file.name, bytes: view.ok ? file.bytes : null, ok: view.ok });
        postMessage({ type: "file", index, view });
        postMessage({ type: "progress", done: ++done, total });
      }
      const t1 = performance.now();
      const report = JSON.parse(session.report());
      const timing = { read_ms: t1 - t0, report_ms: performance.now() - t1 };
      postMessage({ type: "done", findings: report.findings, summary: report.summary, timing });
    } else if (msg.cmd === "download") {
      const [name, bytes, mime] = download(msg);
      postMessage({ type: "download", name, bytes, mime }, [bytes.buffer]);
    } else if (msg.cmd === "clear") {
      session.clear();
      added.length = 0;
      postMessage({ type: "cleared" });
    }
  } catch (err) {
    postMessage({ type: "error", message: String(err && err.message ? err.message : err) });
  }
};
