//! `declform template`: a blank official form with drop-downs and validation.

use super::{LayoutArg, Outcome, Shown, output};
use chrono::Datelike;
use std::path::PathBuf;
use std::process::ExitCode;

/// 生成空白申报表模板（带下拉选项与数据验证）。Write a blank form, ready for a unit to fill in.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
例子 / Examples:
  declform template  # 写出 申报表模板.xlsx（2024 版式，明年）
  declform template -o 模板.xlsx --year 2025
  declform template -o 模板.xlsx --layout 2026 --protect
  declform template -o 模板.xlsx --force  # 覆盖已有文件 / replace an existing file
  declform template -o 模板.docx  # Word 文档（无下拉选项与数据验证）/ a Word document

退出代码 / Exit codes:
  0  成功 / success
  1  无法写出文件 / the file could not be written
  2  用法错误（如文件已存在而未加 --force）/ usage error (e.g. the file exists)")]
pub struct Args {
    /// 输出文件（默认 申报表模板.xlsx；.docx 则写 Word 文档）/ output workbook, or a Word document for .docx
    #[arg(short, long, default_value = "申报表模板.xlsx")]
    pub output: PathBuf,
    /// 版式：2024（默认，五列）、2026（六列，含项目性质）或 split（一体化拆分：指标性质、指标值、度量单位分列）/ layout of the grid: 2024 (default), 2026 or split
    #[arg(long, value_enum, default_value_t = LayoutArg::Y2024)]
    pub layout: LayoutArg,
    /// 年度，2000 到 2099 之间的四位数（默认为明年）/ the budget year, 2000-2099 (default: next year)
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
    /// 保护工作表：标签锁定，只能在填写单元格中输入 / protect the sheet, leaving input cells editable
    #[arg(long)]
    pub protect: bool,
    /// 输出文件已存在时覆盖它 / replace an existing output file
    #[arg(long)]
    pub force: bool,
}

/// The budget years a template may be made for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// A `--year`: a four-digit year in [`YEARS`] (`25` or `0` would print `(25年度)`, which no
/// reader takes for a year).
fn parse_year(s: &str) -> Result<i32, String> {
    let range = format!(
        "年度应为 {} 到 {} 之间的四位数，例如 2025",
        YEARS.start(),
        YEARS.end()
    );
    match s.trim().parse::<i32>() {
        Ok(y) if YEARS.contains(&y) => Ok(y),
        _ => Err(range),
    }
}

/// Runs the command.
pub fn run(args: &Args) -> Outcome {
    output::refuse_overwriting_input(&args.output, &[])?;
    // A blank template written over a filled workbook would lose a unit's work.
    if !args.force && std::fs::metadata(&args.output).is_ok_and(|m| m.is_file()) {
        return Err(super::usage(
            &args.output,
            "文件已存在；为避免用空白模板覆盖已填写的内容已拒绝；确需覆盖请加 --force，或换一个文件名",
        ));
    }
    let docx = super::extension(&args.output) == "docx";
    if docx && args.protect {
        return Err(super::usage(
            &args.output,
            "Word 文档模板不支持 --protect（工作表保护只适用于 .xlsx 工作簿）；请去掉 --protect，或改为输出 .xlsx",
        ));
    }
    let year = args.year.unwrap_or_else(|| chrono::Local::now().year() + 1);
    let bytes = if docx {
        declform::template_docx(args.layout.into(), year)?
    } else {
        declform::template(args.layout.into(), year, args.protect)?
    };
    output::write_bytes(&args.output, &bytes)?;
    if !super::is_stdout(&args.output) {
        super::note!("已生成空白申报表：{}", args.output.shown());
    }
    Ok(ExitCode::SUCCESS)
}
