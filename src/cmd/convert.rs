//! `declform convert`: between workbooks, Word documents, the JSON model and flat tables.

use super::{Failure, LayoutArg, Outcome, Shown, inputs, output};
use declform::{Error, Form, LayoutKind, ReadOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// 格式转换：工作簿、Word 文档、JSON、指标明细表之间互转。Convert between workbooks, Word documents, the JSON model and flat tables.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
例子 / Examples:
  declform convert 办公室.xlsx  # JSON 写到屏幕（标准输出）/ JSON to stdout
  declform convert 办公室.xlsx -o 办公室.json
  declform convert 办公室.json -o 新.xlsx --layout 2026
  declform convert 各部门/*.xlsx -o 指标.csv  # 指标明细表，一行一个指标 / the flat table
  declform convert 指标.csv -o 申报表.xlsx
  declform convert 办公室.json -o 申报表.docx  # Word 文档，每页一张表 / Word, a form a page

退出代码 / Exit codes:
  0  成功 / success
  1  输入有误或无法读写，未写出任何文件 / bad input or I/O error, nothing written
  2  用法错误（如输出格式不支持、输出与输入相同）/ usage error")]
pub struct Args {
    /// 输入文件（工作簿、JSON 或指标明细 CSV）/ input files
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 输出文件，格式由扩展名决定（.json .xlsx .csv .docx）；省略时写到标准输出（默认 JSON，或 --to 指定的格式）/ output, by extension; standard output when omitted
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 输出格式：json、xlsx、csv 或 docx（默认由扩展名决定）/ output format (json, xlsx, csv, docx), when the extension does not say
    #[arg(long, value_enum)]
    pub to: Option<OutputKind>,
    /// 以指标明细表（一行一个指标）写出 .xlsx / write the flat table (one row per indicator) as xlsx
    #[arg(long)]
    pub flat: bool,
    /// 写工作簿或 Word 文档时使用的版式：2024（五列）、2026（六列，含项目性质）或 split（一体化拆分：指标性质、指标值、度量单位分列）；默认有项目性质的用 2026，否则 2024 / layout for workbook output: 2024, 2026 or split
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
    /// Reading limits.
    #[command(flatten)]
    pub limits: inputs::Limits,
}

/// Runs the command.
pub fn run(args: &Args) -> Outcome {
    let files = inputs::expand(&args.inputs, inputs::Expand::default())?;
    if let Some(out) = &args.output {
        output::refuse_overwriting_input(out, &files)?;
    }
    refuse_idle_flags(args)?;
    let forms = read_inputs(&files, &args.limits.read_options())?;
    let out = args.output.as_deref().unwrap_or(Path::new("-"));
    write_output(&forms, out, args.to, args.layout.map(Into::into), args.flat)?;
    if !super::is_stdout(out) {
        super::note!(
            "已将 {} 个文件中的 {} 张表写入 {}",
            files.len(),
            forms.len(),
            out.shown()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputKind {
    /// The JSON model.
    Json,
    /// A workbook (official forms, or the flat table with --flat).
    Xlsx,
    /// The flat table as CSV.
    Csv,
    /// A Word document: each form a table in the official grid, one a page.
    Docx,
}

fn output_kind(out: &Path, to: Option<OutputKind>) -> Result<OutputKind, Failure> {
    if let Some(kind) = to {
        return Ok(kind);
    }
    if super::is_stdout(out) {
        return Ok(OutputKind::Json);
    }
    match super::extension(out).as_str() {
        "json" => Ok(OutputKind::Json),
        "xlsx" => Ok(OutputKind::Xlsx),
        "csv" => Ok(OutputKind::Csv),
        "docx" => Ok(OutputKind::Docx),
        other => Err(super::usage(
            out,
            format!("不支持的输出格式“.{other}”；请用 .json、.xlsx、.csv 或 .docx，或用 --to 指定"),
        )),
    }
}

/// Refuses `--flat` and `--layout` where they would change nothing, before anything is
/// read: a clerk who asks for a flat Word document or a 2026 CSV would otherwise get
/// something else in silence.
fn refuse_idle_flags(args: &Args) -> Result<(), Failure> {
    let out = args.output.as_deref().unwrap_or(Path::new("-"));
    let kind = output_kind(out, args.to)?;
    if args.flat && !matches!(kind, OutputKind::Xlsx | OutputKind::Csv) {
        return Err(super::usage(
            out,
            "--flat 只用于写 .xlsx 指标明细表（.csv 本身就是指标明细表）；请改用 .xlsx 输出，或去掉 --flat",
        ));
    }
    let forms_out = matches!(kind, OutputKind::Xlsx | OutputKind::Docx) && !args.flat;
    if args.layout.is_some() && !forms_out {
        return Err(super::usage(
            out,
            "--layout 只用于写申报表格式的 .xlsx 或 .docx（JSON 和指标明细表不分版式）；请去掉 --layout",
        ));
    }
    Ok(())
}

/// Reads every input into one list of forms, in order; notices go to stderr.
fn read_inputs(inputs: &[PathBuf], opts: &ReadOptions) -> Result<Vec<Form>, Error> {
    let mut forms = Vec::new();
    for input in inputs {
        let read = inputs::read_file(input, opts)?;
        for n in &read.notices {
            super::note!("提示：{n}");
        }
        forms.extend(read.forms);
    }
    Ok(forms)
}

/// Writes forms to a file of the kind `to` or its extension names.
fn write_output(
    forms: &[Form],
    out: &Path,
    to: Option<OutputKind>,
    layout: Option<LayoutKind>,
    flat: bool,
) -> Result<(), Failure> {
    let bytes = match output_kind(out, to)? {
        OutputKind::Csv => declform::flat_csv(forms),
        OutputKind::Xlsx if flat => declform::flat_xlsx(forms)?,
        OutputKind::Json => declform::to_json(forms).into_bytes(),
        OutputKind::Xlsx => declform::write_workbook(forms, layout)?,
        OutputKind::Docx => declform::write_docx(forms, layout)?,
    };
    output::write_bytes(out, &bytes)?;
    Ok(())
}
