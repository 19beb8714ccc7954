//! Many forms into one workbook: the summary sheets `汇总` and `按部门汇总`, then every form
//! on its own sheet in the official layout. The summaries' columns, headers, formats and
//! page are described in `templates/tables.json`.
//!
//! ```
//! use declform::Merger;
//! let seed = include_bytes!("../samples/seed-forms-2024.json").to_vec();
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

/// A merged workbook being built: each form's sheet is written as the form arrives (in
/// input order), the summary sheets, created first so that they come first, at the end.
///
/// This is the serial, in-memory path; the command line reads its inputs in parallel and
/// feeds the forms here in input order, so the bytes are the same however they were read.
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
    formats: Formats,
    rows: Vec<SummaryRow>,
    in_memory_first: usize,
    constant_memory_sheets: usize,
    date: Option<chrono::NaiveDate>,
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merger")
            .field("forms", &self.rows.len())
            .finish()
    }
}

impl Merger {
    /// An empty merged workbook with its two summary sheets; every sheet stays in memory
    /// until the workbook is written.
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
        Merger::with_sheet_budget(usize::MAX, 0)
    }

    /// Like [`Merger::new`], but the form sheets after the first `in_memory_first` are
    /// written in rust_xlsxwriter's constant-memory mode: their cells go to a temporary
    /// file as they are written instead of staying in memory until the save, at the cost of
    /// one open file each until then. The next `constant_memory_sheets` sheets are written
    /// that way (size it by the process's open-file limit); any beyond stay in memory again.
    /// Constant-memory sheets write their strings inline instead of sharing them, so the
    /// bytes differ from [`Merger::new`]'s, while the workbook reads the same.
    ///
    /// ```
    /// let seed = include_bytes!("../samples/seed-forms-2024.json").to_vec();
    /// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
    /// let mut merger = declform::Merger::with_constant_memory(2, 100)?;
    /// forms.iter().try_for_each(|form| merger.add(form))?;
    /// let bytes = merger.finish()?.to_bytes()?;
    /// assert_eq!(declform::read(bytes, "合并.xlsx", &Default::default())?.forms.len(), forms.len());
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Merger::new`].
    #[cfg(feature = "constant-memory")]
    pub fn with_constant_memory(
        in_memory_first: usize,
        constant_memory_sheets: usize,
    ) -> Result<Merger> {
        Merger::with_sheet_budget(in_memory_first, constant_memory_sheets)
    }

    fn with_sheet_budget(in_memory_first: usize, constant_memory_sheets: usize) -> Result<Merger> {
        let mut wb = xlsx::new_workbook();
        // A consolidated workbook is large and written once: deflate level 1 saves in about
        // half the time of the default 6, for a file about 30% larger.
        wb.set_zip_compression_level(1);
        let mut names = SheetNames::default();
        let tables = Tables::get();
        for name in [&tables.summary.sheet, &tables.by_department.sheet] {
            names.reserve(name);
            wb.add_worksheet()
                .set_name(name)
                .map_err(|e| xlsx::xlsx_error(name, e))?;
        }
        Ok(Merger {
            wb,
            names,
            formats: Formats::default(),
            rows: Vec::new(),
            in_memory_first,
            constant_memory_sheets,
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
    /// 项目性质, the 2024 grid otherwise) and keeps its summary row.
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
    /// written (a constant-memory sheet's temporary file).
    pub fn add(&mut self, form: &Form) -> Result<()> {
        writer::refuse_unwritable(form, self.rows.len())?;
        self.write(form)
    }

    /// Adds the forms of one input, all or none: every form is checked as [`Merger::add`]
    /// checks it before any is written, so that a caller can skip a bad file whole.
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
    /// As [`Merger::add`]; on [`ErrorKind::Unwritable`](crate::ErrorKind::Unwritable) nothing
    /// of `forms` has been written.
    pub fn add_all(&mut self, forms: &[Form]) -> Result<()> {
        for (i, form) in forms.iter().enumerate() {
            writer::refuse_unwritable(form, self.rows.len() + i)?;
        }
        forms.iter().try_for_each(|form| self.write(form))
    }

    /// Writes a form's sheet and keeps its summary row; the form has been checked.
    fn write(&mut self, form: &Form) -> Result<()> {
        let name = self.names.claim(&form.project_name);
        let n = self.rows.len();
        let first = self.in_memory_first;
        let ws = if n >= first && n < first.saturating_add(self.constant_memory_sheets) {
            constant_memory_sheet(&mut self.wb)
                .map_err(|e| xlsx::xlsx_error(&form.project_name, e))?
        } else {
            self.wb.add_worksheet()
        };
        writer::add_form_sheet(
            ws,
            &name,
            form,
            writer::layout_for(form, None),
            &self.formats,
        )
        .map_err(|e| xlsx::xlsx_error(&form.project_name, e))?;
        self.rows.push(SummaryRow::of(form, name));
        Ok(())
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
            rows: self.rows,
        })
    }
}

#[cfg(feature = "constant-memory")]
fn constant_memory_sheet(wb: &mut Workbook) -> Result<&mut Worksheet, XlsxError> {
    wb.add_worksheet_with_constant_memory()
}

#[cfg(not(feature = "constant-memory"))]
fn constant_memory_sheet(wb: &mut Workbook) -> Result<&mut Worksheet, XlsxError> {
    Ok(wb.add_worksheet())
}

/// A finished merged workbook and its summary rows.
///
/// ```
/// let seed = include_bytes!("../samples/seed-forms-2024.json").to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let mut merged = declform::merge(&forms)?;
/// assert_eq!(merged.rows().len(), forms.len());
/// assert!(merged.to_bytes()?.starts_with(b"PK"));
/// # Ok::<(), declform::Error>(())
/// ```
pub struct Merged {
    wb: Workbook,
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
    /// When the workbook cannot be written (a constant-memory sheet's temporary file gone).
    pub fn to_bytes(&mut self) -> Result<Vec<u8>> {
        xlsx::to_bytes(&mut self.wb, &Tables::get().summary.sheet)
    }

