//! Everything the crate writes, from the model: a room per kind of output, around the one
//! form grid (as `reader/` is a module per format around one form recogniser).
//!
//! - [`form`]: a form in the official grid of its layout (`templates/layout-*.json`), on a
//!   sheet of its own, with the column widths of [`columns`], through [`cells`] to a
//!   rust_xlsxwriter worksheet or, for a merged workbook, to [`sheet_xml`] (the sheet's XML
//!   written directly, the bytes rust_xlsxwriter would write);
//! - [`template`]: a blank form with drop-downs and validation;
//! - [`package`]: a merged workbook's form sheets, written one by one and spliced into the
//!   package of the [`summary`] sheets;
//! - [`report`]: the diff's review report (the new forms, changed cells filled, and a
//!   listing of every change);
//! - [`docx`]: forms as Word tables in the same grid, one form a page;
//! - [`workbook`]: what every workbook shares (fixed properties, number formats, amounts
//!   and dates as cells, page set-up, rust_xlsxwriter's errors as the crate's);
//! - [`measure`]: text measured as it prints (widths, wrapping), for row heights and
//!   column widths.
//!
//! The flat table's xlsx (`flat`) and JSON (`json`) are written beside their readers.

pub(crate) mod cells;
pub(crate) mod columns;
pub(crate) mod docx;
pub(crate) mod form;
pub(crate) mod measure;
pub(crate) mod package;
pub(crate) mod report;
pub(crate) mod sheet_xml;
pub(crate) mod summary;
pub(crate) mod template;
pub(crate) mod workbook;
