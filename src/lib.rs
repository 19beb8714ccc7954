//! `declform`: 财政项目支出绩效目标申报表 (fiscal project expenditure performance-target
//! declaration forms) read from and written to workbooks, JSON and flat tables, exactly.
//!
//! The library works on bytes: it reads no files, starts no threads and makes no temporary
//! files, so it builds for `wasm32-unknown-unknown` (`--no-default-features`). The command
//! line (feature `cli`, on by default) does the I/O around it.
//!
//! - [`read`] any input by its content (xlsx, xlsm, xlsb, xls, ods, Word .docx, PDF,
//!   declform JSON, flat CSV) into [`Form`]s and [`Notice`]s;
//! - [`write_workbook`] forms in the official grid, [`write_docx`] the same grid as Word
//!   tables, [`template`] a blank form ([`template_docx`] in Word),
//!   [`merge`](crate::merge()) many forms into one workbook with summaries ([`Merger`] to
//!   add them one by one), [`flat_csv`] and [`flat_xlsx`] one row per indicator,
//!   [`to_json`] the model;
//! - [`check()`] forms against the rules, into [`Finding`](check::Finding)s;
//! - [`diff()`](crate::diff::diff) two versions of forms, into [`Change`](diff::Change)s, and
//!   [`diff_workbook`] the review report.
//!
//! The [`model`] is format-neutral; reading and writing are adapters around it, and both
//! work from the one description of the official layouts in `templates/` ([`layout`]).
//!
//! ```
//! let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
//! let read = declform::read(seed, "seed.json", &Default::default())?;
//! assert_eq!(read.forms.len(), 10);
//!
//! let xlsx = declform::write_workbook(&read.forms, None)?;
//! let back = declform::read(xlsx, "seed.xlsx", &Default::default())?;
//! assert_eq!(back.forms[0].funds.total, read.forms[0].funds.total);
//! assert!(declform::check(&back.forms).iter().all(|f| f.severity == declform::check::Severity::Warning));
//! # Ok::<(), declform::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

// The bottom of the house: imported by everything above, importing nothing above.
mod cellref;
mod date;
mod error;
mod field;

pub mod amount;
pub mod layout;
pub mod model;
pub mod target;

mod coerce;
mod sheetname;
mod vocab;
mod xmlchar;

pub mod check;
pub mod diff;
mod flat;
mod json;
pub mod merge;
mod reader;
mod write;

/// The README's examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use amount::Amount;
pub use error::{Error, ErrorKind, Limit, Location, Result};
pub use field::{Field, FieldKind, UnknownField};
pub use layout::LayoutKind;
pub use merge::{Merged, Merger, merge};
pub use model::{Document, Form, Funds, Indicator, Source};
pub use reader::{DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_INFLATED_BYTES, Notice, Read, ReadOptions};

/// Reads any input by its content: a workbook (xlsx, xlsm, xlsb, xls, ods; the format from
/// the bytes, not the name), a Word document (.docx: the forms in its tables, places named
/// by table and row, `表格2!第5行第3格`), a PDF of printed forms (the table rebuilt from its
/// drawn rules and text; each page, or run of pages a form spans, reads as a sheet named
/// `第2页` or `第2-3页`), a declform JSON document or a flat CSV table (one row per
/// indicator). `name` is how the input is named in errors, notices and each form's
/// [`Source`] (for JSON too: a source the document recorded, such as the workbook that
/// `convert` read, is kept as [`Source::origin`]); its extension only breaks ties (`.json`,
/// `.csv`).
///
/// ```
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/办公室.xlsx")).to_vec();
/// let read = declform::read(bytes, "办公室.xlsx", &Default::default())?;
/// assert_eq!(read.forms.len(), 2);
/// assert_eq!(read.forms[0].source.as_ref().unwrap().place.file_name(), "办公室.xlsx");
///
/// // LibreOffice Calc's print of a workbook of three forms, one a page.
/// let pdf = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pdf/calc.pdf")).to_vec();
/// let read = declform::read(pdf, "社区矫正中心.pdf", &Default::default())?;
/// assert_eq!(read.forms.len(), 3);
/// assert_eq!(read.forms[1].source.as_ref().unwrap().place.sheet_name(), Some("第2页"));
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// A located [`Error`] when the input is not one of these, is damaged, password-protected,
/// beyond the [`ReadOptions`] limits, holds no form, or holds a value that cannot be read
/// exactly (an amount or date, by cell).
pub fn read(bytes: Vec<u8>, name: &str, opts: &ReadOptions) -> Result<Read> {
    reader::read(bytes, name, opts)
}

