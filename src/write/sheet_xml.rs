//! A form sheet's XML written directly, for a merged workbook: the same bytes rust_xlsxwriter
//! writes for the sheet (with the form formats primed, see `package::prime`, and strings
//! inline), without a scratch workbook saved, unzipped and zipped again.
//!
//! Only what a form sheet uses is here: column widths, row heights, a default row height,
//! formatted blank, text and number cells, merged ranges, and the form's fixed page setup.
//! Each piece follows rust_xlsxwriter 0.102's worksheet writer (`Worksheet::assemble_xml_file`);
//! `package::tests` compare the two on every seed form and a generated corpus.

use crate::layout::Style;
use crate::write::cells::{CellValue, Cells};
use rust_xlsxwriter::{Format, XlsxError};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Excel's limits, as rust_xlsxwriter checks them.
const ROW_MAX: u32 = 1_048_576;
const COL_MAX: u16 = 16_384;
/// rust_xlsxwriter's defaults, in pixels.
const ORIGINAL_ROW_HEIGHT: u32 = 20;
const DEFAULT_COL_WIDTH: u32 = 64;
const CELL_PADDING: u32 = 5;
const MAX_DIGIT_WIDTH: u32 = 7;
const MAX_COL_WIDTH: u32 = 1790;
/// The longest text a cell holds, in UTF-16 units.
const MAX_STRING_LEN: usize = 32_767;

/// One cell's content and style index.
enum Cell {
    Blank(u32),
    Text(String, u32),
    Number(f64, u32),
}

/// A form sheet being recorded; [`SheetXml::xml`] writes it.
pub(crate) struct SheetXml {
    cells: BTreeMap<u32, BTreeMap<u16, Cell>>,
    /// Row → its height in pixels.
    rows: BTreeMap<u32, u32>,
    default_row_height: u32,
    /// Column → (width in pixels, hidden).
    cols: BTreeMap<u16, (u32, bool)>,
    merges: Vec<(u32, u16, u32, u16)>,
    /// First row, first column, last row, last column, as rust_xlsxwriter tracks them.
    dims: (u32, u16, u32, u16),
}

impl Default for SheetXml {
    fn default() -> Self {
        SheetXml {
            cells: BTreeMap::new(),
            rows: BTreeMap::new(),
            default_row_height: ORIGINAL_ROW_HEIGHT,
            cols: BTreeMap::new(),
            merges: Vec::new(),
            dims: (ROW_MAX, COL_MAX, 0, 0),
        }
    }
}

impl SheetXml {
    fn check(&mut self, row: u32, col: u16) -> Result<(), XlsxError> {
        if row >= ROW_MAX || col >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        let d = &mut self.dims;
        *d = (d.0.min(row), d.1.min(col), d.2.max(row), d.3.max(col));
        Ok(())
    }

    fn insert(&mut self, row: u32, col: u16, cell: Cell) -> Result<(), XlsxError> {
        self.check(row, col)?;
        self.cells.entry(row).or_default().insert(col, cell);
        Ok(())
    }

    /// A column's width in characters, as `Worksheet::set_column_width` takes it.
    pub(crate) fn set_column_width(&mut self, col: u16, width: f64) -> Result<(), XlsxError> {
        if col >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        let pixels = if width == 0.0 {
            0
        } else if width < 1.0 {
            (width * f64::from(MAX_DIGIT_WIDTH + CELL_PADDING)).round() as u32
        } else {
            (width * f64::from(MAX_DIGIT_WIDTH)).round() as u32 + CELL_PADDING
        };
        let entry = self.cols.entry(col).or_insert((DEFAULT_COL_WIDTH, false));
        if pixels == 0 {
            entry.1 = true;
        } else {
            entry.0 = pixels.min(MAX_COL_WIDTH);
        }
        Ok(())
    }

