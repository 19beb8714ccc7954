//! Many forms into one workbook: the summary sheets `汇总` and `按部门汇总`, then every form
//! on its own sheet in the official layout. The summaries' columns, headers, formats and
//! page are described in `templates/tables.json`.
//!
//! ```
//! use declform::Merger;
//! let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
//! let forms = declform::read(seed, "seed.json", &Default::default()).unwrap().forms;
//! let mut merger = Merger::new().unwrap();
//! for form in &forms {
//!     merger.add(form).unwrap();
//! }
//! let mut merged = merger.finish().unwrap();
//! assert_eq!(merged.rows().len(), 10);
//! assert!(merged.to_bytes().unwrap().starts_with(b"PK"));
//! ```

use crate::amount::Amount;
use crate::cellref::{absolute_column_range, column_range};
use crate::error::Result;
use crate::field::{Field, FieldKind};
use crate::layout::{CellStyle, Column, Computed, Style, TableSpec, Tables};
use crate::model::Form;
use crate::sheetname::SheetNames;
use crate::writer::{self, Formats};
use crate::xlsx::{self, Widths, amount_format, date_format, write_amount};
use indexmap::IndexMap;
use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, FormatUnderline, Formula, Url, Workbook, Worksheet,
    XlsxError,
};
use std::collections::HashMap;
use std::io::Write;

/// What the summaries keep of a form, once the form's own sheet is written.
///
/// ```
/// let form = declform::Form { project_name: "甲".into(), department: "司法局".into(), ..Default::default() };
/// let merged = declform::merge(&[form])?;
/// let row = &merged.rows()[0];
/// assert_eq!((row.sheet.as_str(), row.department.as_str(), row.amounts), ("甲", "司法局", [None; 7]));
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The form's sheet in the merged workbook (empty for a form only listed).
    pub sheet: String,
    /// 主管部门.
    pub department: String,
    /// 实施单位.
    pub implementing_unit: String,
    /// 项目名称.
    pub project_name: String,
    /// 项目类别.
    pub project_category: String,
    /// 项目性质.
    pub project_nature: Option<String>,
    /// 年度.
    pub year: Option<i32>,
    /// 计划开始日期.
    pub start_date: Option<chrono::NaiveDate>,
    /// 计划完成日期.
    pub end_date: Option<chrono::NaiveDate>,
    /// The seven amounts, in [`Field::AMOUNTS`] order.
    pub amounts: [Option<Amount>; 7],
    /// Indicators with a 三级指标.
    pub indicators: usize,
    /// The file the form was read from.
    pub file: String,
    /// The sheet it was read from (empty for JSON and CSV).
    pub source_sheet: String,
}

impl SummaryRow {
    /// The summary row of a form that has, or would have, the sheet `sheet`.
    ///
    /// ```
    /// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
    /// let row = declform::merge::SummaryRow::of(&form, "");
    /// assert_eq!((row.project_name.as_str(), row.indicators), ("甲", 0));
    /// ```
    pub fn of(form: &Form, sheet: impl Into<String>) -> SummaryRow {
        let s = form.source.as_ref();
        SummaryRow {
            sheet: sheet.into(),
            department: form.department.clone(),
            implementing_unit: form.implementing_unit.clone(),
            project_name: form.project_name.clone(),
            project_category: form.project_category.clone(),
            project_nature: form.project_nature.clone(),
            year: form.year,
            start_date: form.start_date,
            end_date: form.end_date,
            amounts: form.funds.all(),
            indicators: form
                .indicators
                .iter()
                .filter(|i| !i.level3.is_empty())
                .count(),
            file: s.map(|s| s.file.clone()).unwrap_or_default(),
            source_sheet: s.and_then(|s| s.sheet.clone()).unwrap_or_default(),
        }
    }

    fn key(&self) -> (&str, &str, Option<i32>) {
        (&self.project_name, &self.department, self.year)
    }

    fn amount(&self, field: Field) -> Option<Amount> {
        field
            .amount_index()
            .and_then(|i| self.amounts.get(i).copied().flatten())
    }
}

/// For each row, the position of an earlier row that looks like the same project (same
/// 项目名称, 主管部门 and year), which the summary flags in its 备注 column.
///
/// ```
/// use declform::{Form, merge::{SummaryRow, duplicates}};
/// let form = Form { project_name: "甲".into(), ..Default::default() };
/// let rows = [SummaryRow::of(&form, ""), SummaryRow::of(&form, "")];
/// assert_eq!(duplicates(&rows), [None, Some(0)]);
/// ```
pub fn duplicates(rows: &[SummaryRow]) -> Vec<Option<usize>> {
    let mut first: HashMap<(&str, &str, Option<i32>), usize> = HashMap::new();
    rows.iter()
        .enumerate()
        .map(|(i, r)| match first.get(&r.key()) {
            Some(&j) => Some(j),
            None => {
                first.insert(r.key(), i);
                None
            }
        })
        .collect()
}

/// What to say of each row that [`duplicates`] flags: the project, its department and year,
/// where the earlier form was read and where this one was (file, and sheet where there is
/// one). The command line prints each as a 警告 after a merge; the offline page shows them.
///
/// ```
/// use declform::{Form, Source, merge::{SummaryRow, duplicate_warnings}};
/// let mut form = Form { project_name: "甲".into(), department: "局".into(), year: Some(2024), ..Default::default() };
/// let mut source = Source::file("一.xlsx");
/// source.sheet = Some("甲".into());
/// form.source = Some(source);
/// let first = SummaryRow::of(&form, "");
/// form.source = Some(Source::file("二.json"));
/// let rows = [first, SummaryRow::of(&form, "")];
/// assert_eq!(duplicate_warnings(&rows), ["疑似重复项目「甲」（局，2024年度）：一.xlsx!甲 与 二.json"]);
/// ```
pub fn duplicate_warnings(rows: &[SummaryRow]) -> Vec<String> {
    let place = |r: &SummaryRow| {
        if r.source_sheet.is_empty() {
            r.file.clone()
        } else {
            format!("{}!{}", r.file, r.source_sheet)
        }
    };
    duplicates(rows)
        .iter()
        .enumerate()
        .filter_map(|(i, dup)| {
            let (a, b) = (rows.get(i)?, rows.get((*dup)?)?);
            Some(format!(
                "疑似重复项目「{}」（{}，{}年度）：{} 与 {}",
                a.project_name,
                a.department,
                a.year.map_or("无".to_string(), |y| y.to_string()),
                place(b),
                place(a)
            ))
        })
        .collect()
}

/// A merged workbook being built: each form's sheet is written as the form arrives (in
/// input order) and kept only as its deflated XML; the summary sheets, created first so
/// that they come first, are filled at the end.
///
/// Memory grows by the compressed size of each form sheet (a few KiB) and uses no files,
/// so the bytes are the same on every machine and under any open-file limit. The command
/// line builds the [`FormSheet`]s on several threads and feeds them here in input order
/// ([`Merger::add_all_built`]), so its bytes are those of this serial path.
///
/// ```
/// let mut merger = declform::Merger::new()?;
/// merger.add(&declform::Form { project_name: "甲".into(), ..Default::default() })?;
/// let bytes = merger.finish()?.to_bytes()?;
/// let back = declform::read(bytes, "合并.xlsx", &Default::default())?;
/// assert_eq!(back.forms[0].project_name, "甲");
/// # Ok::<(), declform::Error>(())
/// ```
pub struct Merger {
    wb: Workbook,
    names: SheetNames,
    sheets: Vec<FormSheet>,
    rows: Vec<SummaryRow>,
    date: Option<chrono::NaiveDate>,
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merger")
            .field("forms", &self.rows.len())
            .finish()
    }
}

