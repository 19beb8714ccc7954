//! Helpers shared by the integration tests.
#![allow(dead_code)]

use calamine::{Data, Reader, Xlsx, open_workbook};
use declform::layout::a1;
use declform::{Document, Form};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed forms shipped in samples/.
pub fn seed() -> Document {
    let path = root().join("samples/seed-forms-2024.json");
    declform::json::from_str(&std::fs::read_to_string(path).unwrap(), "seed").unwrap()
}

/// Runs the real binary in `dir`.
pub fn declform(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_declform"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// What a run printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A sheet as seen by calamine: A1 → displayed value, and the merged areas as `A1:E1`.
#[derive(Debug)]
pub struct SheetView {
    pub cells: BTreeMap<String, Data>,
    pub merges: Vec<String>,
}

impl SheetView {
    pub fn text(&self, cell: &str) -> String {
        match self.cells.get(cell) {
            Some(Data::String(s)) => s.clone(),
            Some(other) => format!("{other}"),
            None => String::new(),
        }
    }
}

/// Every sheet of an xlsx file, by name, in order.
pub fn sheets(path: &Path) -> Vec<(String, SheetView)> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut cells = BTreeMap::new();
            for (r, c, d) in range.used_cells() {
                cells.insert(a1(r0 + r as u32, (c0 as usize + c) as u16), d.clone());
            }
            let mut merges: Vec<String> = wb
                .merge_cells_by_sheet_name(&name)
                .unwrap()
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}",
                        a1(d.start.0, d.start.1 as u16),
                        a1(d.end.0, d.end.1 as u16)
                    )
                })
                .collect();
            merges.sort();
            (name, SheetView { cells, merges })
        })
        .collect()
}

/// Forms without their `source`, for comparing content.
pub fn without_source(forms: Vec<Form>) -> Vec<Form> {
    forms
        .into_iter()
        .map(|mut f| {
            f.source = None;
            f
        })
        .collect()
}

/// Reads a file with the library and drops sources.
pub fn read_forms(path: &Path) -> Vec<Form> {
    let r = declform::reader::read_path(path, &Default::default()).unwrap();
    without_source(r.forms)
}

pub fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// A zip archive (a workbook) with some parts rewritten by `edit(name, bytes)`.
pub fn rewrite_zip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let data = edit(&name, data);
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}
