//! The `declform` command line: the shell around the library. It does the I/O (files,
//! folders, atomic outputs, temporary files), the parallelism and the progress bars; the
//! library works on bytes.

mod cmd;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a merge allocates and frees on several threads
/// at once (each writes form sheets), where glibc's allocator cost about 10% more CPU time
/// (`bench/merge_memory.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// declform：财政项目支出绩效目标申报表的读取、生成、转换、合并、检查与比较。
/// Read, write, convert, merge, check and compare fiscal performance-target declaration forms.
#[derive(Debug, Parser)]
#[command(name = "declform", version)]
#[command(after_help = "\
例子 / Examples:
  declform template -o 模板.xlsx  # 空白申报表 / a blank form
  declform merge 各部门/ -o 汇总.xlsx  # 合并 / merge
  declform check 各部门/  # 检查 / check
  declform convert 办公室.xlsx -o 办公室.json  # 转换 / convert
  declform merge --help  # 某个命令的说明和例子 / one command's help

退出代码 / Exit codes: 0 成功 / success, 1 输入有误 / bad input (check: 发现错误),
  2 用法错误 / usage error")]
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
    // clap's own help and errors in Chinese (cmd::zh).
    let parsed = cmd::zh::localize(Cli::command())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let (text, to_stdout) = cmd::zh::error(&e);
            if to_stdout {
                let _ = cmd::emit(text.as_bytes());
                return ExitCode::SUCCESS;
            }
            cmd::note!("{}", text.trim_end());
            return ExitCode::from(2);
        }
    };
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
