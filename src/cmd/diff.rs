//! `declform diff`: what changed between two versions of a department's forms.

use super::{Failure, Format, Shown, inputs, output};
use declform::{Form, Source};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// 比较两个版本的申报表（审核轮次：一上、二上），逐项列出金额、目标、指标的变化。
/// Compare two versions of forms.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
例子 / Examples:
  declform diff samples/人民调解科.xlsx samples/二上/人民调解科.xlsx  # 每处变化一行 / one line a change
  declform diff 一上/ 二上/ -o 变更报告.xlsx  # 两个文件夹，另写出报告工作簿 / folders, and a report workbook
  declform diff 一上.xlsx 二上.xlsx --format json  # 给其他程序用 / for other programs

退出代码 / Exit codes（与 diff(1) 相同 / as diff(1), unlike the other commands）:
  0  没有不同 / identical
  1  有不同 / differences
  2  出错：用法错误、无法读取的输入、同一侧有重复的表 / trouble: usage, unreadable input, a form twice on one side")]
pub struct Args {
    /// 旧版本：文件或文件夹 / the old version: file or folder
    pub old: PathBuf,
    /// 新版本：文件或文件夹 / the new version: file or folder
    pub new: PathBuf,
    /// 另写出变更报告工作簿（.xlsx）/ also write the report workbook
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 输出格式：text（默认）每处一行 `新文件!工作表!单元格: [类型] 说明`，最后一行为计数；json 为数组 / output format: text (default) or json
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Reading limits.
    #[command(flatten)]
    pub limits: inputs::Limits,
}

/// Runs the command: exit 0 without differences, 1 with any, 2 on trouble (reported here,
/// since the other commands' bad-input exit code 1 means "differences" for diff).
pub fn run(args: &Args) -> super::Outcome {
    match compare(args) {
        Ok(code) => Ok(code),
        Err(e) => {
            super::note!("错误：{e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn compare(args: &Args) -> Result<ExitCode, Failure> {
    if let Some(out) = &args.output
        && !super::is_stdout(out)
        && super::extension(out) != "xlsx"
    {
        return Err(super::usage(out, "变更报告须为 .xlsx 工作簿"));
    }
    let opts = args.limits.read_options();
    let old = read_side(&args.old, &opts)?;
    let new = read_side(&args.new, &opts)?;
    let changes = declform::diff::diff(&old.1, &new.1)?;
    if let Some(out) = &args.output {
        let mut inputs = old.0.clone();
        inputs.extend(new.0.iter().cloned());
        output::refuse_overwriting_input(out, &inputs)?;
        let bytes = declform::diff_workbook(&new.1, &changes)?;
        output::write_bytes(out, &bytes)?;
    }
    let printed = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&changes).unwrap_or_default()
        ),
        Format::Text => {
            let mut t: String = changes.iter().map(|c| format!("{c}\n")).collect();
            t.push_str(&declform::diff::counts(&changes));
            t.push('\n');
            t
        }
    };
    super::emit(printed.as_bytes())?;
    if args.format == Format::Json {
        super::note!("{}", declform::diff::counts(&changes));
    }
    if let Some(out) = &args.output {
        super::note!("已写出变更报告 {}", out.shown());
    }
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The files of one side and their forms, in path order. A form whose source does not
/// name the file it was read from (a JSON document's own, or none) is located at the file.
fn read_side(
    path: &Path,
    opts: &declform::ReadOptions,
) -> Result<(Vec<PathBuf>, Vec<Form>), Failure> {
    let how = inputs::Expand {
        folders: true,
        ..Default::default()
    };
    let files = inputs::expand(std::slice::from_ref(&path.to_path_buf()), how)?;
    if files.is_empty() {
        return Err(super::usage(
            path,
            format!("没有找到可比较的文件（{}）", inputs::extensions_text()),
        ));
    }
    let mut forms = Vec::new();
    for file in &files {
        let read = inputs::read_file(file, opts)?;
        for n in &read.notices {
            super::note!("提示：{n}");
        }
        let shown = file.shown();
        forms.extend(read.forms.into_iter().map(|mut f| {
            if f.source
                .as_ref()
                .is_none_or(|s| s.place.file_name() != shown)
            {
                f.source = Some(Source::file(&shown));
            }
            f
        }));
    }
    Ok((files, forms))
}
