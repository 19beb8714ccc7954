//! `declform check`: the rules, with messages that name file, sheet and cell.

use super::{Format, Outcome, inputs};
use declform::check::{Finding, Severity};
use std::path::PathBuf;
use std::process::ExitCode;

/// 检查申报表：金额勾稽、日期、指标体系、指标值格式。Check forms against the rules.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
例子 / Examples:
  declform check 办公室.xlsx
  declform check 各部门/  # 文件夹中的全部文件 / every file in a folder
  declform check 各部门/ --format json > 检查结果.json

退出代码 / Exit codes:
  0  没有错误（可能有警告）/ no 错误 (警告 may be listed)
  1  发现错误，或有文件无法读取 / an 错误 found, or a file could not be read
  2  用法错误 / usage error")]
pub struct Args {
    /// 输入文件或文件夹 / input files or folders
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 输出格式：text（默认）每条一行 `文件!工作表!单元格: 严重性 [规则] 说明`，json 为数组 / output format: text (default) or json
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Reading limits.
    #[command(flatten)]
    pub limits: inputs::Limits,
}

/// Runs the command: exit 0 without 错误, 1 with any.
pub fn run(args: &Args) -> Outcome {
    let how = inputs::Expand {
        folders: true,
        ..Default::default()
    };
    let files = inputs::expand(&args.inputs, how)?;
    // A form that cannot be read is a 错误 of its own; the file's other forms are checked.
    let opts = declform::ReadOptions {
        skip_bad_forms: true,
        ..args.limits.read_options()
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut forms = 0;
    for file in &files {
        // An unreadable file is a 错误 of its own; the other files are still checked.
        let read = match inputs::read_file(file, &opts) {
            Ok(read) => read,
            Err(e) => {
                findings.push(Finding::unreadable(&e));
                continue;
            }
        };
        for n in &read.notices {
            super::note!("提示：{n}");
        }
        findings.extend(read.skipped.iter().map(Finding::unreadable));
        forms += read.forms.len();
        findings.extend(declform::check(&read.forms));
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let text = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&findings).unwrap_or_default()
        ),
        Format::Text => findings.iter().map(|f| format!("{f}\n")).collect(),
    };
    super::emit(text.as_bytes())?;
    super::note!(
        "检查了 {} 个文件中的 {forms} 张表：{errors} 个错误，{warnings} 个警告",
        files.len()
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
