//! `declform diff` end to end, through the real binary: planted changes of every kind and
//! their exact findings, identical inputs, trouble, and the report workbook read back.

mod common;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use declform::{Form, Indicator};
use std::io::Read as _;
use std::path::Path;

fn amount(s: &str) -> Option<declform::Amount> {
    Some(s.parse().unwrap())
}

/// The seed forms, and a revision of them with a change of every kind planted.
fn versions() -> (Vec<Form>, Vec<Form>) {
    let mut old = without_source(seed().forms);
    old[5].extra.insert("项目负责人".into(), "张三".into());
    let mut new = old.clone();
    // Amount, goal and a new extra entry.
    new[0].funds.total = amount("2699000");
    new[0].annual_goal.push_str("（修订）");
    new[0]
        .extra
        .insert("联系电话".into(), "021-56781234".into());
    // A target.
    new[1].indicators[0].target = "≤40.00(人)".into();
    // An indicator removed, an empty category filled, an indicator appended.
    assert_eq!(new[2].indicators[1].level3, "补贴与政策一致性");
    new[2].indicators.remove(1);
    let slot = new[2]
        .indicators
        .iter_mut()
        .find(|i| i.level2 == "时效指标")
        .unwrap();
    assert!(slot.is_empty_category());
    slot.level3 = "补贴发放及时性".into();
    slot.target = "及时".into();
    new[2].indicators.push(Indicator::new(
        "满意度指标",
        "服务对象满意度指标",
        "当事人满意度",
        "≥90(%)",
    ));
    // An extra entry removed.
    new[5].extra.clear();
    // A form added, a form removed.
    let mut added = new[4].clone();
    added.project_name = "调解员培训经费".into();
    new.push(added);
    new.remove(3);
    (old, new)
}

/// OLD as one workbook; NEW as a folder of two, with the forms in another order (a form
/// moved to another sheet or file is not a change).
fn write_versions(d: &Path) {
    let (old, new) = versions();
    std::fs::write(
        d.join("old.xlsx"),
        declform::write_workbook(&old, None).unwrap(),
    )
    .unwrap();
    std::fs::create_dir(d.join("new")).unwrap();
    let first = [
        new[8].clone(),
        new[0].clone(),
        new[1].clone(),
        new[2].clone(),
    ];
    std::fs::write(
        d.join("new/1.xlsx"),
        declform::write_workbook(&first, None).unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("new/2.xlsx"),
        declform::write_workbook(&new[3..8], None).unwrap(),
    )
    .unwrap();
    std::fs::write(d.join("new/3.json"), declform::to_json(&new[9..])).unwrap();
}

const EXPECTED: &str = "\
new/1.xlsx!村(居)委专职调解岗位工作津贴!C7: [field-changed] 「村(居)委专职调解岗位工作津贴」项目资金总额：2,646,000.00 → 2,699,000.00（+53,000.00）
new/1.xlsx!村(居)委专职调解岗位工作津贴!D12: [field-changed] 「村(居)委专职调解岗位工作津贴」年度总目标：“发挥专职人民调解员的优势, 坚持“第一时间排查发现, 第一时间介入化解”, 利用人头熟、情况明等优势, 开展纠纷排查、调解疏导、信访代理等工作, 积极发挥及时稳定群众情绪、控制事态升级的作用。” → “发挥专职人民调解员的优势, 坚持“第一时间排查发现, 第一时间介入化解”, 利用人头熟、情况明等优势, 开展纠纷排查、调解疏导、信访代理等工作, 积极发挥及时稳定群众情绪、控制事态升级的作用。（修订）”
new/1.xlsx!村(居)委专职调解岗位工作津贴!B6: [field-changed] 「村(居)委专职调解岗位工作津贴」联系电话：（无） → “021-56781234”
new/1.xlsx!政府购买服务人员专项经费!E13: [target-changed] 「政府购买服务人员专项经费」指标 产出指标/数量指标/政府购买服务人员数量 的年度指标值：“≤37.00(人)” → “≤40.00(人)”
new/1.xlsx!医患纠纷办案补贴!D16: [indicator-added] 「医患纠纷办案补贴」新增指标 产出指标/时效指标/补贴发放及时性：“及时”
new/1.xlsx!医患纠纷办案补贴!D25: [indicator-added] 「医患纠纷办案补贴」新增指标 满意度指标/服务对象满意度指标/当事人满意度：“≥90(%)”
old.xlsx!医患纠纷办案补贴!D14: [indicator-removed] 「医患纠纷办案补贴」删除指标 产出指标/质量指标/补贴与政策一致性：“一致”
old.xlsx!社区矫正中心保安经费!B6: [field-changed] 「社区矫正中心保安经费」项目负责人：“张三” → （无）
new/3.json: [form-added] 新增项目「调解员培训经费」（上海市宝山区司法局，2024年度）
old.xlsx!社区矫正中心房屋租赁费!A1: [form-removed] 删除项目「社区矫正中心房屋租赁费」（上海市宝山区司法局，2024年度）
共 10 处不同：新增项目 1 处，删除项目 1 处，栏目变更 4 处，新增指标 2 处，删除指标 1 处，指标值变更 1 处
";

