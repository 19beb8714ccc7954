//! Input files and folders as the commands take them.

use crate::error::{Error, ErrorKind, Location, Result};
use std::path::{Path, PathBuf};

/// The extensions read from folders.
pub const EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "json"];

/// Expands files and folders into the files to read: files as given, folders searched
/// recursively for [`EXTENSIONS`] in path order; Excel lock files (`~$*`) and hidden
/// files are skipped.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        let meta =
            std::fs::metadata(input).map_err(|e| Error::io(input.display().to_string(), &e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display().to_string(), &e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("~$") || name.starts_with('.') {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(|e| Error::io(path.display().to_string(), &e))?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else if EXTENSIONS.contains(&super::extension(&path).as_str()) {
            out.push(path);
        }
    }
    Ok(())
}

/// A usage error about a path.
pub fn usage(path: &Path, message: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Usage,
        Location::file(path.display().to_string()),
        message,
    )
}
