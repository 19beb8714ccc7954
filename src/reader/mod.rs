//! Any input the tools take, from its bytes: a declaration-form workbook (xlsx, xlsm, xlsb,
//! xls, ods) or Word document (docx), a declform JSON document or a flat CSV table, into
//! the model.
//!
//! Forms are found by their labels, using the same layout description as the writer, so
//! forms that start anywhere, carry spaced or full-width labels, use the 2024 or 2026
//! grid, or stand several to a sheet all read.

mod crypt;
pub(crate) mod docx;
mod forms;
mod grid;
pub(crate) mod guard;
pub(crate) mod ods;
mod pdf;
mod sniff;
mod utf16_parts;
mod workbook;
mod xls_fix;
mod xlsx_merges;

use crate::error::{Error, ErrorKind, Limit, Location, Result};
use crate::flat::{self, RowAt};
use crate::model::{Form, Source};
use grid::{Grid, Value};
use sniff::{Input, extension, sniff};
use std::fmt;
use workbook::{hidden_notice, read_workbook};

/// The default for [`ReadOptions::max_file_bytes`]: 200 MiB.
///
/// ```
/// let opts = declform::ReadOptions { max_file_bytes: 1024, ..Default::default() };
/// assert!(opts.max_file_bytes < declform::DEFAULT_MAX_FILE_BYTES);
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let e = declform::read(seed, "seed.json", &opts).unwrap_err();
/// assert_eq!(e.kind(), declform::ErrorKind::TooLarge);
/// ```
pub const DEFAULT_MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// The default for [`ReadOptions::max_inflated_bytes`]: 256 MiB.
///
/// ```
/// assert_eq!(declform::ReadOptions::default().max_inflated_bytes, declform::DEFAULT_MAX_INFLATED_BYTES);
/// let opts = declform::ReadOptions { max_inflated_bytes: 1024, ..Default::default() };
/// let xlsx = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/办公室.xlsx")).to_vec();
/// let e = declform::read(xlsx, "办公室.xlsx", &opts).unwrap_err();
/// assert_eq!(e.kind(), declform::ErrorKind::TooLarge);
/// ```
pub const DEFAULT_MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;

/// How to read: the limits that keep hostile files in bounded time and memory.
///
/// ```
/// let opts = declform::ReadOptions { max_inflated_bytes: 64 << 20, ..Default::default() };
/// assert_eq!(opts.max_file_bytes, declform::DEFAULT_MAX_FILE_BYTES);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The most a workbook file may weigh, in bytes.
    pub max_file_bytes: u64,
    /// The most the parts of a zipped workbook (xlsx, xlsm, xlsb, ods) may inflate to, in
    /// all, in bytes; checked against the sizes the archive declares before the workbook is
    /// parsed (zip bombs). A part that inflates past its declared size fails while reading.
    pub max_inflated_bytes: u64,
    /// Whether a workbook form that cannot be read (text where an amount must be, an
    /// impossible date) is left out, with its error in [`Read::skipped`], so that the
    /// file's other forms are still read. Off by default: [`read`](crate::read) then fails
    /// with the first such error. A workbook whose every form is bad fails either way.
    ///
    /// ```
    /// let xlsx = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/办公室.xlsx")).to_vec();
    /// let opts = declform::ReadOptions { skip_bad_forms: true, ..Default::default() };
    /// let read = declform::read(xlsx, "办公室.xlsx", &opts)?;
    /// assert_eq!((read.forms.len(), read.skipped.len()), (2, 0)); // nothing bad here
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub skip_bad_forms: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_inflated_bytes: DEFAULT_MAX_INFLATED_BYTES,
            skip_bad_forms: false,
        }
    }
}

/// Something worth telling the user that is not an error: a skipped sheet, an ignored cell.
///
/// ```
/// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
/// let merged = declform::merge(&forms)?.to_bytes()?; // summary sheets hold no form
/// let read = declform::read(merged, "合并.xlsx", &Default::default())?;
/// assert_eq!(read.notices[0].to_string(), "合并.xlsx!汇总: 此工作表中没有申报表，已跳过");
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    location: Location,
    message: String,
}

