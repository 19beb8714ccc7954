#!/usr/bin/env bash
# Builds the offline page: the declform library compiled to WebAssembly and inlined, with
# the page's script and styles, into one HTML file, target/web/declform.html.
# Adds the wasm32 target when missing; everything else comes through this repository's
# Cargo.lock (the JavaScript glue from web/bindgen, wasm-bindgen's library pinned to the
# runtime's version). Installs nothing into ~/.cargo/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
# The glue must be made by the wasm-bindgen the runtime was compiled with.
locked=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
pinned=$(sed -n 's/^wasm-bindgen-cli-support = "=\(.*\)"$/\1/p' web/bindgen/Cargo.toml)
if [ "$locked" != "$pinned" ]; then
  echo "web/build.sh: Cargo.lock has wasm-bindgen $locked but web/bindgen/Cargo.toml pins" \
    "wasm-bindgen-cli-support =$pinned; set the pin to =$locked" >&2
  exit 1
fi

# WebAssembly for the engines of Chrome 75 and the browsers built on it (360, QQ and other
# domestic browsers often run old Chromium cores): the features they have, without
# reference types and multi-value (Rust's defaults since 1.82). web/bindgen refuses a module
# that needs more.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-cpu=mvp -C target-feature=+mutable-globals,+sign-ext,+nontrapping-fptoint,+bulk-memory"
cargo build --quiet -p declform-web --target wasm32-unknown-unknown --profile wasm-release
# The page goes to target/web in the repository; the build itself wherever cargo builds.
target="${CARGO_TARGET_DIR:-target}"
built="$target/wasm32-unknown-unknown/wasm-release/declform_web.wasm"
out=target/web
rm -rf "$out/pkg"
mkdir -p "$out/pkg"
cargo build --quiet --release -p declform-bindgen
"$target/release/declform-bindgen" "$built" "$out/pkg"
wasm="$out/pkg/declform_web_bg.wasm"
# (wasm-opt from Debian's binaryen saves only 6% here; the page stays well under 3 MiB
# without it.)
crate_version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
python3 web/inline.py web/page.html "$out/pkg/declform_web.js" "$wasm" "$crate_version" "$out/declform.html"
