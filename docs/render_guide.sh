#!/usr/bin/env bash
# Renders the printed pages shown in the clerk's guide (docs/使用说明.md): the three sample
# workbooks merged (the 汇总 page, the 按部门汇总 page, the first form) and the first page of a
# blank template, printed by LibreOffice to PDF, at 60 dpi.
#   docs/render_guide.sh      (needs soffice and pdftoppm: see .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin declform
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target/release/declform merge samples/*.xlsx -o "$tmp/汇总.xlsx" --date 2025-03-01 --quiet
target/release/declform template -o "$tmp/模板.xlsx" --year 2025 2>/dev/null
for book in 汇总 模板; do
  soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to pdf --outdir "$tmp" "$tmp/$book.xlsx" >/dev/null
done
# 汇总 prints on pages 1-3 (landscape), 按部门汇总 on page 4, the first form on page 5.
pdftoppm -r 60 -f 1 -l 1 -png -singlefile "$tmp/汇总.pdf" docs/guide-summary
pdftoppm -r 60 -f 4 -l 4 -png -singlefile "$tmp/汇总.pdf" docs/guide-by-department
pdftoppm -r 60 -f 5 -l 5 -png -singlefile "$tmp/汇总.pdf" docs/guide-form
pdftoppm -r 60 -f 1 -l 1 -png -singlefile "$tmp/模板.pdf" docs/guide-template
ls -l docs/guide-*.png
