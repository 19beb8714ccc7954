//! OpenDocument spreadsheets (.ods, and flat .fods) read in one streaming pass over
//! `content.xml` with quick-xml.
//!
//! calamine's ODS reader fails on the white space that some producers (Gnumeric) put
//! between elements, knows no merges and builds every sheet as a dense rectangle, so one
//! stray cell at XFD1048576 asks for billions of cells. Here only the cells that hold
//! something are kept: `number-rows-repeated` and `number-columns-repeated` of any size
//! cost nothing when the repeated cells are empty, spanned cells become merges, covered
//! cells are skipped, and a cell's text is taken from its paragraphs only (`text:s`,
//! `text:tab` and `text:line-break` included; annotations and white space between
//! elements left out). Values go through the same conversion as calamine's cells.

use super::grid::{Fault, Grid, MAX_CELLS, Merge, Value};
use calamine::DataRef;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufRead, BufReader, Cursor, Read};

/// The last column a sheet can have (XFD), zero-based; cells past it are ignored as
/// calamine's readers do.
const LAST_COL: u32 = 16_383;

/// One sheet: its name and its cells.
pub(crate) type Sheet = (String, Grid);

/// Whether a zip archive is an OpenDocument spreadsheet (by its `mimetype`, or by a
/// `content.xml` without the parts of an Excel workbook).
pub(crate) fn is_ods(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    if let Ok(mut m) = zip.by_name("mimetype") {
        let mut text = String::new();
        if m.by_ref().take(200).read_to_string(&mut text).is_ok() {
            // Spreadsheets and spreadsheet templates (.ots).
            return text
                .trim()
                .starts_with("application/vnd.oasis.opendocument.spreadsheet");
        }
    }
    zip.index_for_name("content.xml").is_some()
        && zip.index_for_name("xl/workbook.xml").is_none()
        && zip.index_for_name("xl/workbook.bin").is_none()
}

/// Whether bytes are a flat OpenDocument spreadsheet (.fods): one XML document.
pub(crate) fn is_flat_ods(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
        && memchr::memmem::find(head, b"office:document").is_some()
        && memchr::memmem::find(head, b"application/vnd.oasis.opendocument.spreadsheet").is_some()
}

/// The sheets of a zipped ODS workbook.
pub(crate) fn read_zip(bytes: &[u8]) -> Result<Vec<Sheet>, Fault> {
    let broken = |e: &dyn std::fmt::Display| Fault::Broken(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    if let Ok(manifest) = zip.by_name("META-INF/manifest.xml") {
        let mut text = Vec::new();
        manifest
            .take(16 << 20)
            .read_to_end(&mut text)
            .map_err(|e| broken(&e))?;
        if memchr::memmem::find(&text, b"encryption-data").is_some() {
            return Err(Fault::Encrypted);
        }
    }
    let content = zip.by_name("content.xml").map_err(|e| broken(&e))?;
    read_content(BufReader::new(content))
}

/// The sheets of a flat ODS document (.fods).
pub(crate) fn read_flat(bytes: &[u8]) -> Result<Vec<Sheet>, Fault> {
    read_content(bytes)
}

/// The value-bearing attributes of a cell.
#[derive(Default)]
struct CellStart {
    value: Option<Value>,
    /// `office:value-type="string"` without `office:string-value`, or no type at all:
    /// the text content is the value.
    text_is_value: bool,
    formula: Option<String>,
    cols_repeated: u32,
    cols_spanned: u32,
    rows_spanned: u32,
    covered: bool,
}

/// A number attribute such as `table:number-columns-repeated`, at least 1.
fn count(v: &str) -> u32 {
    v.trim().parse::<u32>().map_or(1, |n| n.max(1))
}

fn cell_start(e: &BytesStart<'_>, covered: bool) -> Result<CellStart, Fault> {
    let mut c = CellStart {
        cols_repeated: 1,
        cols_spanned: 1,
        rows_spanned: 1,
        covered,
        ..CellStart::default()
    };
    let mut kind: Option<String> = None;
    let (mut number, mut date, mut time, mut string, mut boolean) = (None, None, None, None, None);
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|e| Fault::Broken(e.to_string()))?;
        let key = a.key.local_name();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| Fault::Broken(e.to_string()))?
            .into_owned();
        match key.as_ref() {
            "value-type" if a.key.prefix().is_some_and(|p| p.as_ref() == "office") => {
                kind = Some(value)
            }
            "value" => number = Some(value),
            "date-value" => date = Some(value),
            "time-value" => time = Some(value),
            "string-value" => string = Some(value),
            "boolean-value" => boolean = Some(value),
            "formula" => {
                let f = value.split_once(":=").map_or(value.as_str(), |(_, f)| f);
                c.formula = Some(f.trim_start_matches('=').to_string());
            }
            "number-columns-repeated" => c.cols_repeated = count(&value),
            "number-columns-spanned" => c.cols_spanned = count(&value),
            "number-rows-spanned" => c.rows_spanned = count(&value),
            _ => {}
        }
    }
    let typed = match kind.as_deref() {
        Some("float" | "percentage" | "currency") => number
            .and_then(|n| n.trim().parse::<f64>().ok())
            .map(DataRef::Float),
        Some("date") => date.map(DataRef::DateTimeIso),
        Some("time") => time.map(DataRef::DurationIso),
        Some("boolean") => boolean.map(|b| DataRef::Bool(b.trim().eq_ignore_ascii_case("true"))),
        Some("string") => string.map(DataRef::String),
        _ => None,
    };
    c.value = typed.and_then(super::workbook::value_of);
    c.text_is_value = c.value.is_none();
    Ok(c)
}

