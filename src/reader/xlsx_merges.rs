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

/// Bytes inflated at a time while looking for `<mergeCells`.
const CHUNK: usize = 64 * 1024;
/// The most of a sheet's tail (from its last `<mergeCells` on) kept in memory while the
/// rest of the part inflates; a longer one is inflated again and parsed as it streams.
const TAIL_KEPT: usize = 4 * 1024 * 1024;
/// Bytes kept from one chunk to the next, so that a `<x:mergeCells` split between two
/// chunks is found.
const OVERLAP: usize = 64;
const NAME: &[u8] = b"mergeCells";

/// The merged areas of the sheet part at `path` that `keep` wants; the part's first (up to
/// four) bytes go to `start`.
///
/// The part is inflated chunk by chunk, never held whole: only its tail from the last
/// `<mergeCells` on is kept (up to [`TAIL_KEPT`]; a longer tail is inflated a second time
/// and parsed as it streams), and merges that `keep` refuses are dropped as they are read.
pub fn merges(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    path: &str,
    keep: &dyn Fn(&Merge) -> bool,
    start: &mut Vec<u8>,
) -> Option<Vec<Merge>> {
    let mut file = zip.by_name(path).ok()?;
    // A part smaller than a chunk (a form's sheet) is read in one, into a buffer its size.
    let chunk_len = usize::try_from(file.size())
        .unwrap_or(CHUNK)
        .saturating_add(1)
        .min(CHUNK);
    let finder = memchr::memmem::Finder::new(NAME);
    // The part's bytes from offset `base` on; the name is looked for from `from` on.
    let mut window: Vec<u8> = Vec::with_capacity(chunk_len);
    let (mut base, mut from) = (0u64, 0usize);
    // Where the last `<mergeCells` starts, and whether `window` starts there.
    let (mut last, mut held): (Option<u64>, bool) = (None, false);
    let mut chunk = vec![0u8; chunk_len];
    loop {
        let n = file.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        let read = chunk.get(..n)?;
        if start.len() < 4 {
            start.extend(read.iter().take(4 - start.len()));
        }
        window.extend_from_slice(read);
        let found = finder
            .find_iter(window.get(from..)?)
            .filter_map(|i| element_start(&window, from + i))
            .last();
        from = window.len().saturating_sub(NAME.len() - 1);
        if let Some(at) = found {
            last = Some(base + at as u64);
            held = true;
            window.drain(..at);
            base += at as u64;
            from -= at.min(from);
        }
        if held && window.len() > TAIL_KEPT {
            held = false;
        }
        if !held {
            let cut = window.len().saturating_sub(OVERLAP);
            window.drain(..cut);
            base += cut as u64;
            from -= cut.min(from);
        }
    }
    drop(file);
    let Some(last) = last else {
        return Some(Vec::new());
    };
    if held {
        return parse(window.as_slice(), keep);
    }
    let mut file = zip.by_name(path).ok()?;
    std::io::copy(&mut (&mut file).take(last), &mut std::io::sink()).ok()?;
    parse(std::io::BufReader::new(file), keep)
}

/// Where the element whose name is at `i` starts, when `i` is the name of a start tag
/// (`<mergeCells` or `<x:mergeCells`): text cannot hold a raw `<`.
fn element_start(xml: &[u8], i: usize) -> Option<usize> {
    if !matches!(xml.get(i.checked_sub(1)?), Some(b'<' | b':')) {
        return None;
    }
    let at = xml.get(..i)?.iter().rposition(|&b| b == b'<')?;
    (xml.get(at + 1) != Some(&b'/')).then_some(at)
}

/// The `<mergeCell ref>` areas from a `<mergeCells>` element on, those `keep` wants.
fn parse(xml: impl std::io::BufRead, keep: &dyn Fn(&Merge) -> bool) -> Option<Vec<Merge>> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().into_inner() == "mergeCell" => {
                let mut at = None;
                for a in e.attributes().flatten() {
                    if a.key.local_name().into_inner() == "ref" {
                        at = Some(
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()?
                                .into_owned(),
                        );
                    }
                }
                let m = area(at?)?;
                if keep(&m) {
                    out.push(m);
                }
            }
            Event::End(e) if e.local_name().into_inner() == "mergeCells" => break,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(out)
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str) -> Option<Vec<u8>> {
    let mut file = zip.by_name(path).ok()?;
    let mut bytes = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The given attributes (by local name) of every element with local name `tag`.
fn elements(xml: &[u8], tag: &str, attrs: &[&str]) -> Option<Vec<Vec<Option<String>>>> {
    // The part is in memory: its events borrow from it, nothing is copied to a buffer.
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().ok()? {
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
    }
    Some(out)
}

/// An A1 area such as `B7:C8` (or one cell) as a merge.
fn area(text: String) -> Option<Merge> {
    let text = if text.contains('$') {
        text.replace('$', "")
    } else {
        text
    };
    let a = crate::layout::Area::try_from(text).ok()?;
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
                let mut start = Vec::new();
                let mut got: Vec<(u32, u32, u32, u32)> =
                    merges(&mut zip, &parts[&name], &|_| true, &mut start)
                        .expect("merges read")
                        .iter()
                        .map(|m| (m.row, u32::from(m.col), m.last_row, u32::from(m.last_col)))
                        .collect();
                want.sort();
                got.sort();
                assert_eq!(got, want, "{}!{name}", file.display());
                // The part's first bytes, for the UTF-16 check: these are UTF-8.
                assert_eq!(start.len(), 4, "{}!{name}", file.display());
                assert!(!crate::reader::utf16_parts::is_utf16(&start));
            }
        }
    }
}