    /// The sheet's XML, with the form sheet's page setup (`workbook::page_setup`, portrait,
    /// fit to one page wide, centred horizontally).
    pub(crate) fn xml(&self) -> Vec<u8> {
        let mut x = String::with_capacity(16 * 1024);
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
        let (r0, c0, r1, c1) = self.dims;
        let range = if (r0, c0, r1, c1) == (ROW_MAX, COL_MAX, 0, 0) {
            "A1".to_string()
        } else if (r0, c0) == (r1, c1) {
            crate::cellref::a1(r0, c0)
        } else {
            format!(
                "{}:{}",
                crate::cellref::a1(r0, c0),
                crate::cellref::a1(r1, c1)
            )
        };
        let _ = write!(
            x,
            "<dimension ref=\"{range}\"/><sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>"
        );
        let custom = self.default_row_height != ORIGINAL_ROW_HEIGHT;
        let _ = write!(
            x,
            "<sheetFormatPr defaultRowHeight=\"{}\"{}/>",
            f64::from(self.default_row_height) * 0.75,
            if custom { " customHeight=\"1\"" } else { "" }
        );
        self.write_cols(&mut x);
        let has_data = !self.cells.is_empty() || !self.rows.is_empty();
        if has_data {
            x.push_str("<sheetData>");
            self.write_rows(&mut x);
            x.push_str("</sheetData>");
        } else {
            x.push_str("<sheetData/>");
        }
        if !self.merges.is_empty() {
            let _ = write!(x, "<mergeCells count=\"{}\">", self.merges.len());
            for &(r0, c0, r1, c1) in &self.merges {
                let _ = write!(
                    x,
                    "<mergeCell ref=\"{}:{}\"/>",
                    crate::cellref::a1(r0, c0),
                    crate::cellref::a1(r1, c1)
                );
            }
            x.push_str("</mergeCells>");
        }
        x.push_str("<printOptions horizontalCentered=\"1\"/>");
        let style = Style::get();
        let m = &style.margins;
        let or = |v: f64, default: f64| if v >= 0.0 { v } else { default };
        let _ = write!(
            x,
            "<pageMargins left=\"{}\" right=\"{}\" top=\"{}\" bottom=\"{}\" header=\"{}\" footer=\"{}\"/>",
            or(m.left, 0.7),
            or(m.right, 0.7),
            or(m.top, 0.75),
            or(m.bottom, 0.75),
            or(m.header, 0.3),
            or(m.footer, 0.3)
        );
        x.push_str("<pageSetup ");
        if style.paper_size > 0 {
            let _ = write!(x, "paperSize=\"{}\" ", style.paper_size);
        }
        x.push_str("fitToHeight=\"0\" orientation=\"portrait\" horizontalDpi=\"200\" verticalDpi=\"200\"/></worksheet>");
        x.into_bytes()
    }

    fn write_cols(&self, x: &mut String) {
        let mut cols = self.cols.iter();
        let Some((&first, &props)) = cols.next() else {
            return;
        };
        x.push_str("<cols>");
        let (mut first, mut last, mut prev) = (first, first, props);
        for (&col, &props) in cols {
            if col == last + 1 && props == prev {
                last = col;
            } else {
                write_col(x, first, last, prev);
                (first, last, prev) = (col, col, props);
            }
        }
        write_col(x, first, last, prev);
        x.push_str("</cols>");
    }

