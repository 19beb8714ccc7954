//! Build tool of the offline page, run by `web/build.sh`:
//!
//! ```text
//! cargo run --release -p declform-bindgen -- INPUT.wasm OUT_DIR
//! ```
//!
//! Writes into OUT_DIR what `wasm-bindgen --target no-modules --no-typescript --out-dir
//! OUT_DIR INPUT.wasm` writes (the JavaScript glue and the final module), with the
//! wasm-bindgen library pinned to the version in this repository's Cargo.lock, so that no
//! tool is installed and nothing but Cargo.lock decides what is built. Then checks that the
//! final module needs no WebAssembly feature beyond [`PAGE_FEATURES`], what the page promises
//! to the browsers it names; it fails, naming the feature, when it does.

use std::path::Path;
use std::process::ExitCode;
use wasmparser::{Validator, WasmFeatures};

/// The WebAssembly features the page may use: those of Chrome 75 (June 2019) and of the
/// browsers built on it. The page tries the same ones in the browser before it starts
/// (`declformEngineProblem` in web/page.html); reference types and multi-value (Chrome 96
/// and 85) are left out on purpose.
const PAGE_FEATURES: WasmFeatures = WasmFeatures::MUTABLE_GLOBAL
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::BULK_MEMORY)
    .union(WasmFeatures::FLOATS);

