#!/usr/bin/env bash
# Peak RSS and wall time of `declform convert` and `declform merge` on sheets much larger than
# their one form (#22 item 9): a plain one-form workbook, the same form followed by 290,000
# rows of empty formatted cells (an 18 MB xlsx, 157 MB of sheet XML), and the same form with
# 3.5 million two-cell merges below it (7 million merged cells, a 17 MB xlsx), each converted
# to JSON, and four copies of each merged. The files are made by
# `cargo run --release --example hostile_sheets` (not committed). Every run must succeed and
# read the same form as the plain file.
#
#   bench/read_memory.sh
#
# BEFORE=path/to/an/older/declform measures that binary too, for a before/after table.
#
# Measured (2-core VM shared with other builds, load about 10; peak RSS and wall time, release
# build; "before" is main at 048b811, which read the whole sheet part to find its merges, kept
# every merge, indexed small merges cell by cell, and grew the input's buffer by doubling):
#   run                     before                 after
#   convert plain            13.0 MiB  0.06 s       12.8 MiB  0.11 s
#   convert empty-cells     221.3 MiB  4.42 s       31.0 MiB  3.16 s
#   convert merged-cells    423.0 MiB  6.58 s       46.4 MiB  2.11 s
#   merge 4 × plain          35.0 MiB  0.06 s       35.0 MiB  0.16 s
#   merge 4 × empty-cells   445.1 MiB 12.95 s       88.6 MiB 12.25 s
#   merge 4 × merged-cells  797.9 MiB 19.37 s      110.7 MiB  8.40 s
# Same form from every file, same merged bytes before and after. What is left is mostly the
# input files themselves (read whole; two at a time in a merge on two cores) and calamine's
# parse of every `<c>` element (the time of empty-cells).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet --bin declform --example hostile_sheets
target=${CARGO_TARGET_DIR:-target}
dir="$target/bench/hostile"
if [ ! -f "$dir/merged-cells.xlsx" ]; then
  "$target/release/examples/hostile_sheets" "$dir" >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in plain empty-cells merged-cells; do
  mkdir -p "$out/$f"
  for i in 1 2 3 4; do cp "$dir/$f.xlsx" "$out/$f/$i.xlsx"; done
done

# One run: LABEL BINARY ARGS...; prints "label  MiB  seconds".
run() {
  local label=$1 bin=$2
  shift 2
  /usr/bin/time -f '%M %e' -o "$out/t" "$bin" "$@" >/dev/null 2>"$out/err" || {
    echo "$label failed:" >&2; cat "$out/err" >&2; exit 1; }
  awk -v n="$label" '{printf "%-30s %9.1f MiB %7.2f s\n", n, $1/1024, $2}' "$out/t"
}

echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %13s %9s\n' run "peak RSS" time
bins=("after=$target/release/declform")
[ -n "${BEFORE:-}" ] && bins+=("before=$BEFORE")
for b in "${bins[@]}"; do
  tag=${b%%=*} bin=${b#*=}
  for f in plain empty-cells merged-cells; do
    run "$tag: convert $f" "$bin" convert "$out/$f/1.xlsx" -o "$out/$tag-$f.json"
  done
  for f in plain empty-cells merged-cells; do
    run "$tag: merge 4 × $f" "$bin" merge "$out/$f" -o "$out/$tag-$f.xlsx" --quiet --date 2025-03-01
  done
done
# Every run read the same form: the JSON the same but for the file's name, and the merged
# workbooks the same bytes (before and after alike).
same=yes
for j in "$out"/*.json; do
  diff -q <(grep -v '"file"' "$out/after-plain.json") <(grep -v '"file"' "$j") >/dev/null ||
    { same=no; echo "differs: $(basename "$j")"; }
done
for x in "$out"/*-*.xlsx; do
  [ "$(basename "$x")" = "1.xlsx" ] && continue
  cmp -s "$out/after-plain.xlsx" "$x" || { same=no; echo "differs: $(basename "$x")"; }
done
echo "same form from every file: $same"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
