//! The reader on workbooks made by foreign tools (openpyxl, LibreOffice) and on odd sheets.

mod common;
use common::*;
use declform::ErrorKind;
use declform::ReadOptions;
use declform::read as read_bytes;

#[test]
fn every_variant_fixture_reads_as_its_expected_json() {
    let dir = root().join("tests/fixtures/variants");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".json") || name.ends_with(".py") {
            continue;
        }
        let stem = name.rsplit_once('.').unwrap().0;
        let expected_text =
            std::fs::read_to_string(dir.join(format!("{stem}.expected.json"))).unwrap();
        let expected = declform::read(
            expected_text.clone().into_bytes(),
            &format!("{stem}.json"),
            &Default::default(),
        )
        .map(|r| declform::Document {
            forms: without_source(r.forms),
        })
        .unwrap()
        .forms;
        let got = read_forms(&path);
        assert_eq!(got.len(), expected.len(), "{name}: number of forms");
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            // Field by field, so that a failure names the field.
            let g = serde_json::to_value(g).unwrap();
            let e = serde_json::to_value(e).unwrap();
            for (key, want) in e.as_object().unwrap() {
                assert_eq!(&g[key], want, "{name} form {i}: {key}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 7, "all fixtures were read");
}

#[test]
fn sources_name_file_sheet_and_title_cell() {
    let path = root().join("tests/fixtures/variants/v04_cover_and_several_forms.xlsx");
    let read = read_path(&path, &ReadOptions::default()).unwrap();
    let cells: Vec<(String, String)> = read
        .forms
        .iter()
        .map(|f| {
            let s = f.source.as_ref().unwrap();
            (
                s.place.sheet_name().unwrap().to_string(),
                s.place.cell_ref().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("两张表".into(), "A1".into()),
            ("两张表".into(), "A22".into()),
            ("第三张".into(), "A1".into())
        ]
    );
    assert_eq!(read.notices.len(), 1);
    assert!(
        read.notices[0]
            .to_string()
            .ends_with("!封面: 此工作表中没有申报表，已跳过")
    );
}

fn seed_workbook_with(edit: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let forms = &seed().forms[..1];
    let bytes = declform::write_workbook(forms, None).unwrap();
    let mut wb = editable_workbook(&bytes, 0);
    edit(wb.worksheet_from_index(0).unwrap());
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_bad_amount_names_file_sheet_cell_and_label() {
    let bytes = seed_workbook_with(|ws| {
        ws.write_string(5, 2, "四十二万").unwrap();
    });
    let e = read_bytes(bytes, "部门A.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadAmount);
    assert_eq!(
        e.to_string(),
        "部门A.xlsx!村(居)委专职调解岗位工作津贴!C6 项目资金总额: \"四十二万\" 不是金额；请填写数字，如 2646000.00"
    );
}

#[test]
fn a_bad_date_is_named() {
    let bytes = seed_workbook_with(|ws| {
        ws.write_string(4, 4, "2024-02-30").unwrap();
    });
    let e = read_bytes(bytes, "b.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDate);
    assert_eq!(
        e.to_string(),
        "b.xlsx!村(居)委专职调解岗位工作津贴!E5 计划完成日期: \"2024-02-30\" 不是有效日期；请写成 2024-01-01 这样的日期"
    );
}

#[test]
fn stray_cells_inside_a_form_are_warned_about_not_dropped_silently() {
    let bytes = seed_workbook_with(|ws| {
        ws.write_string(14, 5, "备注：待核").unwrap(); // F15, right of the indicator table
    });
    let read = read_bytes(bytes, "c.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(read.forms.len(), 1);
    let notices: Vec<String> = read.notices.iter().map(ToString::to_string).collect();
    assert_eq!(
        notices,
        [
            "c.xlsx!村(居)委专职调解岗位工作津贴!F15: 单元格内容“备注：待核”不属于申报表的任何栏目，已忽略"
        ]
    );
}

#[test]
fn one_far_cell_does_not_blow_up_memory() {
    // calamine's dense Range over A1:XFD1048576 would need terabytes; the streaming reader does not.
    let bytes = seed_workbook_with(|ws| {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    });
    let read = read_bytes(bytes, "far.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(without_source(read.forms), seed().forms[..1]);
}

#[test]
fn numbers_become_decimals_by_their_shortest_text() {
    let f = &seed().forms[0];
    let mut wb2 = editable_workbook(
        &declform::write_workbook(std::slice::from_ref(f), None).unwrap(),
        0,
    );
    let ws = wb2.worksheet_from_index(0).unwrap();
    ws.write_string(5, 0, "项目资金(万元)").unwrap();
    ws.write_number(5, 2, 264.6).unwrap();
    ws.write_number(5, 4, 0.1 + 0.2).unwrap();
    let read = read_bytes(
        wb2.save_to_buffer().unwrap(),
        "w.xlsx",
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(read.forms[0].funds.total.unwrap().to_string(), "2646000.00");
    // 0.30000000000000004 万元 is what the cell holds: kept exactly, never rounded.
    assert_eq!(
        read.forms[0].funds.annual_total.unwrap().to_string(),
        "3000.0000000000004"
    );
}

/// Removes the cached value of every formula (`</f><v>…</v>` → `</f>`), as tools that
/// never calculate leave them; rust_xlsxwriter itself always writes one.
fn strip_cached_values(bytes: Vec<u8>) -> Vec<u8> {
    rewrite_zip(&bytes, |name, data| {
        if !name.starts_with("xl/worksheets/") {
            return data;
        }
        let mut xml = String::from_utf8(data).unwrap();
        while let Some(start) = xml.find("</f><v>") {
            let end = xml[start..].find("</v>").unwrap() + start + 4;
            xml.replace_range(start + 4..end, "");
        }
        xml.into_bytes()
    })
}

#[test]
fn formulas_without_a_cached_value_are_named() {
    // An amount: an error naming the cell, never a silent empty.
    let bytes = strip_cached_values(seed_workbook_with(|ws| {
        ws.write_formula(5, 2, "=C7+C9").unwrap();
    }));
    let e = read_bytes(bytes, "f.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Uncalculated);
    assert_eq!(
        e.to_string(),
        "f.xlsx!村(居)委专职调解岗位工作津贴!C6 项目资金总额: 公式 =C7+C9 没有计算结果；请在 Excel 或 WPS 中打开并保存一次后再试"
    );
    // 项目名称 and 主管部门 likewise: read as blank they would pass as a form without a name.
    for (row, col, formula, cell) in [
        (2, 1, "=\"社区\"&\"经费\"", "B3 项目名称"),
        (3, 1, "=A1", "B4 主管部门"),
    ] {
        let bytes = strip_cached_values(seed_workbook_with(|ws| {
            ws.write_formula(row, col, formula).unwrap();
        }));
        let e = read_bytes(bytes, "h.xlsx", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Uncalculated);
        assert_eq!(
            e.to_string(),
            format!(
                "h.xlsx!村(居)委专职调解岗位工作津贴!{cell}: 公式 {formula} 没有计算结果；请在 Excel 或 WPS 中打开并保存一次后再试"
            )
        );
    }
    // A target: read as blank, with a notice naming the cell.
    let bytes = strip_cached_values(seed_workbook_with(|ws| {
        ws.write_formula(12, 4, "=\"≤\"&490").unwrap();
    }));
    let read = read_bytes(bytes, "g.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(read.forms[0].indicators[0].target, "");
    let notices: Vec<String> = read.notices.iter().map(ToString::to_string).collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].starts_with("g.xlsx!村(居)委专职调解岗位工作津贴!E13: 公式 ="),
        "{notices:?}"
    );
    assert!(notices[0].ends_with("（已按空白读取）"), "{notices:?}");
}

/// The seed workbook (`declform convert samples/seed-forms-2024.json`) as re-saved by other
/// programs; see tests/fixtures/producers/README.md.
#[test]
fn the_seed_workbook_saved_by_other_programs_reads_exactly() {
    let seed = seed().forms;
    for name in [
        "gnumeric-odf.ods",
        "gnumeric-openoffice.ods",
        "gnumeric.xls",
        "gnumeric.xlsx",
        "libreoffice.ods",
        "libreoffice.xls",
    ] {
        let path = root().join("tests/fixtures/producers").join(name);
        let read =
            read_path(&path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(read.notices.is_empty(), "{name}: {:?}", read.notices);
        let forms = without_source(read.forms);
        assert_eq!(forms.len(), seed.len(), "{name}");
        for (got, want) in forms.iter().zip(&seed) {
            assert_eq!(got, want, "{name}: {}", want.project_name);
        }
    }
}

#[test]
fn a_chart_sheet_is_skipped_with_a_notice() {
    // openpyxl: samples/办公室.xlsx with a chart sheet put first.
    let path = root().join("tests/fixtures/producers/openpyxl-chart-sheet.xlsx");
    let read = read_path(&path, &ReadOptions::default()).unwrap();
    let want = read_path(&root().join("samples/办公室.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(
        without_source(read.forms),
        without_source(want.forms.clone())
    );
    let notices: Vec<String> = read
        .notices
        .iter()
        .map(|n| n.message().to_string())
        .collect();
    assert_eq!(notices, ["此工作表是图表工作表，不是普通工作表，已跳过"]);
    assert_eq!(read.notices[0].location().sheet_name(), Some("图表"));
    // The same workbook through Gnumeric as xls.
    let path = root().join("tests/fixtures/producers/gnumeric-chart-sheet.xls");
    let read = read_path(&path, &ReadOptions::default()).unwrap();
    assert_eq!(without_source(read.forms), without_source(want.forms));
}

#[test]
fn xls_sheets_with_far_cells_read_in_memory_that_follows_the_cells() {
    // LibreOffice: samples/办公室.xlsx with a cell at IV65536 on every sheet, saved as xls.
    // calamine alone builds each sheet as 65,536 × 256 cells (about 1 GB a sheet).
    let path = root().join("tests/fixtures/producers/libreoffice-far-iv65536.xls");
    let read = read_path(&path, &ReadOptions::default()).unwrap();
    let want = read_path(&root().join("samples/办公室.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(without_source(read.forms), without_source(want.forms));
    // xlwt: eight sheets, each with A1 and IV65536 (4.2–4.7 GB through calamine alone).
    let path = root().join("tests/fixtures/producers/xlwt-far-cells-8-sheets.xls");
    let e = read_path(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoForm);
}

#[test]
fn an_ods_with_a_value_at_xfd1048576_and_a_flat_fods_read_exactly() {
    // LibreOffice: samples/办公室.xlsx with `x` at XFD1048576 on each sheet (openpyxl),
    // saved as .ods; and the sample saved as flat XML (.fods).
    let want = read_path(&root().join("samples/办公室.xlsx"), &ReadOptions::default()).unwrap();
    for name in ["libreoffice-far-xfd1048576.ods", "libreoffice-flat.fods"] {
        let path = root().join("tests/fixtures/producers").join(name);
        let read = read_path(&path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            without_source(read.forms),
            without_source(want.forms.clone()),
            "{name}"
        );
    }
}

/// The Workbook stream of an xls file, edited, in a new compound file.
fn xls_with_stream(path: &std::path::Path, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut file = cfb::open(path).unwrap();
    let mut stream = Vec::new();
    file.open_stream("/Workbook")
        .unwrap()
        .read_to_end(&mut stream)
        .unwrap();
    edit(&mut stream);
    let mut out =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .unwrap();
    out.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    out.flush().unwrap();
    out.into_inner().into_inner()
}

#[test]
fn files_that_are_something_else_say_what_they_are() {
    let cases: Vec<(&str, Vec<u8>, ErrorKind, &str)> = vec![
        (
            "old.xls",
            // The BOF record of an Excel 4.0 worksheet: a bare BIFF4 stream.
            vec![0x09, 0x04, 0x06, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00],
            ErrorKind::NotAWorkbook,
            "这是 Excel 2.x–4.0（1997 年以前）格式的 .xls 文件，无法读取；请在 Excel、WPS 或 LibreOffice 中打开并另存为 .xlsx 后再试",
        ),
        (
            "表.numbers",
            {
                let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                zip.start_file(
                    "Index/Document.iwa",
                    zip::write::SimpleFileOptions::default(),
                )
                .unwrap();
                std::io::Write::write_all(&mut zip, b"\0\0\0").unwrap();
                zip.finish().unwrap().into_inner()
            },
            ErrorKind::NotAWorkbook,
            "这是 Apple Numbers 文件（.numbers），无法直接读取；请在 Numbers 中选择“文件 > 导出为 > Excel”存为 .xlsx 后再试",
        ),
        (
            "xor.xls",
            // A FILEPASS record (XOR obfuscation) in place of WRITEACCESS.
            xls_with_stream(
                &root().join("tests/fixtures/producers/libreoffice.xls"),
                |s| {
                    let mut at = 0;
                    while at + 4 <= s.len() {
                        let kind = u16::from_le_bytes([s[at], s[at + 1]]);
                        let len = usize::from(u16::from_le_bytes([s[at + 2], s[at + 3]]));
                        if kind == 0x005C {
                            s[at..at + 2].copy_from_slice(&0x002Fu16.to_le_bytes());
                            s[at + 4..at + 6].copy_from_slice(&[0, 0]);
                            return;
                        }
                        at += 4 + len;
                    }
                    panic!("no WRITEACCESS record");
                },
            ),
            ErrorKind::Encrypted,
            "工作簿设有打开密码，无法读取；请在 Excel 或 WPS 中取消密码后另存再试",
        ),
    ];
    for (name, bytes, kind, message) in cases {
        let e = read_bytes(bytes, name, &ReadOptions::default()).unwrap_err();
        assert_eq!((e.kind(), e.message()), (kind, message), "{name}");
    }
}

/// The fixtures of forms from other systems and provinces (`tests/fixtures/wild/`, made by
/// `tests/fixtures/make_wild.py` with openpyxl), each compared field by field with its
/// hand-written expected JSON.
#[test]
fn every_wild_fixture_reads_as_its_expected_json() {
    let dir = root().join("tests/fixtures/wild");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    entries.sort();
    for path in &entries {
        let name = path.file_name().unwrap().to_str().unwrap();
        let stem = name.rsplit_once('.').unwrap().0;
        let expected_text =
            std::fs::read_to_string(dir.join(format!("{stem}.expected.json"))).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&expected_text).unwrap();
        let got = read_forms(path);
        let expected = expected["forms"].as_array().unwrap();
        assert_eq!(got.len(), expected.len(), "{name}: number of forms");
        for (i, (g, e)) in got.iter().zip(expected).enumerate() {
            let g = serde_json::to_value(g).unwrap();
            for (key, want) in e.as_object().unwrap() {
                if key == "indicators" {
                    let (gi, wi) = (g[key].as_array().unwrap(), want.as_array().unwrap());
                    assert_eq!(gi.len(), wi.len(), "{name} form {i}: number of indicators");
                    for (k, (a, b)) in gi.iter().zip(wi).enumerate() {
                        assert_eq!(a, b, "{name} form {i}: indicator {k}");
                    }
                }
                assert_eq!(&g[key], want, "{name} form {i}: {key}");
            }
        }
    }
    assert_eq!(entries.len(), 3, "all wild fixtures were read");
}

#[test]
fn wild_fixtures_say_what_they_decided() {
    let dir = root().join("tests/fixtures/wild");
    let read = read_path(&dir.join("w02_provincial.xlsx"), &ReadOptions::default()).unwrap();
    let notices: Vec<String> = read.notices.iter().map(ToString::to_string).collect();
    assert_eq!(
        notices,
        [
            format!(
                "{}!目录: 此工作表中没有申报表，已跳过",
                dir.join("w02_provincial.xlsx").display()
            ),
            format!(
                "{}!项目1!B8: “其他资金”与“年度资金申请总额”在同一列，按其他资金（年度）读取",
                dir.join("w02_provincial.xlsx").display()
            ),
        ]
    );
}

#[test]
fn a_merge_of_wild_and_official_forms_sums_in_yuan() {
    let d = tempfile::tempdir().unwrap();
    let src = root().join("tests/fixtures/wild/w03_mixed.xlsx");
    std::fs::copy(&src, d.path().join("mixed.xlsx")).unwrap();
    let out = declform(
        d.path(),
        &["merge", "mixed.xlsx", "-o", "m.xlsx", "--quiet"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(d.path().join("m.xlsx")).unwrap();
    let summary = wb.worksheet_range("汇总").unwrap();
    let rows: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.iter().any(|c| c == "项目名称"))
        .unwrap();
    let col = |h: &str| rows[header].iter().position(|c| c == h).unwrap();
    let (name, annual) = (col("项目名称"), col("年度资金申请总额"));
    let got: Vec<(String, String)> = rows[header + 1..header + 4]
        .iter()
        .map(|r| (r[name].clone(), r[annual].clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("人民调解员培训".to_string(), "50000".to_string()),
            ("社区矫正信息化运维".to_string(), "360000".to_string()),
            ("乡村法律顾问服务".to_string(), "1205000".to_string()),
        ]
    );
    assert_eq!(
        summary.get((header + 4, annual)),
        Some(&Data::Float(1_615_000.0))
    );
}

/// A provincial form whose 年度绩效目标 stands beside its label, not below it: the reader
/// takes the cell to the right, since nothing is below, and says so.
#[test]
fn a_goal_beside_its_label_is_read_with_a_notice() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("项目1").unwrap();
    let cells: &[(u32, u16, &str)] = &[
        (0, 0, "2020年省级部门预算项目绩效目标表"),
        (1, 4, "金额单位：万元"),
        (2, 0, "项目名称"),
        (2, 1, "乡村法律顾问服务"),
        (3, 0, "主管部门"),
        (3, 1, "某省司法厅"),
        (4, 0, "项目资金"),
        (4, 1, "年度资金总额"),
        (4, 2, "120.5"),
        (5, 0, "长期目标"),
        (6, 0, "实现村（居）法律顾问全覆盖。"),
        (7, 0, "年度绩效目标"),
        (7, 1, "全年提供法律咨询5000次。"),
        (8, 0, "一级指标"),
        (8, 1, "二级指标"),
        (8, 2, "三级指标"),
        (8, 3, "指标值"),
        (9, 0, "产出指标"),
        (9, 1, "数量指标"),
        (9, 2, "法律咨询次数"),
        (9, 3, "≥5000(次)"),
    ];
    for (r, c, text) in cells {
        ws.write_string(*r, *c, *text).unwrap();
    }
    ws.merge_range(7, 1, 7, 4, "全年提供法律咨询5000次。", &Default::default())
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let read = read_bytes(bytes, "省.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(read.forms.len(), 1);
    let form = &read.forms[0];
    assert_eq!(form.annual_goal, "全年提供法律咨询5000次。");
    assert_eq!(form.overall_goal, "实现村（居）法律顾问全覆盖。");
    let notices: Vec<String> = read.notices.iter().map(ToString::to_string).collect();
    assert_eq!(
        notices,
        ["省.xlsx!项目1!A8: “年度绩效目标”下方没有内容，按其右侧的单元格读取年度总目标"]
    );
}

/// The notice for a workbook encrypted with Excel's default key.
const DEFAULT_KEY_NOTICE: &str =
    "此工作簿以 Excel 默认密钥加密（设有修改权限密码或工作簿保护，打开时无需密码），已照常读取";
const PASSWORD_MESSAGE: &str =
    "工作簿设有打开密码，无法读取；请在 Excel 或 WPS 中取消密码后另存再试";

fn crypt_fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/crypt").join(name)).unwrap()
}

#[test]
fn workbooks_encrypted_with_the_default_key_read_as_the_plain_ones() {
    // The plain LibreOffice xls reads as the sample it was saved from.
    let sample = read_forms(&root().join("samples/办公室.xlsx"));
    assert_eq!(sample.len(), 2);
    let plain_xls = read_bytes(
        crypt_fixture("plain.xls"),
        "plain.xls",
        &ReadOptions::default(),
    )
    .unwrap();
    assert!(plain_xls.notices.is_empty(), "{:?}", plain_xls.notices);
    assert_eq!(without_source(plain_xls.forms), sample);
    for (name, shown) in [
        ("default-agile.xlsx", "保护.xlsx"),
        ("default-rc4.xls", "保护.xls"),
        ("default-cryptoapi.xls", "保护2003.xls"),
    ] {
        let read = read_bytes(crypt_fixture(name), shown, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(without_source(read.forms.clone()), sample, "{name}");
        assert_eq!(
            read.notices
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>(),
            [format!("{shown}: {DEFAULT_KEY_NOTICE}")],
            "{name}"
        );
        assert_eq!(read.notices[0].location().sheet_name(), None);
        // The forms name the file as given, and their sheets.
        let source = read.forms[0].source.as_ref().unwrap();
        assert_eq!(source.place.file_name(), shown);
        assert!(source.place.sheet_name().is_some(), "{name}");
    }
}

#[test]
fn workbooks_with_a_real_password_are_still_refused() {
    for name in ["password-1234.xlsx", "password-1234.xls"] {
        let e = read_bytes(crypt_fixture(name), name, &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Encrypted, "{name}");
        assert_eq!(e.to_string(), format!("{name}: {PASSWORD_MESSAGE}"));
    }
}

#[test]
fn a_damaged_default_key_workbook_is_not_taken_for_a_read_one() {
    // One flipped bit in the RC4 CryptoAPI verifier: the default key no longer fits, and
    // the file is refused as password-protected, not read as noise.
    let mut bytes = crypt_fixture("default-cryptoapi.xls");
    let at = memchr_find(&bytes, b"X\0L\0\0\0").unwrap() + 6 + 4;
    bytes[at] ^= 1;
    let e = read_bytes(bytes, "坏.xls", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Encrypted);
    // An Agile package cut short cannot decrypt to a workbook either.
    let bytes = crypt_fixture("default-agile.xlsx");
    let cut = &bytes[..bytes.len() - 2048];
    let e = read_bytes(cut.to_vec(), "坏.xlsx", &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Encrypted | ErrorKind::Corrupt),
        "{e}"
    );
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn odd_but_valid_workbooks_read_as_the_sample() {
    // UTF-16 XML parts, a BIFF5 `Book` stream (codepage 936, Gnumeric's number formats),
    // text cells padded with NULs.
    let sample = read_forms(&root().join("samples/办公室.xlsx"));
    for name in ["utf16.xlsx", "biff5-book.xls", "nul-padded.xls"] {
        let bytes = std::fs::read(root().join("tests/fixtures/odd").join(name)).unwrap();
        let read = read_bytes(bytes, name, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(read.notices.is_empty(), "{name}: {:?}", read.notices);
        assert_eq!(without_source(read.forms), sample, "{name}");
    }
}
