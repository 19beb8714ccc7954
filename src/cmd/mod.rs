//! The subcommands, one module each, each with its clap `Args` and a `run`.
//!
//! A `run` returns the process exit code on success (0, or 1 where the command's job
//! found problems, as `check` does) and an [`Error`](crate::Error) for bad input (exit 1).

pub mod check;
pub mod convert;
pub mod inputs;
pub mod merge;
pub mod template;

use std::path::Path;

/// The lower-case extension of a path, `""` when none.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}