    fn write_rows(&self, x: &mut String) {
        let (r0, _, r1, _) = self.dims;
        if r0 > r1 {
            return;
        }
        // The spans of each block of 16 rows, as rust_xlsxwriter computes them.
        let mut spans: BTreeMap<u32, (u16, u16)> = BTreeMap::new();
        let mut span: Option<(u16, u16)> = None;
        let mut span_max = 0;
        for row in r0..=r1 {
            if let Some(cols) = self.cells.get(&row) {
                for &c in cols.keys() {
                    span = Some(match span {
                        None => {
                            span_max = c;
                            (c, c)
                        }
                        Some((lo, _)) => {
                            span_max = span_max.max(c);
                            (lo.min(c), span_max)
                        }
                    });
                }
            }
            if ((row + 1) % 16 == 0 || row == r1)
                && let Some((lo, hi)) = span.take()
            {
                spans.insert(row / 16, (lo + 1, hi + 1));
            }
        }
        let custom_default = self.default_row_height != ORIGINAL_ROW_HEIGHT;
        let heights = |x: &mut String, height: Option<u32>| match height {
            Some(h) if h != ORIGINAL_ROW_HEIGHT || custom_default => {
                let _ = write!(x, " ht=\"{}\" customHeight=\"1\"", f64::from(h) * 0.75);
            }
            Some(_) => {}
            None if custom_default => {
                let _ = write!(
                    x,
                    " ht=\"{}\" customHeight=\"1\"",
                    f64::from(self.default_row_height) * 0.75
                );
            }
            None => {}
        };
        for row in r0..=r1 {
            let height = self.rows.get(&row).copied();
            let cols = self.cells.get(&row);
            if cols.is_none() && height.is_none() {
                continue;
            }
            let _ = write!(x, "<row r=\"{}\"", row + 1);
            if let Some((lo, hi)) = spans.get(&(row / 16)) {
                let _ = write!(x, " spans=\"{lo}:{hi}\"");
            }
            heights(x, height);
            let Some(cols) = cols else {
                x.push_str("/>");
                continue;
            };
            x.push('>');
            for (&col, cell) in cols {
                let name = crate::cellref::column_letters(col);
                let r = row + 1;
                match cell {
                    Cell::Blank(s) => {
                        if *s > 0 {
                            let _ = write!(x, "<c r=\"{name}{r}\" s=\"{s}\"/>");
                        }
                    }
                    Cell::Number(n, s) => {
                        if *s > 0 {
                            let _ = write!(x, "<c r=\"{name}{r}\" s=\"{s}\"><v>{n}</v></c>");
                        } else {
                            let _ = write!(x, "<c r=\"{name}{r}\"><v>{n}</v></c>");
                        }
                    }
                    Cell::Text(t, s) => {
                        let ws = ['\t', '\n', ' '];
                        let preserve = if t.starts_with(ws) || t.ends_with(ws) {
                            " xml:space=\"preserve\""
                        } else {
                            ""
                        };
                        let _ = write!(x, "<c r=\"{name}{r}\"");
                        if *s > 0 {
                            let _ = write!(x, " s=\"{s}\"");
                        }
                        let _ = write!(x, " t=\"inlineStr\"><is><t{preserve}>");
                        escape(x, t);
                        x.push_str("</t></is></c>");
                    }
                }
            }
            x.push_str("</row>");
        }
    }
}

fn write_col(x: &mut String, first: u16, last: u16, (width, hidden): (u32, bool)) {
    let custom = width != DEFAULT_COL_WIDTH;
    let width = if width == DEFAULT_COL_WIDTH && hidden {
        0
    } else {
        width
    };
    let chars = f64::from(width * 256 / MAX_DIGIT_WIDTH) / 256.0;
    let _ = write!(
        x,
        "<col min=\"{}\" max=\"{}\" width=\"{chars}\"",
        first + 1,
        last + 1
    );
    if hidden {
        x.push_str(" hidden=\"1\"");
    }
    if custom || hidden {
        x.push_str(" customWidth=\"1\"");
    }
    x.push_str("/>");
}

/// `t` as cell text, escaped as rust_xlsxwriter escapes it: a literal `_xHHHH_` gets its
/// underscore escaped, then the character data as [`escape_data`] escapes it.
fn escape(x: &mut String, t: &str) {
    escape_data(x, &escape_escapes(t));
}

/// `t` as XML character data, escaped as rust_xlsxwriter escapes it: `&`, `<`, `>`, and
/// control characters, U+FFFE and U+FFFF as `_xHHHH_`.
pub(crate) fn escape_data(x: &mut String, t: &str) {
    for c in t.chars() {
        match c {
            '&' => x.push_str("&amp;"),
            '<' => x.push_str("&lt;"),
            '>' => x.push_str("&gt;"),
            '\t' | '\n' => x.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(x, "_x{:04X}_", u32::from(c));
            }
            c => x.push(c),
        }
    }
}

