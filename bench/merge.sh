#!/usr/bin/env bash
# End-to-end merge benchmark: declform merge against the floor (the same two crates reading
# every cell and writing the same cells and merges, no model, no checks, one thread), on a
# deterministic corpus of WORKBOOKS × FORMS. Prints wall time, forms per second, peak RSS,
# and the ratio merge / floor.
#
#   bench/merge.sh [WORKBOOKS=1000] [FORMS=10] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
workbooks=${1:-1000}
forms=${2:-10}
runs=${3:-3}
total=$((workbooks * forms))

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet --bin declform --example gen_corpus --example floor
corpus="target/bench/corpus-${workbooks}x${forms}"
if [ ! -d "$corpus" ]; then
  target/release/examples/gen_corpus "$corpus" "$workbooks" "$forms" >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Best of RUNS: "seconds peak_kib" of a command.
measure() {
  local best="" line
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/t" "$@" >/dev/null 2>&1
    line=$(cat "$out/t")
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
  done
  echo "$best"
}

floor=$(measure target/release/examples/floor "$corpus" "$out/floor.xlsx")
merge1=$(measure env RAYON_NUM_THREADS=1 target/release/declform merge "$corpus" -o "$out/m1.xlsx" --quiet)
merge=$(measure target/release/declform merge "$corpus" -o "$out/m.xlsx" --quiet)

report() { # name "secs kib"
  awk -v n="$1" -v s="${2%% *}" -v k="${2##* }" -v t="$total" \
    'BEGIN{printf "%-26s %8.2f s %10.0f 表/秒 %8.1f MiB\n", n, s, (s>0? t/s : 0), k/1024}'
}
echo "corpus: $workbooks workbooks × $forms forms = $total forms ($(nproc) cores, best of $runs)"
report "floor (1 thread)" "$floor"
report "merge (1 thread)" "$merge1"
report "merge ($(nproc) threads)" "$merge"
awk -v a="${merge1%% *}" -v b="${merge%% *}" -v f="${floor%% *}" \
  'BEGIN{printf "ratio merge/floor: %.2f (1 thread), %.2f (all threads)\n", a/f, b/f}'