#[test]
fn planted_changes_give_exactly_their_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_versions(d);
    let out = declform(d, &["diff", "old.xlsx", "new"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), EXPECTED);
    assert_eq!(stderr(&out), "");
}

/// The sheet cell a finding names, as calamine shows it.
fn cell_value(path: &Path, sheet: &str, cell: &str) -> Data {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let (r, c) = parse_a1(cell);
    range.get_value((r, c)).cloned().unwrap_or(Data::Empty)
}

fn parse_a1(cell: &str) -> (u32, u32) {
    let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
    let row: u32 = cell[letters.len()..].parse().unwrap();
    let col = letters
        .chars()
        .fold(0, |acc, ch| acc * 26 + (ch as u32 - 'A' as u32 + 1));
    (row - 1, col - 1)
}

#[test]
fn json_findings_name_fields_indicators_and_cells_that_hold_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_versions(d);
    let out = declform(d, &["diff", "old.xlsx", "new", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), 10);
    let dept = "上海市宝山区司法局";
    assert_eq!(
        got[0],
        serde_json::json!({"kind": "field-changed", "project": "村(居)委专职调解岗位工作津贴",
            "department": dept, "field": "funds.total", "old": "2646000.00", "new": "2699000.00",
            "cell": "new/1.xlsx!村(居)委专职调解岗位工作津贴!C7"})
    );
    assert_eq!(got[1]["field"], "annual_goal");
    assert_eq!(got[2]["field"], "extra.联系电话");
    assert_eq!(got[2]["old"], serde_json::Value::Null);
    assert_eq!(
        got[3],
        serde_json::json!({"kind": "target-changed", "project": "政府购买服务人员专项经费",
            "department": dept,
            "indicator": {"level1": "产出指标", "level2": "数量指标", "level3": "政府购买服务人员数量"},
            "old": "≤37.00(人)", "new": "≤40.00(人)",
            "cell": "new/1.xlsx!政府购买服务人员专项经费!E13"})
    );
    assert_eq!(
        got[6],
        serde_json::json!({"kind": "indicator-removed", "project": "医患纠纷办案补贴",
            "department": dept,
            "indicator": {"level1": "产出指标", "level2": "质量指标", "level3": "补贴与政策一致性"},
            "old": "一致", "new": null, "cell": "old.xlsx!医患纠纷办案补贴!D14"})
    );
    assert_eq!(
        got[7],
        serde_json::json!({"kind": "field-changed", "project": "社区矫正中心保安经费",
            "department": dept, "field": "extra.项目负责人", "old": "张三", "new": null,
            "cell": "old.xlsx!社区矫正中心保安经费!B6"})
    );
    assert_eq!(
        got[8],
        serde_json::json!({"kind": "form-added", "project": "调解员培训经费",
            "department": dept, "old": null, "new": null, "cell": "new/3.json"})
    );
    assert_eq!(got[9]["kind"], "form-removed");
    // Every cell named holds the value the finding says: the new one, or the old one for
    // removals (indicator findings name the 三级指标 cell, target changes the value cell).
    for f in got {
        let cell = f["cell"].as_str().unwrap();
        let parts: Vec<&str> = cell.split('!').collect();
        let [file, sheet, at] = parts[..] else {
            continue;
        };
        let shown = cell_value(&d.join(file), sheet, at);
        let want = match f["kind"].as_str().unwrap() {
            "indicator-added" | "indicator-removed" => f["indicator"]["level3"].clone(),
            "form-removed" => serde_json::json!("财政项目支出绩效目标申报表"),
            _ if f["new"].is_null() => f["old"].clone(),
            _ => f["new"].clone(),
        };
        let want = want.as_str().unwrap();
        match shown {
            Data::Float(x) => assert_eq!(Some(x), want.parse::<f64>().ok(), "{cell}"),
            Data::String(s) => assert_eq!(s, want, "{cell}"),
            other => panic!("{cell}: {other:?}"),
        }
    }
}