/// The summary sheets come first: form sheet `i` (zero-based) is the workbook's sheet
/// `i + FIRST_FORM_SHEET`, its part `xl/worksheets/sheet{i + FIRST_FORM_SHEET + 1}.xml`.
const FIRST_FORM_SHEET: usize = 2;

/// The formats of every form sheet, made once.
fn formats() -> &'static Formats {
    static FORMATS: std::sync::OnceLock<Formats> = std::sync::OnceLock::new();
    FORMATS.get_or_init(Formats::default)
}

/// Registers the form sheets' formats in `wb` in their fixed order, on a sheet of blank
/// cells, so that they take the style indices 1, 2, … (0 is the default format).
fn prime(wb: &mut Workbook) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    for (c, format) in formats().every().iter().enumerate() {
        ws.write_blank(0, u16::try_from(c).unwrap_or(u16::MAX), format)?;
    }
    Ok(())
}

impl Merger {
    /// An empty merged workbook with its two summary sheets.
    ///
    /// ```
    /// let merger = declform::Merger::new()?;
    /// assert!(merger.rows().is_empty());
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Only if the summary sheets cannot be named (never with the shipped `templates/`).
    pub fn new() -> Result<Merger> {
        let tables = Tables::get();
        let what = &tables.summary.sheet;
        let mut wb = xlsx::new_workbook();
        // A consolidated workbook is large and written once: deflate level 1 saves in about
        // half the time of the default 6, for a file about 30% larger.
        wb.set_zip_compression_level(1);
        // The form sheets' formats take the first style indices, as in every FormSheet:
        // a workbook keeps its formats' indices from one save to the next, so they are
        // registered by saving a workbook of one priming sheet, which then goes.
        prime(&mut wb).map_err(|e| xlsx::xlsx_error(what, e))?;
        wb.save_to_writer(std::io::sink())
            .map_err(|e| xlsx::xlsx_error(what, e))?;
        wb.worksheets_mut().clear();
        let mut names = SheetNames::default();
        for name in [&tables.summary.sheet, &tables.by_department.sheet] {
            names.reserve(name);
            wb.add_worksheet()
                .set_name(name)
                .map_err(|e| xlsx::xlsx_error(name, e))?;
        }
        Ok(Merger {
            wb,
            names,
            sheets: Vec::new(),
            rows: Vec::new(),
            date: None,
        })
    }

    /// Dates the summaries: their unit line shows `制表日期：{date}` at the right (without
    /// a date, only `单位：元` at the left). The command line dates them today.
    ///
    /// ```
    /// let date = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    /// let merger = declform::Merger::new()?.dated(date);
    /// assert!(merger.rows().is_empty());
    /// # Ok::<(), declform::Error>(())
    /// ```
    #[must_use]
    pub fn dated(mut self, date: chrono::NaiveDate) -> Merger {
        self.date = Some(date);
        self
    }

    /// Writes a form's sheet in the official layout (the 2026 grid for a form with
    /// 项目性质, the 2024 grid otherwise) and keeps its summary row. For many forms,
    /// [`Merger::add_all`] is several times faster: it writes their sheets together.
    ///
    /// ```
    /// let mut merger = declform::Merger::new()?;
    /// merger.add(&declform::Form { project_name: "甲".into(), ..Default::default() })?;
    /// assert_eq!(merger.rows().len(), 1);
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the form's `extra` has an empty key or one of the layout's labels
    /// ([`ErrorKind::Unwritable`](crate::ErrorKind::Unwritable)), or the sheet cannot be
    /// written.
    pub fn add(&mut self, form: &Form) -> Result<()> {
        writer::refuse_unwritable(form, self.rows.len())?;
        let sheet = FormSheet::new(form)?;
        self.push(form, sheet);
        Ok(())
    }

    /// Adds the forms of one input, all or none: every form is checked as [`Merger::add`]
    /// checks it before any is written, so that a caller can skip a bad file whole. Their
    /// sheets are written together ([`FormSheet::all`]), the same bytes as one by one.
    ///
    /// ```
    /// let good = declform::Form { project_name: "甲".into(), ..Default::default() };
    /// let mut bad = good.clone();
    /// bad.extra.insert("项目名称".into(), "乙".into());
    /// let mut merger = declform::Merger::new()?;
    /// assert!(merger.add_all(&[good.clone(), bad]).is_err());
    /// assert!(merger.rows().is_empty());
    /// merger.add_all(&[good])?;
    /// assert_eq!(merger.rows().len(), 1);
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Merger::add`]; on any error nothing of `forms` has been added.
    pub fn add_all(&mut self, forms: &[Form]) -> Result<()> {
        self.refuse_unwritable(forms)?;
        self.add_all_built(forms, FormSheet::all(forms))
    }

    /// [`Merger::add_all`] with each form's sheet already built by [`FormSheet::all`]
    /// (`sheets`, one per form, in order, or the first error building them), for a caller
    /// that builds sheets on several threads: the workbook's bytes are the same as from
    /// [`Merger::add_all`].
    ///
    /// ```
    /// use declform::{Form, Merger, merge::FormSheet};
    /// let forms = [Form { project_name: "甲".into(), ..Default::default() }];
    /// let sheets = FormSheet::all(&forms);
    /// let mut built = Merger::new()?;
    /// built.add_all_built(&forms, sheets)?;
    /// let mut serial = Merger::new()?;
    /// serial.add_all(&forms)?;
    /// assert_eq!(built.finish()?.to_bytes()?, serial.finish()?.to_bytes()?);
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Merger::add_all`]: an unwritable form first, else the error building a sheet;
    /// nothing of `forms` has been added.
    pub fn add_all_built(&mut self, forms: &[Form], sheets: Result<Vec<FormSheet>>) -> Result<()> {
        self.refuse_unwritable(forms)?;
        let sheets = sheets?;
        if sheets.len() != forms.len() {
            return Err(crate::Error::new(
                crate::ErrorKind::Write,
                crate::Location::file(&Tables::get().summary.sheet),
                format!("{} 张表只有 {} 个工作表", forms.len(), sheets.len()),
            ));
        }
        for (form, sheet) in forms.iter().zip(sheets) {
            self.push(form, sheet);
        }
        Ok(())
    }

    fn refuse_unwritable(&self, forms: &[Form]) -> Result<()> {
        for (i, form) in forms.iter().enumerate() {
            writer::refuse_unwritable(form, self.rows.len() + i)?;
        }
        Ok(())
    }

    /// Names a form's sheet and keeps it with its summary row.
    fn push(&mut self, form: &Form, sheet: FormSheet) {
        let name = self.names.claim(&form.project_name);
        self.sheets.push(sheet);
        self.rows.push(SummaryRow::of(form, name));
    }

    /// The summary rows so far, in form order.
    ///
    /// ```
    /// let mut merger = declform::Merger::new()?;
    /// merger.add(&declform::Form { project_name: "甲".into(), ..Default::default() })?;
    /// merger.add(&declform::Form { project_name: "乙".into(), ..Default::default() })?;
    /// assert_eq!(merger.rows()[1].project_name, "乙");
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn rows(&self) -> &[SummaryRow] {
        &self.rows
    }

