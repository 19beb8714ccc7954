#!/usr/bin/env bash
# Byte-for-byte comparison of everything declform writes, between an older binary and the
# one built from this work tree: for refactorings that must not change a byte of output.
#
#   bench/same_bytes.sh BASE_REV          # builds BASE_REV's binary in a temporary worktree
#   BEFORE=path/to/old/declform bench/same_bytes.sh
#
# OLD_TARGET_DIR keeps BASE_REV's build between runs (a build from clean takes minutes);
# the new binary is built in CARGO_TARGET_DIR (default target/).
#
# Compared: convert of the samples (samples/*.xlsx, samples/seed-forms-2024.json,
# samples/二上/) to xlsx (default grid and every --layout), JSON, flat CSV and flat xlsx;
# template in every layout, every year the CLI offers (2000-2099), with and without
# --protect; merge of the samples and of samples/二上 (with --date, since the summaries
# print the day); the diff report workbook and its text and JSON lists; check's text and
# JSON. Each command's stdout, stderr and exit code are compared too.
#
# Nothing is normalised: declform stamps every workbook with a fixed creation time
# (2024-01-01, src/xlsx.rs) and rust_xlsxwriter writes fixed zip times, so the same forms
# give the same bytes. The script checks that by running the new binary twice on a few
# commands. Exit 0 when all outputs are identical, 1 otherwise (listing the differences).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