    /// Writes the workbook to `w` without holding all of it in memory; the same bytes as
    /// [`Merged::to_bytes`].
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
        self.wb.save_to_writer(w).map_err(|e| match e {
            XlsxError::IoError(io) => io,
            XlsxError::ZipError(zip::result::ZipError::Io(io)) => io,
            other => std::io::Error::other(other.to_string()),
        })
    }
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
    /// Texts that may wrap: (row, column, text), measured when the widths are known.
    texts: Vec<(u32, u16, String)>,
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
            self.texts.push((row, c, text.to_string()));
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
        if first_total > 1 {
            self.ws.merge_range(
                total_row,
                0,
                total_row,
                first_total - 1,
                label,
                &self.f.total_label,
            )?;
        } else if first_total == 1 {
            self.ws
                .write_string_with_format(total_row, 0, label, &self.f.total_label)?;
        }
        if first_total > 0 {
            self.texts.push((total_row, 0, label.to_string()));
        }
        let columns = self.columns.clone();
        for (c, column) in columns.iter().enumerate().skip(usize::from(first_total)) {
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
        self,
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
        self.widths.apply(self.ws)?;

        // Columns onto pages: the repeated columns, then as many of the others as fit the
        // printable width in the widest measure, page after page.
        let widths = self.widths.get();
        let printed = |c: u16| {
            xlsx::span_points(widths.get(usize::from(c)).copied().unwrap_or(0.0), 1)
                .last()
                .copied()
                .unwrap_or(0.0)
        };
        let repeat = self.spec.repeat_columns.min(last + 1);
        let m = &page.margins;
        let paper = if page.landscape {
            A4_POINTS.1
        } else {
            A4_POINTS.0
        };
        let room = paper - (m.left + m.right) * 72.0;
        let fixed: f64 = (0..repeat).map(printed).sum();
        let mut breaks: Vec<u32> = Vec::new();
        let mut used = fixed;
        let mut first_page_last = last;
        for c in repeat..=last {
            let w = printed(c);
            if used + w > room && used > fixed {
                if breaks.is_empty() {
                    first_page_last = c - 1;
                }
                breaks.push(u32::from(c));
                used = fixed;
            }
            used += w;
        }
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
        for (row, c, text) in &self.texts {
            let w = widths.get(usize::from(*c)).copied().unwrap_or(0.0);
            let (wrap, _, _) = xlsx::wrap_all(text, &xlsx::span_points(w, 1), page.font_size, 1);
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
        if repeat > 0 {
            self.ws.set_repeat_columns(0, repeat - 1)?;
        }
        self.ws.set_freeze_panes(HEADER_ROW + 1, repeat)?;
        Ok(())
    }
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

fn summary_cell<'a>(column: &Column, row: &'a SummaryRow, i: usize, note: &'a str) -> Cell<'a> {
    if let Some(v) = column.value {
        return match v {
            Computed::Index => Cell::Number((i + 1) as f64),
            Computed::Indicators => Cell::Number(row.indicators as f64),
            Computed::SourceFile => Cell::Text(&row.file),
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
    for (i, row) in rows.iter().enumerate() {
        let note = match dups.get(i).copied().flatten() {
            Some(j) => tables.duplicate_note.replace("{row}", &(j + 1).to_string()),
            None => String::new(),
        };
        for (c, column) in columns.iter().enumerate() {
            let cell = summary_cell(column, row, i, &note);
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