/// rust_xlsxwriter's `escape_xml_escapes`: `_x005F` put before every `_xHHHH_` in `t`.
fn escape_escapes(t: &str) -> std::borrow::Cow<'_, str> {
    const LEN: usize = 7;
    if !t.contains("_x") {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = t.to_string();
    for (i, _) in t.rmatch_indices("_x") {
        if i + LEN > t.len() || !t.is_char_boundary(i + LEN - 1) {
            continue;
        }
        let Some(rest) = t.get(i + LEN - 1..) else {
            continue;
        };
        if !rest.starts_with('_') {
            continue;
        }
        if t.get(i + 2..i + LEN - 1)
            .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
        {
            out.replace_range(i..i, "_x005F");
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Cells for SheetXml {
    fn set_default_row_height(&mut self, points: f64) {
        if points > 0.0 {
            self.default_row_height = (points * 4.0 / 3.0).round() as u32;
        }
    }

    fn set_row_height(&mut self, row: u32, points: f64) -> Result<(), XlsxError> {
        let pixels = (points * 4.0 / 3.0).round() as u32;
        if pixels == 0 {
            // rust_xlsxwriter hides the row; form sheets never ask for it.
            return Err(XlsxError::ParameterError("行高为 0".into()));
        }
        let col = if self.dims.1 == COL_MAX {
            0
        } else {
            self.dims.1
        };
        self.check(row, col)?;
        self.rows.insert(row, pixels);
        Ok(())
    }

    fn merge_range(
        &mut self,
        (r0, c0, r1, c1): (u32, u16, u32, u16),
        text: &str,
        _: &Format,
        xf: u32,
    ) -> Result<(), XlsxError> {
        if r0 >= ROW_MAX || r1 >= ROW_MAX || c0 >= COL_MAX || c1 >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        if r0 > r1 || c0 > c1 {
            return Err(XlsxError::RowColumnOrderError);
        }
        if r0 == r1 && c0 == c1 {
            return Err(XlsxError::MergeRangeSingleCell);
        }
        self.check(r0, c0)?;
        self.check(r1, c1)?;
        self.write_text(r0, c0, text, xf)?;
        for row in r0..=r1 {
            for col in c0..=c1 {
                if (row, col) != (r0, c0) {
                    self.insert(row, col, Cell::Blank(xf))?;
                }
            }
        }
        self.merges.push((r0, c0, r1, c1));
        Ok(())
    }

    fn write(
        &mut self,
        row: u32,
        col: u16,
        value: CellValue<'_>,
        _: &Format,
        xf: u32,
    ) -> Result<(), XlsxError> {
        match value {
            CellValue::Blank => self.insert(row, col, Cell::Blank(xf)),
            CellValue::Text(text) => self.write_text(row, col, text, xf),
            CellValue::Number(n) => self.write_number(row, col, n, xf),
            CellValue::Date(date) => self.write_number(row, col, date.to_excel(), xf),
        }
    }
}

impl SheetXml {
    /// A text cell, as rust_xlsxwriter's `write_string_with_format` writes it.
    fn write_text(&mut self, row: u32, col: u16, text: &str, xf: u32) -> Result<(), XlsxError> {
        // An empty text is a formatted blank cell.
        if text.is_empty() {
            return self.insert(row, col, Cell::Blank(xf));
        }
        self.check(row, col)?;
        if text.encode_utf16().count() > MAX_STRING_LEN {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.insert(row, col, Cell::Text(text.to_string(), xf))
    }

    /// A number cell (an amount, or a date as its serial number).
    fn write_number(&mut self, row: u32, col: u16, n: f64, xf: u32) -> Result<(), XlsxError> {
        if !n.is_finite() {
            // rust_xlsxwriter writes these as text; amounts and dates are always finite.
            return Err(XlsxError::ParameterError("数值无效".into()));
        }
        self.insert(row, col, Cell::Number(n, xf))
    }
}
