#!/usr/bin/env bash
# End-to-end merge benchmark: declform merge against the floor (the same two crates reading
# every cell and writing the same cells and merges, no model, no checks, one thread), on a
# deterministic corpus of WORKBOOKS × FORMS. Prints wall time, forms per second, peak RSS,
# and the ratio merge / floor.
#
#   bench/merge.sh [WORKBOOKS=1000] [FORMS=10] [RUNS=3]
#
# Merge uses no temporary files (memory and open-file limits: bench/merge_memory.sh); it is
# measured on both cores and, with taskset, on one.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
workbooks=${1:-1000}
forms=${2:-10}
runs=${3:-3}
total=$((workbooks * forms))

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet --bin declform --example gen_corpus --example floor
# A few workbooks in other readers' shapes: every 20th has text amounts; with LibreOffice, the
# first 10 are saved as .xls.
xls=0
command -v soffice >/dev/null && xls=10
corpus="target/bench/corpus-${workbooks}x${forms}-xls${xls}"
if [ ! -d "$corpus" ]; then
  "$target"/release/examples/gen_corpus "$corpus" "$workbooks" "$forms" --xls "$xls" >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Best of RUNS (by wall time): "seconds peak_kib cpu_seconds" of a command (CPU = user + system).
measure() {
  local best="" line
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M %U %S" -o "$out/t" "$@" >/dev/null 2>&1
    line=$(awk '{printf "%s %s %.2f", $1, $2, $3 + $4}' "$out/t")
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  echo "$best"
}
field() { echo "$1" | awk -v k="$2" '{print $k}'; }
report() { # name "secs kib cpu"
  awk -v n="$1" -v s="$(field "$2" 1)" -v k="$(field "$2" 2)" -v c="$(field "$2" 3)" -v t="$total" \
    'BEGIN{printf "%-34s %7.2f s %8.0f 表/秒 %8.1f MiB  CPU %6.2f s\n", n, s, (s>0? t/s : 0), k/1024, c}'
}
ratio() { awk -v a="$(field "$1" "${3:-1}")" -v b="$(field "$2" "${3:-1}")" 'BEGIN{printf "%.2f", a/b}'; }

floor6=$(measure "$target"/release/examples/floor "$corpus" "$out/floor.xlsx")
floor1=$(measure "$target"/release/examples/floor "$corpus" "$out/floor.xlsx" 1)
merge_all=$(measure "$target"/release/declform merge "$corpus" -o "$out/m.xlsx" --quiet)
one_core=""
command -v taskset >/dev/null && one_core="taskset -c 0"
echo "corpus: $workbooks workbooks × $forms forms = $total forms; $(nproc) cores; best of $runs"
report "floor, zip level 6 (1 thread)" "$floor6"
report "floor, zip level 1 (1 thread)" "$floor1"
report "merge" "$merge_all"
echo "ratio merge/floor: $(ratio "$merge_all" "$floor6") (level 6), $(ratio "$merge_all" "$floor1") (level 1)"
echo "ratio merge/floor, CPU (user + system): $(ratio "$merge_all" "$floor6" 3) (level 6), $(ratio "$merge_all" "$floor1" 3) (level 1)"
if [ -n "$one_core" ]; then
  merge_one=$(measure $one_core "$target"/release/declform merge "$corpus" -o "$out/m.xlsx" --quiet)
  report "merge on one core" "$merge_one"
  echo "ratio merge on one core/floor: $(ratio "$merge_one" "$floor6") (level 6), $(ratio "$merge_one" "$floor1") (level 1)"
fi

# Reading scales linearly: read (and check) a tenth of the corpus and all of it, writing nothing.
small="target/bench/corpus-$((workbooks / 10))x${forms}"
if [ ! -d "$small" ]; then
  "$target"/release/examples/gen_corpus "$small" "$((workbooks / 10))" "$forms" >/dev/null
fi
read_small=$(measure "$target"/release/declform merge "$small" --dry-run --quiet)
read_all=$(measure "$target"/release/declform merge "$corpus" --dry-run --quiet)
awk -v a="${read_small%% *}" -v b="${read_all%% *}" -v n="$total" \
  'BEGIN{printf "reading (merge --dry-run): %d forms %.2f s, %d forms %.2f s: 10× the forms take %.1f× the time\n", n/10, a, n, b, b/a}'
