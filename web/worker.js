// The offline page's Web Worker: runs the declform library (WebAssembly) off the page's
// thread. Messages in: {cmd: "add", files: [{name, file}]}, {cmd: "download", what, ...},
// {cmd: "clear"}. Messages out: {type: "files", views: [{index, view}], done, total},
// {type: "done", findings, summary}, {type: "download", name, bytes, mime}, {type: "error"}.
/* global wasm_bindgen, WASM_GZ_BASE64 */
"use strict";

let session = null;
// Bytes of every file added, so that the session can be rebuilt after a trap.
const added = [];

async function wasmBytes() {
  const raw = Uint8Array.from(atob(WASM_GZ_BASE64), (c) => c.charCodeAt(0));
  if (typeof DecompressionStream !== "function" || !Blob.prototype.stream) return gunzip(raw);
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// inflate:begin (web/test/page.mjs runs this part in node against zlib)
// Gzip decoding for engines without DecompressionStream (Chrome before 80 and browsers built
// on those cores): DEFLATE (RFC 1951) decoded a bit at a time, canonical Huffman codes as in
// zlib's puff.c. About a second for the page's module; only old engines take this path.
function gunzip(src) {
  const flags = src[3];
  let pos = 10;
  if (flags & 4) pos += 2 + (src[10] | (src[11] << 8));
  if (flags & 8) while (src[pos++]);
  if (flags & 16) while (src[pos++]);
  if (flags & 2) pos += 2;
  const n = src.length;
  const out = new Uint8Array((src[n - 4] | (src[n - 3] << 8) | (src[n - 2] << 16) | (src[n - 1] << 24)) >>> 0);
  let at = 0, buf = 0, cnt = 0;
  const bits = (k) => {
    while (cnt < k) {
      if (pos >= n) throw new Error("gzip: unexpected end");
      buf |= src[pos++] << cnt; cnt += 8;
    }
    const v = buf & ((1 << k) - 1);
    buf >>>= k; cnt -= k;
    return v;
  };
  const huffman = (lengths) => {
    const count = new Uint16Array(16), offs = new Uint16Array(16), symbol = new Uint16Array(lengths.length);
    for (const l of lengths) count[l]++;
    count[0] = 0;
    for (let i = 1; i < 16; i++) offs[i] = offs[i - 1] + count[i - 1];
    lengths.forEach((l, i) => { if (l) symbol[offs[l]++] = i; });
    return { count, symbol };
  };
  const decode = (h) => {
    let code = 0, first = 0, index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const c = h.count[len];
      if (code - c < first) return h.symbol[index + code - first];
      index += c; first = (first + c) << 1; code <<= 1;
    }
    throw new Error("gzip: bad code");
  };
  const LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  const LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  const DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  let last;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      buf = 0; cnt = 0;
      const len = src[pos] | (src[pos + 1] << 8);
      pos += 4;
      out.set(src.subarray(pos, pos + len), at);
      pos += len; at += len;
      continue;
    }
    let lit, dist;
    if (type === 1) {
      const l = new Uint8Array(288);
      l.fill(8, 0, 144); l.fill(9, 144, 256); l.fill(7, 256, 280); l.fill(8, 280, 288);
      lit = huffman(l);
      dist = huffman(new Uint8Array(30).fill(5));
    } else if (type === 2) {
      const nlit = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
      const l = new Uint8Array(19);
      for (let i = 0; i < ncode; i++) l[ORDER[i]] = bits(3);
      const lencode = huffman(l);
      const lengths = new Uint8Array(nlit + ndist);
      for (let i = 0; i < nlit + ndist;) {
        const sym = decode(lencode);
        if (sym < 16) { lengths[i++] = sym; continue; }
        let value = 0, times;
        if (sym === 16) {
          if (i === 0) throw new Error("gzip: bad lengths");
          value = lengths[i - 1]; times = 3 + bits(2);
        } else if (sym === 17) times = 3 + bits(3);
        else times = 11 + bits(7);
        if (i + times > nlit + ndist) throw new Error("gzip: bad lengths");
        while (times--) lengths[i++] = value;
      }
      lit = huffman(lengths.subarray(0, nlit));
      dist = huffman(lengths.subarray(nlit));
    } else {
      throw new Error("gzip: bad block");
    }
    for (;;) {
      let sym = decode(lit);
      if (sym < 256) out[at++] = sym;
      else if (sym === 256) break;
      else {
        sym -= 257;
        const len = LBASE[sym] + bits(LEXT[sym]);
        const d = decode(dist);
        const back = DBASE[d] + bits(DEXT[d]);
        for (let i = 0; i < len; i++, at++) out[at] = out[at - back];
      }
    }
  } while (!last);
  if (at !== out.length) throw new Error("gzip: wrong length");
  return out;
}
// inflate:end

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
// slow). Reading and merging the seed forms makes the reader's and the writer's functions hot
// before the first file arrives: one round before the page says it is ready, then more rounds
// while it waits, each a few tens of milliseconds, stopped by the first message (which waits
// for at most the step under way).
let warmRounds = 0;
let warmStopped = false;
function warmRound() {
  const warm = new wasm_bindgen.Session();
  // The seed forms, laid out as a workbook and read WARM_READS times, then merged: a blank
  // template would be left out of the merge as the command line leaves it out.
  warm.add("预热.json", new TextEncoder().encode(WARM_FORMS));
  const xlsx = warm.workbook(0, "");
  for (let i = 0; i < WARM_READS; i++) warm.add("预热.xlsx", xlsx);
  warm.report();
  warm.merged(today());
  warm.free();
  warmRounds++;
}
async function warmMore() {
  const t0 = performance.now();
  while (!warmStopped && warmRounds < WARM_ROUNDS) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (!warmStopped) warmRound();
  }
  postMessage({ type: "warm", rounds: warmRounds, ms: performance.now() - t0 });
}
// Rounds of 10 reads of the seed workbook (100 forms read and merged), about 70 ms each:
// bench/page.sh times the first batch of 1,000 forms after the page is warm. Measured in
// Chromium 156, the worker read those 1,000 forms in 0.42-0.45 s after 6 rounds, 0.36-0.38 s
// after 12 and 0.35 s after 40 (0.29 s when fully optimised, after reading thousands).
const WARM_READS = 10;
const WARM_ROUNDS = 12;
// The seed forms (samples/seed-forms-2024.json), put in by web/inline.py.
const WARM_FORMS = /*WARM_FORMS*/;

