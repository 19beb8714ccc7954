//! The command-line parser in Chinese: clap's help headings, its own flags' help and its
//! errors, which clap writes in English, are given in the users' language (bilingual where
//! a heading helps someone who follows an English guide).
//!
//! [`localize`] rewrites the parser built from the derived `Args` before it parses;
//! [`error`] turns a parse error into the message printed, and its exit code.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The heading of positional arguments in help.
const ARGUMENTS: &str = "参数 / Arguments";
/// The heading of options in help.
const OPTIONS: &str = "选项 / Options";
/// The heading of subcommands in help.
const COMMANDS: &str = "命令 / Commands";
/// How help lays out a command, with the headings above.
const TEMPLATE: &str = "\
{about-with-newline}
用法 / Usage: {usage}

{all-args}{after-help}";

/// `cmd` with Chinese help: headings, `-h/--help` and `-V/--version` described in Chinese,
/// no `help` subcommand (`declform merge --help` instead), possible and default values left
/// to each argument's own help text; the same for every subcommand.
pub fn localize(cmd: Command) -> Command {
    let top = cmd.get_version().is_some();
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading(COMMANDS)
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助和例子 / print help")
                .help_heading(OPTIONS),
        );
    if top {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本 / print the version")
                .help_heading(OPTIONS),
        );
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| {
            let heading = if a.is_positional() {
                ARGUMENTS
            } else {
                OPTIONS
            };
            let a = a.help_heading(heading);
            if a.get_action().takes_values() {
                a.hide_possible_values(true).hide_default_value(true)
            } else {
                a
            }
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, localize);
    }
    cmd
}

/// The message of a parse error, and whether it is help or the version (printed to stdout,
/// exit 0) rather than a usage error (stderr, exit 2).
pub fn error(e: &clap::Error) -> (String, bool) {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let mut text = e.render().to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            return (text, true);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return (e.render().to_string(), false);
        }
        _ => {}
    }
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let mut msg = match e.kind() {
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            format!("没有“{}”这个命令", text(ContextKind::InvalidSubcommand))
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 缺少值"),
        ErrorKind::InvalidValue => format!("参数 {arg} 的值“{value}”无效"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(ToString::to_string);
            match why {
                Some(why) => format!("参数 {arg} 的值“{value}”无效：{why}"),
                None => format!("参数 {arg} 的值“{value}”无效"),
            }
        }
        ErrorKind::ArgumentConflict => {
            format!("参数 {arg} 不能与 {} 同时使用", text(ContextKind::PriorArg))
        }
        ErrorKind::TooManyValues => format!("参数 {arg} 的值太多：“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值的个数不对")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 的值要用等号给出（{arg}=值）"),
        _ => format!("命令行有误：{}", e.kind()),
    };
    let valid = text(ContextKind::ValidValue);
    if !valid.is_empty() {
        msg.push_str(&format!("；可选值：{valid}"));
    }
    let valid = text(ContextKind::ValidSubcommand);
    if !valid.is_empty() && e.kind() == ErrorKind::InvalidSubcommand {
        msg.push_str(&format!("；可用的命令：{valid}"));
    }
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedCommand,
    ] {
        let s = text(kind);
        if !s.is_empty() {
            msg.push_str(&format!("（是不是想用 {s}？）"));
        }
    }
    let mut out = format!("错误：{msg}\n");
    let usage = text(ContextKind::Usage);
    if let Some(usage) = usage.strip_prefix("Usage: ") {
        let command = usage
            .split(" [")
            .next()
            .unwrap_or(usage)
            .split(" <")
            .next()
            .unwrap_or(usage)
            .split(" --")
            .next()
            .unwrap_or(usage);
        out.push_str(&format!(
            "\n用法：{usage}\n详细说明和例子：{command} --help\n"
        ));
    }
    (out, false)
}
