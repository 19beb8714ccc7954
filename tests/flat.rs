//! The flat table: format details, errors, and the command line.

mod common;
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use declform::ErrorKind;

fn seed_csv() -> String {
    let mut bytes = Vec::new();
    write_csv(&seed().forms, &mut bytes).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn csv_has_a_bom_one_chinese_header_and_one_row_per_indicator_row() {
    let text = seed_csv();
    assert!(text.starts_with('\u{feff}'));
    let mut lines = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = lines.records().map(Result::unwrap).collect();
    let header: Vec<&str> = records[0].iter().collect();
    assert_eq!(
        header,
        [
            "年度",
            "项目名称",
            "项目类别",
            "项目性质",
            "主管部门",
            "实施单位",
            "计划开始日期",
            "计划完成日期",
            "项目资金总额",
            "财政资金",
            "其他资金（项目）",
            "年度资金申请总额",
            "当年财政拨款",
            "上年结转资金",
            "其他资金（年度）",
            "项目总目标",
            "年度总目标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "符号",
            "数值",
            "单位",
        ]
    );
    let indicator_rows: usize = seed().forms.iter().map(|f| f.indicators.len()).sum();
    assert_eq!(records.len(), 1 + indicator_rows);
    let first: Vec<&str> = records[1].iter().collect();
    assert_eq!(
        &first[..3],
        ["2024", "村(居)委专职调解岗位工作津贴", "其他人员类"]
    );
    assert_eq!(&first[8..11], ["2646000.00", "2646000.00", ""]);
    assert_eq!(
        &first[17..],
        [
            "产出指标",
            "数量指标",
            "维持调解员人数",
            "≤490.00(人)",
            "≤",
            "490.00",
            "人"
        ]
    );
    // A qualitative target leaves the parsed columns empty; an empty category row is kept.
    let qualitative: Vec<&str> = records[2].iter().collect();
    assert_eq!(&qualitative[20..], ["一致", "", "", ""]);
    let empty_category: Vec<&str> = records[5].iter().collect();
    assert_eq!(&empty_category[17..21], ["成本指标", "", "", ""]);
}

#[test]
fn extra_fields_get_columns_of_their_own() {
    let mut forms = seed().forms[..2].to_vec();
    forms[1].extra.insert("项目负责人".into(), "李四".into());
    let mut bytes = Vec::new();
    write_csv(&forms, &mut bytes).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.lines().next().unwrap().ends_with(",单位,项目负责人"));
    assert_eq!(read_csv(&bytes, "e.csv").unwrap(), forms);
}

#[test]
fn conflicting_values_for_one_project_name_both_rows() {
    let text = seed_csv();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].replacen("2646000.00", "2600000.00", 1);
    let bad = lines.join("\n");
    let e = read_csv(bad.as_bytes(), "c.csv").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadTable);
    assert_eq!(
        e.to_string(),
        "c.csv 第3行 项目资金总额: 同一项目（年度、项目名称、主管部门、实施单位相同）的两行值不一致：第2行为“2646000.00”，第3行为“2600000.00”；请统一后再试，若实为两个项目，请改动其中一个的项目名称"
    );
}

#[test]
fn bad_csv_inputs_are_named() {
    let e = read_csv(b"\xff\xfe\x00a,b", "gbk.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "gbk.csv: 不是 UTF-8 编码的 CSV（第 1 个字节处）；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再试"
    );
    let e = read_csv("姓名,电话\n张三,1\n".as_bytes(), "x.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.csv: 不是指标明细表：表头须含“项目名称”和“一级指标”“二级指标”“三级指标”“年度指标值”列"
    );
    let text = seed_csv().replacen("2646000.00", "两百万", 1);
    let e = read_csv(text.as_bytes(), "a.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "a.csv 第2行 项目资金总额: \"两百万\" 不是金额；请填写数字，如 2646000.00"
    );
}

#[test]
fn parsed_columns_are_optional_on_input() {
    let text = seed_csv();
    let mut out = Vec::new();
    {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut w = csv::Writer::from_writer(&mut out);
        for rec in r.records() {
            let rec = rec.unwrap();
            w.write_record(rec.iter().take(21)).unwrap();
        }
    }
    assert_eq!(read_csv(&out, "short.csv").unwrap(), seed().forms);
}