/// Where the reader is inside the current cell's content.
#[derive(Default)]
struct Text {
    /// The text so far, paragraphs joined by line breaks.
    text: String,
    paragraphs: u32,
    /// Depth of open `text:p`/`text:h` elements (their spans included).
    in_paragraph: u32,
    /// Depth of open elements whose text is not the cell's (annotations, frames).
    ignored: u32,
}

/// Reads `content.xml` (or a flat document) into sheets.
fn read_content<R: BufRead>(input: R) -> Result<Vec<Sheet>, Fault> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut cells: u64 = 0;
    // Position within the current sheet.
    let mut in_sheet = false;
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut rows_repeated: u32 = 1;
    let mut row_cells: Vec<(u64, Value, u32)> = Vec::new(); // column, value, repeats
    let mut row_merges: Vec<(u64, u32, u32)> = Vec::new(); // column, columns, rows
    let mut cell: Option<(CellStart, Text)> = None;
    let mut nested_tables: u32 = 0;
    // Table styles that hide their sheet (`table:display="false"`), and the style being read.
    let mut hiding_styles: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut style: Option<String> = None;
    let attr = |e: &BytesStart<'_>, key: &str| {
        e.try_get_attribute(key)
            .ok()
            .flatten()
            .map(|a| a.value.into_owned())
    };
    let broken = |e: &dyn std::fmt::Display| Fault::Broken(e.to_string());
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| Fault::Broken(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if let Some((_, text)) = cell.as_mut() {
                    match name {
                        _ if text.ignored > 0 => text.ignored += 1,
                        "annotation" | "frame" | "note" | "table" => text.ignored += 1,
                        "p" | "h" if text.in_paragraph == 0 => {
                            if text.paragraphs > 0 {
                                text.text.push('\n');
                            }
                            text.paragraphs += 1;
                            text.in_paragraph = 1;
                        }
                        _ if text.in_paragraph > 0 => {
                            text.in_paragraph += 1;
                            match name {
                                "s" => {
                                    let n = e
                                        .try_get_attribute("text:c")
                                        .ok()
                                        .flatten()
                                        .map(|a| count(&a.value))
                                        .unwrap_or(1);
                                    // A run of spaces no longer than a cell's text.
                                    let n = usize::try_from(n.min(32_767)).unwrap_or(1);
                                    text.text.extend(std::iter::repeat_n(' ', n));
                                }
                                "tab" => text.text.push('\t'),
                                "line-break" => text.text.push('\n'),
                                _ => {}
                            }
                        }
                        _ => text.ignored += 1,
                    }
                } else if nested_tables > 0 {
                    if name == "table" {
                        nested_tables += 1;
                    }
                } else if !in_sheet && name == "style" {
                    style = attr(&e, "style:name");
                } else if !in_sheet && name == "table-properties" {
                    if attr(&e, "table:display").as_deref() == Some("false")
                        && let Some(s) = &style
                    {
                        hiding_styles.insert(s.clone());
                    }
                } else if name == "table" {
                    if in_sheet {
                        nested_tables = 1;
                    } else {
                        let sheet_name = e
                            .try_get_attribute("table:name")
                            .ok()
                            .flatten()
                            .and_then(|a| {
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .ok()
                                    .map(|v| v.into_owned())
                            })
                            .unwrap_or_else(|| format!("Sheet{}", sheets.len() + 1));
                        let mut grid = Grid::new(true);
                        grid.hidden = attr(&e, "table:style-name")
                            .is_some_and(|s| hiding_styles.contains(&s));
                        sheets.push((sheet_name, grid));
                        in_sheet = true;
                        row = 0;
                    }
                } else if in_sheet && name == "table-row" {
                    rows_repeated = e
                        .try_get_attribute("table:number-rows-repeated")
                        .ok()
                        .flatten()
                        .map(|a| count(&a.value))
                        .unwrap_or(1);
                    col = 0;
                    row_cells.clear();
                    row_merges.clear();
                } else if in_sheet && (name == "table-cell" || name == "covered-table-cell") {
                    let start = cell_start(&e, name == "covered-table-cell")?;
                    cell = Some((start, Text::default()));
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = cell.as_mut()
                    && text.in_paragraph > 0
                    && text.ignored == 0
                {
                    text.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((_, text)) = cell.as_mut()
                    && text.in_paragraph > 0
                    && text.ignored == 0
                {
                    text.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = cell.as_mut()
                    && text.in_paragraph > 0
                    && text.ignored == 0
                {
                    match r.resolve_char_ref().map_err(|e| broken(&e))? {
                        Some(ch) => text.text.push(ch),
                        None => {
                            let name = r.xml10_content();
                            let ch = quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| Fault::Broken(format!("unknown entity &{name};")))?;
                            text.text.push_str(ch);
                        }
                    }
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if let Some((_, text)) = cell.as_mut()
                    && !(text.ignored == 0
                        && text.in_paragraph == 0
                        && (name == "table-cell" || name == "covered-table-cell"))
                {
                    if text.ignored > 0 {
                        text.ignored -= 1;
                    } else if text.in_paragraph > 0 {
                        text.in_paragraph -= 1;
                    }
                } else if let Some((start, text)) = cell.take() {
                    // The end of the cell.
                    let repeats = start.cols_repeated;
                    // A covered cell's value is kept: the grid decides what it means
                    // (`Grid::settle_covered`), so that no text is lost unseen.
                    let value = start
                        .value
                        .or_else(|| {
                            (start.text_is_value && !text.text.is_empty())
                                .then_some(Value::Text(text.text))
                        })
                        .or_else(|| start.formula.map(Value::Uncalculated));
                    if let Some(v) = value {
                        row_cells.push((col, v, repeats));
                    }
                    if !start.covered && (start.cols_spanned > 1 || start.rows_spanned > 1) {
                        row_merges.push((col, start.cols_spanned, start.rows_spanned));
                    }
                    col = col.saturating_add(u64::from(repeats));
                } else if nested_tables > 0 {
                    if name == "table" {
                        nested_tables -= 1;
                    }
                } else if in_sheet && name == "table-row" {
                    let Some((_, grid)) = sheets.last_mut() else {
                        continue;
                    };
                    // A merge counts as the cells it covers, at most 4096 (the grid indexes it
                    // by row or column span, which costs less).
                    let per_row: u64 = row_cells.iter().map(|c| u64::from(c.2)).sum::<u64>()
                        + row_merges
                            .iter()
                            .map(|m| (u64::from(m.1) * u64::from(m.2)).min(4096))
                            .sum::<u64>();
                    cells = cells.saturating_add(per_row.saturating_mul(u64::from(rows_repeated)));
                    if cells > MAX_CELLS {
                        return Err(Fault::TooManyCells);
                    }
                    for r in 0..u64::from(rows_repeated) {
                        let Ok(at) = u32::try_from(row + r) else {
                            break;
                        };
                        for (c, v, n) in &row_cells {
                            for k in 0..u64::from(*n) {
                                match u32::try_from(c + k)
                                    .ok()
                                    .filter(|&c| c <= LAST_COL)
                                    .and_then(|c| u16::try_from(c).ok())
                                {
                                    Some(c) => grid.set(at, c, v.clone()),
                                    None => break,
                                }
                            }
                        }
                        for &(c, cols, rows) in &row_merges {
                            let Some(first) = u32::try_from(c)
                                .ok()
                                .filter(|&c| c <= LAST_COL)
                                .and_then(|c| u16::try_from(c).ok())
                            else {
                                continue;
                            };
                            let last_col = u32::from(first).saturating_add(cols - 1).min(LAST_COL);
                            grid.add_merge(Merge {
                                row: at,
                                col: first,
                                last_row: at.saturating_add(rows - 1),
                                last_col: u16::try_from(last_col).unwrap_or(first),
                            });
                        }
                    }
                    row = row.saturating_add(u64::from(rows_repeated));
                    rows_repeated = 1;
                } else if in_sheet && name == "table" {
                    in_sheet = false;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if in_sheet || cell.is_some() {
        return Err(Fault::Broken("content.xml ends inside a table".into()));
    }
    Ok(sheets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
  <office:body>
    <office:spreadsheet>
{body}
    </office:spreadsheet>
  </office:body>
</office:document-content>"#
        )
    }

    fn read(body: &str) -> Vec<Sheet> {
        read_content(doc(body).as_bytes()).unwrap()
    }

    fn text(v: Option<&Value>) -> String {
        v.map(|v| v.text()).unwrap_or_default()
    }

    #[test]
    fn sheets_hidden_by_their_table_style_are_marked() {
        let body = r#"<table:table table:name="见" table:style-name="ta1"><table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row></table:table>
<table:table table:name="隐" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell></table:table-row></table:table>"#;
        let styles = r#"<office:automatic-styles>
  <style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
  <style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>"#;
        let xml = doc(body)
            .replace("<office:body>", &format!("{styles}<office:body>"))
            .replace(
                "xmlns:text=",
                "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" xmlns:text=",
            );
        let sheets = read_content(xml.as_bytes()).unwrap();
        let hidden: Vec<(&str, bool)> =
            sheets.iter().map(|(n, g)| (n.as_str(), g.hidden)).collect();
        assert_eq!(hidden, [("见", false), ("隐", true)]);
    }

    #[test]
    fn indented_xml_spaces_tabs_breaks_and_paragraphs() {
        let sheets = read(
            r#"<table:table table:name="表1">
  <table:table-column table:number-columns-repeated="3"/>
  <table:table-row>
    <table:table-cell office:value-type="string">
      <text:p>a<text:s text:c="3"/>b<text:tab/>c<text:line-break/>d</text:p>
      <text:p>第二段 <text:span>加粗</text:span></text:p>
    </table:table-cell>
    <table:table-cell>
      <office:annotation><text:p>批注</text:p></office:annotation>
      <text:p>无类型</text:p>
    </table:table-cell>
    <table:table-cell office:value-type="string" office:string-value="属性值"><text:p>显示</text:p></table:table-cell>
  </table:table-row>
</table:table>"#,
        );
        let (name, grid) = &sheets[0];
        assert_eq!(name, "表1");
        assert_eq!(text(grid.get(0, 0)), "a   b\tc\nd\n第二段 加粗");
        assert_eq!(text(grid.get(0, 1)), "无类型");
        assert_eq!(text(grid.get(0, 2)), "属性值");
    }

    #[test]
    fn huge_repeats_cost_nothing_and_far_cells_land_where_they_are() {
        let sheets = read(
            r#"<table:table table:name="S">
  <table:table-row table:number-rows-repeated="1048575">
    <table:table-cell table:number-columns-repeated="16384"/>
  </table:table-row>
  <table:table-row>
    <table:table-cell table:number-columns-repeated="16383"/>
    <table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell>
  </table:table-row>
</table:table>"#,
        );
        let grid = &sheets[0].1;
        assert_eq!(grid.cells().count(), 1);
        assert_eq!(grid.get(1_048_575, 16_383), Some(&Value::Number(7.0)));
    }

    #[test]
    fn repeated_values_are_expanded_and_bounded() {
        let sheets = read(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="2">
<table:table-cell office:value-type="boolean" office:boolean-value="true" table:number-columns-repeated="3"/>
</table:table-row></table:table>"#,
        );
        assert_eq!(sheets[0].1.cells().count(), 6);
        assert_eq!(sheets[0].1.get(1, 2), Some(&Value::Bool(true)));
        let huge = doc(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1048576">
<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/>
</table:table-row></table:table>"#,
        );
        assert!(matches!(
            read_content(huge.as_bytes()),
            Err(Fault::TooManyCells)
        ));
    }

    #[test]
    fn spans_become_merges_and_covered_cells_are_kept() {
        let sheets = read(
            r#"<table:table table:name="S">
<table:table-row>
  <table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="3" office:value-type="string"><text:p>产出指标</text:p></table:table-cell>
  <table:covered-table-cell office:value-type="string"><text:p>藏</text:p></table:covered-table-cell>
  <table:table-cell office:value-type="date" office:date-value="2024-03-01T00:00:00"/>
</table:table-row>
<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="time" office:time-value="PT12H"/></table:table-row>
</table:table>
<table:table table:name="二"><table:table-row><table:table-cell table:formula="of:=[.A1]*2"/></table:table-row></table:table>"#,
        );
        let grid = &sheets[0].1;
        assert_eq!(text(grid.shown(2, 1)), "产出指标");
        assert_eq!(text(grid.get(0, 1)), "藏");
        assert_eq!(grid.last_col_of(1, 0), 1);
        assert!(matches!(grid.get(0, 2), Some(Value::Date(_))));
        assert_eq!(text(grid.get(1, 2)), "PT12H");
        assert_eq!(
            sheets[1].1.get(0, 0),
            Some(&Value::Uncalculated("[.A1]*2".into()))
        );
    }

    /// On every ODS that calamine reads (LibreOffice's), the cells are calamine's, and
    /// LibreOffice's templates (.ots) read too.
    #[test]
    fn cells_equal_calamines_where_calamine_reads() {
        use calamine::Reader;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<std::path::PathBuf> =
            ["tests/fixtures/producers", "tests/fixtures/hostile"]
                .iter()
                .flat_map(|d| {
                    std::fs::read_dir(root.join(d))
                        .unwrap()
                        .map(|e| e.unwrap().path())
                })
                .filter(|p| p.extension().is_some_and(|e| e == "ods"))
                .collect();
        files.sort();
        let mut compared = 0;
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let ours = read_zip(&bytes).unwrap();
            let Ok(mut cal) = calamine::open_workbook::<calamine::Ods<_>, _>(&file) else {
                continue;
            };
            for (name, grid) in &ours {
                let Ok(range) = cal.worksheet_range(name) else {
                    continue;
                };
                let mut want = Grid::new(false);
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, d) in range.used_cells() {
                    if let Some(v) = super::super::workbook::value_of_data(d) {
                        want.set(r0 + r as u32, (c0 + c as u32) as u16, v);
                    }
                }
                let got: Vec<_> = grid.cells().collect();
                let want: Vec<_> = want.cells().collect();
                assert_eq!(got, want, "{}!{name}", file.display());
                compared += 1;
            }
        }
        assert!(compared >= 2, "{compared}");
    }

    #[test]
    fn broken_xml_is_a_fault_not_a_panic() {
        for bad in [
            "<table:table table:name=\"S\"><table:table-row>",
            "<table:table table:name=\"S\"><table:table-row><table:table-cell><text:p>&bogus;</text:p></table:table-cell></table:table-row></table:table>",
        ] {
            assert!(matches!(
                read_content(doc(bad).as_bytes()),
                Err(Fault::Broken(_))
            ));
        }
    }
}
