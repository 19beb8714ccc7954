//! Merged areas of xlsx sheets in one pass over the sheet's tail.
//!
//! calamine's `merge_cells_by_sheet_name` parses the whole sheet XML a second time to reach
//! `<mergeCells>`, which Excel writes after all the cells: in a merge that was 14% of all
//! instructions, as much as reading the cells. Here the sheet part is located through the
//! workbook's relationships, the last `<mergeCells` is found in the inflated bytes and only
//! that element is parsed (quick-xml). Whatever does not fit returns `None`, and the caller
//! falls back to calamine.

use crate::reader::grid::Merge;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Sheet name → the zip path of its part, from `xl/workbook.xml` and its relationships.
pub fn sheet_parts(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<HashMap<String, String>> {
    let rels = part(zip, "xl/_rels/workbook.xml.rels")?;
    let mut targets: HashMap<String, String> = HashMap::new();
    for (id, target) in elements(&rels, "Relationship", &["Id", "Target"])?
        .into_iter()
        .filter_map(|mut v| Some((v.remove(0)?, v.remove(0)?)))
    {
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("xl/{target}"),
        };
        targets.insert(id, path);
    }
    let workbook = part(zip, "xl/workbook.xml")?;
    let mut parts = HashMap::new();
    for attrs in elements(&workbook, "sheet", &["name", "id"])? {
        if let [Some(name), Some(id)] = attrs.as_slice()
            && let Some(path) = targets.get(id)
        {
            parts.insert(name.clone(), path.clone());
        }
    }
    Some(parts)
}

/// The merged areas of the sheet part at `path`.
pub fn merges(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str) -> Option<Vec<Merge>> {
    let xml = part(zip, path)?;
    // The last `<mergeCells` (or `<x:mergeCells`): text cannot hold a raw `<`.
    let at = memchr::memmem::rfind_iter(&xml, b"mergeCells")
        .find(|&i| i > 0 && matches!(xml.get(i - 1), Some(b'<' | b':')))
        .and_then(|i| xml.get(..i)?.iter().rposition(|&b| b == b'<'));
    let Some(at) = at else {
        return Some(Vec::new());
    };
    let refs = elements(xml.get(at..)?, "mergeCell", &["ref"])?;
    refs.into_iter().map(|mut r| area(&r.pop()??)).collect()
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str) -> Option<Vec<u8>> {
    let mut file = zip.by_name(path).ok()?;
    let mut bytes = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The given attributes (by local name) of every element with local name `tag`.
fn elements(xml: &[u8], tag: &str, attrs: &[&str]) -> Option<Vec<Vec<Option<String>>>> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().into_inner() == tag => {
                let mut values = vec![None; attrs.len()];
                for a in e.attributes().flatten() {
                    if let Some(slot) = attrs
                        .iter()
                        .position(|n| *n == a.key.local_name().into_inner())
                        .and_then(|i| values.get_mut(i))
                    {
                        *slot = Some(
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()?
                                .into_owned(),
                        );
                    }
                }
                out.push(values);
            }
            Event::End(e) if e.local_name().into_inner() == "mergeCells" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(out)
}

/// An A1 area such as `B7:C8` (or one cell) as a merge.
fn area(text: &str) -> Option<Merge> {
    let a = crate::layout::Area::try_from(text.replace('$', "")).ok()?;
    Some(Merge {
        row: a.row,
        col: a.col,
        last_row: a.last_row,
        last_col: a.last_col,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_read_from_the_sheet_tail_equal_calamines() {
        use calamine::Reader;
        let mut files: Vec<std::path::PathBuf> = ["samples", "tests/fixtures/variants"]
            .iter()
            .flat_map(|d| {
                std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(d))
                    .unwrap()
                    .map(|e| e.unwrap().path())
            })
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
            .collect();
        files.sort();
        assert!(files.len() >= 8, "{files:?}");
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
            let parts = sheet_parts(&mut zip).expect("sheet parts found");
            let mut cal: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
            for name in cal.sheet_names() {
                let mut want: Vec<(u32, u32, u32, u32)> = cal
                    .merge_cells_by_sheet_name(&name)
                    .unwrap()
                    .iter()
                    .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                    .collect();
                let mut got: Vec<(u32, u32, u32, u32)> = merges(&mut zip, &parts[&name])
                    .expect("merges read")
                    .iter()
                    .map(|m| (m.row, u32::from(m.col), m.last_row, u32::from(m.last_col)))
                    .collect();
                want.sort();
                got.sort();
                assert_eq!(got, want, "{}!{name}", file.display());
            }
        }
    }
}