#[test]
fn convert_writes_csv_and_flat_xlsx_and_reads_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    let input = input.to_str().unwrap();
    assert!(
        declform(dir.path(), &["convert", input, "-o", "f.csv"])
            .status
            .success()
    );
    assert!(
        declform(dir.path(), &["convert", input, "-o", "f.xlsx", "--flat"])
            .status
            .success()
    );
    for name in ["f.csv", "f.xlsx"] {
        let out = declform(
            dir.path(),
            &["convert", name, "-o", &format!("{name}.json")],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            read_forms(&dir.path().join(format!("{name}.json"))),
            seed().forms,
            "{name}"
        );
    }
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("f.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["指标明细"]);
    let range = wb.worksheet_range("指标明细").unwrap();
    assert_eq!(range.get((0, 1)), Some(&Data::String("项目名称".into())));
    assert_eq!(
        range.get((1, 8)),
        Some(&Data::Float(2646000.0)),
        "amounts are numbers"
    );
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(dir.path().join("f.xlsx")).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(xml.contains("<autoFilter ref=\"A1:X"), "autofilter");
    assert!(xml.contains("state=\"frozen\""), "frozen header");
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    // In CSV it gets a leading apostrophe, which the reader removes again.
    let text = seed_csv();
    assert!(
        text.contains(",'=721.00(平方米),"),
        "the CSV carries a bare formula"
    );
    assert!(!text.contains(",=721.00(平方米),"));
    assert_eq!(read_csv(text.as_bytes(), "s.csv").unwrap(), seed().forms);
    // In the flat xlsx it is a text cell, no formula.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flat.xlsx");
    std::fs::write(&path, declform::flat_xlsx(&seed().forms).unwrap()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range("指标明细").unwrap();
    assert!(
        range
            .used_cells()
            .any(|(_, _, d)| *d == Data::String("=721.00(平方米)".into()))
    );
    let formulas = wb.worksheet_formula("指标明细").unwrap();
    assert_eq!(formulas.used_cells().count(), 0);
}

#[test]
fn indicator_extras_get_columns_of_their_own_and_read_back() {
    let mut forms = seed().forms[..2].to_vec();
    forms[0].indicators[0]
        .extra
        .insert("指标值设定依据".into(), "上年实际".into());
    forms[0].indicators[2]
        .extra
        .insert("权重".into(), "10".into());
    forms[1].indicators[0]
        .extra
        .insert("备注".into(), "=待定".into());
    forms[1].extra.insert("备注".into(), "表备注".into());
    let mut bytes = Vec::new();
    write_csv(&forms, &mut bytes).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with(",备注,指标值设定依据（指标）,权重（指标）,备注（指标）"),
        "{header}"
    );
    let back = declform::read(bytes, "f.csv", &Default::default()).unwrap();
    assert_eq!(without_source(back.forms), without_source(forms));
}

// ---- a sorted or shuffled table (#22 item 7) ----

/// The seed forms written as flat CSV by the binary, as its header and data rows (cells as
/// they stand in the file, apostrophes included).
fn seed_table(dir: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let input = root().join("samples/seed-forms-2024.json");
    let out = declform(dir, &["convert", input.to_str().unwrap(), "-o", "flat.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.join("flat.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut records = r
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect::<Vec<String>>());
    let header = records.next().unwrap();
    (header, records.collect())
}

fn write_table_csv(path: &std::path::Path, header: &[String], rows: &[Vec<String>]) {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        w.write_record(header).unwrap();
        for row in rows {
            w.write_record(row).unwrap();
        }
    }
    std::fs::write(path, bytes).unwrap();
}

