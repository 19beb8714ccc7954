#!/usr/bin/env bash
# Mutation testing of the parsing core: cargo-mutants changes one thing at a time in
# amount.rs, date.rs, target.rs, check.rs and coerce.rs (a `>` becomes `>=`, a function returns
# a default, a `&&` becomes `||`, ...) and runs the fast test suites on each change; a mutant
# that no test notices ("missed") is a behaviour nothing checks. Not part of `cargo test` or CI:
# it builds and tests every mutant, which takes hours on two cores.
#
#   bench/mutants.sh [FILE ...]      # default: the five files above
#
# SUITES overrides the test targets (default: the fast suites below); SUITES=--lib runs the
# unit tests alone, several times faster per mutant.
#
# The script installs nothing: it runs the cargo-mutants named by MUTANTS, or the one on PATH,
# and stops (exit 2) saying so when there is none. Nothing of the build or the tests depends on
# it. Results: target/mutants/ (mutants.out/missed.txt lists the survivors, outcomes.json
# everything).
#
# Last run: see README, Development ("Mutation testing").
set -euo pipefail
cd "$(dirname "$0")/.."
mutants=${MUTANTS:-$(command -v cargo-mutants || true)}
if [ -z "$mutants" ] || [ ! -x "$mutants" ]; then
  echo "bench/mutants.sh needs cargo-mutants (version 27 was used): put it on PATH or name it in MUTANTS=" >&2
  exit 2
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(src/amount.rs src/date.rs src/target.rs src/check.rs src/coerce.rs)
args=()
for f in "${files[@]}"; do args+=(--file "$f"); done
start=$(date +%s)
# The fast suites (no LibreOffice, browser or printing); `--lib` holds each module's unit tests.
read -r -a suites <<< "${SUITES:---lib --test cli --test merge_check --test flat --test diff --test hostile --test reader}"
status=0
"$mutants" mutants "${args[@]}" --output target/mutants --timeout-multiplier 3 \
  -- "${suites[@]}" || status=$?
end=$(date +%s)
out=target/mutants/mutants.out
count() { [ -f "$out/$1.txt" ] && grep -c . "$out/$1.txt" || echo 0; }
echo
echo "mutants: caught $(count caught), missed $(count missed), unviable $(count unviable), timeout $(count timeout); $(( (end - start) / 60 )) min"
if [ -s "$out/missed.txt" ]; then
  echo "missed:"
  sed 's/^/  /' "$out/missed.txt"
fi
# cargo-mutants exits 2 when mutants were missed, 3 on timeouts: report, don't fail the script.
[ "$status" -le 3 ] || exit "$status"