/// Writes forms as workbook bytes, each form on a sheet of its own in the official grid:
/// `layout` for all, or by default the 2026 grid for forms with 项目性质 and 2024 for the
/// others.
///
/// ```
/// use declform::{Form, LayoutKind};
/// let form = Form { project_name: "示例项目".into(), ..Form::default() };
/// let xlsx = declform::write_workbook(&[form], Some(LayoutKind::Y2026))?;
/// let read = declform::read(xlsx, "示例.xlsx", &Default::default())?;
/// assert_eq!(read.forms[0].project_name, "示例项目");
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// When a form's `extra` has an empty key or one of the layout's own labels, which would
/// make the written form unreadable ([`ErrorKind::Unwritable`], naming the form and key), or
/// rust_xlsxwriter cannot write the workbook ([`ErrorKind::Write`]).
pub fn write_workbook(forms: &[Form], layout: Option<LayoutKind>) -> Result<Vec<u8>> {
    let mut wb = write::form::workbook_of(forms, layout)?;
    write::workbook::to_bytes(&mut wb, "工作簿")
}

/// Writes forms as the bytes of a Word document (.docx): each form a Word table in the
/// official grid of `layout` (chosen as for [`write_workbook`]), the same rows, labels,
/// merges and column proportions as the workbook's, one form a page, A4 portrait; the
/// title and year line are paragraphs above the table, amounts text as the workbook shows
/// them (`1,850,000.00`), dates too (`2024-01-01`). [`read`] reads it back exactly.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let docx = declform::write_docx(&forms, None)?;
/// let back = declform::read(docx, "申报表.docx", &Default::default())?;
/// assert_eq!(back.forms.len(), 10);
/// assert_eq!(back.forms[0].funds, forms[0].funds);
/// assert_eq!(back.forms[0].source.as_ref().unwrap().place.sheet_name(), Some("表格1"));
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// As [`write_workbook`]: a form the layout cannot carry ([`ErrorKind::Unwritable`]), or
/// the document cannot be zipped ([`ErrorKind::Write`]).
pub fn write_docx(forms: &[Form], layout: Option<LayoutKind>) -> Result<Vec<u8>> {
    write::docx::document(forms, layout)
}

/// Whether a form can be written in the official layout: every text fits a cell (32,767
/// characters) and no `extra` key is empty or one of the layout's own labels. The writers
/// ([`write_workbook`], [`Merger::add`]) refuse such a form with the same error; a caller
/// that must not stop half-way (a merge that skips bad files) asks first.
///
/// ```
/// let mut form = declform::Form { project_name: "甲".into(), ..Default::default() };
/// assert!(declform::writable(&form, 0).is_ok());
/// form.extra.insert("项目名称".into(), "乙".into());
/// let e = declform::writable(&form, 0).unwrap_err();
/// assert_eq!(e.kind(), declform::ErrorKind::Unwritable);
/// ```
///
/// # Errors
///
/// [`ErrorKind::Unwritable`], naming the form (by `index`, 0-based, and 项目名称) and the field.
pub fn writable(form: &Form, index: usize) -> Result<()> {
    write::form::refuse_unwritable(form, index)
}

/// A blank official form of `layout` for the budget `year`, with the standard indicator
/// rows, drop-down lists, amount and date validation and input messages; `protect` locks
/// the labels and leaves the input cells editable.
///
/// ```
/// let xlsx = declform::template(declform::LayoutKind::Y2024, 2026, false)?;
/// let read = declform::read(xlsx, "模板.xlsx", &Default::default())?;
/// assert_eq!(read.forms[0].year, Some(2026));
/// assert_eq!(read.forms[0].indicators.len(), 27); // three empty rows under each 二级指标
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// When rust_xlsxwriter cannot write the workbook ([`ErrorKind::Write`]).
pub fn template(layout: LayoutKind, year: i32, protect: bool) -> Result<Vec<u8>> {
    let mut wb = write::template::template_workbook(layout, year, protect)
        .map_err(|e| write::workbook::xlsx_error("模板", e))?;
    write::workbook::to_bytes(&mut wb, "模板")
}

/// The blank official form of [`template`] as a Word document (.docx), for a unit that
/// fills its forms in Word: the same grid and indicator rows, goal cells kept room to
/// write in; no drop-down lists or validation (Word tables have none).
///
/// ```
/// let docx = declform::template_docx(declform::LayoutKind::Y2026, 2026)?;
/// let read = declform::read(docx, "模板.docx", &Default::default())?;
/// assert_eq!(read.forms[0].year, Some(2026));
/// assert_eq!(read.forms[0].indicators.len(), 27);
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// When the document cannot be zipped ([`ErrorKind::Write`]).
pub fn template_docx(layout: LayoutKind, year: i32) -> Result<Vec<u8>> {
    write::docx::template(layout, year)
}