#[test]
fn identical_inputs_give_nothing_and_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (old, _) = versions();
    std::fs::write(
        d.join("old.xlsx"),
        declform::write_workbook(&old, None).unwrap(),
    )
    .unwrap();
    // The same forms as JSON, in reverse order, amounts without decimals where they have none.
    let mut rev = old.clone();
    rev.reverse();
    let json = declform::to_json(&rev).replace("\"2646000.00\"", "\"2646000\"");
    assert!(json.contains("\"2646000\""));
    std::fs::write(d.join("same.json"), json).unwrap();
    let out = declform(d, &["diff", "old.xlsx", "same.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[]\n");
    assert_eq!(stderr(&out), "没有不同\n");
    let out = declform(d, &["diff", "same.json", "old.xlsx"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "没有不同\n");
}

#[test]
fn trouble_exits_2_with_a_located_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (old, _) = versions();
    std::fs::write(
        d.join("old.xlsx"),
        declform::write_workbook(&old, None).unwrap(),
    )
    .unwrap();
    let mut twice = old.clone();
    twice.push(old[2].clone());
    std::fs::write(
        d.join("twice.xlsx"),
        declform::write_workbook(&twice, None).unwrap(),
    )
    .unwrap();
    let out = declform(d, &["diff", "old.xlsx", "twice.xlsx", "-o", "r.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "错误：twice.xlsx!医患纠纷办案补贴(2)!A1: 新版本中项目「医患纠纷办案补贴」（上海市宝山区司法局，2024年度）出现了两次（另一张在 twice.xlsx!医患纠纷办案补贴!A1）；无法确定与哪一张比较，请删去重复的一张后再比较\n"
    );
    assert!(out.stdout.is_empty());
    assert!(!d.join("r.xlsx").exists());

    std::fs::write(d.join("bad.xlsx"), "not a workbook").unwrap();
    let out = declform(d, &["diff", "bad.xlsx", "old.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("错误：bad.xlsx: 不是 Excel 或 WPS 表格文件"),
        "{}",
        stderr(&out)
    );
    let out = declform(d, &["diff", "old.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    let out = declform(d, &["diff", "old.xlsx", "old.xlsx", "-o", "r.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "错误：r.csv: 变更报告须为 .xlsx 工作簿\n");
}

/// A part of a zip archive as text.
fn part(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The `n`-th (1-based) element `<tag ...>` or `<tag .../>` of a list in `xml`.
fn elements<'a>(xml: &'a str, list: &str, tag: &str) -> Vec<&'a str> {
    let start = xml.find(&format!("<{list}")).unwrap();
    let end = xml[start..].find(&format!("</{list}>")).unwrap() + start;
    let body = &xml[start..end];
    body.match_indices(&format!("<{tag} "))
        .chain(body.match_indices(&format!("<{tag}>")))
        .map(|(i, _)| &body[i..])
        .map(|rest| {
            let close = rest.find(&format!("</{tag}>")).map(|j| j + tag.len() + 3);
            let own = rest.find("/>").map(|j| j + 2);
            let stop = match (own, close) {
                (Some(a), Some(b)) if rest[..a].matches('<').count() == 1 => a.min(b),
                (_, Some(b)) => b,
                (Some(a), None) => a,
                (None, None) => rest.len(),
            };
            &rest[..stop]
        })
        .collect()
}

fn attr<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = element.find(&key)? + key.len();
    Some(&element[i..i + element[i..].find('"')?])
}

/// The fill colour (ARGB) of a cell of the `sheet`-th sheet (1-based), if solid.
fn fill(path: &Path, sheet: usize, cell: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let xml = part(&mut zip, &format!("xl/worksheets/sheet{sheet}.xml"));
    let at = xml.find(&format!("<c r=\"{cell}\""))?;
    let style: usize = attr(&xml[at..], "s")?.parse().ok()?;
    let styles = part(&mut zip, "xl/styles.xml");
    let xf = elements(&styles, "cellXfs", "xf")[style];
    let fill_id: usize = attr(xf, "fillId")?.parse().ok()?;
    let fill = elements(&styles, "fills", "fill")[fill_id];
    attr(fill.split("<fgColor").nth(1)?, "rgb").map(str::to_string)
}

/// The notes of the `sheet`-th sheet (1-based): cell → text.
fn notes(path: &Path, sheet: usize) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let rels_name = format!("xl/worksheets/_rels/sheet{sheet}.xml.rels");
    if zip.by_name(&rels_name).is_err() {
        return Vec::new();
    }
    let rels = part(&mut zip, &rels_name);
    let Some(target) = rels
        .split("Target=\"")
        .skip(1)
        .map(|t| &t[..t.find('"').unwrap()])
        .find(|t| t.contains("comments"))
    else {
        return Vec::new();
    };
    let xml = part(
        &mut zip,
        &format!("xl/{}", target.trim_start_matches("../")),
    );
    elements(&xml, "commentList", "comment")
        .into_iter()
        .map(|c| {
            let text: String = c
                .split("<t")
                .skip(1)
                .filter(|t| t.starts_with('>') || t.starts_with(' '))
                .map(|t| &t[t.find('>').unwrap() + 1..t.find("</t>").unwrap()])
                .collect();
            (attr(c, "ref").unwrap().to_string(), text)
        })
        .collect()
}