    /// Fills the summary sheets; the result is ready to be written.
    ///
    /// ```
    /// let mut merger = declform::Merger::new()?;
    /// merger.add(&declform::Form { project_name: "甲".into(), ..Default::default() })?;
    /// let merged = merger.finish()?;
    /// assert_eq!(merged.rows()[0].sheet, "甲");
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the summaries cannot be written.
    pub fn finish(mut self) -> Result<Merged> {
        write_summaries(&mut self.wb, &self.rows, self.date)
            .map_err(|e| xlsx::xlsx_error(&Tables::get().summary.sheet, e))?;
        Ok(Merged {
            wb: self.wb,
            sheets: self.sheets,
            rows: self.rows,
        })
    }
}

/// One form's sheet for a merged workbook, written on its own and kept as deflated XML
/// (a few KiB): its strings inline, its style indices those of every merged workbook.
/// Building one takes most of a merge's time and needs nothing but the form, so it can be
/// done on any thread ([`Merger::add_all_built`]); [`FormSheet::all`] builds many at once,
/// several times faster than one by one.
///
/// ```
/// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
/// let sheet = declform::merge::FormSheet::new(&form)?;
/// assert!(sheet.compressed_len() > 0);
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FormSheet {
    /// A zip archive of one deflated entry, the sheet's XML: copied as it is into the
    /// merged workbook.
    zip: Vec<u8>,
}

impl std::fmt::Debug for FormSheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormSheet")
            .field("bytes", &self.zip.len())
            .finish()
    }
}

impl FormSheet {
    /// Writes `form`'s sheet in the official layout (as [`Merger::add`]) and deflates it.
    ///
    /// # Errors
    ///
    /// When the sheet cannot be written (a text longer than a cell holds, for one); an
    /// unwritable `extra` is caught by [`Merger::add_all_built`], not here.
    pub fn new(form: &Form) -> Result<FormSheet> {
        let mut sheets = FormSheet::all(std::slice::from_ref(form))?;
        sheets.pop().ok_or_else(|| {
            xlsx::xlsx_error(
                &form.project_name,
                XlsxError::ParameterError("合并用工作表缺失（请报告此问题）".into()),
            )
        })
    }

    /// The sheets of `forms`, in order, each the same bytes as [`FormSheet::new`] gives
    /// it, but written [`BATCH`] to a scratch workbook, which is several times faster for
    /// many forms than one by one.
    ///
    /// ```
    /// use declform::merge::FormSheet;
    /// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
    /// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
    /// let sheets = FormSheet::all(&forms)?;
    /// assert_eq!(sheets.len(), forms.len());
    /// assert_eq!(sheets[3], FormSheet::new(&forms[3])?);
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`FormSheet::new`], for the first form whose sheet cannot be written.
    pub fn all<'a>(forms: impl IntoIterator<Item = &'a Form>) -> Result<Vec<FormSheet>> {
        let forms: Vec<&Form> = forms.into_iter().collect();
        FormSheet::in_batches(&forms, BATCH)
    }

    /// [`FormSheet::all`] with `batch` forms (at least one) to a scratch workbook.
    fn in_batches(forms: &[&Form], batch: usize) -> Result<Vec<FormSheet>> {
        let mut out = Vec::with_capacity(forms.len());
        for chunk in forms.chunks(batch.max(1)) {
            match sheet_xmls(chunk) {
                Ok(xmls) => {
                    for (form, xml) in chunk.iter().zip(xmls) {
                        let zip =
                            deflate(&xml).map_err(|e| xlsx::xlsx_error(&form.project_name, e))?;
                        out.push(FormSheet { zip });
                    }
                }
                // The form the error is about, and so the message, as if one by one.
                Err(_) if chunk.len() > 1 => {
                    out.extend(FormSheet::in_batches(chunk, 1)?);
                }
                Err((i, e)) => {
                    let what = chunk.get(i).map_or("", |f| f.project_name.as_str());
                    return Err(xlsx::xlsx_error(what, e));
                }
            }
        }
        Ok(out)
    }

    /// The size of the sheet as it is kept, in bytes.
    ///
    /// ```
    /// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
    /// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
    /// let sheet = declform::merge::FormSheet::new(&forms[0])?;
    /// assert!((1_000..20_000).contains(&sheet.compressed_len()));
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn compressed_len(&self) -> usize {
        self.zip.len()
    }
}

/// How many form sheets [`FormSheet::all`] writes to one scratch workbook: a save costs
/// about as much as a form sheet's (theme, styles, document properties, zip), so it is
/// shared by this many; the sheets' bytes do not depend on it. A caller that builds sheets
/// on several threads hands each thread about this many forms at a time.
///
/// ```
/// use declform::merge::{BATCH, FormSheet};
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let sheets: Vec<FormSheet> = forms
///     .chunks(BATCH)
///     .map(FormSheet::all)
///     .collect::<Result<Vec<_>, _>>()?
///     .concat();
/// assert_eq!(sheets, FormSheet::all(&forms)?);
/// # Ok::<(), declform::Error>(())
/// ```
pub const BATCH: usize = 64;

/// The XML of the sheets of `forms` with inline strings and the primed style indices:
/// written as the second and later sheets of a workbook of their own (the first, priming
/// the formats, keeps the form sheets from being the selected one), then the shared
/// strings put inline. On error, the index in `forms` of the form it is about (0 when it
/// is about the save).
fn sheet_xmls(forms: &[&Form]) -> std::result::Result<Vec<Vec<u8>>, (usize, XlsxError)> {
    let mut wb = xlsx::bare_workbook();
    wb.set_zip_compression_level(1);
    prime(&mut wb).map_err(|e| (0, e))?;
    for (i, form) in forms.iter().enumerate() {
        writer::add_form_sheet(
            wb.add_worksheet(),
            &format!("表{}", i + 1),
            form,
            writer::layout_for(form, None),
            formats(),
        )
        .map_err(|e| (i, e))?;
    }
    extract(&mut wb, forms.len()).map_err(|e| (0, e))
}

/// The XML of the `n` sheets after the priming one of `wb`, saved, with inline strings.
fn extract(wb: &mut Workbook, n: usize) -> Result<Vec<Vec<u8>>, XlsxError> {
    let bytes = wb.save_to_buffer()?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let unexpected = |what: &str| {
        XlsxError::ParameterError(format!("合并用工作表的{what}与预期不符（请报告此问题）"))
    };
    let part = |zip: &mut zip::ZipArchive<_>, name: &str| -> Result<Vec<u8>, XlsxError> {
        let mut out = Vec::new();
        match zip.by_name(name) {
            Ok(mut f) => {
                std::io::Read::read_to_end(&mut f, &mut out)?;
            }
            Err(zip::result::ZipError::FileNotFound) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(out)
    };
    // Every format the sheets use must be one of those primed, or their indices would not
    // be those of the merged workbook.
    let styles = part(&mut zip, "xl/styles.xml")?;
    if memchr::memmem::find(&styles, primed_xfs().as_bytes()).is_none() {
        return Err(unexpected("格式"));
    }
    let strings = part(&mut zip, "xl/sharedStrings.xml")?;
    let table = string_table(&strings).ok_or_else(|| unexpected("字符串"))?;
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        // The priming sheet is sheet1.
        if zip
            .index_for_name(&format!("xl/worksheets/_rels/sheet{}.xml.rels", k + 2))
            .is_some()
        {
            return Err(unexpected("关联部件"));
        }
        let sheet = part(&mut zip, &format!("xl/worksheets/sheet{}.xml", k + 2))?;
        out.push(inline_strings(&sheet, &table).ok_or_else(|| unexpected("字符串"))?);
    }
    Ok(out)
}