work=$(mktemp -d)
cleanup() {
  if [ -n "${old_tree:-}" ]; then git worktree remove --force "$old_tree" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${BEFORE:-}" ]; then
  old=$(realpath "$BEFORE")
else
  rev=${1:?"usage: bench/same_bytes.sh BASE_REV (or BEFORE=path/to/old/declform)"}
  old_tree="$work/old-tree"
  git worktree add --detach --quiet "$old_tree" "$rev"
  (cd "$old_tree" && CARGO_TARGET_DIR="${OLD_TARGET_DIR:-$work/old-target}" cargo build --quiet --bin declform)
  old="${OLD_TARGET_DIR:-$work/old-target}/debug/declform"
fi
cargo build --quiet --bin declform
new="${CARGO_TARGET_DIR:-$root/target}/debug/declform"
[ -x "$old" ] && [ -x "$new" ] || { echo "missing binary: $old or $new" >&2; exit 2; }

# run SIDE ID [ARGS...]: runs the SIDE binary from the repository root, its outputs into
# $work/SIDE/ID.* (the placeholder OUT in ARGS becomes that side's output file).
run() {
  local side=$1 id=$2 bin
  shift 2
  [ "$side" = old ] && bin=$old || bin=$new
  local dir="$work/$side"
  mkdir -p "$dir"
  local args=() a
  for a in "$@"; do args+=("${a//OUT/$dir/$id.out}"); done
  local rc=0
  "$bin" "${args[@]}" >"$dir/$id.stdout" 2>"$dir/$id.stderr" || rc=$?
  # Messages name the output file: the same name on both sides.
  sed -i "s#$dir/#OUTDIR/#g" "$dir/$id.stdout" "$dir/$id.stderr"
  echo "$rc" >"$dir/$id.rc"
}
both() {
  run old "$@"
  run new "$@"
}

samples=(samples/人民调解科.xlsx samples/办公室.xlsx samples/社区矫正中心.xlsx samples/seed-forms-2024.json samples/二上/人民调解科.xlsx)
n=0
for input in "${samples[@]}" ALL; do
  n=$((n + 1))
  if [ "$input" = ALL ]; then set -- samples/*.xlsx samples/seed-forms-2024.json; else set -- "$input"; fi
  both "convert-$n-json" convert "$@"
  both "convert-$n-json-file" convert "$@" -o OUT.json
  both "convert-$n-xlsx" convert "$@" -o OUT.xlsx
  for layout in 2024 2026 split; do
    both "convert-$n-xlsx-$layout" convert "$@" -o OUT.xlsx --layout "$layout"
  done
  both "convert-$n-csv" convert "$@" -o OUT.csv
  both "convert-$n-flat" convert "$@" -o OUT.xlsx --flat
  both "check-$n" check "$@"
  both "check-$n-json" check "$@" --format json
done
# Back from the flat table and from JSON.
for ext in csv json; do
  both "to-$ext" convert samples/*.xlsx -o "OUT.$ext"
  both "from-$ext" convert "$work/old/to-$ext.out.$ext" -o OUT.xlsx
done
# Bad input: the same message, the same exit code, no output.
for bad in samples/有误/*; do
  n=$((n + 1))
  both "bad-$n" convert "$bad" -o OUT.xlsx
done
both check-bad check samples/有误/填写有误.xlsx samples/有误/金额写成汉字.json
both check-bad-json check samples/有误/ --format json
both bad-limit convert samples/办公室.xlsx -o OUT.xlsx --max-inflated-mb 0.001

for layout in 2024 2026 split; do
  for year in $(seq 2000 2099); do
    both "template-$layout-$year" template -o OUT.xlsx --layout "$layout" --year "$year"
    both "template-$layout-$year-protect" template -o OUT.xlsx --layout "$layout" --year "$year" --protect
  done
done

both merge-samples merge samples/*.xlsx samples/seed-forms-2024.json -o OUT.xlsx --date 2025-03-01 -q
both merge-round2 merge samples/二上/ samples/社区矫正中心.xlsx samples/办公室.xlsx -o OUT.xlsx --date 2025-03-01 -q
both merge-keep-going merge samples/人民调解科.xlsx samples/有误/ -o OUT.xlsx --date 2025-03-01 -q --keep-going
both merge-dry-run merge samples/人民调解科.xlsx samples/有误/ --dry-run

both diff-report diff samples/人民调解科.xlsx samples/二上/人民调解科.xlsx -o OUT.xlsx
both diff-text diff samples/人民调解科.xlsx samples/二上/人民调解科.xlsx
both diff-json diff samples/人民调解科.xlsx samples/二上/人民调解科.xlsx --format json
both diff-folders diff samples/ samples/二上/ -o OUT.xlsx
both diff-same diff samples/办公室.xlsx samples/办公室.xlsx -o OUT.xlsx

# Deterministic: the new binary twice gives the same bytes (no clock in any output).
for id in merge-samples diff-report template-2026-2025-protect convert-6-flat; do
  cp "$work/new/$id.out.xlsx" "$work/first.xlsx"
  rm "$work/new/$id."*
  case $id in
    merge-samples) run new "$id" merge samples/*.xlsx samples/seed-forms-2024.json -o OUT.xlsx --date 2025-03-01 -q ;;
    diff-report) run new "$id" diff samples/人民调解科.xlsx samples/二上/人民调解科.xlsx -o OUT.xlsx ;;
    template-*) run new "$id" template -o OUT.xlsx --layout 2026 --year 2025 --protect ;;
    convert-6-flat) run new "$id" convert samples/*.xlsx samples/seed-forms-2024.json -o OUT.xlsx --flat ;;
  esac
  cmp -s "$work/first.xlsx" "$work/new/$id.out.xlsx" || { echo "not deterministic: $id" >&2; exit 1; }
done

differ=0
count=0
for f in "$work"/old/*; do
  count=$((count + 1))
  g="$work/new/$(basename "$f")"
  if ! cmp -s "$f" "$g"; then
    differ=$((differ + 1))
    echo "DIFFERS: $(basename "$f")"
  fi
done
[ "$(ls "$work/old" | wc -l)" = "$(ls "$work/new" | wc -l)" ] || { echo "DIFFERS: the set of files"; differ=$((differ + 1)); }
echo "$count files compared, $differ differ ($old vs $new)"
[ "$differ" = 0 ]
