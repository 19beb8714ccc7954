#!/usr/bin/env bash
# The offline page against the command line on one core, on the same 1,000 forms:
#   bench/page.sh [WORKBOOKS=100] [FORMS=10] [RUNS=3]
# Builds the page (web/build.sh) and a corpus (examples/gen_corpus.rs), then times, in
# headless Chromium, reading and checking the files and downloading the merged workbook,
# beside `taskset -c 0 declform merge` (the page has one thread), and prints each run's
# ratio page / one-core command line. The page's own clock runs from the file input's change
# event to 完成 and from the click on the merged download to its Blob handed to the browser;
# the driver's clock (Playwright's) adds handing the files over to the page (0.1-0.2 s for
# 100 files) and saving the download. The worker's clock splits the page's time: files read
# into wasm and checked (read, report), the merge, and what the page spends around them.
# Needs node, npm, chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
workbooks=${1:-100}; forms=${2:-10}; runs=${3:-3}
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
bash web/build.sh
(cd web/test && [ -d node_modules ] || npm ci --no-audit --no-fund --silent)
cargo build --quiet --release --bin declform --example gen_corpus
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
"$target/release/examples/gen_corpus" "$dir/corpus" "$workbooks" "$forms" >/dev/null
mkdir -p "$dir/out"
root=$PWD
cd "$dir/corpus"
files=(*.xlsx)
echo "page: $(du -b "$root/target/web/declform.html" | cut -f1) bytes; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  node "$root/web/test/page.mjs" "$root/target/web/declform.html" "$dir/out" "${files[@]}" >"$dir/page.json"
  /usr/bin/time -o "$dir/cli.time" -f "%e" taskset -c 0 "$target/release/declform" merge --quiet "${files[@]}" -o "$dir/cli.xlsx"
  python3 - "$dir/page.json" "$dir/cli.time" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cli = float(open(sys.argv[2]).read().split()[-1])
s, m, t, c = d["seconds"], d["merged.xlsx seconds"], d["timing"], d["pageClock"]
page = s + m
own = (c["read_ms"] + c["merged_ms"]) / 1000
phases = ", ".join("%s %.0f ms" % (k, t[k + "_ms"]) for k in ("wait", "read", "report", "merged") if k + "_ms" in t)
print("page: ready in %.2f s, warm in %.2f s; page's clock: read+check %.2f s, merge+download %.2f s, total %.2f s "
      "(worker: %s); driver's clock: %.2f + %.2f = %.2f s; declform merge, one core: %.2f s; "
      "ratio %.2f (driver's clock %.2f)" % (d["readySeconds"], d["warmSeconds"], c["read_ms"] / 1000,
      c["merged_ms"] / 1000, own, phases, s, m, page, cli, own / cli, page / cli))
PY
done
cmp -s "$dir/cli.xlsx" "$dir/out/merged.xlsx" && echo "merged workbooks: identical bytes" || echo "merged workbooks: DIFFER"