#[test]
fn the_report_fills_and_notes_the_cells_the_findings_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_versions(d);
    let out = declform(d, &["diff", "old.xlsx", "new", "-o", "report.xlsx"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), EXPECTED);
    assert_eq!(stderr(&out), "已写出变更报告 report.xlsx\n");
    let report = d.join("report.xlsx");

    let all = sheets(&report);
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "变更清单",
            "社区服刑人员基站定位流量费",
            "村(居)委专职调解岗位工作津贴",
            "政府购买服务人员专项经费",
            "医患纠纷办案补贴",
            "专职调解员工作津贴",
            "社区矫正中心保安经费",
            "人民调解员办案补贴",
            "残疾人就业保障金",
            "医患纠纷专家咨询费",
            "调解员培训经费",
        ]
    );
    // 变更清单: a header and one row per finding, removals included.
    let list = &all[0].1;
    assert_eq!(list.text("A1"), "序号");
    assert_eq!(list.text("B2"), "栏目变更");
    assert_eq!(list.text("E2"), "项目资金总额");
    assert_eq!(list.text("G2"), "2,646,000.00");
    assert_eq!(list.cells.get("I2"), Some(&Data::Float(53000.0)));
    assert_eq!(
        list.text("J2"),
        "new/1.xlsx!村(居)委专职调解岗位工作津贴!C7"
    );
    assert_eq!(list.text("B8"), "删除指标");
    assert_eq!(list.text("B11"), "删除项目");
    assert_eq!(list.text("A12"), "");
    // Links go to the report's own cells.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&report).unwrap()).unwrap();
    let sheet1 = part(&mut zip, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("location=\"'村(居)委专职调解岗位工作津贴'!C7\""));
    assert!(sheet1.contains("location=\"'医患纠纷办案补贴'!D25\""));

    // The report's form sheets are the NEW forms, read back whole.
    let (_, new) = versions();
    let back = read_forms(&report);
    assert_eq!(back.len(), new.len());

    // Changed cells filled and noted with their old values; added rows filled apart.
    let changed = Some("FFFFEB9C".to_string());
    let added = Some("FFC6EFCE".to_string());
    assert_eq!(fill(&report, 3, "C7"), changed);
    assert_eq!(fill(&report, 3, "D12"), changed);
    assert_eq!(fill(&report, 3, "B6"), changed);
    assert_eq!(fill(&report, 3, "C8"), None);
    assert_eq!(
        notes(&report, 3),
        [
            ("B6".to_string(), "原值：（无）".to_string()),
            ("C7".to_string(), "原值：2,646,000.00".to_string()),
            (
                "D12".to_string(),
                format!("原值：{}", seed().forms[0].annual_goal)
            ),
        ]
    );
    assert_eq!(fill(&report, 4, "E13"), changed);
    assert_eq!(fill(&report, 4, "D13"), None);
    assert_eq!(
        notes(&report, 4),
        [("E13".to_string(), "原值：≤37.00(人)".to_string())]
    );
    for cell in ["D16", "E16", "D25", "E25"] {
        assert_eq!(fill(&report, 5, cell), added, "{cell}");
    }
    assert_eq!(fill(&report, 5, "D17"), None);
    assert!(notes(&report, 5).is_empty());
    // Unchanged forms carry no fill and no note.
    assert_eq!(fill(&report, 2, "C7"), None);
    assert!(notes(&report, 2).is_empty());
}