impl Notice {
    /// A notice of one's own, for a caller that reports alongside the reader's.
    ///
    /// ```
    /// use declform::{Location, Notice};
    /// let n = Notice::new(Location::file("a.xlsx").sheet("表1"), "空白申报表，已跳过");
    /// assert_eq!(n.to_string(), "a.xlsx!表1: 空白申报表，已跳过");
    /// ```
    pub fn new(location: Location, message: impl Into<String>) -> Notice {
        Notice {
            location,
            message: message.into(),
        }
    }

    /// Where.
    ///
    /// ```
    /// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
    /// let merged = declform::merge(&forms)?.to_bytes()?;
    /// let read = declform::read(merged, "合并.xlsx", &Default::default())?;
    /// assert_eq!(read.notices[0].location().sheet_name(), Some("汇总"));
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// What, in Chinese.
    ///
    /// ```
    /// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
    /// let merged = declform::merge(&forms)?.to_bytes()?;
    /// let read = declform::read(merged, "合并.xlsx", &Default::default())?;
    /// assert_eq!(read.notices[0].message(), "此工作表中没有申报表，已跳过");
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What reading an input gave: its forms and what was noticed on the way.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let read = declform::read(seed, "seed.json", &Default::default())?;
/// assert_eq!(read.forms.len(), 10);
/// assert!(read.notices.is_empty());
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Read {
    /// The forms, in sheet order, top to bottom.
    pub forms: Vec<Form>,
    /// Notices (skipped sheets, ignored cells), in the order they were seen.
    pub notices: Vec<Notice>,
    /// With [`ReadOptions::skip_bad_forms`], the forms left out, each as the error that
    /// names its file, sheet and cell; always empty otherwise.
    pub skipped: Vec<Error>,
}

impl Read {
    /// The same result in the file `file`: its forms' sources, notices and skipped forms'
    /// errors name it (the readers build them without a file).
    fn in_file(mut self, file: &str) -> Read {
        for form in &mut self.forms {
            if let Some(source) = form.source.as_mut() {
                source.place = std::mem::take(&mut source.place).in_file(file);
            }
        }
        for notice in &mut self.notices {
            notice.location = std::mem::take(&mut notice.location).in_file(file);
        }
        for error in &mut self.skipped {
            *error = error.clone().in_file(file);
        }
        self
    }
}

/// Reads any input by its content: a workbook, a declform JSON document or a flat CSV.
pub(crate) fn read(bytes: Vec<u8>, name: &str, opts: &ReadOptions) -> Result<Read> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > opts.max_file_bytes {
        return Err(too_large_file(name, bytes.len() as u64, opts));
    }
    let sniffed = sniff(&bytes, name);
    match sniffed {
        Input::Workbook | Input::Pdf => {
            // The readers name no file: it is attached here, once.
            let mut read = if sniffed == Input::Pdf {
                pdf::read_pdf(&bytes, opts.max_inflated_bytes)
            } else {
                read_workbook(bytes, &extension(name), opts)
            }
            .map_err(|e| e.in_file(name))?
            .in_file(name);
            if !opts.skip_bad_forms && !read.skipped.is_empty() {
                return Err(read.skipped.swap_remove(0));
            }
            Ok(read)
        }
        Input::Json => {
            let text = std::str::from_utf8(&bytes).map_err(|e| {
                Error::new(
                    ErrorKind::BadJson,
                    Location::file(name),
                    format!(
                        "不是 UTF-8 编码的 JSON（第 {} 个字节处）",
                        e.valid_up_to() + 1
                    ),
                )
            })?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut doc = crate::json::from_str(text).map_err(|e| e.in_file(name))?;
            // The file read is named; where the form was read before rides along.
            for f in &mut doc.forms {
                f.source = Some(Source::json(name, f.source.take()));
            }
            Ok(Read {
                forms: doc.forms,
                ..Read::default()
            })
        }
        Input::Csv => {
            let mut forms = flat::read_csv(&bytes).map_err(|e| e.in_file(name))?;
            for f in &mut forms {
                f.source = Some(Source::file(name));
            }
            Ok(Read {
                forms,
                ..Read::default()
            })
        }
    }
}

/// The error for an input larger than [`ReadOptions::max_file_bytes`].
pub(crate) fn too_large_file(name: &str, size: u64, opts: &ReadOptions) -> Error {
    Error::new(
        ErrorKind::TooLarge,
        Location::file(name),
        format!(
            "文件大小 {} MiB，超过上限 {} MiB",
            size.div_ceil(1024 * 1024),
            opts.max_file_bytes / (1024 * 1024)
        ),
    )
    .with_limit(Limit::FileBytes)
}

