//! Word documents (.docx) read like workbooks (#23): the fixtures in tests/fixtures/docx/
//! were made by python-docx and LibreOffice Writer (make_docx.py) from the seed workbook.

mod common;

use common::{declform, read_path, rewrite_zip, root, seed, stderr, without_source};
use declform::ErrorKind;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/docx").join(name)
}

fn read_bytes(bytes: Vec<u8>, name: &str) -> declform::Result<declform::Read> {
    declform::read(bytes, name, &Default::default())
}

#[test]
fn one_form_per_table_reads_exactly_the_seed_forms() {
    let read = read_path(&fixture("one-form-per-table.docx"), &Default::default()).unwrap();
    assert_eq!(without_source(read.forms.clone()), seed().forms);
    assert_eq!(read.notices, []);
    // Each form is named by its table; its title is the second paragraph above it.
    let places: Vec<(Option<&str>, Option<&str>)> = read
        .forms
        .iter()
        .map(|f| {
            let s = f.source.as_ref().unwrap();
            (s.place.sheet_name(), s.place.cell_ref())
        })
        .collect();
    assert_eq!(places[0], (Some("表格1"), Some("上方第2段")));
    assert_eq!(places[9], (Some("表格10"), Some("上方第2段")));
}

#[test]
fn forms_split_over_two_tables_in_wan_yuan_after_instructions_read_exactly() {
    // 填报说明 paragraphs first, then two forms, each with 金额单位：万元 and split over two
    // tables across a page break; as python-docx wrote it and as LibreOffice re-saved it.
    for name in ["split-wan.docx", "libreoffice-split-wan.docx"] {
        let read = read_path(&fixture(name), &Default::default()).unwrap();
        assert_eq!(
            without_source(read.forms.clone()),
            seed().forms[..2],
            "{name}"
        );
        assert_eq!(read.notices, [], "{name}");
        let tables: Vec<Option<&str>> = read
            .forms
            .iter()
            .map(|f| f.source.as_ref().unwrap().place.sheet_name())
            .collect();
        assert_eq!(tables, [Some("表格1"), Some("表格3")], "{name}");
    }
}

#[test]
fn findings_name_the_table_row_and_cell_as_word_shows_them() {
    let read = read_path(&fixture("split-wan.docx"), &Default::default()).unwrap();
    let findings = declform::check(&read.forms);
    let shown: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    // 成本指标 is the sixth row of the second table (the indicators), its 三级指标 the
    // fourth cell of that row (the first is 绩效指标's merge).
    assert!(
        shown
            .iter()
            .any(|f| f.contains("split-wan.docx!表格1!表格2第6行第4格: 警告")
                && f.contains("成本指标下没有任何三级指标")),
        "{shown:#?}"
    );
}

/// The fixture's document with `from` replaced by `to` in its main part (first match).
fn edited(name: &str, from: &str, to: &str) -> Vec<u8> {
    let bytes = std::fs::read(fixture(name)).unwrap();
    rewrite_zip(&bytes, |part, data| {
        if part != "word/document.xml" {
            return data;
        }
        let text = String::from_utf8(data).unwrap();
        assert!(text.contains(from), "{from}");
        text.replacen(from, to, 1).into_bytes()
    })
}

#[test]
fn a_bad_amount_is_located_by_table_row_and_cell() {
    let bytes = edited("one-form-per-table.docx", "2,646,000.00", "二百六十万");
    let e = read_bytes(bytes, "a.docx").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadAmount);
    assert_eq!((e.sheet(), e.cell()), (Some("表格1"), Some("第4行第3格")));
    assert!(
        e.to_string()
            .starts_with("a.docx!表格1!第4行第3格 项目资金总额: "),
        "{e}"
    );
}

#[test]
fn a_bad_date_and_a_unit_paragraph_are_located() {
    let e = read_bytes(
        edited("one-form-per-table.docx", "2024年1月1日", "2024年13月1日"),
        "a.docx",
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDate);
    assert_eq!((e.sheet(), e.cell()), (Some("表格1"), Some("第3行第2格")));
    // The unit line is the paragraph right above the first table.
    let e = read_bytes(
        edited("split-wan.docx", "金额单位：万元", "金额单位：千克"),
        "b.docx",
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadUnit);
    assert_eq!(
        (e.sheet(), e.cell()),
        (Some("表格1"), Some("上方第1段")),
        "{e}"
    );
}

