//! What every workbook the crate writes shares (forms, template, summaries, report, flat
//! table): the workbook's fixed properties, number formats from `templates/style.json`,
//! amounts and dates as cells, page set-up, and rust_xlsxwriter's errors as the crate's.

use crate::amount::Amount;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::layout::{Layout, LayoutKind, Margins, Style};
use chrono::Datelike;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// A workbook with fixed document properties, so that the same forms give the same bytes.
pub(crate) fn new_workbook() -> Workbook {
    let mut wb = bare_workbook();
    let created = ExcelDateTime::from_ymd(2024, 1, 1).unwrap_or_default();
    wb.set_properties(
        &DocProperties::new()
            .set_title(&Layout::get(LayoutKind::Y2024).title.text)
            .set_author("declform")
            .set_creation_datetime(&created),
    );
    wb
}

/// A workbook whose Normal style is `templates/style.json`'s `default_font`, the unit of
/// every column width (see there why it is not Calibri).
pub(crate) fn bare_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let font = &Style::get().default_font;
    let normal = Format::new()
        .set_font_name(&font.name)
        .set_font_size(font.size);
    // Set before any sheet is added, with a column width rust_xlsxwriter knows (64 px):
    // the embedded style.json is tested, so this cannot fail.
    let _ = wb.set_default_format(&normal, font.row_pixels, font.column_pixels);
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

/// Paper, orientation and margins; sheets print at 100%, never shrunk to fit.
pub(crate) fn page_setup(ws: &mut Worksheet, paper: u8, landscape: bool, m: &Margins) {
    ws.set_paper_size(paper);
    if landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_margins(m.left, m.right, m.top, m.bottom, m.header, m.footer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_formats_follow_the_scale() {
        assert_eq!(amount_format(2), "#,##0.00_ ");
        assert_eq!(amount_format(4), "#,##0.0000_ ");
        assert_eq!(date_format(), "yyyy-mm-dd");
    }
}
