#!/usr/bin/env bash
# Builds the offline page: the declform library compiled to WebAssembly and inlined, with
# the page's script and styles, into one HTML file, target/web/declform.html.
# Installs what is missing: the wasm32 target, wasm-bindgen-cli at the version in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! command -v wasm-bindgen >/dev/null 2>&1 || [ "$(wasm-bindgen --version | cut -d' ' -f2)" != "$version" ]; then
  echo "installing wasm-bindgen-cli $version (a few minutes, once)" >&2
  cargo install --quiet wasm-bindgen-cli --version "$version" --locked
fi

cargo build --quiet -p declform-web --target wasm32-unknown-unknown --profile wasm-release
# The page goes to target/web in the repository; the build itself wherever cargo builds.
built="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/declform_web.wasm"
out=target/web
rm -rf "$out/pkg"
mkdir -p "$out/pkg"
wasm-bindgen --target no-modules --no-typescript --out-dir "$out/pkg" \
  "$built"
wasm="$out/pkg/declform_web_bg.wasm"
# (wasm-opt from Debian's binaryen saves only 6% here and, without the right feature flags,
# breaks wasm-bindgen's reference-type table; the page stays well under 3 MiB without it.)
crate_version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
python3 web/inline.py web/page.html "$out/pkg/declform_web.js" "$wasm" "$crate_version" "$out/declform.html"
