//! The binary: exit codes, messages, and no output on failure.

mod common;
use common::*;

fn seed_text() -> String {
    std::fs::read_to_string(root().join("samples/seed-forms-2024.json")).unwrap()
}

#[test]
fn convert_json_to_stdout_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("samples/人民调解科.xlsx");
    let out = declform(dir.path(), &["convert", sample.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = declform::read(out.stdout, "stdout.json", &Default::default()).unwrap();
    assert_eq!(doc.forms.len(), 5);
    // Read back, the JSON is the source; the workbook that convert read rides along.
    let src = doc.forms[1].source.as_ref().unwrap();
    assert_eq!(
        (
            src.place.file_name(),
            src.place.sheet_name(),
            src.place.cell_ref()
        ),
        ("stdout.json", None, None)
    );
    let origin = src.origin.as_deref().unwrap();
    assert_eq!(
        (origin.place.sheet_name(), origin.place.cell_ref()),
        (Some("医患纠纷办案补贴"), Some("A1"))
    );
    assert!(origin.place.file_name().ends_with("人民调解科.xlsx"));
}

#[test]
fn bad_json_inputs_name_the_form_and_field_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "malformed.json",
            "{\"forms\": [".to_string(),
            "malformed.json: 不是有效的 JSON（第1行第11列：EOF while parsing a list）",
        ),
        (
            "amount.json",
            seed_text().replacen("\"2646000.00\"", "\"二百六十四万\"", 1),
            "amount.json 第1张表「村(居)委专职调解岗位工作津贴」项目资金总额: \"二百六十四万\" 不是金额（应为十进制数字字符串，如 \"2646000.00\"）",
        ),
        (
            "date.json",
            seed_text().replacen("\"2024-12-31\"", "\"2024-02-30\"", 1),
            "date.json 第1张表「村(居)委专职调解岗位工作津贴」计划完成日期: \"2024-02-30\" 不是有效日期（应为 YYYY-MM-DD）",
        ),
    ];
    for (name, text, message) in cases {
        std::fs::write(dir.path().join(name), text).unwrap();
        let out = declform(dir.path(), &["convert", name, "-o", "out.xlsx"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(stderr(&out), format!("错误：{message}\n"), "{name}");
        assert!(
            !dir.path().join("out.xlsx").exists(),
            "{name} left an output"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".declform"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(declform(dir.path(), &["convert"]).status.code(), Some(2));
    assert_eq!(declform(dir.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        declform(dir.path(), &["template", "--layout", "2025"])
            .status
            .code(),
        Some(2)
    );
    let input = root().join("samples/seed-forms-2024.json");
    let out = declform(
        dir.path(),
        &["convert", input.to_str().unwrap(), "-o", "x.pdf"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "错误：x.pdf: 不支持的输出格式“.pdf”；请用 .json、.xlsx、.csv 或 .docx，或用 --to 指定\n"
    );
    assert!(!dir.path().join("x.pdf").exists());
}

#[test]
fn flags_that_would_change_nothing_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    let input = input.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--flat", "-o", "x.docx"],
            "错误：x.docx: --flat 只用于写 .xlsx 指标明细表（.csv 本身就是指标明细表）；请改用 .xlsx 输出，或去掉 --flat\n",
        ),
        (
            &["--flat"],
            "错误：-: --flat 只用于写 .xlsx 指标明细表（.csv 本身就是指标明细表）；请改用 .xlsx 输出，或去掉 --flat\n",
        ),
        (
            &["--layout", "2026", "-o", "x.csv"],
            "错误：x.csv: --layout 只用于写申报表格式的 .xlsx 或 .docx（JSON 和指标明细表不分版式）；请去掉 --layout\n",
        ),
        (
            &["--flat", "--layout", "split", "-o", "x.xlsx"],
            "错误：x.xlsx: --layout 只用于写申报表格式的 .xlsx 或 .docx（JSON 和指标明细表不分版式）；请去掉 --layout\n",
        ),
    ];
    for (flags, message) in cases {
        let mut args = vec!["convert", input];
        args.extend_from_slice(flags);
        let out = declform(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        assert_eq!(stderr(&out), message, "{flags:?}");
        assert!(out.stdout.is_empty(), "{flags:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn convert_to_standard_output_follows_to() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    let csv = declform(
        dir.path(),
        &["convert", input.to_str().unwrap(), "--to", "csv"],
    );
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    let expected = declform::flat_csv(
        &declform::read(
            std::fs::read(&input).unwrap(),
            "seed-forms-2024.json",
            &Default::default(),
        )
        .unwrap()
        .forms,
    );
    assert_eq!(csv.stdout, expected);
}

#[test]
fn an_output_equal_to_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("samples/办公室.xlsx"),
        dir.path().join("a.xlsx"),
    )
    .unwrap();
    let before = std::fs::read(dir.path().join("a.xlsx")).unwrap();
    let out = declform(dir.path(), &["convert", "a.xlsx", "-o", "./a.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("输出文件与输入文件相同"));
    assert_eq!(std::fs::read(dir.path().join("a.xlsx")).unwrap(), before);
}

#[test]
fn a_workbook_without_forms_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .write_string(0, 0, "封面：2024年预算")
        .unwrap();
    wb.save(dir.path().join("cover.xlsx")).unwrap();
    let out = declform(dir.path(), &["convert", "cover.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "错误：cover.xlsx: 没有找到申报表：各工作表中都没有“项目名称”标签下方带“一级指标/二级指标/三级指标”表头的表格\n"
    );
}

#[test]
fn template_refuses_to_overwrite_a_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let filled = std::fs::read(root().join("samples/人民调解科.xlsx")).unwrap();
    std::fs::write(d.join("t.xlsx"), &filled).unwrap();
    let out = declform(d, &["template", "-o", "t.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim_end(),
        "错误：t.xlsx: 文件已存在；为避免用空白模板覆盖已填写的内容已拒绝；确需覆盖请加 --force，或换一个文件名"
    );
    assert!(std::fs::read(d.join("t.xlsx")).unwrap() == filled);
    let out = declform(d, &["template", "-o", "t.xlsx", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read(d.join("t.xlsx")).unwrap() != filled);
}

#[test]
fn every_help_shows_examples_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["convert", "check", "merge", "template"] {
        let out = declform(dir.path(), &[command, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains(&format!("例子 / Examples:\n  declform {command} ")),
            "{help}"
        );
        assert!(help.contains("\n退出代码 / Exit codes:\n  0  "), "{help}");
        assert!(help.contains("\n  2  用法错误"), "{help}");
    }
    let out = declform(dir.path(), &["check", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(
        "退出代码 / Exit codes:\n\
         \x20 0  没有错误（可能有警告）/ no 错误 (警告 may be listed)\n\
         \x20 1  发现错误，或有文件无法读取 / an 错误 found, or a file could not be read\n\
         \x20 2  用法错误 / usage error\n"
    ));
    let out = declform(dir.path(), &["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("例子 / Examples:\n  declform template -o 模板.xlsx"),
        "{help}"
    );
    assert!(
        help.contains("退出代码 / Exit codes: 0 成功 / success"),
        "{help}"
    );
}

/// clap's own English, which no message or help of declform may show (the first two at the
/// start of a line: help says `用法 / Usage:`).
const CLAP_ENGLISH: [&str; 8] = [
    "error:",
    "Usage:",
    "Print help",
    "Print version",
    "Possible values",
    "[default:",
    "For more information",
    "required arguments were not provided",
];

fn assert_no_clap_english(text: &str, what: &str) {
    for (i, english) in CLAP_ENGLISH.iter().enumerate() {
        let found = if i < 2 {
            text.lines().any(|l| l.trim_start().starts_with(english))
        } else {
            text.contains(english)
        };
        assert!(!found, "{what}: “{english}” in {text}");
    }
}

#[test]
fn usage_errors_are_in_chinese_with_the_usage_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["merge"],
            "错误：缺少必需的参数：--output <OUTPUT>、<INPUTS>...\n\n用法：declform merge --output <OUTPUT> <INPUTS>...\n详细说明和例子：declform merge --help\n",
        ),
        (
            &["merge", "a.xlsx", "--outptu", "m.xlsx"],
            "错误：不认识的参数“--outptu”（是不是想用 --output？）\n\n用法：declform merge --output <OUTPUT> <INPUTS>...\n详细说明和例子：declform merge --help\n",
        ),
        (
            &["mrge"],
            "错误：没有“mrge”这个命令（是不是想用 merge？）\n\n用法：declform <命令>\n详细说明和例子：declform --help\n",
        ),
        (
            &["convert", "a.xlsx", "--to", "pdf"],
            "错误：参数 --to <TO> 的值“pdf”无效；可选值：json、xlsx、csv、docx\n",
        ),
        (
            &["template", "--year", "25"],
            "错误：参数 --year <YEAR> 的值“25”无效：年度应为 2000 到 2099 之间的四位数，例如 2025\n",
        ),
        (
            &["template", "--year", "0"],
            "错误：参数 --year <YEAR> 的值“0”无效：年度应为 2000 到 2099 之间的四位数，例如 2025\n",
        ),
    ];
    for (args, message) in cases {
        let out = declform(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Nothing was written by the refused template.
    assert!(!dir.path().join("申报表模板.xlsx").exists());
}

#[test]
fn help_is_in_chinese_with_examples_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["", "convert", "check", "merge", "diff", "template"] {
        for flag in ["-h", "--help"] {
            let args: Vec<&str> = [command, flag]
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect();
            let out = declform(dir.path(), &args);
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            let help = String::from_utf8(out.stdout).unwrap();
            assert_no_clap_english(&help, &format!("{args:?}"));
            for needle in [
                "用法 / Usage: declform",
                "选项 / Options:",
                "显示帮助",
                "例子 / Examples:",
                "退出代码",
            ] {
                assert!(help.contains(needle), "{args:?} lacks {needle}: {help}");
            }
        }
    }
    let out = declform(dir.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("declform ")
    );
}

#[test]
fn convert_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("samples/人民调解科.xlsx");
    let out = declform(
        dir.path(),
        &["convert", sample.to_str().unwrap(), "-o", "人民调解科.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "已将 1 个文件中的 5 张表写入 人民调解科.json\n"
    );
    assert!(out.stdout.is_empty());
    // To standard output, the JSON alone.
    let out = declform(dir.path(), &["convert", "人民调解科.json", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn an_output_that_is_a_folder_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("出")).unwrap();
    std::fs::create_dir(d.join("汇总.xlsx")).unwrap();
    let sample = root().join("samples/办公室.xlsx");
    let sample = sample.to_str().unwrap();
    for (args, out) in [
        (vec!["merge", sample, "-o", "出"], "出"),
        (vec!["merge", sample, "-o", "汇总.xlsx"], "汇总.xlsx"),
        (vec!["convert", sample, "-o", "出"], "出"),
        (vec!["template", "-o", "出"], "出"),
    ] {
        let o = declform(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "错误：{out}: 这是一个文件夹，不能作为输出文件；请在 -o 后给出文件名，如 {out}/结果.xlsx\n"
            ),
            "{args:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_replaced_output_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = root().join("samples/办公室.xlsx");
    let sample = sample.to_str().unwrap();
    for (name, mode) in [("私.xlsx", 0o600), ("组.xlsx", 0o664)] {
        std::fs::write(d.join(name), b"old").unwrap();
        std::fs::set_permissions(d.join(name), std::fs::Permissions::from_mode(mode)).unwrap();
        let o = declform(d, &["merge", sample, "-o", name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let meta = std::fs::metadata(d.join(name)).unwrap();
        assert!(meta.len() > 3, "{name} not replaced");
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{name}");
    }
}

#[test]
fn a_workbook_with_excels_default_key_converts_with_a_notice_and_a_real_password_fails() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("tests/fixtures/crypt");
    for (from, to) in [
        ("default-cryptoapi.xls", "保护.xls"),
        ("default-agile.xlsx", "保护.xlsx"),
    ] {
        std::fs::copy(fixtures.join(from), dir.path().join(to)).unwrap();
        let out = declform(dir.path(), &["convert", to, "-o", "out.json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "提示：{to}: 此工作簿以 Excel 默认密钥加密（设有修改权限密码或工作簿保护，打开时无需密码），已照常读取\n已将 1 个文件中的 2 张表写入 out.json\n"
            )
        );
        let doc = declform::read(
            std::fs::read(dir.path().join("out.json")).unwrap(),
            "out.json",
            &Default::default(),
        )
        .unwrap();
        let sample = read_forms(&root().join("samples/办公室.xlsx"));
        assert_eq!(without_source(doc.forms), sample, "{from}");
        std::fs::remove_file(dir.path().join("out.json")).unwrap();
    }
    std::fs::copy(
        fixtures.join("password-1234.xls"),
        dir.path().join("密.xls"),
    )
    .unwrap();
    let out = declform(dir.path(), &["convert", "密.xls", "-o", "out.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "错误：密.xls: 工作簿设有打开密码，无法读取；请在 Excel 或 WPS 中取消密码后另存再试\n"
    );
    assert!(!dir.path().join("out.json").exists());
}
