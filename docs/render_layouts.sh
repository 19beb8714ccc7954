#!/usr/bin/env bash
# Renders the pictures of the three layouts the writer makes (docs/layout-*.png, shown in the
# README): the second seed form in each grid, printed by LibreOffice, the top of its page.
#   docs/render_layouts.sh      (needs soffice and pdftoppm: see .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin declform
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c 'import json,sys; d=json.load(open("samples/seed-forms-2024.json")); d["forms"]=d["forms"][1:2]; json.dump(d,open(sys.argv[1],"w"),ensure_ascii=False)' "$tmp/one.json"
for layout in 2024 2026 split; do
  target/release/declform convert "$tmp/one.json" --layout "$layout" -o "$tmp/$layout.xlsx"
  soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to pdf --outdir "$tmp" "$tmp/$layout.xlsx" >/dev/null
  # 80 dpi: A4 is 661 × 935 pixels; the top 600 show the header block and the first indicators.
  pdftoppm -r 80 -f 1 -l 1 -x 0 -y 30 -W 661 -H 570 -png -singlefile "$tmp/$layout.pdf" "docs/layout-$layout"
done
ls -l docs/layout-*.png
