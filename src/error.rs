//! Errors that say where and what to do.
//!
//! Every error carries a [`Location`]: the file, and where known the sheet, the A1 cell, the
//! model [`Field`] and the form's Chinese label. Its text reads like
//! `部门A.xlsx!项目3!C6 项目资金总额: "四十二万" 不是金额`.
//!
//! ```
//! use declform::{Error, ErrorKind, Field, Location};
//! let e = Error::new(
//!     ErrorKind::BadAmount,
//!     Location::file("部门A.xlsx").sheet("项目3").cell(5, 2).field(Field::FundsTotal),
//!     "\"四十二万\" 不是金额",
//! );
//! assert_eq!(e.to_string(), "部门A.xlsx!项目3!C6 项目资金总额: \"四十二万\" 不是金额");
//! assert_eq!(e.kind(), ErrorKind::BadAmount);
//! assert_eq!((e.file(), e.sheet(), e.cell()), ("部门A.xlsx", Some("项目3"), Some("C6")));
//! assert_eq!(e.field(), Some(Field::FundsTotal));
//! ```

use crate::cellref::a1;
use crate::field::Field;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// Where something is in the input: a file, and where known a sheet, a cell, a field and
/// its label. The one place type: errors, notices, a form's [`Source`](crate::Source), the
/// findings of [`check`](crate::check()) and the changes of [`diff`](crate::diff) carry it,
/// and it is printed one way (`file!sheet!cell label`), by its `Display`.
///
/// It serialises as `file`, `sheet` and `cell` (null where unknown) and, where there is one,
/// `label` (as `check --format json` gives each finding's place).
///
/// ```
/// use declform::{Field, Location};
/// let l = Location::file("a.xlsx").sheet("表1").cell(5, 2).field(Field::FundsTotal);
/// assert_eq!(l.to_string(), "a.xlsx!表1!C6 项目资金总额");
/// let json = serde_json::to_string(&Location::file("a.json")).unwrap();
/// assert_eq!(json, r#"{"file":"a.json","sheet":null,"cell":null}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    file: String,
    sheet: Option<String>,
    cell: Option<String>,
    #[serde(skip)]
    field: Option<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
}

