//! Input files and folders as the commands take them, and reading one input file.

use super::Shown;
use declform::{Error, ErrorKind, Location, Read, ReadOptions};
use std::path::{Path, PathBuf};

/// The extensions read from folders: workbooks (flat ODS too), Word documents (.docx), PDF
/// forms and declform JSON. Template files (.xltx, .ots, .dotx) are not: a blank template in
/// a department's folder is no form.
pub const EXTENSIONS: [&str; 9] = [
    "xlsx", "xlsm", "xlsb", "xls", "ods", "fods", "docx", "pdf", "json",
];

/// The extensions read from folders as a user reads them: `.xlsx .xlsm … .json`.
pub fn extensions_text() -> String {
    EXTENSIONS.map(|e| format!(".{e}")).join(" ")
}

/// How [`expand`] takes the inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expand<'a> {
    /// Search folders (`merge`, `check`); otherwise every input is a file (`convert`).
    pub folders: bool,
    /// A subfolder that cannot be listed is skipped with a notice instead of failing.
    pub keep_going: bool,
    /// The command's output file: found in an input folder (a merge run again), it is left
    /// out of the inputs with a notice.
    pub output: Option<&'a Path>,
}

/// Expands files, folders and patterns into the files to read, each once:
///
/// - a pattern (`samples/*.xlsx`) that the shell left as it was (Windows `cmd`,
///   PowerShell) is expanded here, when no file has that very name; a pattern that matches
///   nothing is an error;
/// - files are taken as given; folders are searched recursively for [`EXTENSIONS`] in
///   path order, skipping Excel lock files (`~$*`) and hidden files, and with a notice:
///   anything that is not a regular file (a named pipe would wait for a writer forever, a
///   device never ends), JSON that is not a declform document (`config.json`), and the
///   command's output file. Links are followed, to files and to folders alike; a folder
///   reached twice is read once. A subfolder that cannot be listed stops the expansion,
///   or with `keep_going` is skipped with a notice;
/// - a file named twice (or named and found in a folder, or reached through a link) is
///   read once, with a notice.
pub fn expand(inputs: &[PathBuf], how: Expand<'_>) -> Result<Vec<PathBuf>, Error> {
    let output = how.output.and_then(canonical_output);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in patterns(inputs)? {
        let meta = std::fs::metadata(&input).map_err(|e| Error::io(input.shown(), e))?;
        if !(how.folders && meta.is_dir()) {
            out.push(input);
            continue;
        }
        if let Ok(real) = std::fs::canonicalize(&input)
            && !seen.insert(real)
        {
            super::note!("提示：{}: 此文件夹已读取过，只读取一次", input.shown());
            continue;
        }
        let mut found = Vec::new();
        walk(&input, &mut found, &mut seen, how.keep_going, true)?;
        found.sort();
        for file in found {
            if output.is_some() && std::fs::canonicalize(&file).ok() == output {
                super::note!("提示：{}: 是本次的输出文件，不作为输入读取", file.shown());
            } else if super::extension(&file) == "json" && !is_declform_json(&file) {
                super::note!(
                    "提示：{}: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过",
                    file.shown()
                );
            } else {
                out.push(file);
            }
        }
    }
    Ok(once_each(out))
}

/// Glob metacharacters, as the `glob` crate reads them.
fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// The inputs with each pattern that names no file itself replaced by its matches, in
/// path order (hidden files only when the pattern says `.`, as shells do).
fn patterns(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let pattern = match input.to_str() {
            Some(p) if is_pattern(p) && std::fs::symlink_metadata(input).is_err() => p,
            _ => {
                out.push(input.clone());
                continue;
            }
        };
        let options = glob::MatchOptions {
            require_literal_leading_dot: true,
            ..glob::MatchOptions::new()
        };
        let Ok(paths) = glob::glob_with(pattern, options) else {
            // Not a valid pattern (`[` alone): a name, which does not exist.
            out.push(input.clone());
            continue;
        };
        let mut matched: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        if matched.is_empty() {
            return Err(Error::new(
                ErrorKind::Io,
                Location::file(pattern),
                "没有与此模式匹配的文件；请检查文件夹和文件名（* 代表任意多个字符，? 代表一个字符）",
            ));
        }
        matched.sort();
        out.extend(matched);
    }
    Ok(out)
}

/// The output file's canonical path, also when it does not exist yet.
fn canonical_output(out: &Path) -> Option<PathBuf> {
    if super::is_stdout(out) {
        return None;
    }
    std::fs::canonicalize(out).ok().or_else(|| {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = std::fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()?;
        Some(dir.join(out.file_name()?))
    })
}

