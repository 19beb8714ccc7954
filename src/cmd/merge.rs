//! `declform merge`: many department workbooks into one, with summaries.

use super::inputs;
use crate::check;
use crate::error::{Error, Result};
use crate::merge::{self, duplicates};
use crate::model::Form;
use crate::reader::{self, ReadResult};
use crate::{output, writer};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// 合并多个申报表文件为一个工作簿（含汇总表）。Merge many workbooks into one, with summaries.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输入文件或文件夹（递归查找 .xlsx .xlsm .xlsb .xls .ods .json）/ input files or folders
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
    /// Reading limits.
    #[command(flatten)]
    pub limits: super::inputs::Limits,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let files = inputs::expand(&args.inputs)?;
    if let Some(out) = &args.output {
        output::refuse_overwriting_input(out, &files)?;
        if super::extension(out) != "xlsx" {
            return Err(inputs::usage(out, "合并结果须为 .xlsx 工作簿"));
        }
    }
    if files.is_empty() {
        return Err(inputs::usage(
            &first_input(args),
            "没有找到可合并的文件（.xlsx .xlsm .xlsb .xls .ods .json）",
        ));
    }
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
    let opts = args.limits.read_options();
    let results: Vec<Result<ReadResult>> = files
        .par_iter()
        .map(|f| {
            let r = reader::read_path(f, &opts);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();

    let mut forms: Vec<Form> = Vec::new();
    let mut skipped: Vec<Error> = Vec::new();
    let mut listing = Vec::new();
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok(mut read) => {
                for form in read.forms.iter_mut().filter(|f| f.source.is_none()) {
                    form.source = Some(crate::model::Source {
                        file: file.display().to_string(),
                        ..Default::default()
                    });
                }
                for n in &read.notices {
                    eprintln!("提示：{n}");
                }
                // The rules run only for the --dry-run listing, not on the merge's hot path.
                let errors = if args.dry_run {
                    check::check_forms(&read.forms)
                        .iter()
                        .filter(|f| f.severity == check::Severity::Error)
                        .count()
                } else {
                    0
                };
                listing.push(format!(
                    "{}: {} 张表{}",
                    file.display(),
                    read.forms.len(),
                    if errors > 0 {
                        format!("（检查发现 {errors} 个错误，详见 declform check）")
                    } else {
                        String::new()
                    }
                ));
                forms.extend(read.forms);
            }
            Err(e) if args.keep_going || args.dry_run => {
                listing.push(format!("{}: 跳过（{}）", file.display(), e.message));
                skipped.push(e);
            }
            Err(e) => return Err(e),
        }
    }
    for (i, dup) in duplicates(&forms).iter().enumerate() {
        if let (Some(a), Some(b)) = (forms.get(i), dup.and_then(|j| forms.get(j))) {
            eprintln!(
                "警告：疑似重复项目「{}」（{}，{}年度）：{} 与 {}",
                a.project_name,
                a.department,
                a.year.map_or("无".to_string(), |y| y.to_string()),
                place(b),
                place(a)
            );
        }
    }
    if args.dry_run {
        for line in &listing {
            println!("{line}");
        }
        println!(
            "共 {} 个文件，{} 张表，跳过 {} 个文件；未写出任何文件（--dry-run）",
            files.len(),
            forms.len(),
            skipped.len()
        );
        return Ok(exit(&skipped));
    }
    for e in &skipped {
        eprintln!("跳过：{e}");
    }
    if forms.is_empty() {
        return Err(inputs::usage(&first_input(args), "没有可合并的申报表"));
    }
    let Some(out) = &args.output else {
        return Ok(exit(&skipped));
    };
    let mut wb = merge::merged_workbook(&forms)?;
    writer::save(&mut wb, out)?;
    if !args.quiet {
        eprintln!(
            "已将 {} 个文件中的 {} 张表合并到 {}{}",
            files.len() - skipped.len(),
            forms.len(),
            out.display(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!("（跳过 {} 个文件）", skipped.len())
            }
        );
    }
    Ok(exit(&skipped))
}

/// The first input, to name in messages about the inputs as a whole.
fn first_input(args: &Args) -> PathBuf {
    args.inputs.first().cloned().unwrap_or_default()
}

fn place(f: &Form) -> String {
    match &f.source {
        Some(s) => match &s.sheet {
            Some(sheet) => format!("{}!{sheet}", s.file),
            None => s.file.clone(),
        },
        None => String::from("?"),
    }
}

fn exit(skipped: &[Error]) -> ExitCode {
    if skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