/// The start of `styles.xml`'s cell formats when every form format is primed and the
/// sheets add none: the default format and the primed ones.
fn primed_xfs() -> &'static str {
    static XFS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    XFS.get_or_init(|| format!("<cellXfs count=\"{}\"", formats().every().len() + 1))
}

/// The `<si>` contents of `sharedStrings.xml`, in order (none when it is empty).
fn string_table(strings: &[u8]) -> Option<Vec<&[u8]>> {
    use memchr::memmem;
    let mut table: Vec<&[u8]> = Vec::new();
    let mut rest = strings;
    while let Some(open) = memmem::find(rest, b"<si>") {
        let after = rest.get(open + 4..)?;
        let close = memmem::find(after, b"</si>")?;
        table.push(after.get(..close)?);
        rest = after.get(close + 5..)?;
    }
    Some(table)
}

/// `sheet` with its shared-string cells (`t="s"><v>N</v>`) made inline strings
/// (`t="inlineStr"><is>…</is>`), with the `<si>` content of `table[N]` as it is.
fn inline_strings(sheet: &[u8], table: &[&[u8]]) -> Option<Vec<u8>> {
    use memchr::memmem;
    let start = memmem::find(sheet, b"<sheetData")?;
    let end = memmem::find(sheet, b"</sheetData>").unwrap_or(start);
    let (head, tail) = sheet.split_at(end);
    let mut out = Vec::with_capacity(sheet.len() + sheet.len() / 2);
    const CELL: &[u8] = b"t=\"s\"><v>";
    let mut at = 0;
    for hit in memmem::find_iter(head, CELL) {
        if hit < at {
            continue;
        }
        out.extend_from_slice(head.get(at..hit)?);
        let digits = head.get(hit + CELL.len()..)?;
        let close = memmem::find(digits, b"</v>")?;
        let n: usize = std::str::from_utf8(digits.get(..close)?)
            .ok()?
            .parse()
            .ok()?;
        out.extend_from_slice(b"t=\"inlineStr\"><is>");
        out.extend_from_slice(table.get(n)?);
        out.extend_from_slice(b"</is>");
        at = hit + CELL.len() + close + 4;
    }
    out.extend_from_slice(head.get(at..)?);
    out.extend_from_slice(tail);
    Some(out)
}

/// The options of every entry of a merged workbook: those rust_xlsxwriter writes with at
/// deflate level 1.
fn entry_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default())
}

/// `xml` deflated at level 1, as a zip archive of one entry.
fn deflate(xml: &[u8]) -> Result<Vec<u8>, XlsxError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("sheet.xml", entry_options())?;
    zip.write_all(xml)?;
    Ok(zip.finish()?.into_inner())
}

/// A finished merged workbook and its summary rows.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let mut merged = declform::merge(&forms)?;
/// assert_eq!(merged.rows().len(), forms.len());
/// assert!(merged.to_bytes()?.starts_with(b"PK"));
/// # Ok::<(), declform::Error>(())
/// ```
pub struct Merged {
    wb: Workbook,
    sheets: Vec<FormSheet>,
    rows: Vec<SummaryRow>,
}

impl std::fmt::Debug for Merged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merged")
            .field("forms", &self.rows.len())
            .finish()
    }
}

impl Merged {
    /// The summary rows, in form order.
    ///
    /// ```
    /// let forms = [declform::Form { department: "司法局".into(), ..Default::default() }];
    /// let merged = declform::merge(&forms)?;
    /// assert_eq!(merged.rows()[0].department, "司法局");
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn rows(&self) -> &[SummaryRow] {
        &self.rows
    }

    /// The workbook's bytes.
    ///
    /// ```
    /// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
    /// let bytes = declform::merge(&forms)?.to_bytes()?;
    /// let back = declform::read(bytes, "合并.xlsx", &Default::default())?;
    /// assert_eq!(back.forms[0].project_name, "甲");
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the workbook cannot be written.
    pub fn to_bytes(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.assemble(&mut out)
            .map_err(|e| xlsx::xlsx_error(&Tables::get().summary.sheet, e))?;
        Ok(out)
    }

    /// Writes the workbook to `w`, the same bytes as [`Merged::to_bytes`], holding no more
    /// than the workbook without its form sheets and the deflated form sheets in memory.
    ///
    /// ```
    /// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
    /// let mut merged = declform::merge(&forms)?;
    /// let mut out = Vec::new();
    /// merged.write_to(&mut out)?;
    /// assert_eq!(out, merged.to_bytes()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The writer's I/O error (a full disk keeps its kind).
    pub fn write_to<W: Write + Send>(&mut self, w: W) -> std::io::Result<()> {
        self.assemble(w).map_err(|e| match e {
            XlsxError::IoError(io) => io,
            XlsxError::ZipError(zip::result::ZipError::Io(io)) => io,
            other => std::io::Error::other(other.to_string()),
        })
    }

    /// Saves the workbook of the two summaries and copies its parts to `w`, with the form
    /// sheets' deflated XML after the summaries' and the four parts that list the sheets
    /// (content types, the workbook's relations, the workbook, the document's properties)
    /// extended as rust_xlsxwriter writes them for a workbook of every sheet.
    fn assemble<W: Write>(&mut self, w: W) -> Result<(), XlsxError> {
        let mut skeleton = Vec::new();
        self.wb.save_to_writer(&mut skeleton)?;
        let mut parts = zip::ZipArchive::new(std::io::Cursor::new(skeleton.as_slice()))?;
        let names: Vec<&str> = self.rows.iter().map(|r| r.sheet.as_str()).collect();
        let last_summary = format!("xl/worksheets/sheet{FIRST_FORM_SHEET}.xml");
        let mut out = zip::ZipWriter::new_stream(w);
        for i in 0..parts.len() {
            let name = parts
                .name_for_index(i)
                .transpose()?
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            let patch: Option<Patch> = match name.as_str() {
                "[Content_Types].xml" => Some(content_types),
                "xl/_rels/workbook.xml.rels" => Some(workbook_rels),
                "xl/workbook.xml" => Some(workbook_xml),
                "docProps/app.xml" => Some(app_xml),
                _ => None,
            };
            match patch {
                Some(patch) if !names.is_empty() => {
                    let mut xml = String::new();
                    std::io::Read::read_to_string(&mut parts.by_index(i)?, &mut xml)?;
                    let xml = patch(&xml, &names).ok_or_else(|| {
                        XlsxError::ParameterError(format!(
                            "{name} 与预期不符，无法加入各表（请报告此问题）"
                        ))
                    })?;
                    out.start_file(name.as_str(), entry_options())?;
                    out.write_all(xml.as_bytes())?;
                }
                _ => out.raw_copy_file(parts.by_index_raw(i)?)?,
            }
            if name == last_summary {
                for (k, sheet) in self.sheets.iter().enumerate() {
                    let mut one = zip::ZipArchive::new(std::io::Cursor::new(sheet.zip.as_slice()))?;
                    let part = format!("xl/worksheets/sheet{}.xml", k + FIRST_FORM_SHEET + 1);
                    out.raw_copy_file_rename(one.by_index_raw(0)?, part)?;
                }
            }
        }
        out.finish()?;
        Ok(())
    }
}

/// A part of the workbook extended with the form sheets, by their names.
type Patch = fn(&str, &[&str]) -> Option<String>;

/// `xml` with `insert` put in after the end of the first `after`.
fn insert_after(xml: &str, after: &str, insert: &str) -> Option<String> {
    let at = xml.find(after)? + after.len();
    let (head, tail) = xml.split_at(at);
    Some(format!("{head}{insert}{tail}"))
}