// A panic inside the library traps the WebAssembly instance: start a fresh one and read the
// files again, those that trapped as damaged (so that indexes and findings stay those of the
// page's list).
async function restart() {
  session = null;
  await start();
  for (const f of added) {
    if (f.trapped) session.add_damaged(f.name);
    else session.add(f.name, f.bytes);
  }
}

// Compile and start the library as soon as the page opens, not when the first file comes.
const ready = start().then(warmRound).then(
  () => {
    postMessage({ type: "ready" });
    warmMore();
  },
  (err) => {
    const unsupported = err instanceof WebAssembly.CompileError || err instanceof WebAssembly.LinkError;
    const why = err && err.message ? err.message : err;
    postMessage({
      type: "error",
      unsupported,
      message: unsupported
        ? `无法启动：此浏览器无法运行本页面的 WebAssembly（${why}）。${NEEDS}`
        : `无法启动：页面自检失败（${why}）；请把这句话告诉提供本网页的同事。`,
    });
  },
);
// The browsers the page runs in (as the page's engine check says).
const NEEDS = "需要 Chrome 75、Edge 79、Firefox 79、Safari 15 或更新版本；360、QQ、搜狗等浏览器请切换到“极速模式”，如仍不行请升级浏览器。";

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
    case "docx":
      return ["申报表.docx", session.docx(), DOCX];
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
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
// The layouts' names in the files the page offers (the library's names: 2024, 2026, split).
const LAYOUT_NAMES = { "2024": "2024", "2026": "2026", split: "一体化拆分" };

// read:begin (web/test/page.mjs runs this part in node on files that read and fail)
// A blob's bytes: Blob.arrayBuffer where the engine has it (Chrome 76), FileReader before.
function bytesOf(blob) {
  if (blob.arrayBuffer) return blob.arrayBuffer();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}
