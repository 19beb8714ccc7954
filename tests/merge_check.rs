//! `merge` and `check` end to end, through the real binary.

mod common;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use declform::check::Severity;
use declform::{Amount, Form};

#[test]
fn merge_reads_every_format_and_the_result_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::create_dir(d.join("in/sub")).unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/a.xlsx")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/variants/v05_2026_layout_ods.ods"),
        d.join("in/sub/b.ods"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fixtures/variants/v05_2026_layout_xls.xls"),
        d.join("in/sub/c.xls"),
    )
    .unwrap();
    std::fs::write(d.join("in/~$a.xlsx"), b"lock").unwrap();
    let json = serde_json::json!({"forms": [seed().forms[3]]}).to_string();
    std::fs::write(d.join("d.json"), json).unwrap();
    let out = declform(
        d,
        &["merge", "in", "d.json", "-o", "merged.xlsx", "--quiet"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The same project read from the ods and the xls copy is flagged.
    assert!(stderr(&out).contains("警告：疑似重复项目「社区服刑人员基站定位流量费」"));

    let mut want: Vec<Form> = read_forms(&d.join("in/a.xlsx"));
    want.extend(read_forms(&d.join("in/sub/b.ods")));
    want.extend(read_forms(&d.join("in/sub/c.xls")));
    want.push(seed().forms[3].clone());
    let got = read_path(&d.join("merged.xlsx"), &Default::default()).unwrap();
    // The summaries are skipped with a notice; every form is as read from its source.
    assert_eq!(without_source(got.forms), want);
    assert_eq!(got.notices.len(), 2);

    let mut wb: Xlsx<_> = open_workbook(d.join("merged.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[..2], ["汇总".to_string(), "按部门汇总".to_string()]);
    let summary = wb.worksheet_range("汇总").unwrap();
    // Title and unit lines, then the header row; one row per form; the 合计 row. The title
    // names no year: the forms have more than one (or none).
    let years: std::collections::BTreeSet<_> = want.iter().map(|f| f.year).collect();
    assert!(years.len() > 1 || years.contains(&None), "{years:?}");
    assert_eq!(
        summary.get((0, 0)),
        Some(&Data::String("财政项目支出绩效目标汇总表".into()))
    );
    assert_eq!(summary.get((1, 0)), Some(&Data::String("单位：元".into())));
    let name = header_col(&summary, "项目名称");
    let total_col = header_col(&summary, "项目资金总额");
    assert_eq!(
        summary.get((HEADER + 1, header_col(&summary, "年度"))),
        Some(&Data::Float(2024.0))
    );
    // A form has 项目性质, so the summary shows the column.
    assert!(want.iter().any(|f| f.project_nature.is_some()));
    header_col(&summary, "项目性质");
    for (i, form) in want.iter().enumerate() {
        assert_eq!(
            summary.get((HEADER + 1 + i, name)),
            Some(&Data::String(form.project_name.clone()))
        );
        let total = form
            .funds
            .total
            .map(|a| Data::Float(a.to_f64_exact().unwrap()));
        assert_eq!(
            summary
                .get((HEADER + 1 + i, total_col))
                .filter(|d| **d != Data::Empty)
                .cloned(),
            total
        );
    }
    assert_eq!(
        summary.get((HEADER + 4, header_col(&summary, "备注"))),
        Some(&Data::String("疑似重复：与第3行同名同部门同年度".into()))
    );
    // The totals row carries the exact sums as cached results, and says that the flagged
    // duplicate is counted.
    let total_row = HEADER + want.len() + 1;
    assert_eq!(
        summary.get((total_row, 0)),
        Some(&Data::String("合计（含疑似重复1张，见备注）".into()))
    );
    let exact: Amount = want
        .iter()
        .filter_map(|f| f.funds.total)
        .fold(Amount::ZERO, |a, b| a.checked_add(b).unwrap());
    assert_eq!(
        summary.get((total_row, total_col)),
        Some(&Data::Float(exact.to_f64_exact().unwrap()))
    );
    let formulas = wb.worksheet_formula("汇总").unwrap();
    let letter = common::a1(0, total_col as u16)
        .trim_end_matches('1')
        .to_string();
    assert_eq!(
        formulas
            .get_value((total_row as u32, total_col as u32))
            .unwrap(),
        &format!(
            "SUM({letter}{}:{letter}{})",
            HEADER + 2,
            HEADER + 1 + want.len()
        )
    );
    let by_dept = wb.worksheet_range("按部门汇总").unwrap();
    assert_eq!(
        by_dept.get((HEADER + 1, header_col(&by_dept, "主管部门"))),
        Some(&Data::String("上海市宝山区司法局".into()))
    );
    assert_eq!(
        by_dept.get((HEADER + 1, header_col(&by_dept, "表数"))),
        Some(&Data::Float(want.len() as f64))
    );
    assert_eq!(
        by_dept.get((HEADER + 2, header_col(&by_dept, "项目资金总额"))),
        Some(&Data::Float(exact.to_f64_exact().unwrap()))
    );
}

/// The summaries' header row (zero-based), under the title and unit lines.
const HEADER: usize = 2;

/// The column of a summary's header.
fn header_col(sheet: &calamine::Range<Data>, header: &str) -> usize {
    (0..sheet.width())
        .find(|&c| sheet.get((HEADER, c)) == Some(&Data::String(header.into())))
        .unwrap_or_else(|| panic!("no column {header}"))
}

#[test]
fn merge_output_does_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let samples = root().join("samples");
    let inputs: Vec<String> = ["人民调解科.xlsx", "社区矫正中心.xlsx", "办公室.xlsx"]
        .iter()
        .map(|n| samples.join(n).display().to_string())
        .collect();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out_name = format!("m{threads}.xlsx");
        let mut args: Vec<&str> = vec!["merge"];
        args.extend(inputs.iter().map(String::as_str));
        args.extend(["-o", &out_name, "--quiet"]);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_declform"))
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success());
        outputs.push(std::fs::read(dir.path().join(&out_name)).unwrap());
    }
    assert!(outputs[0] == outputs[1]);
}

