//! The subcommands, one module each, each with its clap `Args` and a `run`; and what they
//! share: reading input files, writing outputs atomically, and usage errors.
//!
//! A `run` returns the process exit code on success (0, or 1 where the command's job found
//! problems, as `check` does) and a [`Failure`] otherwise: bad input exits 1, a usage
//! error 2.

pub mod check;
pub mod convert;
pub mod diff;
pub mod inputs;
pub mod merge;
pub mod output;
pub mod template;
pub mod zh;

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// How `check` and `diff` print what they found (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 一行一条，标明文件、工作表和单元格 / one line each, with file, sheet and cell
    Text,
    /// JSON 数组 / a JSON array
    Json,
}

/// What stops a command.
#[derive(Debug)]
pub enum Failure {
    /// Bad input or an output that cannot be written, as the library reports it (exit 1).
    Input(declform::Error),
    /// Several inputs failed, each already reported; this sums them up (exit 1).
    Summary(String),
    /// The command line asks for something that cannot be done (exit 2).
    Usage {
        /// The path the complaint is about.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Input(_) | Failure::Summary(_) => ExitCode::from(1),
            Failure::Usage { .. } => ExitCode::from(2),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Input(e) => write!(f, "{e}"),
            Failure::Summary(s) => f.write_str(s),
            Failure::Usage { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl From<declform::Error> for Failure {
    fn from(e: declform::Error) -> Failure {
        Failure::Input(e)
    }
}

/// What a command's `run` gives.
pub type Outcome = Result<ExitCode, Failure>;

/// Writes a message line to stderr. A message that cannot be written (a full disk, a closed
/// stream) is dropped: the command's own work goes on.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}
pub(crate) use note;

/// Writes the command's own output to stdout. A closed pipe (`| head`) is the reader's
/// choice and ends quietly; any other failure (a full disk) is an error, exit 1.
pub fn emit(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Input(declform::Error::io_write("标准输出", e))),
    }
}

/// Whether an output path means standard output (`-o -`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How a path is named in messages and in a form's `source.place`: as it is, or, where it is
/// not UTF-8 (archives made on a Chinese Windows keep their names in GBK), decoded as GBK
/// where the bytes are valid GBK, otherwise with U+FFFD for the bytes that are not UTF-8.
pub trait Shown {
    /// The name to show.
    fn shown(&self) -> String;
}

impl Shown for Path {
    #[cfg(unix)]
    fn shown(&self) -> String {
        use std::os::unix::ffi::OsStrExt as _;
        match self.to_str() {
            Some(s) => s.to_string(),
            None => {
                let bytes = self.as_os_str().as_bytes();
                encoding_rs::GBK
                    .decode_without_bom_handling_and_without_replacement(bytes)
                    .map_or_else(|| self.to_string_lossy().into_owned(), |s| s.into_owned())
            }
        }
    }

    #[cfg(not(unix))]
    fn shown(&self) -> String {
        self.to_string_lossy().into_owned()
    }
}

/// A usage error about a path.
pub fn usage(path: &Path, message: impl Into<String>) -> Failure {
    Failure::Usage {
        path: path.shown(),
        message: message.into(),
    }
}

/// The lower-case extension of a path, `""` when none.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The layouts, as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutArg {
    /// 2024 版式：五列，无项目性质 / the 2024 grid
    #[value(name = "2024")]
    Y2024,
    /// 2026 版式：六列，含项目性质 / the 2026 grid
    #[value(name = "2026")]
    Y2026,
    /// 一体化拆分版式：指标性质、指标值、度量单位分列 / the split grid
    #[value(name = "split")]
    Split,
}

impl From<LayoutArg> for declform::LayoutKind {
    fn from(a: LayoutArg) -> declform::LayoutKind {
        match a {
            LayoutArg::Y2024 => declform::LayoutKind::Y2024,
            LayoutArg::Y2026 => declform::LayoutKind::Y2026,
            LayoutArg::Split => declform::LayoutKind::Split,
        }
    }
}