// Files are read a group at a time, as one Blob of them: starting a read costs the browser about
// a third of a millisecond whatever its size (measured in Chromium: 100 files took 25-40 ms in
// reads started one by one). A group holds up to GROUP_FILES files and GROUP_BYTES bytes (a
// larger file is a group alone); GROUPS_AHEAD groups are read ahead of the library, so that the
// disk works while forms are read, with at most that many groups waiting in memory.
const GROUP_FILES = 16;
const GROUP_BYTES = 8 << 20;
const GROUPS_AHEAD = 2;
function groupsOf(files) {
  const groups = [];
  let group = [], bytes = 0;
  for (const f of files) {
    if (group.length && (group.length === GROUP_FILES || bytes + f.file.size > GROUP_BYTES)) {
      groups.push(group);
      group = []; bytes = 0;
    }
    group.push(f);
    bytes += f.file.size;
  }
  if (group.length) groups.push(group);
  return groups;
}
// Each file's bytes (a Uint8Array) or the error reading it: the group in one read, cut at the
// files' sizes; when that fails (a file moved, or changed since it was chosen) each file is
// read alone, so that only the file at fault is reported.
async function readGroup(group) {
  try {
    const all = new Uint8Array(await bytesOf(new Blob(group.map((f) => f.file))));
    let at = 0;
    const parts = group.map((f) => all.subarray(at, (at += f.file.size)));
    if (at === all.length) return parts;
  } catch (err) {
    // (read again one by one below)
  }
  return Promise.all(group.map((f) => bytesOf(f.file).then((b) => new Uint8Array(b), (err) => err)));
}
function cannotRead(name, err) {
  const why = err && err.message ? err.message : err;
  return new Error(`无法读取文件“${name}”（${why}）：请确认文件仍在原处、未被其他程序占用，然后重新添加`);
}
// read:end

// The files read so far are posted to the page a few times a second (each message costs the
// worker a quarter of a millisecond), and once more when all are read.
const POST_EVERY_MS = 100;

async function addFiles(files) {
  const total = files.length;
  const t0 = performance.now();
  let waited = 0, done = 0;
  let views = [], posted = t0;
  const post = () => {
    if (views.length) postMessage({ type: "files", views, done, total });
    views = [];
    posted = performance.now();
  };
  const groups = groupsOf(files);
  const reads = [];
  for (let g = 0; g < groups.length; g++) {
    while (reads.length < Math.min(groups.length, g + GROUPS_AHEAD)) {
      const read = readGroup(groups[reads.length]);
      read.catch(() => {}); // (reported when its turn comes)
      reads.push(read);
    }
    const w0 = performance.now();
    const bytesOfGroup = await reads[g];
    reads[g] = null;
    waited += performance.now() - w0;
    for (let k = 0; k < groups[g].length; k++) {
      const { name } = groups[g][k];
      const bytes = bytesOfGroup[k];
      if (!(bytes instanceof Uint8Array)) {
        post();
        throw cannotRead(name, bytes);
      }
      const index = added.length;
      let view;
      try {
        view = JSON.parse(session.add(name, bytes));
        added.push({ name, bytes, trapped: false });
      } catch (err) {
        await restart();
        added.push({ name, bytes: null, trapped: true });
        view = JSON.parse(session.add_damaged(name));
      }
      views.push({ index, view });
      done++;
      if (performance.now() - posted >= POST_EVERY_MS) post();
    }
  }
  post();
  const t1 = performance.now();
  const report = JSON.parse(session.report());
  const timing = { wait_ms: waited, read_ms: t1 - t0 - waited, report_ms: performance.now() - t1 };
  postMessage({ type: "done", findings: report.findings, summary: report.summary, timing });
}

async function handle(msg) {
  try {
    await ready;
    if (!session) await start();
    if (msg.cmd === "add") {
      await addFiles(msg.files);
    } else if (msg.cmd === "download") {
      const t0 = performance.now();
      const [name, bytes, mime] = download(msg);
      const timing = { [`${msg.what}_ms`]: performance.now() - t0 };
      postMessage({ type: "download", name, bytes, mime, timing }, [bytes.buffer]);
    } else if (msg.cmd === "clear") {
      session.clear();
      added.length = 0;
      postMessage({ type: "cleared" });
    }
  } catch (err) {
    postMessage({ type: "error", message: String(err && err.message ? err.message : err) });
  }
}

// One message at a time, in order: adding files waits for their bytes, and a message that
// comes meanwhile (more files, a download, clear) waits its turn.
let queue = Promise.resolve();
onmessage = (e) => {
  warmStopped = true;
  queue = queue.then(() => handle(e.data));
};
