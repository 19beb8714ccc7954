//! The `declform` command line: the shell around the library. It does the I/O (files,
//! folders, atomic outputs, temporary files), the parallelism and the progress bars; the
//! library works on bytes.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// declform：财政项目支出绩效目标申报表的读取、生成、转换、合并、检查与比较。
/// Read, write, convert, merge, check and compare fiscal performance-target declaration forms.
#[derive(Debug, Parser)]
#[command(name = "declform", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Convert(cmd::convert::Args),
    Check(cmd::check::Args),
    Merge(cmd::merge::Args),
    Diff(cmd::diff::Args),
    Template(cmd::template::Args),
}

fn main() -> ExitCode {
    declform::quiet_contained_panics();
    // Ctrl-C or SIGTERM while an output is written: remove its temporary file, then end.
    let _ = ctrlc::set_handler(|| cmd::output::remove_partial_outputs_and_exit());
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Convert(a) => cmd::convert::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Diff(a) => cmd::diff::run(a),
        Command::Template(a) => cmd::template::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            cmd::note!("错误：{e}");
            e.exit_code()
        }
    }
}
