//! xlsx formatting helpers shared by every workbook the crate writes (forms, template,
//! summaries, flat table): the workbook's fixed properties, number formats from
//! `templates/style.json`, amounts and dates as cells, column widths that fit CJK text,
//! page set-up, and rust_xlsxwriter's errors as the crate's.

use crate::amount::Amount;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::layout::{Margins, Style};
use chrono::Datelike;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// A workbook with fixed document properties, so that the same forms give the same bytes.
pub(crate) fn new_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 1, 1).unwrap_or_default();
    wb.set_properties(
        &DocProperties::new()
            .set_title("财政项目支出绩效目标申报表")
            .set_author("declform")
            .set_creation_datetime(&created),
    );
    wb
}

/// The workbook's bytes.
pub(crate) fn to_bytes(wb: &mut Workbook, what: &str) -> Result<Vec<u8>> {
    wb.save_to_buffer().map_err(|e| xlsx_error(what, e))
}

/// An error of rust_xlsxwriter as the crate's error, with it as the source.
pub(crate) fn xlsx_error(what: &str, e: XlsxError) -> Error {
    Error::new(
        ErrorKind::Write,
        Location::file(what),
        format!("无法写出工作簿（{e}）"),
    )
    .with_cause(e)
}

/// The amount number format, with as many decimals as `scale` where that is more than two.
pub(crate) fn amount_format(scale: u32) -> String {
    let base = &Style::get().number_formats.amount;
    if scale <= 2 {
        base.clone()
    } else {
        let zeros = "0".repeat(scale.min(30) as usize);
        base.replace(".00", &format!(".{zeros}"))
    }
}

/// The date number format.
pub(crate) fn date_format() -> &'static str {
    &Style::get().number_formats.date
}

/// A date as Excel's date, for a date cell.
pub(crate) fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()
}

/// Writes an amount as a number cell, or as text when a float cannot carry it exactly.
pub(crate) fn write_amount(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    a: Amount,
    number: &Format,
    text: &Format,
) -> Result<(), XlsxError> {
    match a.to_f64_exact() {
        Some(f) => ws.write_number_with_format(row, col, f, number)?,
        None => ws.write_string_with_format(row, col, a.to_string(), text)?,
    };
    Ok(())
}

/// The number of lines a text needs in a cell `width` character units wide: a CJK
/// character is about two units, other characters about 1.1.
pub(crate) fn text_lines(text: &str, width: f64) -> usize {
    let usable = (width - 1.5).max(1.0);
    text.split('\n')
        .map(|line| {
            let w: f64 = line.chars().map(char_width).sum();
            ((w / usable).ceil() as usize).max(1)
        })
        .sum()
}

fn char_width(c: char) -> f64 {
    if c.is_ascii() {
        1.1
    } else if matches!(c as u32, 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD | 0x201C..=0x201D)
    {
        2.05
    } else {
        1.2
    }
}

/// The width a one-line cell needs for `text`, in Excel's character units, with room for
/// the padding: CJK (any non-ASCII) characters count about double.
pub(crate) fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.1 } else { 2.1 })
        .sum::<f64>()
        + 2.0
}

/// Column widths that fit their contents, within bounds.
pub(crate) struct Widths {
    widths: Vec<f64>,
    max: f64,
}

impl Widths {
    /// `columns` columns of at least `min`, fitting text up to `max`.
    pub(crate) fn new(columns: usize, min: f64, max: f64) -> Widths {
        Widths {
            widths: vec![min; columns],
            max,
        }
    }

    /// Widens a column to fit `text` (up to the maximum).
    pub(crate) fn see(&mut self, col: u16, text: &str) {
        let w = display_width(text);
        if let Some(slot) = self.widths.get_mut(usize::from(col)) {
            *slot = slot.max(w.min(self.max));
        }
    }

    /// Sets the sheet's column widths.
    pub(crate) fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            ws.set_column_width(u16::try_from(c).unwrap_or(0), *w)?;
        }
        Ok(())
    }
}

/// Paper, orientation, one page wide, and margins.
pub(crate) fn page_setup(ws: &mut Worksheet, paper: u8, landscape: bool, m: &Margins) {
    ws.set_paper_size(paper);
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0)
        .set_margins(m.left, m.right, m.top, m.bottom, m.header, m.footer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_formats_follow_the_scale() {
        assert_eq!(amount_format(2), "#,##0.00");
        assert_eq!(amount_format(4), "#,##0.0000");
        assert_eq!(date_format(), "yyyy-mm-dd");
    }

    #[test]
    fn cjk_text_needs_more_lines() {
        assert_eq!(text_lines("abc", 10.0), 1);
        assert_eq!(text_lines("项目名称项目名称", 10.0), 2);
        assert_eq!(text_lines("a\nb", 10.0), 2);
    }
}
