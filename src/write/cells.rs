//! Where a form's grid is written ([`Cells`]): a rust_xlsxwriter worksheet (convert,
//! template, the diff report), or a merged workbook's sheet XML written directly
//! (`write::sheet_xml::SheetXml`).

use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};

/// What one cell of a form's grid holds, as written.
#[derive(Clone, Copy)]
pub(crate) enum CellValue<'a> {
    /// A formatted cell with nothing in it.
    Blank,
    Text(&'a str),
    Number(f64),
    Date(&'a ExcelDateTime),
}

/// Where a form's grid is written: a rust_xlsxwriter worksheet, or (for a merged workbook)
/// the sheet's XML directly (`sheet_xml::SheetXml`). Each write takes the format and its
/// style index among the primed form formats (`Formats::every`, 0 for a format that is
/// not one of them, such as a marked cell's).
pub(crate) trait Cells {
    fn set_default_row_height(&mut self, points: f64);
    fn set_row_height(&mut self, row: u32, points: f64) -> Result<(), XlsxError>;
    fn merge_range(
        &mut self,
        range: (u32, u16, u32, u16),
        text: &str,
        fmt: &Format,
        xf: u32,
    ) -> Result<(), XlsxError>;
    /// Writes one cell, `value`, with the format `fmt`.
    fn write(
        &mut self,
        row: u32,
        col: u16,
        value: CellValue<'_>,
        fmt: &Format,
        xf: u32,
    ) -> Result<(), XlsxError>;
}

impl Cells for Worksheet {
    fn set_default_row_height(&mut self, points: f64) {
        Worksheet::set_default_row_height(self, points);
    }
    fn set_row_height(&mut self, row: u32, points: f64) -> Result<(), XlsxError> {
        Worksheet::set_row_height(self, row, points).map(|_| ())
    }
    fn merge_range(
        &mut self,
        (r0, c0, r1, c1): (u32, u16, u32, u16),
        text: &str,
        fmt: &Format,
        _: u32,
    ) -> Result<(), XlsxError> {
        Worksheet::merge_range(self, r0, c0, r1, c1, text, fmt).map(|_| ())
    }
    fn write(
        &mut self,
        row: u32,
        col: u16,
        value: CellValue<'_>,
        fmt: &Format,
        _: u32,
    ) -> Result<(), XlsxError> {
        match value {
            CellValue::Blank => self.write_blank(row, col, fmt),
            CellValue::Text(text) => self.write_string_with_format(row, col, text, fmt),
            CellValue::Number(n) => self.write_number_with_format(row, col, n, fmt),
            CellValue::Date(date) => self.write_datetime_with_format(row, col, date, fmt),
        }
        .map(|_| ())
    }
}
