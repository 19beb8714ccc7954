//! Input files and folders as the commands take them, and reading one input file.

use declform::{Error, ErrorKind, Location, Read, ReadOptions};
use std::path::{Path, PathBuf};

/// The extensions read from folders.
pub const EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "json"];

/// Expands files and folders into the files to read: files as given, folders searched
/// recursively for [`EXTENSIONS`] in path order; Excel lock files (`~$*`) and hidden
/// files are skipped, and so, with a notice, is anything in a folder that is not a regular
/// file (a named pipe would wait for a writer forever, a device never ends). Links are
/// followed, to files and to folders alike; a folder reached twice (a link loop) is read
/// once. A subfolder that cannot be listed stops the expansion, or with `keep_going` is
/// skipped with a notice.
pub fn expand(inputs: &[PathBuf], keep_going: bool) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let meta =
            std::fs::metadata(input).map_err(|e| Error::io(input.display().to_string(), e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            let mut seen = std::collections::HashSet::new();
            walk(input, &mut found, &mut seen, keep_going, true)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
    keep_going: bool,
    top: bool,
) -> Result<(), Error> {
    if let Ok(real) = std::fs::canonicalize(dir)
        && !seen.insert(real)
    {
        super::note!(
            "提示：{}: 与已读取的文件夹相同（链接），已跳过",
            dir.display()
        );
        return Ok(());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if keep_going && !top => {
            super::note!("跳过：{}", Error::io(dir.display().to_string(), e));
            return Ok(());
        }
        Err(e) => return Err(Error::io(dir.display().to_string(), e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display().to_string(), e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("~$") || name.starts_with('.') {
            continue;
        }
        // Follows links: to a folder, to a file, or to nothing (a dangling link, not an error).
        let meta = std::fs::metadata(&path);
        if let Err(e) = &meta
            && e.kind() != std::io::ErrorKind::NotFound
        {
            let e = Error::io(
                path.display().to_string(),
                std::io::Error::new(e.kind(), e.to_string()),
            );
            if !keep_going {
                return Err(e);
            }
            super::note!("跳过：{e}");
            continue;
        }
        if meta.as_ref().is_ok_and(|m| m.is_dir()) {
            walk(&path, out, seen, keep_going, false)?;
        } else if EXTENSIONS.contains(&super::extension(&path).as_str()) {
            if meta.is_ok_and(|m| m.is_file()) {
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