/// Features to name when the module needs one beyond [`PAGE_FEATURES`].
const NAMED: [(WasmFeatures, &str); 6] = [
    // (wasmparser counts externref among the "gc types", a flag of its own.)
    (
        WasmFeatures::REFERENCE_TYPES.union(WasmFeatures::GC_TYPES),
        "reference-types",
    ),
    (WasmFeatures::MULTI_VALUE, "multivalue"),
    (WasmFeatures::SIMD, "simd128"),
    (WasmFeatures::EXCEPTIONS, "exception-handling"),
    (WasmFeatures::TAIL_CALL, "tail-call"),
    (WasmFeatures::MULTI_MEMORY, "multi-memory"),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir] = args.as_slice() else {
        eprintln!("usage: declform-bindgen INPUT.wasm OUT_DIR");
        return ExitCode::from(2);
    };
    match run(Path::new(input), Path::new(out_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("declform-bindgen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &Path, out_dir: &Path) -> anyhow::Result<()> {
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| anyhow::anyhow!("{}: no file name", input.display()))?;
    let mut bytes = std::fs::read(input)
        .map_err(|e| anyhow::anyhow!("failed reading '{}': {e}", input.display()))?;
    for_old_engines(&mut bytes)?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_bytes(stem, bytes)
        .no_modules(true)?
        .typescript(false)
        // As the command line does: without a module, the glue looks for one beside it.
        .omit_default_module_path(false)
        .generate(out_dir)?;
    let output = out_dir.join(format!("{stem}_bg.wasm"));
    let bytes = std::fs::read(&output)?;
    check_features(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", output.display()))
}

/// A module built for old engines (web/build.sh's RUSTFLAGS) has no externref runtime, yet
/// its `target_features` section, the union of every object linked, still claims
/// reference-types and multivalue: Rust's standard library comes precompiled with them.
/// wasm-bindgen reads that section to decide whether to move JavaScript values through an
/// externref table and to return multiple values, so the claims are marked unused (`-`) in
/// place, and the glue stays within what the code was compiled for. A module built with the
/// defaults is left as it is.
fn for_old_engines(bytes: &mut [u8]) -> anyhow::Result<()> {
    let mut has_externref_runtime = false;
    let mut section = None;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload? {
            wasmparser::Payload::ExportSection(exports) => {
                for export in exports {
                    has_externref_runtime |= export?.name == "__externref_table_alloc";
                }
            }
            wasmparser::Payload::CustomSection(custom) if custom.name() == "target_features" => {
                section = Some((custom.data_offset(), custom.data().len()));
            }
            _ => {}
        }
    }
    let Some((offset, len)) = section else {
        return Ok(());
    };
    if has_externref_runtime {
        return Ok(());
    }
    // The section: a count, then for each feature a prefix byte (+ used, - disallowed, =
    // required), its name's length and the name.
    let data = &mut bytes[offset..offset + len];
    let mut reader = wasmparser::BinaryReader::new(data, 0);
    let count = reader.read_var_u32()?;
    let mut marks = Vec::new();
    for _ in 0..count {
        let at = reader.original_position();
        reader.read_u8()?;
        let name_len = reader.read_var_u32()? as usize;
        let name = reader.read_bytes(name_len)?;
        if name == b"reference-types" || name == b"multivalue" {
            marks.push(at);
        }
    }
    for at in marks {
        data[at] = b'-';
    }
    Ok(())
}

/// Fails, naming the features, when the module does not validate with [`PAGE_FEATURES`].
fn check_features(bytes: &[u8]) -> Result<(), String> {
    let Err(error) = Validator::new_with_features(PAGE_FEATURES).validate_all(bytes) else {
        return call_indirect_in_mvp_encoding(bytes);
    };
    // A feature is needed when the module fails without it and with every other one.
    let all = NAMED
        .iter()
        .fold(PAGE_FEATURES, |all, (feature, _)| all | *feature);
    let needed: Vec<&str> = NAMED
        .iter()
        .filter(|(feature, _)| {
            Validator::new_with_features(all - *feature)
                .validate_all(bytes)
                .is_err()
        })
        .map(|(_, name)| *name)
        .collect();
    Err(format!(
        "the module needs WebAssembly features beyond those the page promises (Chrome 75: \
         mutable-globals, sign-ext, nontrapping-fptoint, bulk-memory){}: {error}; build it \
         as web/build.sh does (CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS)",
        if needed.is_empty() {
            String::new()
        } else {
            format!(" ({})", needed.join(", "))
        }
    ))
}

/// Engines without reference types read `call_indirect`'s table as one reserved zero byte;
/// LLVM writes it as a 5-byte LEB when it compiles with reference types (which wasmparser
/// accepts as table 0 either way).
fn call_indirect_in_mvp_encoding(bytes: &[u8]) -> Result<(), String> {
    let mut long = 0;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| e.to_string())?;
        let wasmparser::Payload::CodeSectionEntry(body) = payload else {
            continue;
        };
        let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
        while !ops.eof() {
            let (op, at) = ops.read_with_offset().map_err(|e| e.to_string())?;
            if let wasmparser::Operator::CallIndirect { .. } = op {
                // 0x11, the type index (LEB), the table.
                let mut i = at + 1;
                while bytes[i] & 0x80 != 0 {
                    i += 1;
                }
                if bytes[i + 1] != 0 {
                    long += 1;
                }
            }
        }
    }
    if long > 0 {
        return Err(format!(
            "{long} call_indirect instructions write their table as a multi-byte LEB, which \
             engines without reference types refuse"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm-bindgen of Cargo.lock: the version of the runtime the page is compiled with.
    fn locked_wasm_bindgen() -> String {
        let lock = include_str!("../../../Cargo.lock");
        let mut lines = lock.lines();
        while let Some(line) = lines.next() {
            if line == "name = \"wasm-bindgen\"" {
                let version = lines.next().unwrap_or_default();
                return version
                    .trim_start_matches("version = \"")
                    .trim_end_matches('"')
                    .to_string();
            }
        }
        panic!("Cargo.lock has no wasm-bindgen");
    }

    #[test]
    fn the_pinned_wasm_bindgen_is_the_one_in_cargo_lock() {
        let manifest = include_str!("../Cargo.toml");
        let pinned = manifest
            .lines()
            .find_map(|l| l.strip_prefix("wasm-bindgen-cli-support = \"="))
            .and_then(|l| l.strip_suffix('"'))
            .expect("web/bindgen/Cargo.toml pins wasm-bindgen-cli-support with =");
        let locked = locked_wasm_bindgen();
        assert_eq!(
            pinned, locked,
            "web/bindgen/Cargo.toml pins wasm-bindgen-cli-support ={pinned}, but Cargo.lock has \
             wasm-bindgen {locked}: set the pin to ={locked} (the glue must match the runtime)"
        );
    }

    // Tiny hand-written modules, the same as the page's feature test (web/worker.js).
    const MVP: &[u8] = &[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
    // (func (result i32 i32) i32.const 0 i32.const 0)
    const MULTI_VALUE: &[u8] = &[
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 0, 2, 0x7f, 0x7f, 3, 2, 1, 0, 10, 8, 1, 6,
        0, 0x41, 0, 0x41, 0, 0x0b,
    ];
    // (table 1 externref)
    const REFERENCE_TYPES: &[u8] = &[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 4, 4, 1, 0x6f, 0, 1];
    // (func (param i32) (result i32) local.get 0 i32.extend8_s)
    const SIGN_EXT: &[u8] = &[
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, 3, 2, 1, 0, 10, 7, 1, 5,
        0, 0x20, 0, 0xc0, 0x0b,
    ];

    #[test]
    fn modules_beyond_the_page_features_are_refused_by_name() {
        assert_eq!(check_features(MVP), Ok(()));
        assert_eq!(check_features(SIGN_EXT), Ok(()));
        let e = check_features(MULTI_VALUE).unwrap_err();
        assert!(e.contains("(multivalue)"), "{e}");
        let e = check_features(REFERENCE_TYPES).unwrap_err();
        assert!(e.contains("(reference-types)"), "{e}");
    }
}
