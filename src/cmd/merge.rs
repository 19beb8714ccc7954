//! `declform merge`: many department workbooks into one, with summaries.

use super::{Failure, Outcome, Shown, inputs, output};
use declform::check::Severity;
use declform::merge::FormSheet;
use declform::merge::{SummaryRow, duplicate_warnings};
use declform::{Error, ErrorKind, Merger, Read, Source};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// 合并多个申报表文件为一个工作簿（含汇总表）。Merge many workbooks into one, with summaries.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
例子 / Examples:
  declform merge 各部门/ -o 汇总.xlsx  # 文件夹中的全部工作簿 / every workbook in a folder
  declform merge 各部门/ 补报.xlsx -o 汇总.xlsx
  declform merge 各部门/*.xlsx -o 汇总.xlsx
  declform merge 各部门/ --dry-run  # 只列出将要合并的内容 / list, write nothing
  declform merge 各部门/ -o 汇总.xlsx --keep-going  # 跳过无法读取的文件 / skip bad files

退出代码 / Exit codes:
  0  成功 / success
  1  有文件无法读取或合并：未写出任何文件；加 --keep-going 时跳过它们并写出其余的
     / a bad input: nothing written (with --keep-going: skipped, the rest written)
  2  用法错误（如输出不是 .xlsx、输出与输入相同）/ usage error")]
pub struct Args {
    /// 输入文件或文件夹（在文件夹中递归查找工作簿和 JSON）/ input files or folders (searched recursively)
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 输出工作簿 / output workbook
    #[arg(short, long, required_unless_present = "dry_run")]
    pub output: Option<PathBuf>,
    /// 只读取和检查，列出将要合并的内容，不写文件 / read and check, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// 遇到无法读取的文件时跳过并继续（最后以代码 1 退出）/ skip bad inputs, exit 1 at the end
    #[arg(long)]
    pub keep_going: bool,
    /// 不显示进度和统计 / no progress bar or totals
    #[arg(short, long)]
    pub quiet: bool,
    /// 汇总表上的制表日期，默认今天 / the date printed on the summaries (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
    /// Reading limits.
    #[command(flatten)]
    pub limits: inputs::Limits,
}

/// A `--date` value.
fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("“{s}” 不是日期，请写成 2025-03-01 这样的格式"))
}

/// Runs the command.
pub fn run(args: &Args) -> Outcome {
    let files = input_files(args)?;
    let mut merged = match (&args.output, args.dry_run) {
        (Some(_), false) => Some(
            Merger::new()?.dated(
                args.date
                    .unwrap_or_else(|| chrono::Local::now().date_naive()),
            ),
        ),
        _ => None,
    };
    let mut tally = Tally::default();
    take_parallel(args, &files, &mut tally, merged.as_mut())?;
    match tally.failed.len() {
        0 => {}
        1 => return Err(tally.failed.remove(0).into()),
        n => {
            for e in &tally.failed {
                super::note!("错误：{e}");
            }
            return Err(super::Failure::Summary(format!(
                "共 {n} 个文件无法合并，未写出任何文件；可加 --keep-going 跳过它们，合并其余文件"
            )));
        }
    }
    finish(args, &files, &tally, merged)
}

/// The files to merge, the output checked before anything is read.
fn input_files(args: &Args) -> Result<Vec<PathBuf>, Failure> {
    let how = inputs::Expand {
        folders: true,
        keep_going: args.keep_going,
        output: args.output.as_deref(),
    };
    let files = inputs::expand(&args.inputs, how)?;
    if let Some(out) = &args.output {
        output::refuse_overwriting_input(out, &files)?;
        if !super::is_stdout(out) && super::extension(out) == "docx" {
            return Err(super::usage(
                out,
                "合并结果须为 .xlsx 工作簿（汇总表只能写在工作簿中）；要把各表写成 Word 文档，请用 declform convert 输入… -o 文件.docx",
            ));
        }
        if !super::is_stdout(out) && super::extension(out) != "xlsx" {
            return Err(super::usage(out, "合并结果须为 .xlsx 工作簿"));
        }
    }
    if files.is_empty() {
        return Err(super::usage(
            &first_input(args),
            format!("没有找到可合并的文件（{}）", inputs::extensions_text()),
        ));
    }
    Ok(files)
}

/// Reads the files, and writes and deflates their forms' sheets, in parallel, a few files
/// to a task; each file's result is taken into `tally` (and `merged`) in input order as
/// soon as it and all before it are in, while later files are still read. A form that
/// cannot be read is skipped alone when the merge skips what is bad; the file's other
/// forms are merged.
fn take_parallel(
    args: &Args,
    files: &[PathBuf],
    tally: &mut Tally,
    mut merged: Option<&mut Merger>,
) -> Result<(), Error> {
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(files.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} 个文件 {elapsed_precise}")
        {
            bar.set_style(style);
        }
        bar
    };
    let opts = declform::ReadOptions {
        skip_bad_forms: args.keep_going || args.dry_run,
        ..args.limits.read_options()
    };
    let stop = AtomicBool::new(false);
    let writing = merged.is_some();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Taken, Error>)>();
    let outcome = std::thread::scope(|scope| {
        let (stop, opts) = (&stop, &opts);
        scope.spawn(move || {
            let per_task = files_per_task(files.len());
            files
                .par_chunks(per_task)
                .enumerate()
                .for_each_with(tx, |tx, (g, group)| {
                    let mut reads = Vec::with_capacity(group.len());
                    for f in group {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        reads.push(inputs::read_file(f, opts).map(|read| named(read, f)));
                    }
                    for (j, taken) in Taken::all(reads, writing).into_iter().enumerate() {
                        let _ = tx.send((g * per_task + j, taken));
                    }
                });
        });
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&next) {
                let taken = files.get(next).map_or(Ok(()), |file| {
                    tally.take(args, file, result, merged.as_deref_mut())
                });
                if let Err(e) = taken {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                next += 1;
                bar.inc(1);
            }
        }
        Ok(())
    });
    bar.finish_and_clear();
    outcome
}

/// After every file is taken: the warnings, then the dry run's listing or the merged
/// workbook and what was skipped.
fn finish(args: &Args, files: &[PathBuf], tally: &Tally, merged: Option<Merger>) -> Outcome {
    let rows: &[SummaryRow] = match &merged {
        Some(m) => m.rows(),
        None => &tally.rows,
    };
    for warning in duplicate_warnings(rows) {
        super::note!("警告：{warning}");
    }
    let forms = rows.len();
    if args.dry_run {
        let mut text: String = tally.listing.iter().map(|l| format!("{l}\n")).collect();
        text.push_str(&format!(
            "共 {} 个文件，{forms} 张表，跳过 {}；未写出任何文件（--dry-run）\n",
            files.len(),
            tally.skipped_text()
        ));
        super::emit(text.as_bytes())?;
        return Ok(exit(&tally.skipped));
    }
    for line in &tally.skipped {
        super::note!("{line}");
    }
    if forms == 0 {
        return Err(super::usage(&first_input(args), "没有可合并的申报表"));
    }
    let (Some(out), Some(merged)) = (&args.output, merged) else {
        return Ok(exit(&tally.skipped));
    };
    let mut merged = merged.finish()?;
    output::write_atomically(out, |w| merged.write_to(w))?;
    if !args.quiet {
        super::note!(
            "已将 {} 个文件中的 {forms} 张表合并到 {}{}",
            files.len() - tally.skipped_files,
            out.shown(),
            if tally.skipped.is_empty() {
                String::new()
            } else {
                format!("（跳过 {}）", tally.skipped_text())
            }
        );
    }
    Ok(exit(&tally.skipped))
}

/// How many of `files` files a reading task takes in turn: their forms' sheets are then
/// written together, up to [`declform::merge::BATCH`] deflated with one compressor (the
/// bytes do not depend on it). Up to eight, but few enough that every thread has several
/// tasks.
fn files_per_task(files: usize) -> usize {
    (files / (rayon::current_num_threads() * 4)).clamp(1, 8)
}

/// `read` with `file` named as the source of its forms that name none, and without its
/// blank forms (a template among the inputs), each left out with a notice.
fn named(mut read: Read, file: &std::path::Path) -> Read {
    for form in read.forms.iter_mut().filter(|f| f.source.is_none()) {
        form.source = Some(Source::file(file.shown()));
    }
    if read.forms.iter().any(declform::Form::is_blank) {
        let (blank, filled): (Vec<_>, Vec<_>) = read.forms.into_iter().partition(|f| f.is_blank());
        read.forms = filled;
        for form in blank {
            let location = match &form.source {
                Some(s) => s.place.clone().cell_ref_as(None),
                None => declform::Location::file(file.shown()),
            };
            read.notices.push(declform::Notice::new(
                location,
                "空白申报表（没有填写任何内容，如空白模板），未合并",
            ));
        }
    }
    read
}

/// One file's reading, and when the merge writes, its forms' sheets.
struct Taken {
    read: Read,
    sheets: Option<Result<Vec<FormSheet>, Error>>,
}

impl Taken {
    /// The files of one task, each with its forms' sheets when `writing`: built for all
    /// the files at once, or, when one of them cannot be, file by file, so that the error
    /// is the file's own.
    fn all(reads: Vec<Result<Read, Error>>, writing: bool) -> Vec<Result<Taken, Error>> {
        let mut together = if writing {
            let forms: Vec<&declform::Form> =
                reads.iter().flatten().flat_map(|r| &r.forms).collect();
            // A file of many forms is written on several threads too.
            forms
                .par_chunks(declform::merge::BATCH)
                .map(|batch| FormSheet::all(batch.iter().copied()))
                .collect::<Result<Vec<_>, Error>>()
                .ok()
                .map(|batches| batches.into_iter().flatten())
        } else {
            None
        };
        reads
            .into_iter()
            .map(|read| {
                read.map(|read| {
                    let sheets = writing.then(|| match together.as_mut() {
                        Some(sheets) => Ok(sheets.by_ref().take(read.forms.len()).collect()),
                        None => FormSheet::all(&read.forms),
                    });
                    Taken { read, sheets }
                })
            })
            .collect()
    }
}

/// What the merge has taken in so far, in input order.
#[derive(Default)]
struct Tally {
    /// Summary rows when nothing is written (--dry-run).
    rows: Vec<SummaryRow>,
    listing: Vec<String>,
    /// The files skipped (--keep-going, --dry-run), each as one line: the same words on
    /// stdout for a dry run as on stderr for a merge.
    skipped: Vec<String>,
    /// How many of `skipped` are whole files; the others are forms.
    skipped_files: usize,
    /// Files that fail the merge (without --keep-going), in input order.
    failed: Vec<Error>,
}

impl Tally {
    /// Takes one file's reading: its forms go into the workbook (or, for a dry run, only the
    /// listing); a bad file stops the merge unless --keep-going or --dry-run.
    fn take(
        &mut self,
        args: &Args,
        file: &std::path::Path,
        result: Result<Taken, Error>,
        merged: Option<&mut Merger>,
    ) -> Result<(), Error> {
        let Taken { read, sheets } = match result {
            Ok(taken) => taken,
            Err(e) => {
                self.refuse(args, e);
                return Ok(());
            }
        };
        for n in &read.notices {
            super::note!("提示：{n}");
        }
        // Forms left out of a file whose other forms are merged (--keep-going, --dry-run).
        for e in &read.skipped {
            let line = format!("{}: 跳过此表（{}）", e.location(), e.message());
            self.listing.push(line.clone());
            self.skipped.push(line);
        }
        let dry_run = merged.is_none();
        let base = merged.as_ref().map_or(self.rows.len(), |m| m.rows().len());
        // A form that cannot be written fails the merge, or with --keep-going skips its file
        // whole: the merger adds a file's forms all or none. Once the merge has failed, or
        // for a dry run, the forms are only checked.
        let added = match merged.filter(|_| self.failed.is_empty()) {
            Some(m) => match sheets {
                Some(sheets) => m.add_all_built(&read.forms, sheets),
                None => m.add_all(&read.forms),
            },
            None => read
                .forms
                .iter()
                .enumerate()
                .try_for_each(|(i, f)| declform::writable(f, base + i)),
        };
        match added {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Unwritable => {
                self.refuse(args, e);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        if dry_run {
            // The rules run only for the --dry-run listing, not on the merge's hot path.
            let errors = declform::check(&read.forms)
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            self.listing.push(format!(
                "{}: {} 张表{}",
                file.shown(),
                read.forms.len(),
                if errors > 0 {
                    format!("（检查发现 {errors} 个错误，详见 declform check）")
                } else {
                    String::new()
                }
            ));
            self.rows
                .extend(read.forms.iter().map(|f| SummaryRow::of(f, "")));
        }
        Ok(())
    }

    /// A file that cannot be merged: skipped (listed, naming where in the file and why)
    /// with --keep-going or --dry-run; otherwise it fails the merge, but every file is still
    /// read so that all the bad ones are listed at once.
    fn refuse(&mut self, args: &Args, e: Error) {
        if args.keep_going || args.dry_run {
            let line = format!("{}: 跳过（{}）", e.location(), e.message());
            self.listing.push(line.clone());
            self.skipped.push(line);
            self.skipped_files += 1;
        } else {
            self.failed.push(e);
        }
    }

    /// What was skipped, counted: `1 个文件`, `1 张表`, `1 个文件、2 张表`.
    fn skipped_text(&self) -> String {
        let forms = self.skipped.len() - self.skipped_files;
        match (self.skipped_files, forms) {
            (files, 0) => format!("{files} 个文件"),
            (0, forms) => format!("{forms} 张表"),
            (files, forms) => format!("{files} 个文件、{forms} 张表"),
        }
    }
}

/// The first input, to name in messages about the inputs as a whole.
fn first_input(args: &Args) -> PathBuf {
    args.inputs.first().cloned().unwrap_or_default()
}

fn exit(skipped: &[String]) -> ExitCode {
    if skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