/// A text as an XML attribute value, escaped as rust_xlsxwriter does.
fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "&#xA;")
}

/// A text as XML character data, escaped as rust_xlsxwriter does.
fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if u32::from(c) < 0x20 && c != '\t' && c != '\n' => {
                out.push_str(&format!("_x{:04X}_", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// `[Content_Types].xml` with a worksheet override for each form sheet.
fn content_types(xml: &str, names: &[&str]) -> Option<String> {
    let last = format!(
        "<Override PartName=\"/xl/worksheets/sheet{FIRST_FORM_SHEET}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    );
    let insert: String = (0..names.len())
        .map(|k| {
            last.replace(
                &format!("sheet{FIRST_FORM_SHEET}.xml"),
                &format!("sheet{}.xml", k + FIRST_FORM_SHEET + 1),
            )
        })
        .collect();
    insert_after(xml, &last, &insert)
}

/// `xl/_rels/workbook.xml.rels` with a relation for each form sheet, numbered after the
/// summaries', and the other relations (theme, styles, strings) numbered after them.
fn workbook_rels(xml: &str, names: &[&str]) -> Option<String> {
    let n = names.len();
    let mut out = String::with_capacity(xml.len() + n * 160);
    let mut rest = xml;
    while let Some(at) = rest.find("Id=\"rId") {
        let (head, tail) = rest.split_at(at + 7);
        out.push_str(head);
        let end = tail.find('"')?;
        let id: usize = tail.get(..end)?.parse().ok()?;
        let id = if id > FIRST_FORM_SHEET { id + n } else { id };
        out.push_str(&id.to_string());
        rest = tail.get(end..)?;
    }
    out.push_str(rest);
    let last = format!(
        "<Relationship Id=\"rId{FIRST_FORM_SHEET}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{FIRST_FORM_SHEET}.xml\"/>"
    );
    let insert: String = (FIRST_FORM_SHEET + 1..=FIRST_FORM_SHEET + n)
        .map(|id| format!("<Relationship Id=\"rId{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{id}.xml\"/>"))
        .collect();
    insert_after(&out, &last, &insert)
}

/// `xl/workbook.xml` with each form sheet in its `<sheets>`.
fn workbook_xml(xml: &str, names: &[&str]) -> Option<String> {
    let at = xml.find("</sheets>")?;
    let insert: String = names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let id = k + FIRST_FORM_SHEET + 1;
            format!(
                "<sheet name=\"{}\" sheetId=\"{id}\" r:id=\"rId{id}\"/>",
                attribute(name)
            )
        })
        .collect();
    let (head, tail) = xml.split_at(at);
    Some(format!("{head}{insert}{tail}"))
}

/// `docProps/app.xml` with the form sheets counted and named after the summaries.
fn app_xml(xml: &str, names: &[&str]) -> Option<String> {
    let n = names.len();
    let count = format!(
        "<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{FIRST_FORM_SHEET}</vt:i4>"
    );
    let xml = xml.replacen(
        &count,
        &count.replace(
            &format!("<vt:i4>{FIRST_FORM_SHEET}</vt:i4>"),
            &format!("<vt:i4>{}</vt:i4>", FIRST_FORM_SHEET + n),
        ),
        1,
    );
    let titles = xml.find("<TitlesOfParts><vt:vector size=\"")? + 32;
    let (head, tail) = xml.split_at(titles);
    let end = tail.find('"')?;
    let size: usize = tail.get(..end)?.parse().ok()?;
    let tail = tail.get(end..)?;
    // After the summaries' names.
    let mut at = 0;
    for _ in 0..FIRST_FORM_SHEET {
        at += tail.get(at..)?.find("</vt:lpstr>")? + 11;
    }
    let insert: String = names
        .iter()
        .map(|name| format!("<vt:lpstr>{}</vt:lpstr>", data(name)))
        .collect();
    Some(format!(
        "{head}{}{}{insert}{}",
        size + n,
        tail.get(..at)?,
        tail.get(at..)?
    ))
}

/// Builds the merged workbook of `forms` in memory: summaries first, then every form on a
/// sheet of its own.
///
/// ```
/// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
/// let mut merged = declform::merge(&forms)?;
/// let back = declform::read(merged.to_bytes()?, "合并.xlsx", &Default::default())?;
/// assert_eq!((back.forms.len(), back.forms[0].project_name.as_str()), (1, "甲"));
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// When the workbook cannot be written.
pub fn merge(forms: &[Form]) -> Result<Merged> {
    let mut merger = Merger::new()?;
    for form in forms {
        merger.add(form)?;
    }
    merger.finish()
}

struct SummaryFormats {
    title: Format,
    unit: Format,
    date: Format,
    header: Format,
    text: Format,
    center: Format,
    amount: Format,
    amount_text: Format,
    date_cell: Format,
    link: Format,
    total_label: Format,
    total_amount: Format,
    number: Format,
    total_number: Format,
}

impl SummaryFormats {
    fn new() -> SummaryFormats {
        let page = &Tables::get().summary_page;
        let font = Format::new()
            .set_font_name(&Style::get().font)
            .set_font_size(page.font_size)
            .set_align(FormatAlign::VerticalCenter);
        let base = font.clone().set_border(FormatBorder::Thin);
        let bold = base
            .clone()
            .set_bold()
            .set_background_color(page.header_fill());
        let text = base.clone().set_text_wrap().set_indent(1);
        let amount = base
            .clone()
            .set_align(FormatAlign::Right)
            .set_indent(1)
            .set_num_format(amount_format(2));
        SummaryFormats {
            title: font
                .clone()
                .set_font_size(page.title_font_size)
                .set_bold()
                .set_align(FormatAlign::Center),
            unit: font.clone().set_align(FormatAlign::Left),
            date: font.set_align(FormatAlign::Right),
            header: bold.clone().set_align(FormatAlign::Center).set_text_wrap(),
            text: text.clone(),
            center: base.clone().set_align(FormatAlign::Center),
            amount: amount.clone(),
            amount_text: base.clone().set_align(FormatAlign::Right).set_indent(1),
            date_cell: base
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format(date_format()),
            link: text
                .set_font_color(page.link_color())
                .set_underline(FormatUnderline::Single),
            total_label: bold.clone().set_align(FormatAlign::Center),
            total_amount: bold
                .clone()
                .set_align(FormatAlign::Right)
                .set_indent(1)
                .set_num_format(amount_format(2)),
            number: base.set_align(FormatAlign::Center),
            total_number: bold.set_align(FormatAlign::Center),
        }
    }

    fn of(&self, style: CellStyle) -> &Format {
        match style {
            CellStyle::Text => &self.text,
            CellStyle::Center => &self.center,
            CellStyle::Number => &self.number,
            CellStyle::Date => &self.date_cell,
            CellStyle::Amount => &self.amount,
            CellStyle::Link => &self.link,
        }
    }
}

/// One summary cell's content.
enum Cell<'a> {
    Number(f64),
    Text(&'a str),
    Link(&'a str, &'a str),
    Date(Option<chrono::NaiveDate>),
    Amount(Option<Amount>),
    /// A formula with its exact cached result.
    Formula(String, String),
}

/// The rows of a summary sheet above its data: the title, the unit and date line, and the
/// header row, which is repeated on every printed page.
const TITLE_ROW: u32 = 0;
const UNIT_ROW: u32 = 1;
const HEADER_ROW: u32 = 2;

/// The sheet row of data row `i` (zero-based).
fn data_row(i: usize) -> u32 {
    u32::try_from(i)
        .unwrap_or(u32::MAX)
        .saturating_add(HEADER_ROW + 1)
}

/// A sheet of the summaries being written.
struct Table<'a> {
    ws: &'a mut Worksheet,
    spec: &'a TableSpec,
    /// The columns shown: the spec's, less those shown only when present that no row has.
    columns: Vec<&'a Column>,
    f: &'a SummaryFormats,
    widths: Widths,
    /// Texts that may wrap: (row, first and last column of its cell, text), measured when
    /// the widths are known.
    texts: Vec<(u32, u16, u16, String)>,
}

impl<'a> Table<'a> {
    fn new(
        ws: &'a mut Worksheet,
        spec: &'a TableSpec,
        columns: Vec<&'a Column>,
        f: &'a SummaryFormats,
    ) -> Self {
        let mut widths = Widths::new(columns.len(), spec.width_min, spec.width_max);
        for (c, column) in columns.iter().enumerate() {
            if let Some(max) = column.width_max {
                widths.limit(col(c), max);
            }
        }
        Table {
            ws,
            spec,
            columns,
            f,
            widths,
            texts: Vec::new(),
        }
    }

    fn header(&mut self) -> Result<(), XlsxError> {
        for (c, column) in self.columns.iter().enumerate() {
            let c = col(c);
            let title = column.header();
            self.ws
                .write_string_with_format(HEADER_ROW, c, &title, &self.f.header)?;
            // The header row is two lines high: a header may wrap once.
            let half: String = title
                .chars()
                .take(title.chars().count().div_ceil(2))
                .collect();
            self.widths.see(c, &half);
        }
        Ok(())
    }

    /// Remembers a text that may need more than one line.
    fn measure(&mut self, row: u32, c: u16, text: &str) {
        self.widths.see(c, text);
        if xlsx::display_width(text) > self.spec.width_min {
            self.texts.push((row, c, c, text.to_string()));
        }
    }

    fn cell(
        &mut self,
        row: u32,
        c: u16,
        style: CellStyle,
        cell: Cell<'_>,
    ) -> Result<(), XlsxError> {
        let fmt = self.f.of(style);
        match cell {
            Cell::Number(n) => {
                self.ws.write_number_with_format(row, c, n, fmt)?;
                self.widths.see(c, &n.to_string());
            }
            Cell::Text(t) => {
                self.ws.write_string_with_format(row, c, t, fmt)?;
                self.measure(row, c, t);
            }
            Cell::Link(text, sheet) => {
                let link =
                    Url::new(format!("internal:'{}'!A1", sheet.replace('\'', "''"))).set_text(text);
                self.ws.write_url_with_format(row, c, link, fmt)?;
                self.measure(row, c, text);
            }
            Cell::Date(d) => {
                match d.and_then(xlsx::excel_date) {
                    Some(dt) => self.ws.write_datetime_with_format(row, c, &dt, fmt)?,
                    None => self.ws.write_blank(row, c, fmt)?,
                };
                self.widths.see(c, "2024-01-01");
            }
            Cell::Amount(a) => {
                match a {
                    Some(a) => write_amount(self.ws, row, c, a, fmt, &self.f.amount_text)?,
                    None => {
                        self.ws.write_blank(row, c, fmt)?;
                    }
                }
                self.widths
                    .see(c, &a.map(|a| amount_text(&a)).unwrap_or_default());
            }
            Cell::Formula(formula, result) => {
                self.ws.write_formula_with_format(
                    row,
                    c,
                    Formula::new(formula).set_result(&result),
                    fmt,
                )?;
                if style == CellStyle::Amount {
                    self.widths.see(c, &amount_text(&result));
                }
            }
        }
        Ok(())
    }

    /// The 合计 row after `rows` data rows: `label` over the columns before the first
    /// total, a SUM with its exact result under each total column, blanks elsewhere.
    fn totals(&mut self, rows: u32, label: &str, sums: &[(u16, String)]) -> Result<(), XlsxError> {
        let total_row = HEADER_ROW + rows + 1;
        let first_total = self.columns.iter().position(|c| c.total).map_or(0, col);
        // The label spans the columns before the first total, but no further than the
        // columns repeated on every printed page, so that each page carries it.
        let label_end = match self.spec.repeat_columns {
            0 => first_total,
            r => first_total.min(r),
        };
        if label_end > 1 {
            self.ws.merge_range(
                total_row,
                0,
                total_row,
                label_end - 1,
                label,
                &self.f.total_label,
            )?;
        } else if label_end == 1 {
            self.ws
                .write_string_with_format(total_row, 0, label, &self.f.total_label)?;
        }
        if label_end > 0 {
            self.texts
                .push((total_row, 0, label_end - 1, label.to_string()));
        }
        let columns = self.columns.clone();
        for (c, column) in columns.iter().enumerate().skip(usize::from(label_end)) {
            let c = col(c);
            match sums.iter().find(|(sc, _)| *sc == c) {
                Some((_, result)) if column.total => {
                    let fmt = if column.style == CellStyle::Amount {
                        &self.f.total_amount
                    } else {
                        &self.f.total_number
                    };
                    let formula = format!(
                        "=SUM({})",
                        column_range(c, HEADER_ROW + 1, HEADER_ROW + rows)
                    );
                    self.ws.write_formula_with_format(
                        total_row,
                        c,
                        Formula::new(formula).set_result(result),
                        fmt,
                    )?;
                    if column.style == CellStyle::Amount {
                        self.widths.see(c, &amount_text(result));
                    }
                }
                _ => {
                    self.ws.write_blank(total_row, c, &self.f.total_label)?;
                }
            }
        }
        Ok(())
    }

    /// Widths, row heights, the title and unit lines over the first printed page, and the
    /// print and screen set-up, for a table of `rows` data rows made on `date` from forms
    /// of `year`.
    fn finish(
        mut self,
        rows: u32,
        year: Option<i32>,
        date: Option<chrono::NaiveDate>,
    ) -> Result<(), XlsxError> {
        let tables = Tables::get();
        let page = &tables.summary_page;
        let last = col(self.columns.len().saturating_sub(1));
        if self.spec.autofilter && rows > 0 {
            self.ws.autofilter(HEADER_ROW, 0, HEADER_ROW + rows, last)?;
        }
        // Columns onto pages: the repeated columns, then as many of the others as fit the
        // printable width in the widest measure, page after page.
        let repeat = self.spec.repeat_columns.min(last + 1);
        let m = &page.margins;
        let paper = if page.landscape {
            A4_POINTS.1
        } else {
            A4_POINTS.0
        };
        let room = paper - (m.left + m.right) * 72.0;
        let pages = plan_pages(&mut self.widths, repeat, last, room);
        let widths = self.widths.get();
        self.widths.apply(self.ws)?;
        let breaks: Vec<u32> = pages.iter().skip(1).map(|p| u32::from(p.0)).collect();
        let first_page_last = pages.first().map_or(last, |p| p.1);
        if !breaks.is_empty() {
            self.ws.set_vertical_page_breaks(&breaks)?;
        }

        // Title and unit line over the first page's columns.
        let title = self.spec.title(year);
        if first_page_last > 0 {
            self.ws.merge_range(
                TITLE_ROW,
                0,
                TITLE_ROW,
                first_page_last,
                &title,
                &self.f.title,
            )?;
        } else {
            self.ws
                .write_string_with_format(TITLE_ROW, 0, &title, &self.f.title)?;
        }
        self.ws.set_row_height(TITLE_ROW, page.title_row_height)?;
        self.ws
            .write_string_with_format(UNIT_ROW, 0, &tables.unit_line, &self.f.unit)?;
        let date_line = date.map_or(String::new(), |d| {
            tables
                .date_line
                .replace("{date}", &d.format("%Y-%m-%d").to_string())
        });
        if !date_line.is_empty() {
            self.ws.write_string_with_format(
                UNIT_ROW,
                first_page_last,
                &date_line,
                &self.f.date,
            )?;
        }

        // Row heights: the header's, and each row's tallest wrapped text.
        self.ws.set_row_height(HEADER_ROW, page.header_row_height)?;
        let mut lines: std::collections::BTreeMap<u32, usize> = Default::default();
        for (row, first, end, text) in &self.texts {
            let cols = usize::from(*first)..=usize::from(*end);
            let w: f64 = widths.get(cols.clone()).map_or(0.0, |w| w.iter().sum());
            let span = xlsx::span_points(w, cols.count());
            let (wrap, _, _) = xlsx::wrap_all(text, &span, page.font_size, 1);
            let slot = lines.entry(*row).or_insert(1);
            *slot = (*slot).max(wrap.lines);
        }
        let pad = 2.0 * Style::get().measure.vertical_padding_points;
        for (row, n) in lines {
            let h = (n as f64 * page.line_height + pad).max(page.min_row_height);
            self.ws.set_row_height(row, h)?;
        }

        // On paper, the title and unit lines are the page header of every page, and the
        // sheet prints from its header row.
        xlsx::page_setup(self.ws, page.paper_size, page.landscape, &page.margins);
        let header = page
            .print_header
            .replace("{unit}", &tables.unit_line)
            .replace("{date}", &date_line)
            .replace("{font}", &Style::get().font)
            .replace("{size}", &page.title_font_size.to_string())
            .replace("{title}", &title);
        self.ws.set_header(header);
        self.ws.set_footer(&page.footer);
        self.ws
            .set_print_area(HEADER_ROW, 0, HEADER_ROW + rows + 1, last)?;
        self.ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        // As many pages wide as planned, any number tall: at 100% where the plan holds, scaled
        // rather than split onto further pages where a program's fonts measure wider.
        self.ws
            .set_print_fit_to_pages(u16::try_from(pages.len()).unwrap_or(u16::MAX), 0);
        if repeat > 0 {
            self.ws.set_repeat_columns(0, repeat - 1)?;
        }
        self.ws.set_freeze_panes(HEADER_ROW + 1, repeat)?;
        Ok(())
    }
}

/// The printed pages of a table's columns, as (first, last) column of each beside the
/// `repeat` columns printed on every page: as many columns as fit `room` points in the
/// widest measure, page after page; then a page's room left over widens its columns whose
/// longest text would wrap, so that rows are no taller than what a page needs.
fn plan_pages(widths: &mut Widths, repeat: u16, last: u16, room: f64) -> Vec<(u16, u16)> {
    let printed = |widths: &Widths, c: u16| {
        xlsx::span_points(widths.get().get(usize::from(c)).copied().unwrap_or(0.0), 1)
            .last()
            .copied()
            .unwrap_or(0.0)
    };
    let fixed: f64 = (0..repeat).map(|c| printed(widths, c)).sum();
    let mut pages: Vec<(u16, u16, f64)> = Vec::new();
    let mut used = fixed;
    for c in repeat..=last {
        let w = printed(widths, c);
        match pages.last_mut() {
            Some(page) if used + w <= room || used <= fixed => page.1 = c,
            _ => {
                pages.push((c, c, 0.0));
                used = fixed;
            }
        }
        used += w;
        if let Some(page) = pages.last_mut() {
            page.2 = used;
        }
    }
    // Points per unit of width in the widest measure. The room every page has left goes
    // first to the repeated columns (项目名称 above all), then each page's to its own.
    let per_unit = printed_per_unit();
    let mut spares: Vec<f64> = pages
        .iter()
        .map(|p| ((room - p.2) / per_unit).max(0.0))
        .collect();
    let mut common = spares.iter().copied().fold(f64::INFINITY, f64::min);
    if common.is_finite() {
        let before = common;
        for c in 0..repeat {
            common -= widths.widen(c, common);
        }
        spares.iter_mut().for_each(|s| *s -= before - common);
    }
    for (&(first, end, _), mut spare) in pages.iter().zip(spares) {
        for c in first..=end {
            spare -= widths.widen(c, spare);
        }
    }
    if pages.is_empty() {
        return vec![(repeat.min(last), last)];
    }
    pages.into_iter().map(|(a, b, _)| (a, b)).collect()
}

/// Printed points per unit of column width in the widest program measured.
fn printed_per_unit() -> f64 {
    Style::get()
        .measure
        .points_per_unit
        .iter()
        .copied()
        .fold(1.0, f64::max)
}

/// A4 in points, portrait: width, height.
const A4_POINTS: (f64, f64) = (595.28, 841.89);

/// An amount as it displays (grouped thousands), for measuring its column.
fn amount_text(a: &impl ToString) -> String {
    let s = a.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let digits = int.trim_start_matches('-').len();
    format!(
        "{}{}.{frac} ",
        "0".repeat(digits + digits.saturating_sub(1) / 3),
        ""
    )
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// The exact sum of an amount over rows.
fn amount_sum<'a>(rows: impl Iterator<Item = &'a SummaryRow>, field: Field) -> Amount {
    rows.filter_map(|r| r.amount(field))
        .fold(Amount::ZERO, |acc, a| acc.checked_add(a).unwrap_or(acc))
}

fn summary_cell<'a>(
    column: &Column,
    row: &'a SummaryRow,
    i: usize,
    file: &'a str,
    note: &'a str,
) -> Cell<'a> {
    if let Some(v) = column.value {
        return match v {
            Computed::Index => Cell::Number((i + 1) as f64),
            Computed::Indicators => Cell::Number(row.indicators as f64),
            Computed::SourceFile => Cell::Text(file),
            Computed::SourceSheet => Cell::Text(&row.source_sheet),
            Computed::Note => Cell::Text(note),
            _ => Cell::Text(""),
        };
    }
    match column.field {
        Some(Field::Department) => Cell::Text(&row.department),
        Some(Field::ImplementingUnit) => Cell::Text(&row.implementing_unit),
        Some(Field::ProjectName) => Cell::Link(&row.project_name, &row.sheet),
        Some(Field::ProjectCategory) => Cell::Text(&row.project_category),
        Some(Field::ProjectNature) => Cell::Text(row.project_nature.as_deref().unwrap_or("")),
        Some(Field::StartDate) => Cell::Date(row.start_date),
        Some(Field::EndDate) => Cell::Date(row.end_date),
        Some(Field::Year) => row
            .year
            .map_or(Cell::Text(""), |y| Cell::Number(f64::from(y))),
        Some(f) if f.kind() == FieldKind::Amount => Cell::Amount(row.amount(f)),
        _ => Cell::Text(""),
    }
}

