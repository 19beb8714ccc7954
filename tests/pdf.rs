//! PDF forms as LibreOffice Calc, LibreOffice Writer and Gnumeric print them
//! (tests/fixtures/pdf, made by make_pdfs.sh), read exactly; scans, encrypted PDFs and PDFs
//! without a form refused with messages that say so.

mod common;
use common::*;
use declform::{ErrorKind, Form};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/pdf").join(name)
}

/// The seed form of this project, as the seed JSON holds it.
fn seed_of(form: &Form) -> Form {
    seed()
        .forms
        .into_iter()
        .find(|s| s.project_name == form.project_name)
        .unwrap_or_else(|| panic!("no seed form named {:?}", form.project_name))
}

/// Reads a fixture and checks every form against its seed, field by field; returns the
/// sheets the forms were read from.
fn reads_as_seeds(name: &str, forms: usize) -> Vec<String> {
    let read = read_path(&fixture(name), &Default::default()).unwrap();
    assert_eq!(read.forms.len(), forms, "{name}: number of forms");
    let mut sheets = Vec::new();
    for form in read.forms {
        let source = form.source.clone().unwrap();
        sheets.push(source.place.sheet_name().unwrap().to_string());
        let got = without_source(vec![form]).remove(0);
        let want = seed_of(&got);
        let (g, w) = (
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&want).unwrap(),
        );
        for (key, value) in w.as_object().unwrap() {
            assert_eq!(
                g.get(key),
                Some(value),
                "{name} {:?}: {key}",
                source.place.sheet_name()
            );
        }
        assert_eq!(got, want, "{name}");
    }
    sheets
}

#[test]
fn calc_prints_three_forms_on_three_pages_that_read_exactly() {
    // Amounts print as 513,172.00, dates as 2024-01-01.
    assert_eq!(reads_as_seeds("calc.pdf", 3), ["第1页", "第2页", "第3页"]);
}

#[test]
fn gnumeric_print_reads_exactly() {
    assert_eq!(reads_as_seeds("gnumeric.pdf", 2), ["第1页", "第2页"]);
}

#[test]
fn writer_print_of_a_word_document_reads_exactly() {
    // Dates print as 2024-01-01 0:00:00, amounts as 2646000.00; long cells wrap.
    assert_eq!(reads_as_seeds("writer.pdf", 5).len(), 5);
}

#[test]
fn a_form_that_runs_onto_the_next_page_reads_exactly_with_a_notice() {
    let sheets = reads_as_seeds("writer-pages.pdf", 2);
    assert_eq!(sheets, ["第1-2页", "第3-4页"]);
    let read = read_path(&fixture("writer-pages.pdf"), &Default::default()).unwrap();
    let notices: Vec<String> = read
        .notices
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n.location().sheet_name().unwrap_or(""),
                n.message()
            )
        })
        .collect();
    assert_eq!(
        notices,
        [
            "第1-2页: 表格跨页，2 个单元格在换页处被分开，已按跨行的合并单元格接续读取（据表格线推断）",
            "第3-4页: 表格跨页，1 个单元格在换页处被分开，已按跨行的合并单元格接续读取（据表格线推断）",
        ]
    );
}

fn error_of(name: &str) -> declform::Error {
    let bytes = std::fs::read(fixture(name)).unwrap();
    declform::read(bytes, name, &Default::default()).unwrap_err()
}

#[test]
fn a_scan_is_refused_as_a_scan() {
    let e = error_of("scan.pdf");
    assert_eq!(e.kind(), ErrorKind::NoForm);
    assert_eq!(
        e.to_string(),
        "scan.pdf: 这是扫描件（页面是图片，没有文字），无法读取；请使用申报表的 Excel 或 Word 原文件"
    );
}

#[test]
fn an_encrypted_pdf_is_refused_as_encrypted() {
    let e = error_of("encrypted.pdf");
    assert_eq!(e.kind(), ErrorKind::Encrypted);
    assert_eq!(
        e.to_string(),
        "encrypted.pdf: PDF 文件设有打开密码，无法读取；请使用未加密的 PDF，或申报表的 Excel 或 Word 原文件"
    );
}

#[test]
fn a_pdf_without_a_form_says_so() {
    let e = error_of("noform.pdf");
    assert_eq!(e.kind(), ErrorKind::NoForm);
    assert_eq!(
        e.to_string(),
        "noform.pdf: PDF 中没有找到申报表：没有“项目名称”标签下方带“一级指标/二级指标/三级指标”表头的表格"
    );
}

