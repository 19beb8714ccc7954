//! Errors that say where and what to do.
//!
//! Every error carries a [`Location`]: the file, and where known the sheet, the A1 cell and
//! the form's Chinese label. Its text reads like `部门A.xlsx!项目3!C6 项目资金总额: "四十二万" 不是金额`.
//!
//! ```
//! use declform::{Error, ErrorKind, Location};
//! let e = Error::new(
//!     ErrorKind::BadAmount,
//!     Location::file("部门A.xlsx").sheet("项目3").cell(5, 2).label("项目资金总额"),
//!     "\"四十二万\" 不是金额",
//! );
//! assert_eq!(e.to_string(), "部门A.xlsx!项目3!C6 项目资金总额: \"四十二万\" 不是金额");
//! ```

use crate::layout::a1;
use std::fmt;

/// Where something is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file, as given by the user.
    pub file: String,
    /// The sheet.
    pub sheet: Option<String>,
    /// The A1 cell.
    pub cell: Option<String>,
    /// The form's label for the field (项目资金总额, 计划开始日期, ...).
    pub label: Option<String>,
}

impl Location {
    /// A location in a file.
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }

    /// The same location on a sheet.
    pub fn sheet(mut self, sheet: impl Into<String>) -> Location {
        self.sheet = Some(sheet.into());
        self
    }

    /// The same location at a zero-based cell.
    pub fn cell(mut self, row: u32, col: u16) -> Location {
        self.cell = Some(a1(row, col));
        self
    }

    /// The same location with the field's label.
    pub fn label(mut self, label: impl Into<String>) -> Location {
        self.label = Some(label.into());
        self
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file cannot be opened or written.
    Io,
    /// The file is not a workbook (or not the format its name says).
    NotAWorkbook,
    /// The workbook is password-protected.
    Encrypted,
    /// The workbook is damaged.
    Corrupt,
    /// The workbook is larger than the limits allow.
    TooLarge,
    /// No form was found.
    NoForm,
    /// A cell that should hold an amount does not.
    BadAmount,
    /// A cell that should hold a date does not.
    BadDate,
    /// A formula without a cached value.
    Uncalculated,
    /// The JSON document is malformed or has wrong types.
    BadJson,
    /// A flat table is malformed or inconsistent.
    BadTable,
    /// The command line asks for something that cannot be done.
    Usage,
}

/// An error with its location and a message in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind.
    pub kind: ErrorKind,
    /// Where (boxed, so that results stay small).
    pub location: Box<Location>,
    /// What, and what to do.
    pub message: String,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, location: Location, message: impl Into<String>) -> Error {
        Error {
            kind,
            location: Box::new(location),
            message: message.into(),
        }
    }

    /// An I/O error on a path.
    pub fn io(path: impl Into<String>, err: &std::io::Error) -> Error {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "文件不存在".to_string(),
            std::io::ErrorKind::PermissionDenied => "没有权限读写该文件".to_string(),
            _ => format!("读写失败（{err}）"),
        };
        Error::new(ErrorKind::Io, Location::file(path), what)
    }
}

impl Error {
    /// An I/O error while writing an output.
    pub fn io_write(path: impl Into<String>, err: &std::io::Error) -> Error {
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
        Error::new(ErrorKind::Io, Location::file(path), what)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for Error {}

/// The library's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
