//! LibreOffice re-saves our workbooks as .ods and .xls; they must read back exactly.
//! `.ci/run` installs LibreOffice (libreoffice-calc-nogui), so these run in CI; without
//! `soffice` on PATH they say so and are skipped, except under CI (`CI` set), where they
//! fail.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn soffice_convert(input: &Path, to: &str, outdir: &Path) -> std::path::PathBuf {
    let profile = outdir.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .expect("soffice (LibreOffice) must be installed for the interop tests: apt-get install -y libreoffice-calc-nogui");
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stem = input.file_stem().unwrap().to_str().unwrap();
    let ext = to.split(':').next().unwrap();
    let out = outdir.join(format!("{stem}.{ext}"));
    assert!(out.exists(), "soffice wrote no {}", out.display());
    out
}

#[test]
fn seed_forms_survive_libreoffice_ods_and_xls() {
    if !LIBREOFFICE.met("the interop tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("seed.xlsx");
    let input = root().join("samples/seed-forms-2024.json");
    assert!(
        declform(
            dir.path(),
            &[
                "convert",
                input.to_str().unwrap(),
                "-o",
                xlsx.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let seed = seed().forms;
    for format in ["ods", "xls"] {
        let converted = soffice_convert(&xlsx, format, dir.path());
        let forms = read_forms(&converted);
        assert_eq!(forms.len(), seed.len(), "{format}");
        for (got, want) in forms.iter().zip(&seed) {
            assert_eq!(got, want, "{format}: {}", want.project_name);
        }
        // ... and through the binary, back to the official grid.
        let again = dir.path().join(format!("again-{format}.xlsx"));
        let out = declform(
            dir.path(),
            &[
                "convert",
                converted.to_str().unwrap(),
                "-o",
                again.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(read_forms(&again), seed);
    }
}

#[test]
fn libreoffice_renders_the_workbook_to_pdf() {
    if !LIBREOFFICE.met("the interop tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("t.xlsx");
    assert!(
        declform(
            dir.path(),
            &["template", "-o", xlsx.to_str().unwrap(), "--year", "2025"]
        )
        .status
        .success()
    );
    let pdf = soffice_convert(&xlsx, "pdf", dir.path());
    let bytes = std::fs::read(pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    // Two A4 portrait pages: three empty rows under each 二级指标 take a second page
    // (tests/print.rs measures the pages).
    assert_eq!(pdf_pages(&bytes), 2, "two pages");
}

/// The number of page objects (`/Type /Page`, not `/Pages`) in a PDF.
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    text.match_indices("/Type/Page")
        .filter(|(i, m)| text.as_bytes().get(i + m.len()) != Some(&b's'))
        .count()
}

#[test]
fn the_csv_opens_in_libreoffice_with_correct_chinese() {
    if !LIBREOFFICE.met("the interop tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    assert!(
        declform(
            dir.path(),
            &["convert", input.to_str().unwrap(), "-o", "flat.csv"]
        )
        .status
        .success()
    );
    // UTF-8 (76), comma and double quote, formulas not evaluated: targets such as
    // `=721.00(平方米)` begin with `=` and would otherwise be taken for formulas.
    let profile = dir.path().join("lo-profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--infilter=CSV:44,34,76,1,,0,false,false,false,false,false,-1,false",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(dir.path().join("flat.csv"))
        .output()
        .expect("soffice (LibreOffice) must be installed for the interop tests");
    assert!(out.status.success());
    assert_eq!(read_forms(&dir.path().join("flat.xlsx")), seed().forms);
}

/// Hidden sheets stay hidden through LibreOffice's .ods and .xls, and their forms are read
/// with a notice naming each (xls and ods know no "very hidden": both come back hidden).
#[test]
fn hidden_sheets_through_libreoffice_are_read_with_a_notice() {
    if !LIBREOFFICE.met("the interop tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let xlsx = d.join("h.xlsx");
    std::fs::write(&xlsx, workbook_with_hidden_sheets()).unwrap();
    let names: Vec<String> = sheets(&xlsx).into_iter().map(|s| s.0).collect();
    for format in ["ods", "xls"] {
        let converted = soffice_convert(&xlsx, format, d);
        let file = converted.file_name().unwrap().to_str().unwrap();
        let out = declform(d, &["check", file]);
        let want: String = names[1..]
            .iter()
            .map(|n| format!("提示：{file}!{n}: 此工作表是隐藏的，其中的申报表已照常读取；如不应上报，请删除该工作表或移出其中的申报表\n"))
            .collect();
        assert!(
            stderr(&out).starts_with(&want),
            "{format}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("检查了 1 个文件中的 3 张表"),
            "{format}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn seed_forms_written_as_docx_survive_libreoffice_writer() {
    if !writer_met("the Word interop test") {
        return;
    }
    // declform's .docx opened and saved again by LibreOffice Writer still reads as the
    // seed forms.
    let dir = tempfile::tempdir().unwrap();
    let seed = seed().forms;
    let docx = dir.path().join("forms.docx");
    std::fs::write(&docx, declform::write_docx(&seed, None).unwrap()).unwrap();
    let out = dir.path().join("re");
    std::fs::create_dir(&out).unwrap();
    let resaved = soffice_convert(&docx, "docx:MS Word 2007 XML", &out);
    assert_ne!(
        std::fs::read(&resaved).unwrap(),
        std::fs::read(&docx).unwrap()
    );
    let read = read_path(&resaved, &Default::default()).unwrap();
    assert_eq!(without_source(read.forms), seed);
}

#[test]
fn seeds_printed_to_pdf_from_our_workbook_and_word_document_read_back_exactly() {
    // seeds → xlsx → PDF (Calc) → model and seeds → docx → PDF (Writer) → model, exact; and
    // a folder of the .pdf, .docx and .xlsx merges into one workbook.
    if !writer_met("the PDF round trip") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    let seeds = without_source(seed().forms);
    for ext in ["xlsx", "docx"] {
        let written = dir.path().join(format!("seeds-{ext}.{ext}"));
        let out = declform(
            dir.path(),
            &[
                "convert",
                input.to_str().unwrap(),
                "-o",
                written.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let pdf = soffice_convert(&written, "pdf", dir.path());
        let read = read_path(&pdf, &Default::default()).unwrap();
        assert_eq!(without_source(read.forms), seeds, "{ext} → PDF");
    }
    let folder = dir.path().join("mix");
    std::fs::create_dir(&folder).unwrap();
    for (from, to) in [
        (dir.path().join("seeds-xlsx.pdf"), "a.pdf"),
        (dir.path().join("seeds-docx.docx"), "b.docx"),
        (root().join("samples/办公室.xlsx"), "c.xlsx"),
    ] {
        std::fs::copy(from, folder.join(to)).unwrap();
    }
    let out = declform(dir.path(), &["merge", "mix", "-o", "m.xlsx"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = read_path(&dir.path().join("m.xlsx"), &Default::default()).unwrap();
    let office = read_path(&root().join("samples/办公室.xlsx"), &Default::default()).unwrap();
    assert_eq!(merged.forms.len(), 20 + office.forms.len());
}
