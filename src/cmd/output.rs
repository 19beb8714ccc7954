//! Writing outputs so that a failure never leaves half a file behind.

use super::Failure;
use super::Shown;
use declform::Error;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files being written, removed if the process is interrupted.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the temporary files of outputs being written and ends the process: called on
/// Ctrl-C and SIGTERM, so that an interrupted run leaves nothing behind (the target itself
/// is only ever replaced whole).
pub fn remove_partial_outputs_and_exit() -> ! {
    if let Ok(paths) = IN_PROGRESS.lock() {
        for p in paths.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
    super::note!("已中断；未写出任何文件");
    std::process::exit(130)
}

/// Keeps a temporary file on the list while it exists.
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Registered {
        if let Ok(mut paths) = IN_PROGRESS.lock() {
            paths.push(path.to_path_buf());
        }
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut paths) = IN_PROGRESS.lock() {
            paths.retain(|p| *p != self.0);
        }
    }
}

/// Writes a file atomically: `write` fills a temporary file in the target's folder, which is
/// then flushed and renamed over `path`. On any error the temporary file is removed and
/// `path` is untouched.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<(), Error>
where
    F: FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
{
    let shown = path.shown();
    if super::is_stdout(path) {
        let mut out = BufWriter::new(std::io::stdout());
        return match write(&mut out).and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Error::io_write("标准输出", e)),
        };
    }
    // A device or pipe (`/dev/stdout`, `/dev/full`) is written to directly: it cannot be
    // replaced by a rename, and renaming over it would replace the device itself.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io_write(&shown, e))?;
        let mut w = BufWriter::new(&mut file);
        return write(&mut w)
            .and_then(|_| w.flush())
            .map_err(|e| Error::io_write(&shown, e));
    }
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::new(
            declform::ErrorKind::Io,
            declform::Location::file(&shown),
            folder_message(path),
        ));
    }
    // A file replaced keeps its permissions (a 0600 file stays 0600).
    let kept = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".declform-").suffix(".tmp");
    #[cfg(unix)]
    {
        // tempfile's default 0600 would hide the result from colleagues sharing the folder.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io_write(&shown, e))?;
    let _registered = Registered::new(tmp.path());
    if let Some(perms) = kept {
        // Set on the open file, so the umask does not narrow them.
        tmp.as_file()
            .set_permissions(perms)
            .map_err(|e| Error::io_write(&shown, e))?;
    }
    {
        let mut w = BufWriter::new(&mut tmp);
        write(&mut w).map_err(|e| Error::io_write(&shown, e))?;
        w.flush().map_err(|e| Error::io_write(&shown, e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io_write(&shown, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io_write(&shown, e.error))?;
    Ok(())
}

/// Writes bytes to a file atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomically(path, |w| w.write_all(bytes))
}

/// Refuses an output path that is a folder or also one of the inputs.
pub fn refuse_overwriting_input(
    output: &Path,
    inputs: &[std::path::PathBuf],
) -> Result<(), Failure> {
    if super::is_stdout(output) {
        return Ok(());
    }
    if std::fs::metadata(output).is_ok_and(|m| m.is_dir()) {
        return Err(super::usage(output, folder_message(output)));
    }
    let out = std::fs::canonicalize(output).ok();
    for input in inputs {
        let same = match (&out, std::fs::canonicalize(input).ok()) {
            (Some(a), Some(b)) => *a == b,
            _ => output == input.as_path(),
        };
        if same {
            return Err(super::usage(
                output,
                "输出文件与输入文件相同，为避免覆盖原始数据已拒绝；请换一个输出文件名",
            ));
        }
    }
    Ok(())
}

/// The message for an output path that is a folder.
fn folder_message(path: &Path) -> String {
    format!(
        "这是一个文件夹，不能作为输出文件；请在 -o 后给出文件名，如 {}",
        path.join("结果.xlsx").shown()
    )
}