#[test]
fn a_changed_indicator_extra_is_its_own_kind() {
    let mut old = without_source(seed().forms[..1].to_vec());
    old[0].indicators[0]
        .extra
        .insert("指标值设定依据".into(), "上年实际".into());
    old[0].indicators[0]
        .extra
        .insert("权重".into(), "10".into());
    let mut new = old.clone();
    new[0].indicators[0]
        .extra
        .insert("指标值设定依据".into(), "计划标准".into());
    new[0].indicators[0].extra.shift_remove("权重");
    new[0].indicators[1]
        .extra
        .insert("备注".into(), "新增".into());
    let changes = declform::diff::diff(&old, &new).unwrap();
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "[indicator-extra-changed] 「村(居)委专职调解岗位工作津贴」指标 产出指标/数量指标/维持调解员人数 的指标值设定依据：“上年实际” → “计划标准”",
            "[indicator-extra-changed] 「村(居)委专职调解岗位工作津贴」指标 产出指标/数量指标/维持调解员人数 的权重：“10” → （无）",
            "[indicator-extra-changed] 「村(居)委专职调解岗位工作津贴」指标 产出指标/质量指标/补贴与政策一致性 的备注：（无） → “新增”",
        ]
    );
    let json = serde_json::to_value(&changes[0]).unwrap();
    assert_eq!(json["kind"], "indicator-extra-changed");
    assert_eq!(json["field"], "extra.指标值设定依据");
    assert_eq!(json["indicator"]["level3"], "维持调解员人数");
    assert_eq!(
        declform::diff::counts(&changes),
        "共 3 处不同：指标其他信息变更 3 处"
    );
}