#[test]
fn word_97_and_wps_documents_are_told_to_be_saved_as_docx() {
    let doc = std::fs::read(fixture("libreoffice-split-wan.doc")).unwrap();
    for (name, what) in [
        ("a.doc", "这是 Word 97-2003 格式的 .doc 文档"),
        ("a.wps", "这是 WPS 文字的 .wps 文档"),
    ] {
        let e = read_bytes(doc.clone(), name).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotAWorkbook);
        assert_eq!(
            e.to_string(),
            format!(
                "{name}: {what}，无法直接读取；请在 Word 或 WPS 中打开，选择“另存为”并保存为 Word 文档（.docx）后再试"
            )
        );
    }
}

#[test]
fn a_document_without_a_form_and_a_broken_one_say_so() {
    let e = read_bytes(
        edited("one-form-per-table.docx", "项目名称", "工程名目"),
        "c.docx",
    );
    // The first form has lost its anchor; the other nine still read.
    assert_eq!(e.unwrap().forms.len(), 9);
    let bytes = std::fs::read(fixture("split-wan.docx")).unwrap();
    let no_tables = rewrite_zip(&bytes, |part, data| {
        if part != "word/document.xml" {
            return data;
        }
        let text = String::from_utf8(data).unwrap();
        let start = text.find("<w:tbl>").unwrap();
        let end = text.rfind("</w:tbl>").unwrap() + "</w:tbl>".len();
        format!("{}{}", &text[..start], &text[end..]).into_bytes()
    });
    let e = read_bytes(no_tables, "d.docx").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoForm);
    assert!(
        e.to_string()
            .starts_with("d.docx: Word 文档中没有找到申报表"),
        "{e}"
    );
    let broken = rewrite_zip(&bytes, |part, data| {
        if part == "word/document.xml" {
            data[..data.len() / 2].to_vec()
        } else {
            data
        }
    });
    let e = read_bytes(broken, "e.docx").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(e.to_string().starts_with("e.docx: Word 文档已损坏"), "{e}");
}

