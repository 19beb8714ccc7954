//! Workbooks whose sheet is much larger than its one form, for `bench/read_memory.sh` (not a
//! user command; the files are made at bench time, never committed).
//!
//! `cargo run --release --example hostile_sheets -- OUT_DIR [EMPTY_ROWS=290000] [MERGES=3500000]`
//!
//! Writes three workbooks holding the same form (the first of `samples/seed-forms-2024.json`):
//! - `plain.xlsx`: the form as declform writes it;
//! - `empty-cells.xlsx`: the form, then EMPTY_ROWS rows of 24 empty formatted cells each
//!   (`<c r="A100" s="1"/>`), as a sheet formatted down to its last row leaves; 290,000 rows
//!   make a file of about 18 MB;
//! - `merged-cells.xlsx`: the form, then MERGES merges of two cells each (`A100:B100`), eight
//!   a row, below the form: 3,500,000 merges cover 7 million cells.

use std::io::{Read, Write};
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Path::new(args.first().map_or("target/bench/hostile", String::as_str));
    let empty_rows: u32 = args.get(1).map_or(Ok(290_000), |a| a.parse())?;
    let merges: u32 = args.get(2).map_or(Ok(3_500_000), |a| a.parse())?;
    std::fs::create_dir_all(out)?;
    let seed =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed-forms-2024.json"))?;
    let read = declform::read(seed, "seed.json", &Default::default())?;
    let form = read.forms.into_iter().next().expect("the seed holds forms");
    let plain = declform::write_workbook(&[form], None)?;
    std::fs::write(out.join("plain.xlsx"), &plain)?;

    rewrite_sheet(&plain, &out.join("empty-cells.xlsx"), |xml, w| {
        let (head, tail) = split_at(xml, "</sheetData>")?;
        let first = first_free_row(head);
        w.write_all(head.as_bytes())?;
        let mut row = String::new();
        for r in first..first + empty_rows {
            row.clear();
            row.push_str(&format!("<row r=\"{r}\">"));
            for c in 0..24u8 {
                let col = (b'A' + c) as char;
                // Two styles in turn, as banded formatting leaves.
                row.push_str(&format!(
                    "<c r=\"{col}{r}\" s=\"{}\"/>",
                    1 + (r + u32::from(c)) % 2
                ));
            }
            row.push_str("</row>");
            w.write_all(row.as_bytes())?;
        }
        w.write_all(tail.as_bytes())?;
        Ok(())
    })?;

    rewrite_sheet(&plain, &out.join("merged-cells.xlsx"), |xml, w| {
        let first = first_free_row(xml) + 10;
        let (head, tail) = match xml.find("<mergeCells") {
            Some(at) => {
                let close = at + xml[at..].find('>').expect("a complete element") + 1;
                // `<mergeCells count="N">` is rewritten with the new count below.
                (&xml[..at], &xml[close..])
            }
            None => split_at(xml, "</sheetData>").map(|(h, t)| {
                // No merges yet: the element goes right after the cells.
                let end = h.len() + "</sheetData>".len();
                (&xml[..end], &t["</sheetData>".len()..])
            })?,
        };
        let existing = xml.matches("<mergeCell ").count() as u32;
        w.write_all(head.as_bytes())?;
        w.write_all(format!("<mergeCells count=\"{}\">", existing + merges).as_bytes())?;
        let mut buf = String::new();
        for i in 0..merges {
            let r = first + i / 8;
            let c = (i % 8) as u8 * 2;
            let (a, b) = ((b'A' + c) as char, (b'B' + c) as char);
            buf.push_str(&format!("<mergeCell ref=\"{a}{r}:{b}{r}\"/>"));
            if buf.len() > 1 << 16 {
                w.write_all(buf.as_bytes())?;
                buf.clear();
            }
        }
        w.write_all(buf.as_bytes())?;
        if !xml.contains("<mergeCells") {
            w.write_all(b"</mergeCells>")?;
        }
        w.write_all(tail.as_bytes())?;
        Ok(())
    })?;
    for name in ["plain.xlsx", "empty-cells.xlsx", "merged-cells.xlsx"] {
        let size = std::fs::metadata(out.join(name))?.len();
        println!("{name}: {:.1} MB", size as f64 / 1e6);
    }
    Ok(())
}

fn split_at<'a>(xml: &'a str, at: &str) -> anyhow::Result<(&'a str, &'a str)> {
    let i = xml
        .find(at)
        .ok_or_else(|| anyhow::anyhow!("no {at} in the sheet"))?;
    Ok(xml.split_at(i))
}

/// One past the last row number used in the sheet's cells (1-based).
fn first_free_row(xml: &str) -> u32 {
    xml.match_indices("<row r=\"")
        .filter_map(|(i, m)| {
            let rest = &xml[i + m.len()..];
            rest[..rest.find('"')?].parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0)
        + 1
}

/// Copies the workbook to `path`, its (only) form sheet's XML passed through `edit`.
fn rewrite_sheet(
    xlsx: &[u8],
    path: &Path,
    edit: impl Fn(&str, &mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut out = zip::ZipWriter::new(std::fs::File::create(path)?);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i)?;
        let name = entry.name()?.to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        out.start_file(name.as_str(), options)?;
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data)?;
            let mut w = std::io::BufWriter::new(&mut out);
            edit(&xml, &mut w)?;
            w.flush()?;
        } else {
            out.write_all(&data)?;
        }
    }
    out.finish()?;
    Ok(())
}
