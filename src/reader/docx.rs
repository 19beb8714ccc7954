//! Word documents (.docx): the tables of the document body, with the paragraphs right
//! above each table, stacked into one cell grid for the form recogniser.
//!
//! Read in one streaming pass over the main document part with quick-xml. A table's
//! rows become grid rows; `w:gridSpan`, `w:vMerge` (restart, continue) and
//! `w:gridBefore` place cells on the table's grid columns and become merges (as does the
//! older `w:hMerge`). The (at
//! most [`PARAGRAPHS_ABOVE`]) non-empty paragraphs right above a table (the title,
//! `（2024年度）`, `金额单位：万元`) become rows above it, each merged across the table's
//! width as a title row of a workbook is; other prose (填报说明, notes after the last
//! table) is not part of a form and is left out. Consecutive tables are stacked with
//! the paragraphs between them, so that a form split over two tables (header block,
//! then indicators) reads as one, and a document's many forms read as a sheet's many.
//!
//! A cell's paragraphs join with line breaks, `w:br` and `w:cr` are line breaks and
//! `w:tab` a tab; deleted text (`w:del`), field codes, hidden text and text boxes are
//! left out, inserted text (`w:ins`) kept. Rows deleted with tracked changes are left
//! out, and so is a content control's placeholder text (`w:showingPlcHdr`, shown greyed
//! in an empty field). A symbol (`w:sym`) is read as its character (the Symbol font
//! through its encoding); one with no known character becomes U+FFFD with a notice. A table nested in a cell is read as lines of
//! that cell's text (its cells joined by tabs), with a notice.
//!
//! Every grid row remembers where it came from ([`Places`]), so that messages name the
//! table and row a clerk sees in Word: `表格2!第5行第3格`.

use super::grid::{Fault, Grid, MAX_CELLS};
use super::{Notice, Read};
use crate::error::{Error, ErrorKind, Location, Result};
pub(crate) use places::Places;
use places::RowPlace;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufRead, BufReader, Cursor, Read as _};
use std::sync::Arc;
use symbols::symbol;

mod out;
mod places;
mod symbols;
use out::Out;

/// How many non-empty paragraphs right above a table are read as rows of the form (the
/// recogniser looks at most four rows above 项目名称 for the title and year).
pub(crate) const PARAGRAPHS_ABOVE: usize = 4;

/// The last grid column; cells further right are ignored.
const LAST_COL: u32 = 16_383;

/// A document read: its grid, where each row came from, and what to tell the user (grid
/// cell, message).
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub(crate) grid: Grid,
    pub(crate) places: Places,
    pub(crate) notices: Vec<((u32, u16), String)>,
}

/// Whether a zip archive is a Word document (it has a `word/document.xml` part or
/// declares a WordprocessingML main part).
pub(crate) fn is_docx(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    zip.index_for_name("word/document.xml").is_some() || main_part(zip).is_some()
}