impl Location {
    /// A location in a file, named as the user knows it.
    ///
    /// ```
    /// assert_eq!(declform::Location::file("a.xlsx").to_string(), "a.xlsx");
    /// ```
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }

    /// The same location on a sheet.
    ///
    /// ```
    /// assert_eq!(declform::Location::file("a.xlsx").sheet("表1").to_string(), "a.xlsx!表1");
    /// ```
    pub fn sheet(mut self, sheet: impl Into<String>) -> Location {
        self.sheet = Some(sheet.into());
        self
    }

    /// The same location at a zero-based cell (row, column), shown as A1.
    ///
    /// ```
    /// let l = declform::Location::file("a.xlsx").sheet("表1").cell(5, 2);
    /// assert_eq!(l.to_string(), "a.xlsx!表1!C6");
    /// ```
    pub fn cell(mut self, row: u32, col: u16) -> Location {
        self.cell = Some(a1(row, col));
        self
    }

    /// The same location in the file `file`: the reader builds its locations without a file
    /// and names the file once, where it is entered ([`crate::read`]).
    pub(crate) fn in_file(mut self, file: &str) -> Location {
        file.clone_into(&mut self.file);
        self
    }

    /// The same location with its sheet and cell rewritten by `f` (sheet, cell).
    pub(crate) fn relocate(
        mut self,
        f: impl FnOnce(Option<String>, Option<String>) -> (Option<String>, Option<String>),
    ) -> Location {
        (self.sheet, self.cell) = f(self.sheet.take(), self.cell.take());
        self
    }

    /// The same location at a cell named as the user sees it (an A1 reference, or a Word
    /// table's `第5行第3格`), or at none.
    ///
    /// ```
    /// use declform::Location;
    /// let l = Location::file("a.docx").sheet("表格1").cell_ref_as(Some("第5行第3格".into()));
    /// assert_eq!(l.to_string(), "a.docx!表格1!第5行第3格");
    /// assert_eq!(l.cell_ref_as(None).to_string(), "a.docx!表格1");
    /// ```
    pub fn cell_ref_as(mut self, cell: Option<String>) -> Location {
        self.cell = cell;
        self
    }

    /// The same location without its field and label: the bare file, sheet and cell.
    pub(crate) fn unlabelled(mut self) -> Location {
        (self.field, self.label) = (None, None);
        self
    }

    /// The same location at a model field; its Chinese label (from `templates/`) becomes
    /// the location's label.
    ///
    /// ```
    /// use declform::{Field, Location};
    /// let l = Location::file("a.json").field(Field::StartDate);
    /// assert_eq!(l.to_string(), "a.json 计划开始日期");
    /// ```
    pub fn field(mut self, field: Field) -> Location {
        self.field = Some(field);
        self.label = Some(field.label());
        self
    }

    /// The same location with a label of its own (`第3行`, `第1张表「甲」计划开始日期`).
    ///
    /// ```
    /// let l = declform::Location::file("a.csv").label("第3行");
    /// assert_eq!(l.to_string(), "a.csv 第3行");
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Location {
        self.label = Some(label.into());
        self
    }

    /// The file, as given.
    ///
    /// ```
    /// let l = declform::Location::file("a.xlsx").sheet("表1");
    /// assert_eq!(l.file_name(), "a.xlsx");
    /// ```
    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// The sheet, for workbook inputs.
    ///
    /// ```
    /// use declform::Location;
    /// assert_eq!(Location::file("a.xlsx").sheet("表1").sheet_name(), Some("表1"));
    /// assert_eq!(Location::file("a.json").sheet_name(), None);
    /// ```
    pub fn sheet_name(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// The A1 cell, where known.
    ///
    /// ```
    /// use declform::Location;
    /// assert_eq!(Location::file("a.xlsx").cell(0, 27).cell_ref(), Some("AB1"));
    /// assert_eq!(Location::file("a.xlsx").cell_ref(), None);
    /// ```
    pub fn cell_ref(&self) -> Option<&str> {
        self.cell.as_deref()
    }

    /// The model field, where known.
    ///
    /// ```
    /// use declform::{Field, Location};
    /// assert_eq!(Location::file("a.json").field(Field::EndDate).field_key(), Some(Field::EndDate));
    /// assert_eq!(Location::file("a.json").field_key(), None);
    /// ```
    pub fn field_key(&self) -> Option<Field> {
        self.field
    }

    /// The Chinese label shown after the place.
    ///
    /// ```
    /// use declform::{Field, Location};
    /// assert_eq!(Location::file("a.json").field(Field::EndDate).label_text(), Some("计划完成日期"));
    /// assert_eq!(Location::file("a.csv").label("第3行").label_text(), Some("第3行"));
    /// ```
    pub fn label_text(&self) -> Option<&str> {
        self.label.as_deref()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, "!{s}")?;
        }
        if let Some(c) = &self.cell {
            write!(f, "!{c}")?;
        }
        if let Some(l) = &self.label {
            write!(f, " {l}")?;
        }
        Ok(())
    }
}

/// What kind of failure, for callers and tests that branch on it.
///
/// ```
/// use declform::ErrorKind;
/// let e = declform::read(br#"{"forms": 1}"#.to_vec(), "a.json", &Default::default()).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::BadJson);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file cannot be read or written.
    Io,
    /// The file is not a workbook (or not the format its name says).
    NotAWorkbook,
    /// The workbook is password-protected.
    Encrypted,
    /// The workbook is damaged.
    Corrupt,
    /// The input is larger than the limits allow.
    TooLarge,
    /// No form was found.
    NoForm,
    /// A cell that should hold an amount does not.
    BadAmount,
    /// A cell that should hold a date does not.
    BadDate,
    /// The amounts' unit is one the reader does not know, or a unit line, a note and a
    /// label of the amounts block disagree; located at the cell that says it.
    BadUnit,
    /// A formula without a cached value.
    Uncalculated,
    /// A text holds a character XML 1.0 does not allow (U+FFFF, U+FFFE, control characters
    /// other than tab and line breaks), which no workbook can carry.
    BadText,
    /// The JSON document is malformed or has wrong types.
    BadJson,
    /// A flat table is malformed or inconsistent.
    BadTable,
    /// A workbook could not be written.
    Write,
    /// A form holds something the official layout cannot carry (an `extra` key that is
    /// empty or one of the layout's own labels).
    Unwritable,
    /// One side of a comparison holds the same form (年度, 主管部门, 项目名称) twice.
    DuplicateForm,
}

