#!/usr/bin/env bash
# PDF reading benchmark: a PDF of PAGES pages of forms (LibreOffice Calc's print of three
# forms, tests/fixtures/pdf/calc.pdf, repeated with qpdf: `apt-get install -y qpdf`) converted
# to JSON by the release binary pinned to one core. Prints the best wall time of RUNS and
# the peak RSS.
#
#   bench/pdf.sh [PAGES=102] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-102}
runs=${2:-3}
command -v qpdf >/dev/null || { echo "needs qpdf: apt-get install -y qpdf" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet --bin declform
bin="${CARGO_TARGET_DIR:-target}/release/declform"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
copies=$(( (pages + 2) / 3 ))
args=()
for _ in $(seq "$copies"); do args+=(tests/fixtures/pdf/calc.pdf); done
qpdf --empty --pages "${args[@]}" -- "$out/forms.pdf"
best=""
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$out/t" taskset -c 0 "$bin" convert "$out/forms.pdf" -o "$out/forms.json" >/dev/null 2>&1
  line=$(cat "$out/t")
  if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best=$line; fi
done
n=$(grep -o '"project_name"' "$out/forms.json" | wc -l)
awk -v p="$((copies * 3))" -v n="$n" -v s="${best%% *}" -v k="${best##* }" \
  'BEGIN{printf "%d pages, %d forms read on one core: %.2f s (%.1f ms a page), peak %.1f MiB\n", p, n, s, s*1000/p, k/1024}'