/// The columns of a table shown for `rows`: those shown only when present need a row
/// with a value for them.
fn shown<'a>(spec: &'a TableSpec, rows: &[SummaryRow]) -> Vec<&'a Column> {
    let present = |column: &Column| match column.field {
        Some(Field::ProjectNature) => rows
            .iter()
            .any(|r| r.project_nature.as_deref().is_some_and(|n| !n.is_empty())),
        _ => true,
    };
    spec.columns
        .iter()
        .filter(|c| !c.when_present || present(c))
        .collect()
}

/// The year of all rows, when they have one and the same.
/// The files as the summary's 来源文件 shows them: relative to the folder all of them lie in,
/// so that the summary reads (and prints) the same wherever the files are; a single file by
/// its name. Both `/` and `\` separate folders.
///
/// ```
/// # use declform::merge::relative_files;
/// let files = ["/home/甲/2024/一上/办公室.xlsx", "/home/甲/2024/二上/办公室.xlsx", ""];
/// assert_eq!(relative_files(files), ["一上/办公室.xlsx", "二上/办公室.xlsx", ""]);
/// assert_eq!(relative_files([r"D:\各部门\a.xlsx", r"D:\各部门\b.xls"]), ["a.xlsx", "b.xls"]);
/// assert_eq!(relative_files(["a.xlsx", "sub/b.xlsx"]), ["a.xlsx", "sub/b.xlsx"]);
/// ```
pub fn relative_files<'a>(files: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let files: Vec<&str> = files.into_iter().collect();
    let folder_end = |f: &str| f.rfind(['/', '\\']).map_or(0, |i| i + 1);
    // The longest folder prefix (ending in a separator) shared by every named file.
    let mut common: Option<&str> = None;
    for f in files.iter().filter(|f| !f.is_empty()) {
        let folder = &f[..folder_end(f)];
        common = Some(match common {
            None => folder,
            Some(c) => {
                let same = c
                    .char_indices()
                    .zip(folder.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8());
                &c[..folder_end(&c[..same])]
            }
        });
    }
    let cut = common.map_or(0, str::len);
    files
        .into_iter()
        .map(|f| if f.len() >= cut { &f[cut..] } else { f })
        .collect()
}

