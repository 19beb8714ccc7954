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

use crate::error::Result;
use crate::layout::Tables;
use crate::model::Form;
use crate::sheetname::SheetNames;
use crate::write::form::refuse_unwritable;
use crate::write::package::prime;
pub use crate::write::package::{BATCH, FormSheet, Merged};
use crate::write::summary::write_summaries;
pub use crate::write::summary::{SummaryRow, duplicates, relative_files};
use crate::write::workbook;
use rust_xlsxwriter::Workbook;

/// What to say of each row that [`duplicates`] flags: the project, its department and year,
/// where the earlier form was read and where this one was (file, and sheet where there is
/// one). The command line prints each as a 警告 after a merge; the offline page shows them.
///
/// ```
/// use declform::{Form, Source, merge::{SummaryRow, duplicate_warnings}};
/// let mut form = Form { project_name: "甲".into(), department: "局".into(), year: Some(2024), ..Default::default() };
/// form.source = Some(Source::at(declform::Location::file("一.xlsx").sheet("甲")));
/// let first = SummaryRow::of(&form, "");
/// form.source = Some(Source::file("二.json"));
/// let rows = [first, SummaryRow::of(&form, "")];
/// assert_eq!(duplicate_warnings(&rows), ["疑似重复项目「甲」（局，2024年度）：一.xlsx!甲 与 二.json"]);
/// ```
pub fn duplicate_warnings(rows: &[SummaryRow]) -> Vec<String> {
    let place = |r: &SummaryRow| {
        let at = crate::Location::file(&r.file);
        match r.source_sheet.as_str() {
            "" => at,
            sheet => at.sheet(sheet),
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
        let mut wb = workbook::new_workbook();
        // A consolidated workbook is large and written once: deflate level 1 saves in about
        // half the time of the default 6, for a file about 30% larger.
        wb.set_zip_compression_level(1);
        // The form sheets' formats take the first style indices, as in every FormSheet:
        // a workbook keeps its formats' indices from one save to the next, so they are
        // registered by saving a workbook of one priming sheet, which then goes.
        prime(&mut wb).map_err(|e| workbook::xlsx_error(what, e))?;
        wb.save_to_writer(std::io::sink())
            .map_err(|e| workbook::xlsx_error(what, e))?;
        wb.worksheets_mut().clear();
        let mut names = SheetNames::default();
        for name in [&tables.summary.sheet, &tables.by_department.sheet] {
            names.reserve(name);
            wb.add_worksheet()
                .set_name(name)
                .map_err(|e| workbook::xlsx_error(name, e))?;
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
    /// [`Merger::add_all`] is a little faster: it deflates their sheets with one compressor.
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
        refuse_unwritable(form, self.rows.len())?;
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
            refuse_unwritable(form, self.rows.len() + i)?;
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
            .map_err(|e| workbook::xlsx_error(&Tables::get().summary.sheet, e))?;
        Ok(Merged {
            wb: self.wb,
            sheets: self.sheets,
            rows: self.rows,
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
