//! `declform convert`: between workbooks, the JSON model and (later) flat tables.

use crate::error::{Error, ErrorKind, Location, Result};
use crate::layout::LayoutKind;
use crate::model::Document;
use crate::{json, output, reader, writer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// 格式转换：工作簿、JSON 之间互转。Convert between workbooks and the JSON model.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输入文件（JSON 或工作簿）/ input files
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 输出文件，格式由扩展名决定（.json .xlsx .csv）；省略时向标准输出写 JSON / output, by extension
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 输出格式（默认由扩展名决定）/ output format, when the extension does not say
    #[arg(long, value_enum)]
    pub to: Option<OutputKind>,
    /// 以指标明细表（一行一个指标）写出 .xlsx / write the flat table (one row per indicator) as xlsx
    #[arg(long)]
    pub flat: bool,
    /// 写工作簿时使用的版式（默认：有项目性质的用 2026，否则 2024）/ layout for workbook output
    #[arg(long, value_enum)]
    pub layout: Option<LayoutKind>,
    /// Reading limits.
    #[command(flatten)]
    pub limits: super::inputs::Limits,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    if let Some(out) = &args.output {
        output::refuse_overwriting_input(out, &args.inputs)?;
        output_kind(out, args.to)?;
    }
    let doc = read_inputs(&args.inputs, &args.limits.read_options())?;
    match &args.output {
        None => {
            let text = json::to_string(&doc);
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is the reader's choice, not an error.
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush());
        }
        Some(out) => write_output(&doc, out, args.to, args.layout, args.flat)?,
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
}

fn output_kind(out: &Path, to: Option<OutputKind>) -> Result<OutputKind> {
    if let Some(kind) = to {
        return Ok(kind);
    }
    match super::extension(out).as_str() {
        "json" => Ok(OutputKind::Json),
        "xlsx" => Ok(OutputKind::Xlsx),
        "csv" => Ok(OutputKind::Csv),
        other => Err(Error::new(
            ErrorKind::Usage,
            Location::file(out.display().to_string()),
            format!("不支持的输出格式“.{other}”；请用 .json、.xlsx 或 .csv，或用 --to 指定"),
        )),
    }
}

/// Reads every input into one document, in order.
pub fn read_inputs(inputs: &[PathBuf], opts: &reader::ReadOptions) -> Result<Document> {
    let mut doc = Document::default();
    for input in inputs {
        doc.forms.extend(read_input(input, opts)?.forms);
    }
    Ok(doc)
}

/// Reads one input file (JSON or workbook); notices go to stderr.
pub fn read_input(path: &Path, opts: &reader::ReadOptions) -> Result<Document> {
    let read = reader::read_path(path, opts)?;
    for n in &read.notices {
        eprintln!("提示：{n}");
    }
    Ok(Document { forms: read.forms })
}

/// Writes a document to a file of the kind `to` or its extension names.
pub fn write_output(
    doc: &Document,
    out: &Path,
    to: Option<OutputKind>,
    layout: Option<LayoutKind>,
    flat: bool,
) -> Result<()> {
    match output_kind(out, to)? {
        OutputKind::Csv => output::write_atomically(out, |w| crate::flat::write_csv(&doc.forms, w)),
        OutputKind::Xlsx if flat => {
            let mut wb = crate::flat::workbook(&doc.forms)?;
            writer::save(&mut wb, out)
        }
        OutputKind::Json => {
            output::write_atomically(out, |w| w.write_all(json::to_string(doc).as_bytes()))
        }
        OutputKind::Xlsx => {
            let mut wb = writer::workbook_of(&doc.forms, &writer::WriteOptions { layout })?;
            writer::save(&mut wb, out)
        }
    }
}