#[test]
fn the_binary_converts_checks_and_merges_a_folder_of_docx_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::copy(fixture("split-wan.docx"), d.join("in/a.docx")).unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/b.xlsx")).unwrap();

    let out = declform(d, &["convert", "in/a.docx", "-o", "a.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = std::fs::read(d.join("a.json")).unwrap();
    let back = declform::read(json, "a.json", &Default::default()).unwrap();
    assert_eq!(without_source(back.forms), seed().forms[..2]);

    let out = declform(d, &["check", "in/a.docx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("in/a.docx!表格1!表格2第6行第4格"), "{shown}");

    let out = declform(d, &["merge", "in", "-o", "merged.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let merged = read_path(&d.join("merged.xlsx"), &Default::default()).unwrap();
    let xlsx = read_path(&root().join("samples/办公室.xlsx"), &Default::default()).unwrap();
    let mut want = seed().forms[..2].to_vec();
    want.extend(without_source(xlsx.forms));
    let mut got = without_source(merged.forms);
    let key = |f: &declform::Form| (f.department.clone(), f.project_name.clone());
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got, want);
}

// ---- Word out ----

/// The forms written as .docx and read back, without their sources.
fn via_docx(forms: &[declform::Form], layout: Option<declform::LayoutKind>) -> Vec<declform::Form> {
    let bytes = declform::write_docx(forms, layout).unwrap();
    without_source(read_bytes(bytes, "w.docx").unwrap().forms)
}

#[test]
fn seed_forms_written_as_docx_read_back_exactly_in_every_grid() {
    use declform::LayoutKind;
    let seed = seed().forms;
    for layout in [None, Some(LayoutKind::Y2026), Some(LayoutKind::Split)] {
        assert_eq!(via_docx(&seed, layout), seed, "{layout:?}");
    }
    // Each form is a table of its own, named as Word shows it, its title above it; the
    // same forms give the same bytes.
    let bytes = declform::write_docx(&seed, None).unwrap();
    assert_eq!(bytes, declform::write_docx(&seed, None).unwrap());
    let read = read_bytes(bytes.clone(), "w.docx").unwrap();
    assert_eq!(read.notices, []);
    let s = read.forms[9].source.as_ref().unwrap();
    assert_eq!(
        (s.place.sheet_name(), s.place.cell_ref()),
        (Some("表格10"), Some("上方第2段"))
    );
    // Amounts and dates as the workbook shows them; one page break between forms; A4
    // portrait; 宋体 for East Asian text too.
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let part = |name: &str| {
        let mut zip = zip.clone();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let doc = part("word/document.xml");
    assert!(doc.contains(">2,646,000.00</w:t>"));
    assert!(doc.contains(">2024-01-01</w:t>"));
    assert_eq!(doc.matches("<w:pageBreakBefore/>").count(), 9);
    assert_eq!(doc.matches("<w:tbl>").count(), 10);
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(part("word/styles.xml").contains("w:eastAsia=\"宋体\""));
}

#[test]
fn unwritable_forms_and_empty_lists_are_handled_like_workbooks() {
    let mut form = seed().forms[0].clone();
    form.extra.insert("项目名称".into(), "乙".into());
    let e = declform::write_docx(&[form], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unwritable);
    // No forms: a document without a form, which reads as such.
    let empty = declform::write_docx(&[], None).unwrap();
    assert_eq!(
        read_bytes(empty, "e.docx").unwrap_err().kind(),
        ErrorKind::NoForm
    );
}

#[test]
fn the_blank_template_as_docx_reads_back_as_the_workbook_template() {
    use declform::LayoutKind;
    for layout in LayoutKind::EVERY {
        let docx = declform::template_docx(layout, 2026).unwrap();
        let xlsx = declform::template(layout, 2026, false).unwrap();
        let from_docx = without_source(read_bytes(docx, "t.docx").unwrap().forms);
        let from_xlsx = without_source(read_bytes(xlsx, "t.xlsx").unwrap().forms);
        assert_eq!(from_docx, from_xlsx, "{layout}");
    }
}

#[test]
fn the_binary_writes_docx_by_extension_and_says_where_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed_json = root().join("samples/seed-forms-2024.json");
    let out = declform(
        d,
        &["convert", seed_json.to_str().unwrap(), "-o", "forms.docx"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let back = read_path(&d.join("forms.docx"), &Default::default()).unwrap();
    assert_eq!(without_source(back.forms), seed().forms);
    // --to docx where the name does not say.
    let out = declform(
        d,
        &["convert", "forms.docx", "--to", "docx", "-o", "again.bin"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(d.join("again.bin")).unwrap(),
        std::fs::read(d.join("forms.docx")).unwrap()
    );

    let out = declform(d, &["template", "--year", "2026", "-o", "模板.docx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let blank = read_path(&d.join("模板.docx"), &Default::default()).unwrap();
    assert_eq!(blank.forms[0].year, Some(2026));

    let out = declform(d, &["template", "--protect", "-o", "p.docx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Word 文档模板不支持 --protect"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("p.docx").exists());

    let out = declform(d, &["merge", "forms.docx", "-o", "m.docx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("合并结果须为 .xlsx 工作簿（汇总表只能写在工作簿中）"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("m.docx").exists());
}

#[test]
fn a_document_part_in_utf16_reads_as_in_utf8() {
    let bytes = std::fs::read(fixture("one-form-per-table.docx")).unwrap();
    for big_endian in [false, true] {
        let utf16 = rewrite_zip(&bytes, |part, data| {
            if part != "word/document.xml" {
                return data;
            }
            let text = String::from_utf8(data).unwrap();
            assert!(text.contains("encoding='UTF-8'"));
            let text = text.replacen("encoding='UTF-8'", "encoding='UTF-16'", 1);
            let text = format!("\u{feff}{text}");
            text.encode_utf16()
                .flat_map(|u| {
                    if big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect()
        });
        let read = read_bytes(utf16, "u.docx").unwrap();
        assert_eq!(without_source(read.forms), seed().forms, "{big_endian}");
    }
}

#[test]
fn a_locked_document_and_a_document_bomb_are_called_documents() {
    let locked = std::fs::read(root().join("tests/fixtures/hostile/encrypted.xlsx")).unwrap();
    let e = read_bytes(locked, "locked.docx").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Encrypted);
    assert_eq!(
        e.to_string(),
        "locked.docx: 文档设有打开密码，无法读取；请在 Word 或 WPS 中取消密码后另存再试"
    );
    let bomb = edited(
        "one-form-per-table.docx",
        "<w:body>",
        &format!("<w:body>{}", " ".repeat(3 * 1024 * 1024)),
    );
    let opts = declform::ReadOptions {
        max_inflated_bytes: 2 * 1024 * 1024,
        ..Default::default()
    };
    let e = declform::read(bomb, "bomb.docx", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    assert!(
        e.to_string()
            .starts_with("bomb.docx: 文档解压后超过 2 MiB（至少 4 MiB）"),
        "{e}"
    );
}
