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

const DAMAGED = "工作簿已损坏，无法打开（解析时遇到无法处理的数据）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试";

function download(msg) {
  const y = msg.year || new Date().getFullYear() + 1;
  switch (msg.what) {
    case "merged":
      return ["合并结果.xlsx", session.merged(), XLSX];
    case "csv":
      return ["指标明细.csv", session.flat_csv(), "text/csv"];
    case "flat-xlsx":
      return ["指标明细.xlsx", session.flat_xlsx(), XLSX];
    case "json":
      return ["申报表.json", new TextEncoder().encode(session.json()), "application/json"];
    case "relaid": {
      const name = added[msg.index] ? added[msg.index].name.replace(/\.[^.]*$/, "") : "申报表";
      const suffix = msg.layout ? `${msg.layout}版式` : "官方版式";
      return [`${name}（${suffix}）.xlsx`, session.workbook(msg.index, msg.layout || ""), XLSX];
    }
    case "template-2024":
    case "template-2026": {
      const layout = msg.what.slice(-4);
      return [`申报表模板（${layout}版）.xlsx`, wasm_bindgen.template(layout, y), XLSX];
    }
    default:
      throw new Error(`unknown download ${msg.what}`);
  }
}
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

onmessage = async (e) => {
  const msg = e.data;
  try {
    if (!session) await start();
    if (msg.cmd === "add") {
      const total = msg.files.length;
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
      postMessage({
        type: "done",
        findings: JSON.parse(session.findings()),
        summary: JSON.parse(session.summary()),
      });
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
