//! The shipped samples: the ten seed forms split into three department-like workbooks.
//! `cargo run --example make_samples` writes them (it includes this file); a test checks
//! that doing so changes nothing.

use declform::Form;
use std::path::{Path, PathBuf};

/// Which seed forms (by position) go into which workbook.
pub const SPLIT: [(&str, &[usize]); 3] = [
    ("人民调解科.xlsx", &[0, 2, 4, 6, 8]),
    ("社区矫正中心.xlsx", &[3, 5, 9]),
    ("办公室.xlsx", &[1, 7]),
];

/// Writes the sample workbooks of `forms` into `dir`; returns the paths and form counts.
pub fn write_samples(forms: &[Form], dir: &Path) -> anyhow::Result<Vec<(PathBuf, usize)>> {
    let mut written = Vec::new();
    for (name, picks) in SPLIT {
        let chosen: Vec<Form> = picks
            .iter()
            .filter_map(|&i| forms.get(i).cloned())
            .collect();
        let bytes = declform::write_workbook(&chosen, None)?;
        let path = dir.join(name);
        std::fs::write(&path, bytes)?;
        written.push((path, chosen.len()));
    }
    Ok(written)
}