type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An error with its location and a message in Chinese that says what to do.
///
/// ```
/// let opts = declform::ReadOptions { max_file_bytes: 4, ..Default::default() };
/// let e = declform::read(b"{}     ".to_vec(), "a.json", &opts).unwrap_err();
/// assert_eq!((e.kind(), e.file()), (declform::ErrorKind::TooLarge, "a.json"));
/// assert!(e.to_string().starts_with("a.json: "));
/// ```
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    location: Location,
    message: String,
    cause: Option<Cause>,
    limit: Option<Limit>,
}

/// Which reading limit an [`ErrorKind::TooLarge`] input went past, so that a caller can say
/// how to raise it (the command line names its flag; the library's message names none).
///
/// ```
/// let opts = declform::ReadOptions { max_file_bytes: 1, ..Default::default() };
/// let e = declform::read(b"{}".to_vec(), "a.json", &opts).unwrap_err();
/// assert_eq!(e.limit(), Some(declform::Limit::FileBytes));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`ReadOptions::max_file_bytes`](crate::ReadOptions::max_file_bytes).
    FileBytes,
    /// [`ReadOptions::max_inflated_bytes`](crate::ReadOptions::max_inflated_bytes).
    InflatedBytes,
}

impl Error {
    /// A new error: what kind, where, and what (in Chinese, with what to do).
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::NoForm, Location::file("a.xlsx"), "没有找到申报表");
    /// assert_eq!(e.to_string(), "a.xlsx: 没有找到申报表");
    /// ```
    pub fn new(kind: ErrorKind, location: Location, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            location,
            message: message.into(),
            cause: None,
            limit: None,
        }))
    }

    /// The same error, naming the reading limit the input went past.
    pub(crate) fn with_limit(mut self, limit: Limit) -> Error {
        self.0.limit = Some(limit);
        self
    }

    /// The reading limit an [`ErrorKind::TooLarge`] input went past.
    ///
    /// ```
    /// let opts = declform::ReadOptions { max_file_bytes: 1, ..Default::default() };
    /// let e = declform::read(b"{}".to_vec(), "a.json", &opts).unwrap_err();
    /// assert_eq!(e.limit(), Some(declform::Limit::FileBytes));
    /// ```
    pub fn limit(&self) -> Option<Limit> {
        self.0.limit
    }

    /// The same error with what the reader can do added to its message (`；` and `hint`), as
    /// the command line adds the flag that raises a [`limit`](Error::limit).
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::TooLarge, Location::file("a.xlsx"), "太大").with_hint("可提高上限");
    /// assert_eq!(e.to_string(), "a.xlsx: 太大；可提高上限");
    /// ```
    pub fn with_hint(mut self, hint: &str) -> Error {
        self.0.message = format!("{}；{hint}", self.0.message);
        self
    }

    /// The same error with the underlying cause that [`source`](std::error::Error::source)
    /// gives (an I/O error, the spreadsheet library's error).
    pub(crate) fn with_cause(
        mut self,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.0.cause = Some(Arc::new(cause));
        self
    }

    /// The same error in the file `file` (see [`Location::in_file`]).
    pub(crate) fn in_file(mut self, file: &str) -> Error {
        self.0.location = std::mem::take(&mut self.0.location).in_file(file);
        self
    }

    /// The same error at another place (see [`Location::relocate`]).
    pub(crate) fn relocate(
        mut self,
        f: impl FnOnce(Option<String>, Option<String>) -> (Option<String>, Option<String>),
    ) -> Error {
        self.0.location = std::mem::take(&mut self.0.location).relocate(f);
        self
    }

    /// An error reading the file `path`, with the I/O error as its source.
    ///
    /// ```
    /// use std::error::Error as _;
    /// let io = std::io::Error::from(std::io::ErrorKind::NotFound);
    /// let e = declform::Error::io("缺失.xlsx", io);
    /// assert_eq!(e.to_string(), "缺失.xlsx: 文件不存在");
    /// assert!(e.source().is_some());
    /// ```
    pub fn io(path: impl Into<String>, err: std::io::Error) -> Error {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "文件不存在".to_string(),
            std::io::ErrorKind::PermissionDenied => "没有权限读写该文件".to_string(),
            std::io::ErrorKind::InvalidFilename => {
                "路径过长或文件名无效，系统无法打开；请移到层级较浅的文件夹或改短名称".to_string()
            }
            _ => format!("读写失败（{err}）"),
        };
        Error::new(ErrorKind::Io, Location::file(path), what).with_cause(err)
    }

    /// An error writing the output `path`, with the I/O error as its source.
    ///
    /// ```
    /// let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
    /// let e = declform::Error::io_write("out.xlsx", full);
    /// assert_eq!(e.to_string(), "out.xlsx: 无法写出：磁盘已满");
    /// ```
    pub fn io_write(path: impl Into<String>, err: std::io::Error) -> Error {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => {
                "无法写出：所在文件夹不存在或不能在其中创建文件".to_string()
            }
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                "无法写出：没有写入权限（文件夹只读？）".to_string()
            }
            std::io::ErrorKind::StorageFull => "无法写出：磁盘已满".to_string(),
            _ => format!("无法写出（{err}）"),
        };
        Error::new(ErrorKind::Io, Location::file(path), what).with_cause(err)
    }

    /// What kind of failure.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::NoForm, Location::file("a.xlsx"), "没有找到申报表");
    /// assert_eq!(e.kind(), ErrorKind::NoForm);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Where, as a whole.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let at = Location::file("a.xlsx").sheet("表1").cell(5, 2);
    /// let e = Error::new(ErrorKind::BadAmount, at.clone(), "不是金额");
    /// assert_eq!(e.location(), &at);
    /// ```
    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// The file, as the caller named it.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::NoForm, Location::file("部门A.xlsx"), "没有找到申报表");
    /// assert_eq!(e.file(), "部门A.xlsx");
    /// ```
    pub fn file(&self) -> &str {
        self.0.location.file_name()
    }

    /// The sheet, for errors inside a workbook.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::Corrupt, Location::file("a.xlsx").sheet("表1"), "工作表无法读取");
    /// assert_eq!(e.sheet(), Some("表1"));
    /// ```
    pub fn sheet(&self) -> Option<&str> {
        self.0.location.sheet_name()
    }

    /// The A1 cell, where the error is in one.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::BadDate, Location::file("a.xlsx").cell(4, 1), "不是日期");
    /// assert_eq!(e.cell(), Some("B5"));
    /// ```
    pub fn cell(&self) -> Option<&str> {
        self.0.location.cell_ref()
    }

    /// The model field the error is about, where known.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Field, Location};
    /// let e = Error::new(ErrorKind::BadDate, Location::file("a.json").field(Field::StartDate), "不是日期");
    /// assert_eq!(e.field(), Some(Field::StartDate));
    /// ```
    pub fn field(&self) -> Option<Field> {
        self.0.location.field_key()
    }

    /// The Chinese label of the place (`项目资金总额`, `第3行`), where there is one.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::BadTable, Location::file("a.csv").label("第3行"), "列数不对");
    /// assert_eq!(e.label(), Some("第3行"));
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.0.location.label_text()
    }

    /// What is wrong and what to do, without the place.
    ///
    /// ```
    /// use declform::{Error, ErrorKind, Location};
    /// let e = Error::new(ErrorKind::NoForm, Location::file("a.xlsx"), "没有找到申报表");
    /// assert_eq!(e.message(), "没有找到申报表");
    /// assert_eq!(e.to_string(), "a.xlsx: 没有找到申报表");
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl PartialEq for Error {
    /// Errors are equal when kind, location and message are; causes are not compared.
    fn eq(&self, other: &Error) -> bool {
        self.0.kind == other.0.kind
            && self.0.location == other.0.location
            && self.0.message == other.0.message
    }
}

impl Eq for Error {}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("location", &self.0.location)
            .field("message", &self.0.message)
            .field("cause", &self.0.cause.as_ref().map(|c| c.to_string()))
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.location, self.0.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// The library's result.
///
/// ```
/// fn first_year(bytes: Vec<u8>) -> declform::Result<Option<i32>> {
///     Ok(declform::read(bytes, "seed.json", &Default::default())?.forms[0].year)
/// }
/// assert_eq!(first_year(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec())?, Some(2024));
/// # Ok::<(), declform::Error>(())
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;
