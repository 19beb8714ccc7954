//! Writes the shipped sample workbooks from `samples/seed-forms-2024.json`: the ten seed
//! forms split into three department-like workbooks, so that `merge` has something real.
//!
//! Run: `cargo run --example make_samples` (or `-- OUT_DIR` to write elsewhere).

#[path = "../tests/common/samples.rs"]
mod samples;

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| root.clone(), PathBuf::from);
    let seed = root.join("seed-forms-2024.json");
    let doc = declform::read(
        std::fs::read(&seed)?,
        &seed.display().to_string(),
        &Default::default(),
    )?;
    for (path, n) in samples::write_samples(&doc.forms, &out)? {
        println!("{}: {n} 张表", path.display());
    }
    Ok(())
}