/// The main document part named by the package relationships (`_rels/.rels`).
fn main_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<String> {
    let mut text = Vec::new();
    zip.by_name("_rels/.rels")
        .ok()?
        .take(1 << 20)
        .read_to_end(&mut text)
        .ok()?;
    let mut reader = Reader::from_reader(text.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let attr = |k: &str| {
                    e.try_get_attribute(k).ok().flatten().and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    })
                };
                if attr("Type").is_some_and(|t| t.ends_with("/officeDocument"))
                    && let Some(target) = attr("Target")
                {
                    let target = target.trim_start_matches('/').to_string();
                    // A presentation or a workbook names its own main part.
                    let file = target.rsplit('/').next().unwrap_or_default();
                    if file.starts_with("document") && file.ends_with(".xml") {
                        return Some(target);
                    }
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// Reads a zipped Word document.
pub(crate) fn read_zip(bytes: &[u8]) -> Result<Doc, Fault> {
    let broken = |e: &dyn std::fmt::Display| Fault::Broken(e.to_string());
    // XML parts in UTF-16 (which Word opens) are read as UTF-8.
    let rebuilt = super::utf16_parts::rebuild(bytes);
    let bytes = rebuilt.as_deref().unwrap_or(bytes);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let part = main_part(&mut zip).unwrap_or_else(|| "word/document.xml".to_string());
    let part = zip.by_name(&part).map_err(|e| broken(&e))?;
    read_document(BufReader::new(part))
}

/// One table cell being read.
#[derive(Default)]
struct Cell {
    /// The grid column it starts at, and how many it spans.
    col: u32,
    span: u32,
    /// `Some(true)` for `w:vMerge w:val="restart"`, `Some(false)` for a continuation.
    vmerge: Option<bool>,
    /// `w:hMerge` without `restart` (the older way to merge across): part of the cell on
    /// its left.
    hmerge_continue: bool,
    text: String,
    paragraphs: u32,
    nested: bool,
    /// Symbols (`w:sym`) with no known character: font and code, for a notice.
    unknown_symbols: Vec<String>,
    /// In a cell of an outermost table: the tables nested in it, each with where its
    /// lines begin and end in `text`, kept in case the outer table is only a frame.
    inner: Vec<(usize, usize, Table)>,
}

/// One table being read (tables nest: a nested table's text goes to its outer cell).
#[derive(Default)]
struct Table {
    /// Its rows: each row's cells.
    rows: Vec<Vec<Cell>>,
    /// The grid columns of `w:tblGrid`.
    grid_cols: u32,
    /// The next free grid column in the current row.
    next_col: u32,
    cell: Option<Cell>,
    /// Inside the current row's `w:trPr`, and whether it marks the row deleted (a
    /// tracked deletion: Word's final view leaves the row out).
    in_row_props: bool,
    row_deleted: bool,
}

/// What the reader is inside of, at element depth.
#[derive(Default)]
struct State {
    /// Open tables, outermost first.
    tables: Vec<Table>,
    /// Inside a paragraph outside tables: its text so far.
    para: Option<String>,
    /// Depth of elements whose text is skipped (`w:del`, `w:instrText`, text boxes).
    skip: u32,
    /// Inside a run whose properties say `w:vanish` (hidden text).
    vanish: bool,
    /// Inside `w:t` (text to take) or not.
    in_text: bool,
    /// Inside `w:tabs` (tab stop definitions, no text).
    tab_stops: bool,
    /// Open content controls (`w:sdt`): whether each shows its placeholder text
    /// (`w:showingPlcHdr`), which Word shows greyed in an empty field: not data.
    sdts: Vec<bool>,
    /// How many of those show their placeholder.
    placeholders: u32,
}

impl State {
    /// Where text goes now: the innermost open cell's or the body paragraph's.
    fn sink(&mut self) -> Option<&mut String> {
        if self.skip > 0 || self.vanish || self.placeholders > 0 {
            return None;
        }
        if let Some(t) = self.tables.last_mut() {
            return t.cell.as_mut().map(|c| &mut c.text);
        }
        self.para.as_mut()
    }
}

fn int_attr(e: &BytesStart<'_>, key: &str) -> Option<u32> {
    let v = attr(e, key)?;
    v.trim().parse::<u32>().ok()
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (a.key.local_name().as_ref() == key)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// Whether a paragraph is the heading LibreOffice puts above each sheet's table when a
/// workbook goes through HTML (`Sheet 1: 名称`, `工作表 1：名称`): not part of a form.
fn is_sheet_heading(text: &str) -> bool {
    text.split_once([':', '：']).is_some_and(|(label, _)| {
        let label = label.trim();
        ["Sheet", "工作表"].iter().any(|w| {
            label.strip_prefix(w).is_some_and(|n| {
                let n = n.trim();
                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
            })
        })
    })
}

/// Reads the main document part.
fn read_document<R: BufRead>(input: R) -> Result<Doc, Fault> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut st = State::default();
    let mut out = Out {
        doc: Doc {
            grid: Grid::new(true),
            ..Doc::default()
        },
        next_row: 0,
        tables: 0,
        pending: Vec::new(),
        cells: 0,
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| Fault::Broken(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(e) => st.start(&e),
            Event::Text(t) if st.takes_text() => st.text(&t.xml10_content()),
            Event::CData(t) if st.takes_text() => st.text(&t.xml10_content()),
            Event::GeneralRef(r) => st.reference(&r)?,
            Event::End(e) => st.end(e.local_name().as_ref(), &mut out)?,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !st.tables.is_empty() {
        return Err(Fault::Broken("document.xml ends inside a table".into()));
    }
    Ok(out.doc)
}

/// Whether an on/off property (`w:vanish`, `w:showingPlcHdr`) is on: it is unless its
/// `w:val` says off.
fn is_on(e: &BytesStart<'_>) -> bool {
    !matches!(attr(e, "val").as_deref(), Some("0" | "false" | "off"))
}

impl State {
    /// An element opens: inside skipped content only counted; otherwise what it starts
    /// (a table's parts, a content control, a symbol, text and its breaks).
    fn start(&mut self, e: &BytesStart<'_>) {
        if self.skip > 0 {
            self.skip += 1;
            return;
        }
        let local = e.local_name();
        match local.as_ref() {
            // A tracked deletion of the whole row.
            "del" if self.tables.last().is_some_and(|t| t.in_row_props) => self.delete_row(),
            "sdt" => self.sdts.push(false),
            "showingPlcHdr" => self.showing_placeholder(is_on(e)),
            "sym" => self.symbol(e),
            // Deleted text, field instructions, text boxes and drawings, and
            // the fallback copy of alternate content.
            "del" | "moveFrom" | "instrText" | "delInstrText" | "txbxContent" | "drawing"
            | "pict" | "object" | "Fallback" => self.skip = 1,
            "p" => self.start_paragraph(),
            "r" => self.vanish = false,
            "vanish" | "specVanish" => self.vanish = is_on(e),
            "t" => self.in_text = true,
            "tab" | "ptab" => {
                // `w:tab` in a run; tab stops (`w:tabs/w:tab`) hold no text.
                if !self.tab_stops {
                    self.text("\t");
                }
            }
            "br" | "cr" => {
                if !matches!(attr(e, "type").as_deref(), Some("page" | "column")) {
                    self.text("\n");
                }
            }
            "noBreakHyphen" => self.text("-"),
            "tabs" => self.tab_stops = true,
            name => self.start_table_part(name, e),
        }
    }

    /// A table, its grid, a row or a cell opens, or a cell's or row's property.
    fn start_table_part(&mut self, name: &str, e: &BytesStart<'_>) {
        if name == "tbl" {
            return self.start_table();
        }
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        match name {
            "trPr" if t.cell.is_none() => t.in_row_props = true,
            "gridCol" => t.grid_cols = t.grid_cols.saturating_add(1),
            "tr" => {
                t.rows.push(Vec::new());
                t.next_col = 0;
                t.row_deleted = false;
            }
            "gridBefore" if t.cell.is_none() => {
                let n = int_attr(e, "val").unwrap_or(0);
                t.next_col = t.next_col.saturating_add(n);
            }
            "tc" => {
                if t.rows.is_empty() {
                    t.rows.push(Vec::new());
                }
                t.cell = Some(Cell {
                    col: t.next_col,
                    span: 1,
                    ..Cell::default()
                });
            }
            _ => {
                let Some(c) = t.cell.as_mut() else {
                    return;
                };
                match name {
                    "gridSpan" => c.span = int_attr(e, "val").unwrap_or(1).clamp(1, LAST_COL + 1),
                    "hMerge" => c.hmerge_continue = attr(e, "val").as_deref() != Some("restart"),
                    "vMerge" => c.vmerge = Some(attr(e, "val").as_deref() == Some("restart")),
                    _ => {}
                }
            }
        }
    }

    /// `w:del` in a row's properties: a tracked deletion of the whole row, which Word's
    /// final view leaves out; the rest of the element is skipped.
    fn delete_row(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            t.row_deleted = true;
        }
        self.skip = 1;
    }

    /// `w:showingPlcHdr` in the innermost content control's properties: whether it shows
    /// its placeholder text (skipped while it does).
    fn showing_placeholder(&mut self, on: bool) {
        if let Some(p) = self.sdts.last_mut()
            && *p != on
        {
            *p = on;
            if on {
                self.placeholders += 1;
            } else {
                self.placeholders -= 1;
            }
        }
    }

    /// `w:sym`: its character, or U+FFFD and the font and code for the cell's notice.
    fn symbol(&mut self, e: &BytesStart<'_>) {
        match symbol(attr(e, "font").as_deref(), attr(e, "char").as_deref()) {
            Ok(ch) => {
                if let Some(s) = self.sink() {
                    s.push(ch);
                }
            }
            Err(what) => {
                if let Some(s) = self.sink() {
                    s.push('\u{FFFD}');
                    if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        c.unknown_symbols.push(what);
                    }
                }
            }
        }
    }

    /// `w:tbl`: a table opens, nested in the open cell if there is one.
    fn start_table(&mut self) {
        let outermost = self.tables.len() == 1;
        if let Some(outer) = self.tables.last_mut()
            && let Some(cell) = outer.cell.as_mut()
        {
            cell.nested = true;
            if outermost {
                cell.inner.push((cell.text.len(), 0, Table::default()));
            }
        }
        self.tables.push(Table::default());
    }

    /// `w:p`: a paragraph in a cell is a new line of its text; outside tables, a
    /// paragraph that may stand above the next table.
    fn start_paragraph(&mut self) {
        match self.tables.last_mut() {
            Some(t) => {
                if let Some(c) = t.cell.as_mut() {
                    if c.paragraphs > 0 {
                        c.text.push('\n');
                    }
                    c.paragraphs += 1;
                }
            }
            None => self.para = Some(String::new()),
        }
    }

    /// Text where text goes now (see [`State::sink`]).
    fn text(&mut self, text: &str) {
        if let Some(s) = self.sink() {
            s.push_str(text);
        }
    }

    /// Whether a text event is taken: inside `w:t`, where text goes now.
    fn takes_text(&mut self) -> bool {
        self.in_text && self.sink().is_some()
    }

    /// A character or entity reference inside `w:t`.
    fn reference(&mut self, r: &quick_xml::events::BytesRef<'_>) -> Result<(), Fault> {
        if !self.in_text {
            return Ok(());
        }
        let Some(s) = self.sink() else {
            return Ok(());
        };
        match r
            .resolve_char_ref()
            .map_err(|e| Fault::Broken(e.to_string()))?
        {
            Some(ch) => s.push(ch),
            None => {
                let name = r.xml10_content();
                let ch = quick_xml::escape::resolve_predefined_entity(&name)
                    .ok_or_else(|| Fault::Broken(format!("unknown entity &{name};")))?;
                s.push_str(ch);
            }
        }
        Ok(())
    }

    /// An element closes; a finished outermost table goes to `out`.
    fn end(&mut self, name: &str, out: &mut Out) -> Result<(), Fault> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        match name {
            "t" => self.in_text = false,
            "r" => self.vanish = false,
            "tabs" => self.tab_stops = false,
            "sdt" if self.sdts.pop() == Some(true) => self.placeholders -= 1,
            "trPr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.in_row_props = false;
                }
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut()
                    && std::mem::take(&mut t.row_deleted)
                {
                    t.rows.pop();
                }
            }
            "p" if self.tables.is_empty() => {
                if let Some(text) = self.para.take() {
                    let text = text.trim().to_string();
                    if !text.is_empty() && !is_sheet_heading(&text) {
                        out.pending.push(text);
                    }
                }
            }
            "tc" => self.end_cell(),
            "tbl" => self.end_table(out)?,
            _ => {}
        }
        Ok(())
    }

    /// `w:tc` closes: the cell joins its row, or with `w:hMerge` the cell on its left.
    fn end_cell(&mut self) {
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let Some(cell) = t.cell.take() else {
            return;
        };
        t.next_col = cell.col.saturating_add(cell.span);
        if let Some(row) = t.rows.last_mut() {
            match row.last_mut() {
                Some(left) if cell.hmerge_continue => {
                    left.span = left.span.saturating_add(cell.span);
                    if !cell.text.trim().is_empty() {
                        left.text.push('\n');
                        left.text.push_str(&cell.text);
                    }
                }
                _ => row.push(cell),
            }
        }
    }

    /// `w:tbl` closes: an outermost table goes to `out`; a nested table's rows become
    /// lines of the outer cell (its cells joined by tabs).
    fn end_table(&mut self, out: &mut Out) -> Result<(), Fault> {
        let Some(table) = self.tables.pop() else {
            return Ok(());
        };
        let outermost = self.tables.len() == 1;
        let Some(outer) = self.tables.last_mut() else {
            return out.add_framed(table);
        };
        let Some(cell) = outer.cell.as_mut() else {
            return Ok(());
        };
        let lines: Vec<String> = table
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\t")
            })
            .filter(|l| !l.trim().is_empty())
            .collect();
        if !lines.is_empty() {
            if !cell.text.is_empty() {
                cell.text.push('\n');
            }
            cell.text.push_str(&lines.join("\n"));
        }
        if outermost && let Some(last) = cell.inner.last_mut() {
            last.1 = cell.text.len();
            last.2 = table;
        }
        Ok(())
    }
}