/// The flat table of `forms` as CSV bytes: UTF-8 with a byte-order mark (for Excel and
/// WPS), one row per indicator row, the form's fields repeated on each; [`read`] reads it
/// back.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let csv = declform::flat_csv(&forms);
/// assert!(csv.starts_with("\u{feff}年度,项目名称".as_bytes()));
/// let back = declform::read(csv, "seed.csv", &Default::default())?;
/// assert_eq!(back.forms.len(), forms.len());
/// # Ok::<(), declform::Error>(())
/// ```
pub fn flat_csv(forms: &[Form]) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = flat::write_csv(forms, &mut out);
    out
}

/// The flat table of `forms` as the bytes of a one-sheet workbook (`指标明细`): bold frozen
/// header, autofilter, amounts as numbers, dates as date cells.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let back = declform::read(declform::flat_xlsx(&forms)?, "flat.xlsx", &Default::default())?;
/// assert_eq!(back.forms[0].indicators, forms[0].indicators);
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// When rust_xlsxwriter cannot write the workbook ([`ErrorKind::Write`]).
pub fn flat_xlsx(forms: &[Form]) -> Result<Vec<u8>> {
    let mut wb = flat::workbook(forms)?;
    write::workbook::to_bytes(&mut wb, &layout::Tables::get().flat.sheet)
}

/// The forms as the JSON model of `docs/model.md` (`{"forms": [...]}`), pretty-printed,
/// Chinese unescaped, ending in a newline.
///
/// ```
/// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
/// assert!(declform::to_json(&[form]).contains("\"project_name\": \"甲\""));
/// ```
pub fn to_json(forms: &[Form]) -> String {
    json::to_string(&Document {
        forms: forms.to_vec(),
    })
}

/// Checks forms against the rules ([`check::Rule`]); findings in form order, each naming
/// its file, sheet and cell where the form was read from a workbook.
///
/// ```
/// let mut form = declform::Form { project_name: "甲".into(), ..Default::default() };
/// form.funds.total = Some("100.00".parse().unwrap());
/// form.funds.total_fiscal = Some("90.00".parse().unwrap());
/// let findings = declform::check(&[form]);
/// assert!(findings.iter().any(|f| f.rule == declform::check::Rule::TotalSum));
/// ```
pub fn check(forms: &[Form]) -> Vec<check::Finding> {
    check::check_forms(forms)
}

/// The review report of [`diff::diff`] as workbook bytes: a first sheet `变更清单` listing
/// every change with a link to its cell, then every form of `new` in the official layout,
/// each changed cell filled and noted with its old value, added indicator rows filled in a
/// colour of their own. Removed forms and indicators are listed on `变更清单` only.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let old = declform::read(seed, "old.json", &Default::default())?.forms;
/// let mut new = old.clone();
/// new[0].annual_goal.push_str("（修订）");
/// let changes = declform::diff::diff(&old, &new)?;
/// let xlsx = declform::diff_workbook(&new, &changes)?;
/// // The report reads back as the new forms (变更清单 is not a form).
/// let back = declform::read(xlsx, "报告.xlsx", &Default::default())?;
/// assert_eq!(back.forms.len(), new.len());
/// assert_eq!(back.forms[0].annual_goal, new[0].annual_goal);
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// As [`write_workbook`]: a form the layout cannot carry ([`ErrorKind::Unwritable`]) or a
/// workbook rust_xlsxwriter cannot write ([`ErrorKind::Write`]).
pub fn diff_workbook(new: &[Form], changes: &[diff::Change]) -> Result<Vec<u8>> {
    let mut wb = write::report::report_workbook(new, changes)?;
    write::workbook::to_bytes(&mut wb, &layout::Tables::get().diff.sheet)
}

/// Whether a text is one of the labels the reader knows (项目名称, 一级指标, their aliases):
/// such a text in a value cell would be taken for a label.
///
/// ```
/// assert!(declform::is_label("项 目 名 称"));
/// assert!(!declform::is_label("上海市宝山区司法局"));
/// ```
pub fn is_label(text: &str) -> bool {
    vocab::Vocabulary::get().is_label(text)
}

/// Installs a panic hook that stays quiet about the panics of the spreadsheet library that
/// the reader contains (reported as damaged workbooks), and reports every other panic as
/// before. A program that reads untrusted workbooks calls this once at start.
///
/// ```
/// declform::quiet_contained_panics();
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// assert_eq!(declform::read(seed, "seed.json", &Default::default())?.forms.len(), 10);
/// # Ok::<(), declform::Error>(())
/// ```
pub fn quiet_contained_panics() {
    reader::guard::quiet_guarded_panics();
}

/// Whether the current thread is inside a reader call whose panics are contained (for a
/// panic hook of a program's own, such as a fuzzer's that aborts on every other panic).
///
/// ```
/// std::panic::set_hook(Box::new(|info| {
///     if !declform::in_contained_call() { eprintln!("{info}"); }
/// }));
/// assert!(!declform::in_contained_call()); // not inside a reader call here
/// ```
pub fn in_contained_call() -> bool {
    reader::guard::in_guarded_call()
}