/// [`read_grid`], and for a hidden sheet that held forms, `hidden` as a notice: a hidden
/// sheet's forms are read like any other's, never silently.
fn read_sheet(result: &mut Read, grid: &mut Grid, name: &str, hidden: Option<&str>) -> Result<()> {
    for (cell, message) in grid.settle_covered() {
        let at = Location::default().sheet(name);
        result.notices.push(Notice {
            location: match cell {
                Some((r, c)) => at.cell(r, c),
                None => at,
            },
            message,
        });
    }
    let forms_before = result.forms.len();
    read_grid(result, grid, name)?;
    if let Some(message) = hidden
        && result.forms.len() > forms_before
    {
        result.notices.push(Notice {
            location: Location::default().sheet(name),
            message: message.to_string(),
        });
    }
    Ok(())
}

/// The forms of sheets already read (ODS).
fn read_grids(sheets: Vec<ods::Sheet>) -> Result<Read> {
    let mut result = Read::default();
    for (name, mut grid) in sheets {
        let hidden = grid
            .hidden
            .then(|| hidden_notice(calamine::SheetVisible::Hidden));
        read_sheet(&mut result, &mut grid, &name, hidden.flatten())?;
    }
    finish(result)
}

/// Adds the forms of one sheet, or a notice that it holds none.
fn read_grid(result: &mut Read, grid: &Grid, name: &str) -> Result<()> {
    if let Some(flat) = flat_forms_in_grid(grid, name) {
        result.forms.extend(flat?);
        return Ok(());
    }
    let found = forms::forms_in_sheet(grid, name)?;
    let bad_forms = !found.errors.is_empty();
    result.skipped.extend(found.errors);
    if found.forms.is_empty() {
        if !grid.is_empty() && !bad_forms {
            result.notices.push(Notice {
                location: Location::default().sheet(name),
                message: "此工作表中没有申报表，已跳过".into(),
            });
        }
        return Ok(());
    }
    result.forms.extend(found.forms);
    result.notices.extend(found.notices);
    Ok(())
}

/// The result, or the error for a workbook without any form.
fn finish(mut result: Read) -> Result<Read> {
    if result.forms.is_empty() && !result.skipped.is_empty() {
        return Err(result.skipped.swap_remove(0));
    }
    if result.forms.is_empty() {
        return Err(Error::new(
            ErrorKind::NoForm,
            Location::default(),
            "没有找到申报表：各工作表中都没有“项目名称”标签下方带“一级指标/二级指标/三级指标”表头的表格",
        ));
    }
    Ok(result)
}

/// The forms of a sheet that holds a flat table (its first row a flat header), or `None`
/// when the sheet is not a flat table.
fn flat_forms_in_grid(grid: &Grid, sheet: &str) -> Option<Result<Vec<Form>>> {
    let first = grid.rows_in(0..=u32::MAX).next()?;
    let width = grid.row(first).map(|(c, _)| usize::from(c) + 1).max()?;
    let mut header = vec![String::new(); width];
    for (c, v) in grid.row(first) {
        if let Some(slot) = header.get_mut(usize::from(c)) {
            *slot = flat::unescape(v.text());
        }
    }
    if !flat::is_flat_header(&header) {
        return None;
    }
    let rows: Vec<(RowAt, Vec<Option<Value>>)> = grid
        .rows_in(first + 1..=u32::MAX)
        .map(|r| {
            let cells = (0..width)
                .map(|c| {
                    grid.get(r, u16::try_from(c).unwrap_or(u16::MAX))
                        .map(|v| match v {
                            Value::Text(t) => Value::Text(flat::unescape(t.clone())),
                            other => other.clone(),
                        })
                })
                .collect();
            (RowAt::Row(r), cells)
        })
        .collect();
    let whole = Location::default().sheet(sheet);
    Some(flat::forms_from_rows(&header, rows, &whole).map(|forms| {
        forms
            .into_iter()
            .map(|mut f| {
                f.source = Some(Source::at(Location::default().sheet(sheet)));
                f
            })
            .collect()
    }))
}