#[test]
fn damaged_pdfs_are_errors_not_panics() {
    let bytes = std::fs::read(fixture("calc.pdf")).unwrap();
    for cut in [16, 1000, bytes.len() / 2, bytes.len() - 200] {
        let e = declform::read(bytes[..cut].to_vec(), "cut.pdf", &Default::default());
        // A cut file may still read where its damage spares the pages; never a panic.
        if let Err(e) = e {
            assert!(
                matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::NoForm),
                "{cut}: {e}"
            );
            assert!(e.to_string().starts_with("cut.pdf: "), "{e}");
        }
    }
    let e =
        declform::read(b"%PDF-1.7\n garbage".to_vec(), "x.pdf", &Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(e.to_string().contains("PDF 文件已损坏"), "{e}");
}

#[test]
fn convert_writes_a_pdfs_forms_as_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("calc.pdf"), dir.path().join("社区矫正中心.pdf")).unwrap();
    let out = declform(dir.path(), &["convert", "社区矫正中心.pdf", "-o", "x.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let forms = read_forms(&dir.path().join("x.json"));
    assert_eq!(forms.len(), 3);
    for f in &forms {
        assert_eq!(*f, seed_of(f));
    }
}

#[test]
fn a_folder_of_pdf_and_xlsx_merges_into_one_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("各部门");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::copy(fixture("calc.pdf"), inputs.join("社区矫正中心.pdf")).unwrap();
    std::fs::copy(fixture("writer.pdf"), inputs.join("人民调解科.pdf")).unwrap();
    std::fs::copy(
        root().join("samples/办公室.xlsx"),
        inputs.join("办公室.xlsx"),
    )
    .unwrap();
    let out = declform(dir.path(), &["merge", "各部门", "-o", "汇总.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut got = read_forms(&dir.path().join("汇总.xlsx"));
    let mut want = seed().forms;
    got.sort_by(|a, b| a.project_name.cmp(&b.project_name));
    want.sort_by(|a, b| a.project_name.cmp(&b.project_name));
    assert_eq!(got, want);
}

#[test]
fn a_scan_exits_1_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("scan.pdf"), dir.path().join("扫描.pdf")).unwrap();
    let out = declform(dir.path(), &["convert", "扫描.pdf", "-o", "x.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("扫描.pdf: 这是扫描件"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("x.json").exists());
}

#[test]
fn a_form_xobject_that_draws_itself_is_refused_not_a_stack_overflow() {
    let e = error_of("loop.pdf");
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert_eq!(
        e.to_string(),
        "loop.pdf: PDF 文件已损坏或无法解析（页面内容循环引用自身）；请使用申报表的 Excel 或 Word 原文件"
    );
}

#[test]
fn a_bad_value_is_located_by_page_and_cell() {
    let e = error_of("bad-amount.pdf");
    assert_eq!(e.kind(), ErrorKind::BadAmount);
    assert_eq!(
        e.to_string(),
        "bad-amount.pdf!第3页!C6 项目资金总额: \"五十七万六千\" 不是金额；请填写数字，如 2646000.00"
    );
    // With skip_bad_forms the other two forms are read.
    let bytes = std::fs::read(fixture("bad-amount.pdf")).unwrap();
    let opts = declform::ReadOptions {
        skip_bad_forms: true,
        ..Default::default()
    };
    let read = declform::read(bytes, "bad-amount.pdf", &opts).unwrap();
    assert_eq!((read.forms.len(), read.skipped.len()), (2, 1));
}

/// Reads a fixture and the JSON it was printed from; both hold one form.
fn pdf_and_source(pdf: &str, json: &str) -> (Form, Form) {
    let read = read_path(&fixture(pdf), &Default::default()).unwrap();
    let source = read_path(&fixture(json), &Default::default()).unwrap();
    let mut forms = without_source(read.forms);
    let mut want = without_source(source.forms);
    assert_eq!((forms.len(), want.len()), (1, 1), "{pdf}");
    (forms.remove(0), want.remove(0))
}

#[test]
fn a_form_whose_merged_label_prints_on_the_second_page_keeps_every_indicator() {
    // Calc prints 绩效指标 (the merged label of the indicator block) centred on the whole
    // block: on page 2 here, its top part on page 1 empty and without a bottom rule.
    let (got, want) = pdf_and_source("long.pdf", "long.json");
    assert_eq!(got.indicators.len(), 42);
    assert_eq!(got, want);
}

#[test]
fn a_label_drawn_again_above_the_next_pages_table_makes_no_row() {
    // The label prints on page 1 and again, clipped, above page 2's table: no invented
    // empty indicator there.
    let (got, want) = pdf_and_source("mid.pdf", "mid.json");
    assert_eq!(got.indicators.len(), 30);
    assert_eq!(got, want);
}

#[test]
fn a_landscape_print_whose_indicator_cells_split_at_the_break_reads_exactly() {
    // The merged 效益指标 cell's top part is one row on page 1, without a bottom rule.
    assert_eq!(reads_as_seeds("landscape.pdf", 2), ["第1-2页", "第3-4页"]);
}

/// A one-page PDF whose page content is `content`, Flate-compressed when `deflate`.
fn one_page_pdf(content: &[u8], deflate: bool) -> Vec<u8> {
    use std::io::Write;
    let (body, filter) = if deflate {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(content).unwrap();
        (e.finish().unwrap(), " /Filter /FlateDecode")
    } else {
        (content.to_vec(), "")
    };
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        [
            format!("<< /Length {}{filter} >>\nstream\n", body.len()).into_bytes(),
            body,
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(o);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn refusal(bytes: Vec<u8>, opts: &declform::ReadOptions) -> declform::Error {
    let e = declform::read(bytes, "x.pdf", opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
    e
}

#[test]
fn crafted_pdfs_that_would_take_gigabytes_or_minutes_are_refused_quickly() {
    // The frame of the test works: a page with one rule is read (it has no text).
    let ok = one_page_pdf(b"0 0 m 100 0 l S", false);
    let e = declform::read(ok, "x.pdf", &Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoForm, "{e}");
    // Graphics states nested 1,500 deep.
    let deep = [
        b"q ".repeat(1500),
        b"0 0 m 100 0 l S ".to_vec(),
        b"Q ".repeat(1500),
    ]
    .concat();
    let e = refusal(one_page_pdf(&deep, false), &Default::default());
    assert_eq!(
        e.to_string(),
        "x.pdf: PDF 内容过于复杂（第1页图形状态嵌套超过 1000 层），不像是打印的申报表；请使用申报表的 Excel 或 Word 原文件"
    );
    // 60,000 line segments: 300,000 operators, compressed into a few kilobytes.
    let lines = b"0 0 m 100 0 l S\n".repeat(60_000);
    let e = refusal(one_page_pdf(&lines, true), &Default::default());
    assert!(
        e.to_string()
            .contains("PDF 内容过于复杂（第1页绘制指令超过 200000 个"),
        "{e}"
    );
    // A page content that inflates beyond the limit of the options, as a zip's would.
    let opts = declform::ReadOptions {
        max_inflated_bytes: 1 << 20,
        ..Default::default()
    };
    let e = refusal(one_page_pdf(&vec![b' '; 2 << 20], true), &opts);
    assert_eq!(
        e.to_string(),
        "x.pdf: PDF 解压后超过 1 MiB 的上限；请使用申报表的 Excel 或 Word 原文件"
    );
}

#[test]
fn a_title_printed_at_the_bottom_of_the_previous_page_keeps_its_year() {
    // Page 1 ends with the second form's title and year lines; its table is on page 2.
    let pdf = read_path(&fixture("title-at-bottom.pdf"), &Default::default()).unwrap();
    let docx = read_path(&fixture("title-at-bottom.docx"), &Default::default()).unwrap();
    let years: Vec<Option<i32>> = pdf.forms.iter().map(|f| f.year).collect();
    assert_eq!(years, [Some(2024), Some(2024)]);
    assert_eq!(without_source(pdf.forms), without_source(docx.forms));
}

#[test]
fn extra_indicator_columns_keep_their_places_across_a_page_break() {
    // Page 2 of a form lacks a column rule that page 1 has (指标值 spans two columns above):
    // 权重 must not get 指标值设定依据's text.
    let pdf = read_path(&fixture("extra-columns.pdf"), &Default::default()).unwrap();
    let json = read_path(&fixture("extra-columns.json"), &Default::default()).unwrap();
    let counts: Vec<usize> = pdf.forms.iter().map(|f| f.indicators.len()).collect();
    assert_eq!(counts, [12, 10, 13]);
    assert_eq!(without_source(pdf.forms), without_source(json.forms));
}
