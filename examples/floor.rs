//! The floor for `bench/merge.sh`: the least a merge must do with the same two crates.
//! Reads every cell (and, for xlsx, every merge) of every workbook in a folder with calamine
//! and writes the same cells and merges into one workbook with rust_xlsxwriter: no model, no
//! checks, no formats, one thread.
//!
//! `cargo run --release --example floor -- INPUT_DIR OUT.xlsx [ZIP_LEVEL]` (the zip
//! compression level, rust_xlsxwriter's default 6 unless given, so that the floor can be
//! compared at the level `declform merge` uses, 1).

use calamine::{Data, Reader, Sheets, open_workbook_auto};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::PathBuf;

fn write_cell(ws: &mut Worksheet, r: u32, c: u16, d: &Data) -> anyhow::Result<()> {
    match d {
        Data::String(s) => {
            ws.write_string(r, c, s)?;
        }
        Data::Float(f) => {
            ws.write_number(r, c, *f)?;
        }
        Data::Int(i) => {
            ws.write_number(r, c, *i as f64)?;
        }
        Data::Bool(b) => {
            ws.write_boolean(r, c, *b)?;
        }
        Data::DateTime(dt) => {
            ws.write_number(r, c, dt.as_f64())?;
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            ws.write_string(r, c, s)?;
        }
        Data::Error(_) | Data::Empty => {}
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = PathBuf::from(args.next().unwrap_or_else(|| "corpus".into()));
    let output = PathBuf::from(args.next().unwrap_or_else(|| "floor.xlsx".into()));
    let level: Option<u8> = args.next().map(|l| l.parse()).transpose()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&input)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut out = Workbook::new();
    if let Some(level) = level {
        out.set_zip_compression_level(level);
    }
    let blank = Format::new();
    let mut n = 0;
    for file in &files {
        let mut wb = open_workbook_auto(file)?;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name)?;
            let merges = match &mut wb {
                Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name)?,
                Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name)?,
                _ => Vec::new(),
            };
            n += 1;
            let ws = out.add_worksheet();
            ws.set_name(format!("S{n}"))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for m in &merges {
                ws.merge_range(
                    m.start.0,
                    m.start.1 as u16,
                    m.end.0,
                    m.end.1 as u16,
                    "",
                    &blank,
                )?;
            }
            for (r, c, d) in range.used_cells() {
                write_cell(ws, r0 + r as u32, (c0 as usize + c) as u16, d)?;
            }
        }
    }
    out.save(&output)?;
    println!(
        "{} 个文件、{n} 个工作表 → {}",
        files.len(),
        output.display()
    );
    Ok(())
}
