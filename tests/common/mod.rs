//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod samples;

use calamine::{Data, Reader, Xlsx, open_workbook};
use declform::{Document, Form};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed forms shipped in samples/, as they stand in the JSON (without the `source` that
/// reading gives them).
pub fn seed() -> Document {
    let path = root().join("samples/seed-forms-2024.json");
    let read = declform::read(
        std::fs::read(path).unwrap(),
        "seed.json",
        &Default::default(),
    );
    Document {
        forms: without_source(read.unwrap().forms),
    }
}

/// Reads a file with the library, named as its path.
pub fn read_path(
    path: &Path,
    opts: &declform::ReadOptions,
) -> Result<declform::Read, declform::Error> {
    let bytes =
        std::fs::read(path).map_err(|e| declform::Error::io(path.display().to_string(), e))?;
    declform::read(bytes, &path.display().to_string(), opts)
}

/// The A1 reference of a zero-based cell.
pub fn a1(row: u32, col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    format!("{}{}", letters.iter().rev().collect::<String>(), row + 1)
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
    let r = read_path(path, &Default::default()).unwrap();
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

/// A workbook to edit: every sheet of the xlsx `bytes` copied cell by cell (values, date
/// cells as dates) with its merged areas, `row_offset` rows further down. Tests write forms
/// with the library, then plant changes in the copy.
pub fn editable_workbook(bytes: &[u8], row_offset: u32) -> rust_xlsxwriter::Workbook {
    use rust_xlsxwriter::{Format, Workbook};
    let mut cal = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for name in cal.sheet_names() {
        let range = cal.worksheet_range(&name).unwrap();
        let merges = cal.merge_cells_by_sheet_name(&name).unwrap();
        let ws = wb.add_worksheet();
        ws.set_name(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for m in &merges {
            ws.merge_range(
                m.start.0 + row_offset,
                m.start.1 as u16,
                m.end.0 + row_offset,
                m.end.1 as u16,
                "",
                &Format::new(),
            )
            .unwrap();
        }
        for (r, c, d) in range.used_cells() {
            let (r, c) = (r0 + r as u32 + row_offset, (c0 as usize + c) as u16);
            match d {
                Data::String(s) => ws.write_string(r, c, s).map(|_| ()),
                Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()),
                Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                Data::DateTime(dt) => ws
                    .write_number_with_format(r, c, dt.as_f64(), &date)
                    .map(|_| ()),
                _ => Ok(()),
            }
            .unwrap();
        }
    }
    wb
}

/// The flat table of forms as CSV, appended to `out`.
pub fn write_csv(forms: &[Form], out: &mut Vec<u8>) -> std::io::Result<()> {
    out.extend(declform::flat_csv(forms));
    Ok(())
}

/// A flat CSV read back, without sources.
pub fn read_csv(bytes: &[u8], name: &str) -> Result<Vec<Form>, declform::Error> {
    declform::read(bytes.to_vec(), name, &Default::default()).map(|r| without_source(r.forms))
}

/// The flat table's fixed column headers, as a CSV of no forms has them.
pub fn flat_headers() -> Vec<String> {
    let csv = String::from_utf8(declform::flat_csv(&[])).unwrap();
    csv.trim_start_matches('\u{feff}')
        .trim_end()
        .split(',')
        .map(String::from)
        .collect()
}

/// What a group of tests needs besides Rust: programs on the PATH and font families that
/// fontconfig lists, with the Debian packages that bring them.
pub struct Needs<'a> {
    pub programs: &'a [&'a str],
    pub fonts: &'a [&'a str],
    pub packages: &'a str,
}

impl Needs<'_> {
    /// Whether everything is there. Where something is missing, outside CI the test says
    /// so on stderr and should return (skipped: `cargo test` passes on a machine with only
    /// Rust); under CI (`CI` set, as `.ci/run` runs) it fails, since `.ci/run` installs all.
    pub fn met(&self, what: &str) -> bool {
        let fonts = Command::new("fc-list")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let missing: Vec<&str> = self
            .programs
            .iter()
            .copied()
            .filter(|p| !on_path(p))
            .chain(self.fonts.iter().copied().filter(|f| !fonts.contains(f)))
            .collect();
        if missing.is_empty() {
            return true;
        }
        let why = format!(
            "{what}: {} not installed (apt-get install -y {}; `bash .ci/run` installs everything)",
            missing.join(", "),
            self.packages
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        // Straight to stderr: the test harness keeps what eprintln! prints of a passing test.
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "skipped: {why}");
        false
    }
}

/// Whether a program is on the PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// LibreOffice Calc, for the interop tests.
pub const LIBREOFFICE: Needs<'static> = Needs {
    programs: &["soffice"],
    fonts: &[],
    packages: "libreoffice-calc-nogui",
};

/// LibreOffice, poppler, CJK fonts and Arial's metric twin, for the print tests.
pub const PRINTING: Needs<'static> = Needs {
    programs: &["soffice", "pdftotext", "pdftoppm", "fc-list"],
    fonts: &["Noto Sans CJK", "Liberation Sans"],
    packages: "libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-liberation2",
};

/// LibreOffice Writer too, for printing Word documents (tests/print.rs): the print tests'
/// programs and fonts, and Writer's module, which a Calc-only installation lacks.
pub const WORD_PRINTING: Needs<'static> = Needs {
    programs: &["soffice", "pdftotext", "pdftoppm", "fc-list"],
    fonts: &["Noto Sans CJK", "Liberation Sans"],
    packages: "libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-liberation2",
};

/// Whether LibreOffice Writer is installed (its module beside `soffice`); says so on stderr
/// where it is not, and fails under CI, as [`Needs::met`] does.
pub fn writer_met(what: &str) -> bool {
    if !WORD_PRINTING.met(what) {
        return false;
    }
    let dirs = ["/usr/lib/libreoffice/program", "/opt/libreoffice/program"];
    if dirs
        .iter()
        .any(|d| std::path::Path::new(d).join("libswlo.so").exists())
    {
        return true;
    }
    let why = format!(
        "{what}: LibreOffice Writer not installed (apt-get install -y libreoffice-writer-nogui)"
    );
    assert!(std::env::var_os("CI").is_none(), "{why}");
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
    false
}

/// The first three seed forms in one workbook of the writer's, the second sheet hidden and
/// the third very hidden.
pub fn workbook_with_hidden_sheets() -> Vec<u8> {
    let bytes = declform::write_workbook(&seed().forms[..3], None).unwrap();
    let mut wb = editable_workbook(&bytes, 0);
    wb.worksheet_from_index(1).unwrap().set_hidden(true);
    wb.worksheet_from_index(2).unwrap().set_very_hidden(true);
    wb.save_to_buffer().unwrap()
}