#[test]
fn a_bad_input_stops_the_merge_unless_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("a.xlsx")).unwrap();
    std::fs::write(d.join("b.xlsx"), "not a workbook").unwrap();
    let out = declform(d, &["merge", "a.xlsx", "b.xlsx", "-o", "m.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "错误：b.xlsx: 不是 Excel 或 WPS 表格文件（支持 .xlsx .xlsm .xlsb .xls .ods）；请确认文件没有损坏、扩展名正确\n"
    );
    assert!(!d.join("m.xlsx").exists());

    let out = declform(
        d,
        &["merge", "a.xlsx", "b.xlsx", "-o", "m.xlsx", "--keep-going"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("b.xlsx: 跳过（不是 Excel 或 WPS 表格文件"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_forms(&d.join("m.xlsx")).len(), 2);

    let out = declform(d, &["merge", "a.xlsx", "b.xlsx", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("a.xlsx: 2 张表"));
    assert!(stdout.contains("b.xlsx: 跳过（不是 Excel 或 WPS 表格文件"));
    assert!(stdout.contains("共 2 个文件，2 张表，跳过 1 个文件；未写出任何文件（--dry-run）"));

    let out = declform(d, &["merge", "a.xlsx", "-o", "a.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_seed_forms_pass_check_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    // The seed JSON and the three department workbooks (samples/有误/ holds faulty files
    // for the documents' examples).
    let samples = root().join("samples");
    let out = declform(
        dir.path(),
        &[
            "check",
            samples.join("seed-forms-2024.json").to_str().unwrap(),
            samples.join("*.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("错误"));
    // The one target the PDF extraction lost is a warning with its cell.
    assert!(stdout.contains("社区矫正中心.xlsx!社区矫正中心房屋租赁费!E16: 警告 [指标值已填] 三级指标“成本合理性”没有填写指标值"));
}

#[test]
fn check_json_output_is_an_array() {
    let dir = tempfile::tempdir().unwrap();
    let out = declform(
        dir.path(),
        &[
            "check",
            root().join("samples/社区矫正中心.xlsx").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v.as_array().unwrap()[0];
    assert_eq!(first["severity"], "警告");
    assert!(first["cell"].is_string());
}

/// A seed form read from its sample workbook, with cells known.
fn sample_form() -> Form {
    let r = read_path(&root().join("samples/人民调解科.xlsx"), &Default::default()).unwrap();
    r.forms[0].clone()
}

fn findings(form: &Form) -> Vec<String> {
    check_one(form)
        .into_iter()
        .filter(|f| f.rule != "indicators-present" || f.severity == Severity::Error)
        .map(|f| f.to_string())
        .collect()
}

const AT: &str = "人民调解科.xlsx!村(居)委专职调解岗位工作津贴";

fn one(form: &Form) -> String {
    let f = findings(form);
    assert_eq!(f.len(), 1, "{f:?}");
    f[0].split_once("samples/").unwrap().1.to_string()
}

#[test]
fn each_rule_breaks_and_passes() {
    let good = sample_form();
    assert_eq!(findings(&good), Vec::<String>::new());

    let mut f = good.clone();
    f.department.clear();
    assert_eq!(one(&f), format!("{AT}!B4: 错误 [必填项] 主管部门未填写"));

    let mut f = good.clone();
    f.funds.total_fiscal = Some("2600000".parse().unwrap());
    f.funds.annual_appropriation = Some("2646000".parse().unwrap());
    assert_eq!(
        one(&f),
        format!(
            "{AT}!C6: 错误 [项目资金合计] 项目资金总额 2646000.00 不等于 财政资金 2600000.00 + 其他资金 0.00 = 2600000.00"
        )
    );

    let mut f = good.clone();
    f.funds.annual_carryover = Some("0.01".parse().unwrap());
    assert_eq!(
        one(&f),
        format!(
            "{AT}!E6: 错误 [年度资金合计] 年度资金申请总额 2646000.00 不等于 当年财政拨款 2646000.00 + 上年结转资金 0.01 + 其他资金 0.00 = 2646000.01"
        )
    );

    let mut f = good.clone();
    f.funds.annual_total = Some("2646000.01".parse().unwrap());
    f.funds.annual_other = Some("0.01".parse().unwrap());
    assert_eq!(
        one(&f),
        format!(
            "{AT}!E6: 错误 [年度不超总额] 年度资金申请总额 2646000.01 大于 项目资金总额 2646000.00"
        )
    );

    let mut f = good.clone();
    f.end_date = chrono::NaiveDate::from_ymd_opt(2023, 12, 31);
    assert_eq!(
        one(&f),
        format!("{AT}!E5: 错误 [起止日期] 计划完成日期 2023-12-31 早于计划开始日期 2024-01-01")
    );

    let mut f = good.clone();
    f.year = Some(2025);
    assert_eq!(
        one(&f),
        format!("{AT}!B5: 错误 [年度在期内] 表头年度 2025 不在计划期间 2024年-2024年 之内")
    );

    let mut f = good.clone();
    f.indicators[1].level2 = "经济效益指标".into();
    f.indicators[2].level2 = "经济效益指标".into();
    assert_eq!(
        one(&f),
        format!("{AT}!C14: 警告 [指标体系] 二级指标“经济效益指标”不属于一级指标“产出指标”")
    );

    let mut f = good.clone();
    f.indicators.retain(|i| i.level1 != "满意度指标");
    assert_eq!(
        one(&f),
        format!("{AT}: 错误 [指标齐全] 满意度指标下没有任何三级指标")
    );

    for (target, message) in [
        (
            "≥120.00(%)",
            "三级指标“社会公众满意率”的百分比 ≥120.00(%) 超过 100%",
        ),
        (
            "*",
            "三级指标“社会公众满意率”的指标值“*”是占位符，请填写实际指标值",
        ),
        (
            "≥8.5.0(%)",
            "三级指标“社会公众满意率”：“≥8.5.0(%)”中的数值无效",
        ),
    ] {
        let mut f = good.clone();
        f.indicators[11].target = target.into();
        assert_eq!(one(&f), format!("{AT}!E24: 错误 [指标值格式] {message}"));
    }

    let mut f = good.clone();
    f.indicators[2].level3 = f.indicators[1].level3.clone();
    assert_eq!(
        one(&f),
        format!("{AT}!D15: 警告 [指标不重复] 三级指标“补贴与政策一致性”重复出现（第2行与第3行）")
    );
}

#[test]
fn form_sheets_written_apart_read_back_exactly() {
    // Every form sheet is written on its own and copied into the merged workbook: the seed
    // forms, one with an amount at every scale the model keeps (each its own number format)
    // and names that need escaping in the workbook's sheet list, read back as they went in.
    let mut forms = seed().forms;
    let mut odd = forms[0].clone();
    odd.project_name = "甲&乙<丙>\"丁\"".into();
    forms.push(odd.clone());
    for scale in 3..=28u32 {
        let mut f = forms[1].clone();
        f.project_name = format!("小数{scale}");
        let digits = "1".repeat(scale as usize);
        f.funds.total = Some(format!("1.{digits}").parse::<Amount>().unwrap());
        forms.push(f);
    }
    let mut merged = declform::merge(&forms).unwrap();
    let bytes = merged.to_bytes().unwrap();
    let read = declform::read(bytes.clone(), "m.xlsx", &Default::default()).unwrap();
    assert_eq!(without_source(read.forms), forms);
    // Strings are inline in the form sheets, so shared strings hold only the summaries'.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet3.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(xml.contains("t=\"inlineStr\"") && !xml.contains("t=\"s\""));
    // calamine sees every sheet by its name.
    let path = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(path.path(), &bytes).unwrap();
    let wb: Xlsx<_> = open_workbook(path.path()).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), forms.len() + 2);
    assert!(names.iter().any(|n| n == "甲&乙<丙>\"丁\""), "{names:?}");
}

#[test]
fn the_merge_is_the_same_under_a_low_open_file_limit() {
    // 1,010 forms, past the 1,000 sheets the merge once kept in memory before it held a
    // temporary file per sheet: with `ulimit -n 64` the command writes the same bytes as
    // without, and as the library's serial path. The command writes the sheets of up to 8
    // files together, fewer with more threads (8, 6 and 1 files a task with 1, 4 and 16
    // threads); the library's `add_all` those of one file, its `add` one at a time.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed_json = std::fs::read(root().join("samples/seed-forms-2024.json")).unwrap();
    let files: Vec<String> = (0..101)
        .map(|i| {
            let path = d.join(format!("部门{i:03}.json"));
            std::fs::write(&path, &seed_json).unwrap();
            path.display().to_string()
        })
        .collect();
    let run = |limit: Option<u32>, threads: Option<&str>, out: &str| {
        let mut script = String::new();
        if let Some(n) = limit {
            script.push_str(&format!("ulimit -n {n} && "));
        }
        script.push_str("exec \"$0\" merge \"$@\" -o ");
        script.push_str(out);
        script.push_str(" --quiet --date 2025-03-01");
        let mut command = std::process::Command::new("sh");
        if let Some(n) = threads {
            command.env("RAYON_NUM_THREADS", n);
        }
        let o = command
            .current_dir(d)
            .arg("-c")
            .arg(&script)
            .arg(env!("CARGO_BIN_EXE_declform"))
            .args(&files)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::read(d.join(out)).unwrap()
    };
    let unlimited = run(None, None, "a.xlsx");
    let limited = run(Some(64), None, "b.xlsx");
    assert!(
        unlimited == limited,
        "the bytes depend on the open-file limit"
    );
    for threads in ["1", "4", "16"] {
        assert!(
            run(None, Some(threads), "c.xlsx") == unlimited,
            "the bytes differ with {threads} threads"
        );
    }
    let mut merger = declform::Merger::new()
        .unwrap()
        .dated(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
    for (i, f) in files.iter().enumerate() {
        let read = declform::read(std::fs::read(f).unwrap(), f, &Default::default()).unwrap();
        if i % 10 == 0 {
            read.forms.iter().for_each(|form| merger.add(form).unwrap());
        } else {
            merger.add_all(&read.forms).unwrap();
        }
    }
    assert_eq!(merger.rows().len(), 1010);
    let library = merger.finish().unwrap().to_bytes().unwrap();
    assert!(
        library == unlimited,
        "the command's merge differs from the library's"
    );
}

fn check_one(form: &Form) -> Vec<declform::check::Finding> {
    declform::check(std::slice::from_ref(form))
}

#[test]
fn the_command_merges_to_the_same_bytes_as_the_library() {
    // The shell reads its inputs in parallel and streams the workbook to disk; the library's
    // serial, in-memory path gives the same bytes for the same inputs.
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<String> = ["人民调解科.xlsx", "社区矫正中心.xlsx", "办公室.xlsx"]
        .iter()
        .map(|n| root().join("samples").join(n).display().to_string())
        .collect();
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(inputs.iter().map(String::as_str));
    args.extend(["-o", "m.xlsx", "--quiet", "--date", "2025-03-01"]);
    let out = declform(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut forms = Vec::new();
    for input in &inputs {
        let bytes = std::fs::read(input).unwrap();
        forms.extend(
            declform::read(bytes, input, &Default::default())
                .unwrap()
                .forms,
        );
    }
    let date = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    let mut merger = declform::Merger::new().unwrap().dated(date);
    merger.add_all(&forms).unwrap();
    let mut merged = merger.finish().unwrap();
    assert_eq!(merged.rows().len(), 10);
    let library = merged.to_bytes().unwrap();
    let command = std::fs::read(dir.path().join("m.xlsx")).unwrap();
    assert!(
        library == command,
        "the command's merge differs from the library's"
    );
    // And the streaming writer gives the same bytes as the in-memory one.
    let mut streamed = Vec::new();
    merged.write_to(&mut streamed).unwrap();
    assert!(streamed == library);
}

#[test]
fn check_reports_an_unreadable_file_and_checks_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("坏.xlsx"), "不是工作簿").unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("好.xlsx")).unwrap();
    let out = declform(d, &["check", "坏.xlsx", "好.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "坏.xlsx: 错误 [文件可读] 不是 Excel 或 WPS 表格文件（支持 .xlsx .xlsm .xlsb .xls .ods）；请确认文件没有损坏、扩展名正确"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("好.xlsx!政府购买服务人员专项经费!D16: 警告 [指标齐全]"));
    assert!(
        stderr(&out).contains("检查了 2 个文件中的 2 张表：1 个错误，2 个警告"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn library_detail_of_an_unreadable_file_is_kept_for_the_json_output() {
    // A workbook cut in half: the message says in Chinese what is wrong; what the zip
    // library said stays out of it and is in the JSON finding's "detail".
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let whole = std::fs::read(root().join("samples/办公室.xlsx")).unwrap();
    std::fs::write(d.join("半.xlsx"), &whole[..whole.len() / 2]).unwrap();
    let out = declform(d, &["check", "半.xlsx", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &findings[0];
    assert_eq!(f["rule"], "unreadable");
    let message = f["message"].as_str().unwrap();
    let detail = f["detail"].as_str().unwrap_or_default();
    assert!(!detail.is_empty(), "{f}");
    assert!(!message.is_ascii() && !message.contains(detail), "{f}");
    // Findings about forms carry no detail.
    let out = declform(
        d,
        &[
            "check",
            &root().join("samples/办公室.xlsx").display().to_string(),
            "--format",
            "json",
        ],
    );
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f.get("detail").is_none())
    );
}

#[test]
fn merge_lists_every_bad_file_before_failing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/a.xlsx")).unwrap();
    std::fs::write(d.join("in/b.xlsx"), "x").unwrap();
    std::fs::write(d.join("in/c.xlsx"), "y").unwrap();
    let out = declform(d, &["merge", "in", "-o", "m.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("错误：in/b.xlsx: 不是 Excel"));
    assert!(lines[1].starts_with("错误：in/c.xlsx: 不是 Excel"));
    assert_eq!(
        lines[2],
        "错误：共 2 个文件无法合并，未写出任何文件；可加 --keep-going 跳过它们，合并其余文件"
    );
    assert!(!d.join("m.xlsx").exists());
}

/// The forms of xlsx bytes, without sources.
fn read_forms_of_bytes(bytes: Vec<u8>) -> Vec<Form> {
    without_source(
        declform::read(bytes, "x.xlsx", &Default::default())
            .unwrap()
            .forms,
    )
}

/// The summary's column with this header, top to bottom, below the header.
fn summary_column(path: &std::path::Path, header: &str) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let summary = wb.worksheet_range("汇总").unwrap();
    let col = header_col(&summary, header);
    (HEADER + 1..summary.height())
        .map(|r| {
            summary
                .get((r, col))
                .map_or(String::new(), |d| d.to_string())
        })
        .collect()
}

#[test]
fn json_inputs_are_named_by_the_file_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(
        root().join("samples/社区矫正中心.xlsx"),
        d.join("社区.xlsx"),
    )
    .unwrap();
    let out = declform(d, &["convert", "社区.xlsx", "-o", "社区.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // check: findings name the JSON file (and the form, having no sheet or cell).
    let out = declform(d, &["check", "社区.json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "社区.json「社区矫正中心房屋租赁费」: 警告 [指标值已填] 三级指标“成本合理性”没有填写指标值\n\
         社区.json「社区矫正中心保安经费」: 警告 [指标齐全] 成本指标下没有任何三级指标\n"
    );
    let out = declform(d, &["check", "社区.json", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["社区.json", "社区.json"]);

    // merge: the summary's 来源文件 is the JSON file, with no sheet.
    let out = declform(d, &["merge", "社区.json", "-o", "m.xlsx", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = d.join("m.xlsx");
    assert_eq!(summary_column(&m, "来源文件")[..3], ["社区.json"; 3]);
    assert_eq!(summary_column(&m, "来源工作表")[..3], [""; 3]);

    // Converted again, the JSON names the JSON it was read from, and keeps the workbook
    // the forms were first read from as their origin.
    let out = declform(d, &["convert", "社区.json", "-o", "again.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(d.join("again.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["forms"][1]["source"],
        serde_json::json!({
            "file": "社区.json",
            "origin": {"file": "社区.xlsx", "sheet": "社区矫正中心保安经费", "cell": "A1"}
        })
    );
    let read = read_path(&d.join("again.json"), &Default::default()).unwrap();
    let source = read.forms[1].source.as_ref().unwrap();
    assert!(source.place.file_name().ends_with("again.json"));
    assert_eq!(
        source.origin.as_ref().unwrap().place.file_name(),
        "社区.xlsx"
    );

    // A JSON without sources (the seed) is named too.
    std::fs::copy(
        root().join("samples/seed-forms-2024.json"),
        d.join("seed.json"),
    )
    .unwrap();
    let out = declform(d, &["check", "seed.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 7);
    assert!(
        stdout.lines().all(|l| l.starts_with("seed.json「")),
        "{stdout}"
    );
}

#[test]
fn dry_run_and_keep_going_name_a_bad_amount_alike() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("a.xlsx")).unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    let mut wb = editable_workbook(&bytes, 0);
    wb.worksheet_from_index(0)
        .unwrap()
        .write_string(5, 2, "四十二万")
        .unwrap();
    std::fs::write(d.join("b.xlsx"), wb.save_to_buffer().unwrap()).unwrap();
    let line = "b.xlsx!村(居)委专职调解岗位工作津贴!C6 项目资金总额: 跳过（\"四十二万\" 不是金额；请填写数字，如 2646000.00）";

    let out = declform(d, &["merge", "a.xlsx", "b.xlsx", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "a.xlsx: 2 张表\n{line}\n共 2 个文件，2 张表，跳过 1 个文件；未写出任何文件（--dry-run）\n"
        )
    );

    let out = declform(
        d,
        &["merge", "a.xlsx", "b.xlsx", "-o", "m.xlsx", "--keep-going"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("{line}\n已将 1 个文件中的 2 张表合并到 m.xlsx（跳过 1 个文件）\n")
    );
}

#[test]
fn a_bad_form_is_skipped_alone_and_its_neighbours_merged_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("a.xlsx")).unwrap();
    // Three forms, the middle one with text where its total must be.
    let forms = &seed().forms[..3];
    let bytes = declform::write_workbook(forms, None).unwrap();
    let mut wb = editable_workbook(&bytes, 0);
    wb.worksheet_from_index(1)
        .unwrap()
        .write_string(5, 2, "四十二万")
        .unwrap();
    std::fs::write(d.join("b.xlsx"), wb.save_to_buffer().unwrap()).unwrap();
    let sheet = &sheets(&d.join("b.xlsx"))[1].0;
    let bad =
        format!("b.xlsx!{sheet}!C6 项目资金总额: \"四十二万\" 不是金额；请填写数字，如 2646000.00");
    let line = format!(
        "b.xlsx!{sheet}!C6 项目资金总额: 跳过此表（\"四十二万\" 不是金额；请填写数字，如 2646000.00）"
    );

    let out = declform(d, &["merge", "a.xlsx", "b.xlsx", "--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "a.xlsx: 2 张表\n{line}\nb.xlsx: 2 张表\n共 2 个文件，4 张表，跳过 1 张表；未写出任何文件（--dry-run）\n"
        )
    );

    let out = declform(
        d,
        &["merge", "a.xlsx", "b.xlsx", "-o", "m.xlsx", "--keep-going"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("{line}\n已将 2 个文件中的 4 张表合并到 m.xlsx（跳过 1 张表）\n")
    );
    let names: Vec<String> = read_forms(&d.join("m.xlsx"))
        .into_iter()
        .map(|f| f.project_name)
        .collect();
    // a.xlsx's two, then b.xlsx's first and third.
    assert_eq!(
        names,
        [
            "政府购买服务人员专项经费",
            "残疾人就业保障金",
            &forms[0].project_name,
            &forms[2].project_name
        ]
    );

    // Without --keep-going the file fails the merge, as before, and nothing is written.
    let out = declform(d, &["merge", "a.xlsx", "b.xlsx", "-o", "n.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), format!("错误：{bad}\n"));
    assert!(!d.join("n.xlsx").exists());

    // check reports the bad form by its cell and checks the other two.
    let out = declform(d, &["check", "b.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.starts_with(&format!(
            "b.xlsx!{sheet}!C6: 错误 [文件可读] 项目资金总额: \"四十二万\" 不是金额；请填写数字，如 2646000.00\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("b.xlsx!{}!D17: 警告", forms[0].project_name)),
        "{text}"
    );
    assert!(
        stderr(&out).contains("检查了 1 个文件中的 2 张表："),
        "{}",
        stderr(&out)
    );
}

#[test]
fn forms_on_hidden_sheets_are_read_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("h.xlsx"), workbook_with_hidden_sheets()).unwrap();
    let names: Vec<String> = sheets(&d.join("h.xlsx")).into_iter().map(|s| s.0).collect();
    let notices = format!(
        "提示：h.xlsx!{}: 此工作表是隐藏的，其中的申报表已照常读取；如不应上报，请删除该工作表或移出其中的申报表\n\
         提示：h.xlsx!{}: 此工作表被设为“深度隐藏”（veryHidden，在 Excel 中无法直接取消隐藏），其中的申报表已照常读取；如不应上报，请删除该工作表或移出其中的申报表\n",
        names[1], names[2]
    );

    let out = declform(d, &["merge", "h.xlsx", "-o", "m.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("{notices}已将 1 个文件中的 3 张表合并到 m.xlsx\n")
    );
    assert_eq!(read_forms(&d.join("m.xlsx")).len(), 3);

    let out = declform(d, &["check", "h.xlsx"]);
    assert!(stderr(&out).starts_with(&notices), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("检查了 1 个文件中的 3 张表："),
        "{}",
        stderr(&out)
    );

    // The library (and so the offline page) gives the same notices.
    let read = declform::read(
        std::fs::read(d.join("h.xlsx")).unwrap(),
        "h.xlsx",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(read.forms.len(), 3);
    let shown: String = read
        .notices
        .iter()
        .map(|n| format!("提示：{n}\n"))
        .collect();
    assert_eq!(shown, notices);
}

#[test]
fn a_blank_template_among_the_inputs_is_skipped_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("a.xlsx")).unwrap();
    let out = declform(d, &["template", "-o", "模板.xlsx", "--layout", "2026"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let notice = "提示：模板.xlsx!申报表: 空白申报表（没有填写任何内容，如空白模板），未合并\n";

    let out = declform(d, &["merge", "a.xlsx", "模板.xlsx", "-o", "m.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("{notice}已将 2 个文件中的 2 张表合并到 m.xlsx\n")
    );
    assert_eq!(read_forms(&d.join("m.xlsx")).len(), 2);

    let out = declform(d, &["merge", "模板.xlsx", "-o", "n.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("{notice}错误：模板.xlsx: 没有可合并的申报表\n")
    );
    assert!(!d.join("n.xlsx").exists());
}

#[test]
fn folders_take_declform_json_each_file_once_and_never_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/a.xlsx")).unwrap();
    std::fs::write(
        d.join("in/config.json"),
        r#"{"name": "设置", "forms_dir": "x"}"#,
    )
    .unwrap();
    std::fs::write(d.join("in/list.json"), "[1, 2]").unwrap();
    let json = serde_json::json!({"forms": [seed().forms[3]]}).to_string();
    std::fs::write(d.join("in/d.json"), json).unwrap();
    let args = [
        "merge",
        "in",
        "in/a.xlsx",
        "./in/a.xlsx",
        "-o",
        "in/汇总.xlsx",
    ];

    let out = declform(d, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "提示：in/config.json: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过\n\
         提示：in/list.json: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过\n\
         提示：in/a.xlsx: 给出了两次，只读取一次\n\
         提示：./in/a.xlsx: 与 in/a.xlsx 是同一个文件，只读取一次\n\
         已将 2 个文件中的 3 张表合并到 in/汇总.xlsx\n"
    );
    let first = std::fs::read(d.join("in/汇总.xlsx")).unwrap();

    // Run again: the output now lies in the input folder and is left out.
    let out = declform(d, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "提示：in/config.json: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过\n\
         提示：in/list.json: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过\n\
         提示：in/汇总.xlsx: 是本次的输出文件，不作为输入读取\n\
         提示：in/a.xlsx: 给出了两次，只读取一次\n\
         提示：./in/a.xlsx: 与 in/a.xlsx 是同一个文件，只读取一次\n\
         已将 2 个文件中的 3 张表合并到 in/汇总.xlsx\n"
    );
    assert_eq!(read_forms(&d.join("in/汇总.xlsx")).len(), 3);
    // The same inputs, so the same forms in the same order.
    assert_eq!(
        read_forms(&d.join("in/汇总.xlsx")),
        read_forms_of_bytes(first)
    );

    // A folder named twice is read once; check takes folders the same way.
    let out = declform(d, &["check", "in", "in", "--format", "json"]);
    assert_eq!(
        stderr(&out),
        "提示：in/config.json: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过\n\
         提示：in/list.json: 不是 declform 申报表 JSON（顶层没有 \"forms\"），已跳过\n\
         提示：in: 此文件夹已读取过，只读取一次\n\
         提示：in/汇总.xlsx!汇总: 此工作表中没有申报表，已跳过\n\
         提示：in/汇总.xlsx!按部门汇总: 此工作表中没有申报表，已跳过\n\
         检查了 3 个文件中的 6 张表：0 个错误，6 个警告\n"
    );

    // A JSON named as an input is read whatever it holds: its error is reported.
    let out = declform(d, &["merge", "in/config.json", "--dry-run"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "in/config.json: 跳过（缺少字段 forms（forms））\n共 1 个文件，0 张表，跳过 1 个文件；未写出任何文件（--dry-run）\n"
    );
}

#[test]
fn patterns_the_shell_left_are_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("s")).unwrap();
    for name in ["办公室", "人民调解科", "社区矫正中心"] {
        std::fs::copy(
            root().join(format!("samples/{name}.xlsx")),
            d.join(format!("s/{name}.xlsx")),
        )
        .unwrap();
    }
    // No shell here: the binary gets the pattern itself, as from Windows cmd or PowerShell.
    let out = declform(d, &["merge", "s/*.xlsx", "-o", "m.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "已将 3 个文件中的 10 张表合并到 m.xlsx\n");
    let out = declform(
        d,
        &["convert", "s/社区*.xlsx", "s/办公?.xlsx", "-o", "x.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_forms(&d.join("x.csv")).len(), 5);

    let out = declform(d, &["check", "s/*.xlsz"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "错误：s/*.xlsz: 没有与此模式匹配的文件；请检查文件夹和文件名（* 代表任意多个字符，? 代表一个字符）\n"
    );
    assert!(out.stdout.is_empty());
    let out = declform(d, &["merge", "s/*.xlsz", "-o", "n.xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!d.join("n.xlsx").exists());

    // A file whose name looks like a pattern is that file.
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("[a].xlsx")).unwrap();
    let out = declform(d, &["check", "[a].xlsx"]);
    assert_eq!(
        stderr(&out),
        "检查了 1 个文件中的 2 张表：0 个错误，2 个警告\n"
    );
}

#[test]
fn folders_take_flat_ods_and_leave_templates_out() {
    // A flat ODS (LibreOffice's .fods) is a workbook like any other; a template file
    // (.ots, .xltx) in a department's folder is a blank form, not one to merge.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    let producers = root().join("tests/fixtures/producers");
    std::fs::copy(producers.join("libreoffice-flat.fods"), d.join("in/e.fods")).unwrap();
    std::fs::copy(producers.join("libreoffice.ods"), d.join("in/t.ots")).unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/t.xltx")).unwrap();
    let out = declform(d, &["merge", "in", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{}: 2 张表\n共 1 个文件，2 张表，跳过 0 个文件；未写出任何文件（--dry-run）\n",
            std::path::Path::new("in").join("e.fods").display()
        )
    );
}

#[test]
fn a_file_whose_sheet_cannot_be_written_is_skipped_alone_among_those_written_together() {
    // With one thread, 20 files go five to a task, their sheets written together: a form
    // with a text longer than a cell holds fails that, and the other files of its task are
    // merged as if it had not been there.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = seed().forms;
    let mut long = seed[0].clone();
    long.overall_goal = "很".repeat(40_000);
    let mut files = Vec::new();
    for i in 0..20 {
        let name = format!("f{i:02}.json");
        let forms = if i == 7 {
            vec![seed[1].clone(), long.clone()]
        } else {
            vec![seed[i % 10].clone()]
        };
        std::fs::write(d.join(&name), declform::to_json(&forms)).unwrap();
        files.push(name);
    }
    let merge = |files: &[String], out: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_declform"))
            .current_dir(d)
            .env("RAYON_NUM_THREADS", "1")
            .arg("merge")
            .args(files)
            .args(["--keep-going", "--quiet", "--date", "2025-03-01", "-o", out])
            .output()
            .unwrap();
        (
            o.status.code(),
            stderr(&o),
            std::fs::read(d.join(out)).unwrap(),
        )
    };
    let (code, err, with) = merge(&files, "a.xlsx");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "f07.json 第9张表「村(居)委专职调解岗位工作津贴」项目总目标: 跳过（内容有 40000 个字符"
        ),
        "{err}"
    );
    files.remove(7);
    let (code, err, without) = merge(&files, "b.xlsx");
    assert_eq!(code, Some(0), "{err}");
    assert!(with == without, "the files written with the bad one differ");
}