fn common_year(rows: &[SummaryRow]) -> Option<i32> {
    let first = rows.first()?.year?;
    rows.iter().all(|r| r.year == Some(first)).then_some(first)
}

fn write_summaries(
    wb: &mut Workbook,
    rows: &[SummaryRow],
    date: Option<chrono::NaiveDate>,
) -> Result<(), XlsxError> {
    let tables = Tables::get();
    let dups = duplicates(rows);
    let flagged = dups.iter().filter(|d| d.is_some()).count();
    let total_label = if flagged > 0 {
        tables
            .total_label_with_duplicates
            .replace("{n}", &flagged.to_string())
    } else {
        tables.total_label.clone()
    };
    let year = common_year(rows);
    let f = SummaryFormats::new();
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX);

    // 汇总: one row per form.
    let spec = &tables.summary;
    let columns = shown(spec, rows);
    let mut t = Table::new(wb.worksheet_from_index(0)?, spec, columns.clone(), &f);
    t.header()?;
    let files = relative_files(rows.iter().map(|r| r.file.as_str()));
    for (i, row) in rows.iter().enumerate() {
        let file = files.get(i).copied().unwrap_or_default();
        let note = match dups.get(i).copied().flatten() {
            Some(j) => tables.duplicate_note.replace("{row}", &(j + 1).to_string()),
            None => String::new(),
        };
        for (c, column) in columns.iter().enumerate() {
            let cell = summary_cell(column, row, i, file, &note);
            t.cell(data_row(i), col(c), column.style, cell)?;
        }
    }
    let sums: Vec<(u16, String)> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.total)
        .map(|(c, column)| {
            let sum = match (column.field, column.value) {
                (Some(field), _) => amount_sum(rows.iter(), field).to_string(),
                (None, Some(Computed::Indicators)) => {
                    rows.iter().map(|r| r.indicators).sum::<usize>().to_string()
                }
                _ => rows.len().to_string(),
            };
            (col(c), sum)
        })
        .collect();
    t.totals(n, &total_label, &sums)?;
    t.finish(n, year, date)?;

    // 按部门汇总: one row per 主管部门, in order of first appearance, as formulas over 汇总
    // with their exact results.
    let summary_col = |field: Field| columns.iter().position(|c| c.field == Some(field)).map(col);
    let range = |field: Field| {
        summary_col(field)
            .map(|c| absolute_column_range(&spec.sheet, c, HEADER_ROW + 1, HEADER_ROW + n))
            .unwrap_or_default()
    };
    let dept_spec = &tables.by_department;
    let dept_columns = shown(dept_spec, rows);
    let mut t = Table::new(
        wb.worksheet_from_index(1)?,
        dept_spec,
        dept_columns.clone(),
        &f,
    );
    let dept_col = dept_columns
        .iter()
        .position(|c| c.field == Some(Field::Department))
        .map_or(0, col);
    let mut by_dept: IndexMap<&str, Vec<&SummaryRow>> = IndexMap::new();
    for r in rows {
        by_dept.entry(r.department.as_str()).or_default().push(r);
    }
    t.header()?;
    for (i, (dept, group)) in by_dept.iter().enumerate() {
        let row = data_row(i);
        let criteria = crate::cellref::a1(row, dept_col);
        for (c, column) in dept_columns.iter().enumerate() {
            let cell = match (column.value, column.field) {
                (Some(Computed::Index), _) => Cell::Number((i + 1) as f64),
                (Some(Computed::Count), _) => Cell::Formula(
                    format!("=COUNTIF({},{criteria})", range(Field::Department)),
                    group.len().to_string(),
                ),
                (_, Some(Field::Department)) => Cell::Text(dept),
                (_, Some(field)) if field.kind() == FieldKind::Amount => Cell::Formula(
                    format!(
                        "=SUMIF({},{criteria},{})",
                        range(Field::Department),
                        range(field)
                    ),
                    amount_sum(group.iter().copied(), field).to_string(),
                ),
                _ => Cell::Text(""),
            };
            t.cell(row, col(c), column.style, cell)?;
        }
    }
    let d = u32::try_from(by_dept.len()).unwrap_or(u32::MAX);
    let sums: Vec<(u16, String)> = dept_columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.total)
        .map(|(c, column)| {
            let sum = match column.field {
                Some(field) => amount_sum(rows.iter(), field).to_string(),
                None => rows.len().to_string(),
            };
            (col(c), sum)
        })
        .collect();
    t.totals(d, &total_label, &sums)?;
    t.finish(d, year, date)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed forms, and one of them with a text longer than a cell holds.
    fn forms() -> (Vec<Form>, Form) {
        let seed = include_bytes!("../samples/seed-forms-2024.json").to_vec();
        let forms = crate::read(seed, "seed.json", &Default::default())
            .unwrap()
            .forms;
        let mut long = forms[2].clone();
        long.project_name = "太长".into();
        long.annual_goal = "字".repeat(40_000);
        (forms, long)
    }

    #[test]
    fn form_sheets_do_not_depend_on_the_batch_size() {
        let (forms, _) = forms();
        let refs: Vec<&Form> = forms.iter().chain(&forms).chain(&forms).collect();
        let one = FormSheet::in_batches(&refs, 1).unwrap();
        assert_eq!(one.len(), 30);
        for batch in [2, 7, 30, BATCH] {
            assert!(
                FormSheet::in_batches(&refs, batch).unwrap() == one,
                "batch {batch}"
            );
        }
        assert!(FormSheet::all(&forms).unwrap()[..] == one[..10]);
    }

    #[test]
    fn a_sheet_that_cannot_be_written_is_named_in_any_batch() {
        let (forms, long) = forms();
        let alone = FormSheet::new(&long).unwrap_err().to_string();
        assert!(alone.contains("太长"), "{alone}");
        let mut refs: Vec<&Form> = forms.iter().collect();
        refs.insert(4, &long);
        for batch in [1, 3, BATCH] {
            let e = FormSheet::in_batches(&refs, batch).unwrap_err();
            assert_eq!(e.to_string(), alone, "batch {batch}");
        }
    }
}
