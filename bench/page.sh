#!/usr/bin/env bash
# The offline page against the command line on one core, on the same 1,000 forms:
#   bench/page.sh [WORKBOOKS=100] [FORMS=10] [RUNS=3]
# Builds the page (web/build.sh) and a corpus (examples/gen_corpus.rs), then times, in
# headless Chromium, reading and checking the files and downloading the merged workbook,
# beside `taskset -c 0 declform merge` (the page has one thread). Needs node, npm, chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
workbooks=${1:-100}; forms=${2:-10}; runs=${3:-3}
bash web/build.sh
(cd web/test && [ -d node_modules ] || npm ci --no-audit --no-fund --silent)
cargo build --quiet --release --bin declform --example gen_corpus
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
target/release/examples/gen_corpus "$dir/corpus" "$workbooks" "$forms" >/dev/null
mkdir -p "$dir/out"
cd "$dir/corpus"
files=(*.xlsx)
for i in $(seq "$runs"); do
  node "$OLDPWD/web/test/page.mjs" "$OLDPWD/target/web/declform.html" "$dir/out" "${files[@]}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["seconds"]; m=d["merged.xlsx seconds"]; print("page: read+check %.2f s, merge+download %.2f s, total %.2f s" % (s, m, s + m))'
  /usr/bin/time -f "declform merge, one core: %e s" taskset -c 0 "$OLDPWD/target/release/declform" merge --quiet "${files[@]}" -o "$dir/cli.xlsx"
done
cmp -s "$dir/cli.xlsx" "$dir/out/merged.xlsx" && echo "merged workbooks: identical bytes" || echo "merged workbooks: DIFFER"
