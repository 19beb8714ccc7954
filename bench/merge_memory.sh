#!/usr/bin/env bash
# Memory and open-file limits of a large merge: declform merge on WORKBOOKS × FORMS forms
# (default 2,000 × 10 = 20,000) without a limit on open files and under `ulimit -n` 1024,
# 256 and 64; prints wall time, CPU time (user + system) and peak RSS of each run (GNU time),
# checks that every run wrote the same bytes (cmp), and prints the machine's load before and
# after, since the timings only compare runs made under similar load.
#
#   bench/merge_memory.sh [WORKBOOKS=2000] [FORMS=10] [RUNS=1]
#
# BEFORE=path/to/an/older/declform runs that binary too, alternating with this one, for a
# before/after comparison under the same load.
#
# Measured (2-core VM shared with other builds; README, Performance): form sheets kept deflated,
# written up to 64 to a scratch workbook, against main's merge with a temp file per sheet past
# 1,000: 13.5-17.8 s and 382-403 MiB under every limit, same bytes; before 15.8-27.7 s,
# 972-1,052 MiB unlimited, 1,700-1,730 MiB and different bytes under ulimit -n 1024.
# Then each sheet's XML written directly (bench/PROFILE.md), by hand with this script's
# commands: 373 MiB and 10.2 s CPU unlimited, 378 MiB and 9.6 s CPU under ulimit -n 64, the
# same bytes (load 3.8-4.1, a test build of ours running).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
workbooks=${1:-2000}
forms=${2:-10}
runs=${3:-1}
total=$((workbooks * forms))

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet --bin declform --example gen_corpus
corpus="target/bench/corpus-${workbooks}x${forms}"
if [ ! -d "$corpus" ]; then
  "$target"/release/examples/gen_corpus "$corpus" "$workbooks" "$forms" >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run: NAME LIMIT BINARY; prints "name  seconds  forms/s  CPU seconds  MiB" and keeps the
# output.
run() {
  local name=$1 limit=$2 bin=$3
  sh -c "${limit:+ulimit -n $limit && }exec /usr/bin/time -f '%e %M %U %S' -o '$out/t' '$bin' merge '$corpus' -o '$out/$name.xlsx' --quiet --date 2025-03-01" >/dev/null 2>&1
  awk -v n="$name" -v t="$total" '{printf "%-24s %8.2f s %8.0f 表/秒 %8.2f s CPU %8.1f MiB\n", n, $1, ($1>0? t/$1 : 0), $3+$4, $2/1024}' "$out/t"
}

echo "corpus: $workbooks workbooks × $forms forms = $total forms; $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  run "unlimited-$i" "" "$target"/release/declform
  [ -n "${BEFORE:-}" ] && run "before-unlimited-$i" "" "$BEFORE"
  for n in 1024 256 64; do
    run "ulimit-$n-$i" "$n" "$target"/release/declform
    [ -n "${BEFORE:-}" ] && [ "$n" = 1024 ] && run "before-ulimit-$n-$i" "$n" "$BEFORE"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
same=yes
for f in "$out"/ulimit-*.xlsx "$out"/unlimited-*.xlsx; do
  cmp -s "$out/unlimited-1.xlsx" "$f" || { same=no; echo "differs: $(basename "$f")"; }
done
echo "same bytes under every open-file limit: $same"
if [ -n "${BEFORE:-}" ]; then
  if cmp -s "$out/before-unlimited-1.xlsx" "$out/before-ulimit-1024-1.xlsx"; then b=yes; else b=no; fi
  echo "before: same bytes unlimited and under ulimit -n 1024: $b"
fi