/// The files, each once (by its canonical path), in order of first mention.
fn once_each(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut first: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    let mut out: Vec<PathBuf> = Vec::new();
    for file in files {
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        match first.get(&key).and_then(|&i| out.get(i)) {
            Some(earlier) if *earlier == file => {
                super::note!("提示：{}: 给出了两次，只读取一次", file.shown());
            }
            Some(earlier) => super::note!(
                "提示：{}: 与 {} 是同一个文件，只读取一次",
                file.shown(),
                earlier.shown()
            ),
            None => {
                first.insert(key, out.len());
                out.push(file);
            }
        }
    }
    out
}

/// Whether a JSON file is a declform document: an object with a top-level `"forms"` key.
/// Only as much is read as it takes to find the key. A file that cannot be opened counts
/// as one, so that reading it reports why.
fn is_declform_json(path: &Path) -> bool {
    use serde::Deserializer as _;
    use std::io::BufRead as _;
    let Ok(file) = std::fs::File::open(path) else {
        return true;
    };
    let mut reader = std::io::BufReader::new(file);
    if reader
        .fill_buf()
        .is_ok_and(|b| b.starts_with("\u{feff}".as_bytes()))
    {
        reader.consume(3);
    }
    let found = std::cell::Cell::new(false);
    let mut de = serde_json::Deserializer::from_reader(reader);
    // Stops with an error as soon as the key is seen (or the file is not such an object).
    let _ = de.deserialize_map(FormsKey(&found));
    found.get()
}

/// Looks for the `"forms"` key among a JSON object's keys.
struct FormsKey<'a>(&'a std::cell::Cell<bool>);

impl<'de> serde::de::Visitor<'de> for FormsKey<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a declform document")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "forms" {
                self.0.set(true);
                return Err(serde::de::Error::custom("found"));
            }
            map.next_value::<serde::de::IgnoredAny>()?;
        }
        Ok(())
    }
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
    keep_going: bool,
    top: bool,
) -> Result<(), Error> {
    if !top
        && let Ok(real) = std::fs::canonicalize(dir)
        && !seen.insert(real)
    {
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_symlink()) {
            super::note!(
                "提示：{}: 与已读取的文件夹相同（链接），已跳过",
                dir.shown()
            );
        } else {
            super::note!("提示：{}: 此文件夹已读取过，只读取一次", dir.shown());
        }
        return Ok(());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if keep_going && !top => {
            super::note!("跳过：{}", Error::io(dir.shown(), e));
            return Ok(());
        }
        Err(e) => return Err(Error::io(dir.shown(), e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.shown(), e))?;
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
            let e = Error::io(path.shown(), std::io::Error::new(e.kind(), e.to_string()));
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
                super::note!("提示：{}: 不是普通文件，已跳过", path.shown());
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
    let shown = path.shown();
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
    // Sized once: grown by doubling, a large file would briefly take up to three times itself.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
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
    declform::read(bytes, &shown, opts).map_err(with_flag)
}

/// A reading limit's error with the flag that raises it: the library names no flag.
fn with_flag(e: Error) -> Error {
    let flag = match e.limit() {
        Some(declform::Limit::FileBytes) => "--max-file-mb",
        Some(declform::Limit::InflatedBytes) => "--max-inflated-mb",
        _ => return e,
    };
    e.with_hint(&format!("确属正常文件时可用 {flag} 提高上限"))
}

/// The reading limits, as options of every command that reads.
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// 压缩格式工作簿解压后的总大小上限（MiB，防“压缩炸弹”）/ most a zipped workbook may inflate to
    #[arg(long, value_name = "MiB", default_value_t = declform::DEFAULT_MAX_INFLATED_BYTES / MIB,
          help = format!("压缩格式工作簿解压后的总大小上限（MiB，默认 {}，防“压缩炸弹”）/ most a zipped workbook may inflate to", declform::DEFAULT_MAX_INFLATED_BYTES / MIB))]
    pub max_inflated_mb: u64,
    /// 单个输入文件的大小上限（MiB）/ most an input file may weigh
    #[arg(long, value_name = "MiB", default_value_t = declform::DEFAULT_MAX_FILE_BYTES / MIB,
          help = format!("单个输入文件的大小上限（MiB，默认 {}）/ most an input file may weigh", declform::DEFAULT_MAX_FILE_BYTES / MIB))]
    pub max_file_mb: u64,
}

const MIB: u64 = 1024 * 1024;

impl Limits {
    /// The reader's options.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            max_file_bytes: self.max_file_mb.saturating_mul(MIB),
            max_inflated_bytes: self.max_inflated_mb.saturating_mul(MIB),
            skip_bad_forms: false,
        }
    }
}