/// The same table on one sheet, every cell a text cell (as a clerk's re-typed sheet may be).
fn write_table_xlsx(path: &std::path::Path, header: &[String], rows: &[Vec<String>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("指标明细").unwrap();
    for (r, row) in std::iter::once(header)
        .chain(rows.iter().map(Vec::as_slice))
        .enumerate()
    {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(r as u32, c as u16, text).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// Rows grouped into runs of one project, as the reader used to group them.
fn runs(rows: &[Vec<String>], name: usize) -> usize {
    1 + rows.windows(2).filter(|w| w[0][name] != w[1][name]).count()
}

/// The project names in the order of their first row.
fn first_appearance(rows: &[Vec<String>], name: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        if !names.contains(&r[name]) {
            names.push(r[name].clone());
        }
    }
    names
}

#[test]
fn a_sorted_or_shuffled_flat_table_gives_the_same_forms() {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (header, rows) = seed_table(d);
    let level1 = column(&header, "一级指标");
    let level3 = column(&header, "三级指标");
    let name = column(&header, "项目名称");
    let seed = seed().forms;
    assert_eq!(seed.len(), 10);

    // Sorted by 一级指标 (a stable sort, as Excel's): 产出 rows of all ten forms first, ...
    let mut by_level1 = rows.clone();
    by_level1.sort_by(|a, b| a[level1].cmp(&b[level1]));
    assert!(
        runs(&by_level1, name) > 30,
        "the sort interleaves the forms"
    );
    // ... and shuffled.
    let mut shuffled = rows.clone();
    shuffled.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(22));
    assert!(runs(&shuffled, name) > 30);

    for (label, table) in [
        ("unsorted", &rows),
        ("sorted", &by_level1),
        ("shuffled", &shuffled),
    ] {
        for ext in ["csv", "xlsx"] {
            let file = format!("{label}.{ext}");
            if ext == "csv" {
                write_table_csv(&d.join(&file), &header, table);
            } else {
                write_table_xlsx(&d.join(&file), &header, table);
            }
            let json = format!("{file}.json");
            let out = declform(d, &["convert", &file, "-o", &json]);
            assert!(out.status.success(), "{file}: {}", stderr(&out));
            assert_eq!(
                String::from_utf8_lossy(&out.stderr),
                format!("已将 1 个文件中的 10 张表写入 {json}\n"),
                "{file}"
            );
            let back = read_forms(&d.join(&json));
            // Forms in the order of their first row; a form's indicator rows in table order.
            let names: Vec<String> = back.iter().map(|f| f.project_name.clone()).collect();
            assert_eq!(names, first_appearance(table, name), "{file}");
            for f in &back {
                let in_table: Vec<&str> = table
                    .iter()
                    .filter(|r| r[name] == f.project_name)
                    .map(|r| r[level3].as_str())
                    .collect();
                let read: Vec<&str> = f.indicators.iter().map(|i| i.level3.as_str()).collect();
                assert_eq!(read, in_table, "{file}: {}", f.project_name);
            }
            // Otherwise the very forms: sorting by 一级指标 (产出, 成本, 效益, 满意度 by code
            // point, the seed's own order) changes nothing; shuffling moves rows only.
            if label == "shuffled" {
                assert_eq!(normalized(back), normalized(seed.clone()), "{file}");
            } else {
                assert_eq!(back, seed, "{file}");
            }
        }
    }

    // `merge` of the sorted table: ten forms, not forty.
    let out = declform(d, &["merge", "sorted.csv", "-o", "m.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("已将 1 个文件中的 10 张表合并到 m.xlsx"),
        "{}",
        stderr(&out)
    );
    let wb: Xlsx<_> = open_workbook(d.join("m.xlsx")).unwrap();
    // 汇总, 按部门汇总 and one sheet per form.
    assert_eq!(wb.sheet_names().len(), 2 + 10, "{:?}", wb.sheet_names());
}

/// Forms in project-name order, each one's indicators in a fixed order.
fn normalized(mut forms: Vec<declform::Form>) -> Vec<declform::Form> {
    for f in &mut forms {
        f.indicators.sort_by(|a, b| {
            (&a.level1, &a.level2, &a.level3, &a.target)
                .cmp(&(&b.level1, &b.level2, &b.level3, &b.target))
        });
    }
    forms.sort_by(|a, b| a.project_name.cmp(&b.project_name));
    forms
}

#[test]
fn rows_of_one_project_that_disagree_are_refused_wherever_they_stand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (header, mut rows) = seed_table(d);
    let level1 = column(&header, "一级指标");
    let name = column(&header, "项目名称");
    let total = column(&header, "项目资金总额");
    rows.sort_by(|a, b| a[level1].cmp(&b[level1]));
    // The last row (a 满意度 row) of a project whose first row is among the 产出 rows.
    let last = rows.len() - 1;
    let first = rows
        .iter()
        .position(|r| r[name] == rows[last][name])
        .unwrap();
    assert!(last - first > 10, "far apart");
    let was = rows[first][total].clone();
    rows[last][total] = "1.00".into();
    let message = |at: String| {
        format!(
            "错误：{at} 项目资金总额: 同一项目（年度、项目名称、主管部门、实施单位相同）的两行值不一致：第{}行为“{was}”，第{}行为“1.00”；请统一后再试，若实为两个项目，请改动其中一个的项目名称\n",
            first + 2,
            last + 2
        )
    };

    write_table_csv(&d.join("c.csv"), &header, &rows);
    let out = declform(d, &["convert", "c.csv", "-o", "c.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!d.join("c.json").exists());
    assert_eq!(stderr(&out), message(format!("c.csv 第{}行", last + 2)));

    write_table_xlsx(&d.join("c.xlsx"), &header, &rows);
    let out = declform(d, &["convert", "c.xlsx", "-o", "c.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        message(format!(
            "c.xlsx!指标明细!{}",
            a1(last as u32 + 1, total as u16)
        ))
    );
}
