//! Input files and folders as the commands take them, and reading one input file.

use declform::{Error, ErrorKind, Location, Read, ReadOptions};
use std::path::{Path, PathBuf};

/// The extensions read from folders.
pub const EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "json"];

/// Expands files and folders into the files to read: files as given, folders searched
/// recursively for [`EXTENSIONS`] in path order; Excel lock files (`~$*`) and hidden
/// files are skipped, and so, with a notice, is anything in a folder that is not a regular
/// file (a named pipe would wait for a writer forever, a device never ends).
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let meta =
            std::fs::metadata(input).map_err(|e| Error::io(input.display().to_string(), e))?;
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

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display().to_string(), e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("~$") || name.starts_with('.') {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(|e| Error::io(path.display().to_string(), e))?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else if EXTENSIONS.contains(&super::extension(&path).as_str()) {
            // Follows a link to a file; a link to nothing or to a folder is not a file.
            if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                out.push(path);
            } else {
                super::note!("提示：{}: 不是普通文件，已跳过", path.display());
            }
        }
    }
    Ok(())
}

/// Reads one input file (workbook, JSON or flat CSV, by content), named in messages as the
/// user gave it; a file over the size limit is refused before it is read, and an input that
/// reports no size (a device, a pipe) is read only up to the limit.
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<Read, Error> {
    use std::io::Read as _;
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&shown, e))?;
    if meta.len() > opts.max_file_bytes {
        return Err(Error::new(
            ErrorKind::TooLarge,
            Location::file(&shown),
            format!(
                "文件大小 {} MiB，超过上限 {} MiB；确属正常文件时可用 --max-file-mb 提高上限",
                meta.len().div_ceil(MIB),
                opts.max_file_bytes / MIB
            ),
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(&shown, e))?;
    let mut bytes = Vec::new();
    file.take(opts.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&shown, e))?;
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(Error::new(
            ErrorKind::TooLarge,
            Location::file(&shown),
            format!(
                "输入超过上限 {} MiB（不是普通文件，读到上限为止）；确属正常文件时可用 --max-file-mb 提高上限",
                opts.max_file_bytes / MIB
            ),
        ));
    }
    declform::read(bytes, &shown, opts)
}

/// The reading limits, as options of every command that reads.
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// 压缩格式工作簿解压后的总大小上限（MiB，防“压缩炸弹”）/ most a zipped workbook may inflate to
    #[arg(long, value_name = "MiB", default_value_t = declform::DEFAULT_MAX_INFLATED_BYTES / MIB)]
    pub max_inflated_mb: u64,
    /// 单个输入文件的大小上限（MiB）/ most an input file may weigh
    #[arg(long, value_name = "MiB", default_value_t = declform::DEFAULT_MAX_FILE_BYTES / MIB)]
    pub max_file_mb: u64,
}

const MIB: u64 = 1024 * 1024;

impl Limits {
    /// The reader's options.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            max_file_bytes: self.max_file_mb.saturating_mul(MIB),
            max_inflated_bytes: self.max_inflated_mb.saturating_mul(MIB),
        }
    }
}