/// The sheet name the document's grid is read under before places are named.
const SHEET: &str = "\u{0}文档";

/// The forms of a Word document read by [`read_zip`], or its error. Every place is
/// named as Word shows it: the sheet is the table (`表格2`), the cell its row and cell
/// (`第5行第3格`) or a paragraph above it (`上方第1段`).
pub(super) fn read(doc: Result<Doc, Fault>) -> Result<Read> {
    let doc = doc.map_err(|f| match f {
        Fault::TooManyCells => Error::new(
            ErrorKind::TooLarge,
            Location::default(),
            format!(
                "文档中的表格单元格过多（超过 {} 万个），无法读取；请只保留申报表后再试",
                MAX_CELLS / 10_000
            ),
        ),
        // A Word document has no encryption of its own (an encrypted one is an OLE file).
        e @ (Fault::Broken(_) | Fault::Encrypted) => Error::new(
            ErrorKind::Corrupt,
            Location::default(),
            "Word 文档已损坏，无法打开（文档内容无法解析）；请在 Word 或 WPS 中打开并另存为 .docx 后再试",
        )
        .with_cause(e),
    })?;
    let Doc {
        mut grid,
        places,
        notices,
    } = doc;
    let places = Arc::new(places);
    let rename = |sheet: Option<String>, cell: Option<String>| {
        if sheet.as_deref() != Some(SHEET) {
            return (sheet, cell);
        }
        match cell
            .as_deref()
            .and_then(crate::cellref::parse_a1)
            .and_then(|(r, c)| places.name(r, c))
        {
            Some((table, at)) => (Some(table), Some(at)),
            None => (None, None),
        }
    };
    let mut result = Read::default();
    for ((r, c), message) in notices {
        result.notices.push(Notice {
            location: Location::default().sheet(SHEET).cell(r, c),
            message,
        });
    }
    super::read_sheet(&mut result, &mut grid, SHEET, None).map_err(|e| e.relocate(rename))?;
    let Read {
        forms,
        notices,
        skipped,
    } = result;
    let mut result = Read {
        skipped: skipped.into_iter().map(|e| e.relocate(rename)).collect(),
        ..Read::default()
    };
    for n in notices {
        if n.location.sheet_name() == Some(SHEET) && n.location.cell_ref().is_none() {
            // "此工作表中没有申报表": said below for the whole document.
            continue;
        }
        result.notices.push(Notice {
            location: n.location.relocate(rename),
            message: n.message,
        });
    }
    for mut form in forms {
        if let Some(source) = form.source.as_mut() {
            source.place = std::mem::take(&mut source.place).relocate(rename);
            if let Some(cells) = source.cells.as_mut() {
                cells.places = Some(Arc::clone(&places));
            }
        }
        result.forms.push(form);
    }
    if result.forms.is_empty() && result.skipped.is_empty() {
        return Err(Error::new(
            ErrorKind::NoForm,
            Location::default(),
            "Word 文档中没有找到申报表：各表格中都没有“项目名称”标签下方带“一级指标/二级指标/三级指标”表头的表格",
        ));
    }
    super::finish(result)
}

/// The error for a Word 97–2003 (.doc) or WPS (.wps) document: an OLE compound file with
/// a `WordDocument` stream, or named .doc/.wps without a workbook stream.
pub(super) fn word_97<F: std::io::Read + std::io::Seek>(
    file: &cfb::CompoundFile<F>,
    ext: &str,
) -> Option<Error> {
    let workbook = file.is_stream("/Workbook") || file.is_stream("/Book");
    let word = file.is_stream("/WordDocument");
    if !(word || (!workbook && matches!(ext, "doc" | "wps" | "dot" | "wpt"))) {
        return None;
    }
    let what = if ext == "wps" || ext == "wpt" {
        "这是 WPS 文字的 .wps 文档"
    } else {
        "这是 Word 97-2003 格式的 .doc 文档"
    };
    Some(Error::new(
        ErrorKind::NotAWorkbook,
        Location::default(),
        format!(
            "{what}，无法直接读取；请在 Word 或 WPS 中打开，选择“另存为”并保存为 Word 文档（.docx）后再试"
        ),
    ))
}

#[cfg(test)]
mod tests;
