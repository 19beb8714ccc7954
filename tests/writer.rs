//! The writer's grids, checked through calamine (not the writer's own bookkeeping).

mod common;
use calamine::Data;
use common::*;

#[test]
fn convert_writes_each_seed_form_on_its_own_sheet_in_the_2024_grid() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    let out = declform(
        dir.path(),
        &["convert", input.to_str().unwrap(), "-o", "s.xlsx"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sheets = sheets(&dir.path().join("s.xlsx"));
    let seed = seed();
    assert_eq!(sheets.len(), 10);
    for ((name, _), form) in sheets.iter().zip(&seed.forms) {
        assert_eq!(name, &form.project_name);
    }
    let (_, s) = &sheets[0];
    // Every merge of layout.md for a form of 12 indicator rows, and the indicator groups.
    assert_eq!(
        s.merges,
        sorted(&[
            "A1:E1", "A2:E2", "B3:C3", "B4:C4", "B5:C5", "A6:A9", "B7:B8", "C7:C8", "A10:A11",
            "B10:C10", "D10:E10", "B11:C11", "D11:E11", "A12:A24", "B13:B16", "B18:B23", "C14:C15",
            "C19:C20", "C22:C23",
        ])
    );
    let labels = [
        ("A1", "财政项目支出绩效目标申报表"),
        ("A2", "(2024年度)"),
        ("A3", "项目名称"),
        ("B3", "村(居)委专职调解岗位工作津贴"),
        ("D3", "项目类别"),
        ("E3", "其他人员类"),
        ("A4", "主管部门"),
        ("B4", "上海市宝山区司法局"),
        ("D4", "实施单位"),
        ("A5", "计划开始日期"),
        ("D5", "计划完成日期"),
        ("A6", "项目资金(元)"),
        ("B6", "项目资金总额"),
        ("D6", "年度资金申请总额"),
        ("B7", "其中：财政资金"),
        ("D7", "其中：当年财政拨款"),
        ("D8", "上年结转资金"),
        ("B9", "其他资金"),
        ("D9", "其他资金"),
        ("A10", "项目绩效目标"),
        ("B10", "项目总目标(2024年-2024年)"),
        ("D10", "年度总目标"),
        ("A12", "绩效指标"),
        ("B12", "一级指标"),
        ("C12", "二级指标"),
        ("D12", "三级指标"),
        ("E12", "年度指标值"),
        ("B13", "产出指标"),
        ("C13", "数量指标"),
        ("D13", "维持调解员人数"),
        ("E13", "≤490.00(人)"),
        ("B17", "成本指标"),
        ("B24", "满意度指标"),
        ("E24", "≥85.00(%)"),
    ];
    for (cell, want) in labels {
        assert_eq!(s.text(cell), want, "{cell}");
    }
    for cell in ["C6", "C7", "E6", "E7"] {
        assert_eq!(
            s.cells.get(cell),
            Some(&Data::Float(2646000.0)),
            "{cell} is a number"
        );
    }
    for cell in ["C9", "E8", "E9", "C17", "D17", "E17"] {
        assert_eq!(s.cells.get(cell), None, "{cell} is empty");
    }
    assert!(matches!(s.cells.get("B5"), Some(Data::DateTime(d)) if d.is_datetime()));
    assert!(s.text("B11").starts_with("发挥专职人民调解员的优势"));
    // A sum with cents stays exact as a number.
    assert_eq!(sheets[1].1.cells.get("C6"), Some(&Data::Float(5246207.06)));
}

/// The merges of the template's indicator table: 绩效指标 over all 27 rows (nine 二级指标
/// of three empty rows each), each 一级指标 over its rows, each 二级指标 over its three.
fn skeleton_merges() -> Vec<String> {
    let mut m = vec!["A12:A39".to_string()];
    for (first, last) in [(13, 21), (22, 24), (25, 36), (37, 39)] {
        m.push(format!("B{first}:B{last}"));
    }
    m.extend((13..=39).step_by(3).map(|r| format!("C{r}:C{}", r + 2)));
    m
}

#[test]
fn template_2024_is_the_blank_grid_with_the_skeleton() {
    let dir = tempfile::tempdir().unwrap();
    let out = declform(dir.path(), &["template", "-o", "t.xlsx", "--year", "2025"]);
    assert!(out.status.success());
    let sheets = sheets(&dir.path().join("t.xlsx"));
    assert_eq!(sheets.len(), 1);
    let s = &sheets[0].1;
    assert_eq!(
        s.merges,
        sorted(
            &[
                "A1:E1", "A2:E2", "B3:C3", "B4:C4", "B5:C5", "A6:A9", "B7:B8", "C7:C8", "A10:A11",
                "B10:C10", "D10:E10", "B11:C11", "D11:E11",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain(skeleton_merges())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
        )
    );
    assert_eq!(s.text("A2"), "(2025年度)");
    assert_eq!(s.text("B10"), "项目总目标");
    // Three empty rows under each 二级指标 of the skeleton: its first row names it.
    let skeleton: Vec<(String, String)> = (13..=39)
        .step_by(3)
        .map(|r| (s.text(&format!("B{r}")), s.text(&format!("C{r}"))))
        .collect();
    let want = [
        ("产出指标", "数量指标"),
        ("", "质量指标"),
        ("", "时效指标"),
        ("成本指标", ""),
        ("效益指标", "经济效益指标"),
        ("", "社会效益指标"),
        ("", "生态效益指标"),
        ("", "可持续影响指标"),
        ("满意度指标", "服务对象满意度指标"),
    ];
    for r in (13..=39).filter(|r| (r - 13) % 3 != 0) {
        assert_eq!(
            s.text(&format!("C{r}")),
            "",
            "C{r} lies inside a merged 二级指标"
        );
        assert_eq!(s.text(&format!("D{r}")), "", "D{r} is an empty row");
    }
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(skeleton, want);
    // Input cells hold nothing.
    for cell in [
        "B3", "E3", "B4", "E4", "B5", "E5", "C6", "E6", "B11", "D11", "D13", "E13",
    ] {
        assert_eq!(s.cells.get(cell), None, "{cell}");
    }
}

#[test]
fn template_2026_is_the_six_column_grid() {
    let dir = tempfile::tempdir().unwrap();
    let out = declform(
        dir.path(),
        &[
            "template",
            "-o",
            "t.xlsx",
            "--layout",
            "2026",
            "--year",
            "2026",
            "--protect",
        ],
    );
    assert!(out.status.success());
    let s = &sheets(&dir.path().join("t.xlsx"))[0].1;
    let mut want = vec![
        "A1:F1", "A2:F2", "B4:C4", "E4:F4", "B5:C5", "E5:F5", "A6:A9", "B7:B8", "C7:C8", "E6:F6",
        "E7:F7", "E8:F8", "E9:F9", "A10:A11", "B10:C10", "D10:F10", "B11:C11", "D11:F11",
        "E12:F12",
    ];
    let rows: Vec<String> = (13..=39)
        .map(|r| format!("E{r}:F{r}"))
        .chain(skeleton_merges())
        .collect();
    want.extend(rows.iter().map(String::as_str));
    assert_eq!(s.merges, sorted(&want));
    for (cell, text) in [
        ("A2", "（2026年度）"),
        ("A3", "项目名称"),
        ("C3", "项目性质"),
        ("E3", "项目类别"),
        ("A6", "项目资金（元）"),
        ("B10", "项目总体目标"),
        ("D10", "年度总体目标"),
        ("E12", "年度(/项目)指标值"),
    ] {
        assert_eq!(s.text(cell), text, "{cell}");
    }
}

#[test]
fn template_has_drop_downs_validation_and_protection() {
    let dir = tempfile::tempdir().unwrap();
    let out = declform(
        dir.path(),
        &["template", "-o", "t.xlsx", "--layout", "2026", "--protect"],
    );
    assert!(out.status.success());
    let xml = sheet_xml(&dir.path().join("t.xlsx"), 1);
    for needle in [
        "\"其他人员类,其他运转类,公用经费,特定目标类\"",
        "\"一次性项目,经常性项目,阶段性项目\"",
        "\"产出指标,成本指标,效益指标,满意度指标\"",
        "type=\"decimal\" operator=\"greaterThanOrEqual\"",
        "type=\"date\"",
        "≥85.00(%)",
        "<sheetProtection",
        // Room to write the goals: row 11 is five lines high.
        "<row r=\"11\" spans=\"1:6\" ht=\"81\" customHeight=\"1\"", // 5 lines of 15 pt and padding
    ] {
        assert!(xml.contains(needle), "sheet1.xml lacks {needle}");
    }
    // Input cells are unlocked so that protection leaves them editable.
    let file = std::fs::File::open(dir.path().join("t.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("<protection locked=\"0\"/>"));
}

#[test]
fn forms_with_project_nature_get_the_2026_grid_and_extra_fields_are_written() {
    let mut form = seed().forms[0].clone();
    form.project_nature = Some("经常性项目".into());
    form.extra.insert("项目负责人".into(), "张三".into());
    form.extra.insert("联系电话".into(), "021-12345678".into());
    form.extra.insert("填报日期".into(), "".into());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.xlsx");
    std::fs::write(
        &path,
        declform::write_workbook(&[form.clone()], None).unwrap(),
    )
    .unwrap();
    let s = &sheets(&path)[0].1;
    assert_eq!(s.text("D3"), "经常性项目");
    // Extra pairs stand in rows inserted after row 5: two pairs a row.
    assert_eq!(
        (s.text("A6"), s.text("B6")),
        ("项目负责人".into(), "张三".into())
    );
    assert_eq!(
        (s.text("D6"), s.text("E6")),
        ("联系电话".into(), "021-12345678".into())
    );
    assert_eq!(s.text("A7"), "填报日期");
    assert_eq!(s.text("A8"), "项目资金（元）");
    assert_eq!(
        read_path(&path, &Default::default()).unwrap().forms[0].extra,
        form.extra
    );
}

#[test]
fn template_and_convert_in_the_split_grid() {
    let dir = tempfile::tempdir().unwrap();
    let out = declform(
        dir.path(),
        &[
            "template", "-o", "t.xlsx", "--layout", "split", "--year", "2025",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let s = &sheets(&dir.path().join("t.xlsx"))[0].1;
    for (cell, text) in [
        ("A1", "财政项目支出绩效目标申报表"),
        ("A2", "(2025年度)"),
        ("D3", "项目类别"),
        ("B12", "一级指标"),
        ("E12", "指标性质"),
        ("F12", "指标值"),
        ("G12", "度量单位"), // the label's exact words, wrapped by the cell
    ] {
        assert_eq!(s.text(cell), text, "{cell}");
    }
    assert!(s.merges.contains(&"A1:G1".to_string()));
    // 指标性质 is a drop-down of the signs and 定性; 指标值 and 度量单位 say what goes in
    // them, and the joined target's message (符号+数值+(单位)) is nowhere.
    let xml = sheet_xml(&dir.path().join("t.xlsx"), 1)
        .replace("&gt;", ">")
        .replace("&lt;", "<");
    let validation = |sqref: &str| {
        xml.split("<dataValidation ")
            .find(|v| v.contains(&format!("sqref=\"{sqref}\"")))
            .unwrap_or_else(|| panic!("no validation on {sqref}"))
            .to_string()
    };
    let sign = validation("E13:E39");
    assert!(sign.contains("type=\"list\""), "{sign}");
    assert!(
        sign.contains("<formula1>\"≥,≤,=,>,<,定性\"</formula1>"),
        "{sign}"
    );
    assert!(validation("F13:F39").contains("promptTitle=\"指标值\" prompt=\"定量指标只填数值"));
    assert!(validation("G13:G39").contains("promptTitle=\"度量单位\""));
    assert!(!xml.contains("符号+数值"), "the joined target's message");
    // The blank template reads back as a blank form of the year.
    let read = read_forms(&dir.path().join("t.xlsx"));
    assert_eq!(read[0].year, Some(2025));
    assert!(read[0].indicators.iter().all(|i| i.target.is_empty()));

    // A form with indicator extras: the split cells and one column per key.
    let mut form = seed().forms[0].clone();
    form.indicators[0]
        .extra
        .insert("指标值设定依据".into(), "上年实际".into());
    form.indicators[1].extra.insert("权重".into(), "10".into());
    let json = declform::to_json(std::slice::from_ref(&form));
    std::fs::write(dir.path().join("f.json"), json).unwrap();
    let out = declform(
        dir.path(),
        &["convert", "f.json", "-o", "s.xlsx", "--layout", "split"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let s = &sheets(&dir.path().join("s.xlsx"))[0].1;
    for (cell, text) in [
        // A key heading a narrowed column: its exact words, wrapped by the cell.
        ("H12", "指标值设定依据"),
        ("I12", "权重"),
        ("E13", "≤"),
        ("F13", "490.00"),
        ("G13", "人"),
        ("H13", "上年实际"),
        ("E14", "定性"),
        ("F14", "一致"),
        ("I14", "10"),
    ] {
        assert_eq!(s.text(cell), text, "{cell}");
    }
    assert!(s.merges.contains(&"A1:I1".to_string()), "{:?}", s.merges);
    // The header block widens over the extra columns: 项目类别's value spans E:I.
    assert!(s.merges.contains(&"E3:I3".to_string()), "{:?}", s.merges);
    let back = without_source(read_forms(&dir.path().join("s.xlsx")));
    assert_eq!(back, without_source(vec![form]));
}

#[test]
fn check_reads_the_joined_target_of_a_split_grid() {
    let form = &seed().forms[0];
    let bytes = declform::write_workbook(
        std::slice::from_ref(form),
        Some(declform::LayoutKind::Split),
    )
    .unwrap();
    let mut wb = editable_workbook(&bytes, 0);
    wb.worksheet_from_index(0)
        .unwrap()
        .write_string(12, 5, "四百九十")
        .unwrap();
    let read = declform::read(wb.save_to_buffer().unwrap(), "s.xlsx", &Default::default()).unwrap();
    assert_eq!(read.forms[0].indicators[0].target, "≤四百九十(人)");
    let findings = declform::check(&read.forms);
    let syntax: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.id() == "target-syntax")
        .collect();
    assert_eq!(syntax.len(), 1, "{findings:?}");
    assert_eq!(syntax[0].place.cell_ref(), Some("F13"));
}

/// The XML of a workbook's `n`th sheet (from 1).
fn sheet_xml(path: &std::path::Path, n: usize) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap(),
        &mut xml,
    )
    .unwrap();
    xml
}
