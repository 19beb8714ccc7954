//! Hostile and broken input: each gets its own clear message naming the file (and the cell
//! where there is one), exit code 1, and no output. Inputs are made here, except the
//! encrypted workbook, committed in tests/fixtures/hostile/ (made with msoffcrypto-tool).

mod common;
use common::*;
use declform::ErrorKind;
use declform::ReadOptions;
use declform::read as read_bytes;
use std::path::Path;

fn sample_bytes() -> Vec<u8> {
    std::fs::read(root().join("samples/办公室.xlsx")).unwrap()
}

/// Rewrites one part of a zip archive.
fn with_part(bytes: &[u8], part: &str, edit: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    rewrite_zip(
        bytes,
        |name, data| if name == part { edit(data) } else { data },
    )
}

/// Runs `convert FILE -o out.json` and returns the one line it prints.
fn convert_fails(dir: &Path, name: &str, bytes: &[u8], extra: &[&str]) -> String {
    std::fs::write(dir.join(name), bytes).unwrap();
    let mut args = vec!["convert", name, "-o", "out.json"];
    args.extend(extra);
    let started = std::time::Instant::now();
    let out = declform(dir, &args);
    // A hang detector, not a benchmark: hostile input must not keep a clerk waiting.
    assert!(
        started.elapsed().as_secs() < 30,
        "{name} took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
    assert!(!dir.join("out.json").exists(), "{name} left an output");
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{name}: {err}");
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
    err.trim_end().to_string()
}

const NOT_A_WORKBOOK: &str = "不是 Excel 或 WPS 表格文件（支持 .xlsx .xlsm .xlsb .xls .ods）；请确认文件没有损坏、扩展名正确";

#[test]
fn files_that_are_not_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    for (name, bytes) in [
        ("text.xlsx", &b"project,amount\n1,2\n"[..]),
        ("image.xlsx", &png[..]),
        ("empty.xlsx", &b""[..]),
        ("notes.ods", &b"hello"[..]),
    ] {
        assert_eq!(
            convert_fails(dir.path(), name, bytes, &[]),
            format!("错误：{name}: {NOT_A_WORKBOOK}")
        );
    }
}

#[test]
fn a_truncated_zip_is_corrupt() {
    let bytes = sample_bytes();
    let cut = &bytes[..bytes.len() / 2];
    let e = read_bytes(cut.to_vec(), "cut.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    let dir = tempfile::tempdir().unwrap();
    let line = convert_fails(dir.path(), "cut.xlsx", cut, &[]);
    assert!(
        line.starts_with("错误：cut.xlsx: 工作簿已损坏，无法打开（"),
        "{line}"
    );
    assert!(
        line.ends_with("；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试"),
        "{line}"
    );
}

#[test]
fn malformed_sheet_xml_names_the_sheet() {
    let bytes = with_part(&sample_bytes(), "xl/worksheets/sheet1.xml", |xml| {
        // Cut off in the middle of a cell, inside an attribute value.
        let text = String::from_utf8(xml).unwrap();
        let at = text.find("<c r=\"C6\"").unwrap() + 8;
        text[..at].to_string().into_bytes()
    });
    let e = read_bytes(bytes.clone(), "bad.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert_eq!(e.sheet(), Some("政府购买服务人员专项经费"));
    let dir = tempfile::tempdir().unwrap();
    let line = convert_fails(dir.path(), "bad.xlsx", &bytes, &[]);
    assert!(
        line.starts_with("错误：bad.xlsx!政府购买服务人员专项经费: 工作表无法读取（"),
        "{line}"
    );
}

#[test]
fn an_encrypted_workbook_says_so() {
    let bytes = std::fs::read(root().join("tests/fixtures/hostile/encrypted.xlsx")).unwrap();
    let e = read_bytes(bytes.clone(), "locked.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Encrypted);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        convert_fails(dir.path(), "locked.xlsx", &bytes, &[]),
        "错误：locked.xlsx: 工作簿设有打开密码，无法读取；请在 Excel 或 WPS 中取消密码后另存再试"
    );
}

/// A workbook whose first sheet part inflates to `mib` MiB of white space (a few KiB zipped).
fn bomb(mib: usize) -> Vec<u8> {
    with_part(&sample_bytes(), "xl/worksheets/sheet1.xml", |xml| {
        let text = String::from_utf8(xml).unwrap();
        let padding = " ".repeat(mib * 1024 * 1024);
        text.replacen("<sheetData>", &format!("<sheetData>{padding}"), 1)
            .into_bytes()
    })
}

#[test]
fn a_zip_bomb_is_refused_before_parsing_and_the_limit_can_be_raised() {
    let bytes = bomb(3);
    assert!(
        bytes.len() < 100 * 1024,
        "the bomb is small on disk: {}",
        bytes.len()
    );
    let opts = ReadOptions {
        max_inflated_bytes: 2 * 1024 * 1024,
        ..ReadOptions::default()
    };
    let e = read_bytes(bytes.clone(), "bomb.xlsx", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        convert_fails(dir.path(), "bomb.xlsx", &bytes, &["--max-inflated-mb", "2"]),
        "错误：bomb.xlsx: 工作簿解压后超过 2 MiB（至少 4 MiB），可能是压缩炸弹，已拒绝；确属正常文件时可用 --max-inflated-mb 提高上限"
    );
    // Raised, the same file reads.
    let out = declform(
        dir.path(),
        &["convert", "bomb.xlsx", "--max-inflated-mb", "8"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn sizes_the_archive_lies_about_are_caught_when_inflating() {
    // Declare 1 byte for every part in the central directory; the real sizes are larger.
    // The declared total passes the limit, and the zip reader stops each part at its
    // declared size, so the bomb never inflates.
    let mut bytes = bomb(3);
    let mut i = 0;
    while let Some(pos) = bytes[i..].windows(4).position(|w| w == b"PK\x01\x02") {
        let at = i + pos;
        bytes[at + 24..at + 28].copy_from_slice(&1u32.to_le_bytes());
        i = at + 4;
    }
    let opts = ReadOptions {
        max_inflated_bytes: 2 * 1024 * 1024,
        ..ReadOptions::default()
    };
    let e = read_bytes(bytes, "liar.xlsx", &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
    assert!(
        e.to_string()
            .starts_with("liar.xlsx: 工作簿已损坏，无法打开（"),
        "{e}"
    );
}

#[test]
fn an_amount_beyond_a_decimal_is_named() {
    let mut wb = editable_workbook(
        &declform::write_workbook(&seed().forms[..1], None).unwrap(),
        0,
    );
    wb.worksheet_from_index(0)
        .unwrap()
        .write_number(5, 2, 1e30)
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        convert_fails(dir.path(), "big.xlsx", &bytes, &[]),
        "错误：big.xlsx!村(居)委专职调解岗位工作津贴!C6 项目资金总额: 1000000000000000000000000000000 超出可处理的金额范围"
    );
}

#[test]
fn a_csv_that_is_not_utf8_and_json_with_wrong_types() {
    let dir = tempfile::tempdir().unwrap();
    // 项目名称 in GBK, as Excel's plain "CSV" would save it on a Chinese Windows.
    let gbk = b"\xcf\xee\xc4\xbf\xc3\xfb\xb3\xc6,x\n";
    assert_eq!(
        convert_fails(dir.path(), "gbk.csv", gbk, &[]),
        "错误：gbk.csv: 不是 UTF-8 编码的 CSV（第 1 个字节处）；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再试"
    );
    assert_eq!(
        convert_fails(dir.path(), "types.json", br#"{"forms": {"a": 1}}"#, &[]),
        "错误：types.json forms: 类型不对：map, expected a sequence"
    );
}

#[test]
fn failed_writes_leave_nothing_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/seed-forms-2024.json");
    let input = input.to_str().unwrap();
    // A full disk.
    for to in ["xlsx", "csv", "json"] {
        let out = declform(
            dir.path(),
            &["convert", input, "-o", "/dev/full", "--to", to],
        );
        assert_eq!(out.status.code(), Some(1), "{to}");
        assert_eq!(
            stderr(&out),
            "错误：/dev/full: 无法写出：磁盘已满\n",
            "{to}"
        );
    }
    // A folder files cannot be created in (/proc refuses even root, unlike chmod 555).
    let out = declform(
        dir.path(),
        &["convert", input, "-o", "/proc/declform-out.xlsx"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "错误：/proc/declform-out.xlsx: 无法写出：所在文件夹不存在或不能在其中创建文件\n"
    );
    let out = declform(dir.path(), &["template", "-o", "/dev/full"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing left behind"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_declform"))
        .args([
            "convert",
            root().join("samples/人民调解科.xlsx").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as `| head` does
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn an_ods_sheet_with_a_far_cell_reads_like_its_xlsx() {
    // LibreOffice's copy of a sample with a stray cell at XFD1048576. calamine's ODS reader
    // built a dense range and refused it; the streaming ODS reader keeps only the cells
    // present (peak RSS 6 MB, README "Limits and guarantees").
    let bytes = std::fs::read(root().join("tests/fixtures/hostile/far-cell.ods")).unwrap();
    let read = read_bytes(bytes, "far.ods", &ReadOptions::default()).unwrap();
    let want = read_path(&root().join("samples/办公室.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(without_source(read.forms), without_source(want.forms));
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b'x'; 2 * 1024 * 1024 + 1];
    assert_eq!(
        convert_fails(dir.path(), "big.xlsx", &big, &["--max-file-mb", "2"]),
        "错误：big.xlsx: 文件大小 3 MiB，超过上限 2 MiB；确属正常文件时可用 --max-file-mb 提高上限"
    );
}

#[test]
fn malformed_xls_containers_are_refused_before_calamine() {
    // Both found by `cargo fuzz run read_bytes`: one made calamine slice out of range, the
    // other (a looped sector chain, 8 KB) made it allocate until the machine ran out.
    let dir = tempfile::tempdir().unwrap();
    for (name, detail) in [
        (
            "calamine-cfb-panic.xls",
            "Malformed FAT (FAT has 16 entries, but file has only 14 sectors)",
        ),
        (
            "calamine-cfb-loop.xls",
            "Malformed FAT (FAT has 128 entries, but file has only 15 sectors)",
        ),
    ] {
        let bytes = std::fs::read(root().join("tests/fixtures/hostile").join(name)).unwrap();
        let e = read_bytes(bytes.clone(), name, &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupt);
        // The library's English detail stays in the cause; the message says it in Chinese.
        let cause = std::error::Error::source(&e).map(|c| c.to_string());
        assert_eq!(cause.as_deref(), Some(detail));
        assert_eq!(
            convert_fails(dir.path(), name, &bytes, &[]),
            format!(
                "错误：{name}: 工作簿已损坏，无法打开（文件容器结构有误）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试"
            )
        );
    }
}

#[test]
fn an_xls_cell_past_column_256_is_refused_before_calamine_allocates() {
    // Found by `cargo fuzz run read_bytes`: a cell record at column 65,535 made calamine ask
    // for a 137 GB dense range when opening the file, which aborts the process.
    let bytes = std::fs::read(root().join("tests/fixtures/hostile/calamine-xls-wide.xls")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        convert_fails(dir.path(), "wide.xls", &bytes, &[]),
        "错误：wide.xls: 工作簿已损坏：有单元格位于第 65535 列，超出 .xls 格式的 256 列；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试"
    );
    // Also found by cargo fuzz: a sheet's DIMENSIONS record with 32-bit rows, from which
    // calamine reserves rows × columns cells before reading any.
    let bytes =
        std::fs::read(root().join("tests/fixtures/hostile/calamine-xls-dimensions.xls")).unwrap();
    assert_eq!(
        convert_fails(dir.path(), "dims.xls", &bytes, &[]),
        "错误：dims.xls: 工作簿已损坏：工作表声明的范围（第 2 至 808464402 行，共 48 列）超出 .xls 格式的 65536 行 × 256 列；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试"
    );
}

/// Runs the binary with stdout and stderr sent to the given files.
fn run_to(dir: &Path, args: &[&str], stdout: &str, stderr_to: &str) -> std::process::ExitStatus {
    std::process::Command::new(env!("CARGO_BIN_EXE_declform"))
        .current_dir(dir)
        .args(args)
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open(stdout)
                .unwrap(),
        )
        .stderr(
            std::fs::OpenOptions::new()
                .write(true)
                .open(stderr_to)
                .unwrap(),
        )
        .status()
        .unwrap()
}

#[test]
fn messages_to_a_full_stream_never_panic_and_the_own_output_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = root().join("samples/办公室.xlsx").display().to_string();
    // Messages that cannot be written are dropped; the merge is still written.
    let status = run_to(
        d,
        &["merge", &sample, "-o", "m.xlsx"],
        "/dev/null",
        "/dev/full",
    );
    assert_eq!(status.code(), Some(0));
    assert!(d.join("m.xlsx").exists());
    // The command's own output cannot be written: exit 1, whatever happens to the message.
    for args in [vec!["convert", &sample], vec!["check", &sample]] {
        let status = run_to(d, &args, "/dev/full", "/dev/null");
        assert_eq!(status.code(), Some(1), "{args:?}");
        let status = run_to(d, &args, "/dev/full", "/dev/full");
        assert_eq!(status.code(), Some(1), "{args:?} with stderr full too");
    }
    let out = declform(d, &["convert", &sample, "-o", "/dev/full", "--to", "json"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn dash_means_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = root().join("samples/办公室.xlsx").display().to_string();
    let out = declform(d, &["convert", &sample, "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = declform::read(out.stdout, "stdout.json", &Default::default()).unwrap();
    assert_eq!(doc.forms.len(), 2);
    let out = declform(d, &["convert", &sample, "-o", "-", "--to", "csv"]);
    assert!(out.stdout.starts_with("\u{feff}年度,项目名称".as_bytes()));
    let out = declform(d, &["template", "-o", "-"]);
    assert!(out.stdout.starts_with(b"PK"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(!d.join("-").exists(), "a file named - was written");
}

#[test]
fn broken_csv_is_refused_with_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = Vec::new();
    write_csv(&seed().forms[..2], &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    // An unclosed quote in the third row swallows the rest of the file into one cell.
    let mut unclosed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    unclosed[2] = unclosed[2].replacen(',', ",\"", 1);
    let unclosed = unclosed.join("\n");
    // A file cut off in the middle of its last row.
    let body: Vec<&str> = text.trim_end().split('\n').collect();
    let last = body[body.len() - 1]
        .split(',')
        .take(3)
        .collect::<Vec<_>>()
        .join(",");
    let cut = format!("{}\n{last}", body[..body.len() - 1].join("\n"));
    // A row shorter than the header.
    let mut short: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    short[4] = short[4].split(',').take(5).collect::<Vec<_>>().join(",");
    let short = short.join("\n");
    let rows = text.trim_end().split('\n').count();
    for (name, body, row, columns) in [
        ("unclosed.csv", unclosed.as_str(), 3, None),
        ("cut.csv", cut.as_str(), rows, Some(3)),
        ("short.csv", short.as_str(), 5, Some(5)),
    ] {
        let err = convert_fails(d, name, body.as_bytes(), &[]);
        assert!(
            err.starts_with(&format!("错误：{name} 第{row}行: 这一行")),
            "{err}"
        );
        if let Some(n) = columns {
            assert!(
                err.contains(&format!("这一行有 {n} 列，表头有 24 列")),
                "{err}"
            );
        }
    }
}

#[test]
fn ambiguous_text_amounts_are_refused_with_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    for (text, ok) in [
        ("1.234,56", false),
        ("12,34", false),
        ("1,2,3.4", false),
        ("2,646,000.00", true),
    ] {
        let mut wb = editable_workbook(&bytes, 0);
        wb.worksheet_from_index(0)
            .unwrap()
            .write_string(5, 2, text)
            .unwrap();
        let edited = wb.save_to_buffer().unwrap();
        if ok {
            let read = declform::read(edited, "a.xlsx", &Default::default()).unwrap();
            assert_eq!(read.forms[0].funds.total.unwrap().to_string(), "2646000.00");
        } else {
            let err = convert_fails(dir.path(), "a.xlsx", &edited, &[]);
            assert_eq!(
                err,
                format!(
                    "错误：a.xlsx!村(居)委专职调解岗位工作津贴!C6 项目资金总额: \"{text}\" 不是金额；请填写数字，如 2646000.00"
                )
            );
        }
    }
}

#[test]
fn dates_outside_1900_to_9999_are_refused_with_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (serial, text) in [
        (Some(2_958_466.0), ""),
        (Some(-1.0), ""),
        (None, "1899-12-31"),
    ] {
        let mut wb = editable_workbook(&bytes, 0);
        let ws = wb.worksheet_from_index(0).unwrap();
        match serial {
            Some(n) => ws.write_number_with_format(4, 1, n, &date).unwrap(),
            None => ws.write_string(4, 1, text).unwrap(),
        };
        let err = convert_fails(dir.path(), "d.xlsx", &wb.save_to_buffer().unwrap(), &[]);
        assert!(
            err.starts_with("错误：d.xlsx!村(居)委专职调解岗位工作津贴!B5 计划开始日期: "),
            "{err}"
        );
        assert!(
            err.ends_with("不是有效日期；请写成 2024-01-01 这样的日期"),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn pipes_in_folders_are_skipped_and_devices_read_only_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/a.xlsx")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(d.join("in/p.xlsx"))
        .status()
        .unwrap();
    assert!(fifo.success());
    for cmd in ["merge", "check"] {
        let mut args = vec![cmd, "in"];
        if cmd == "merge" {
            args.extend(["-o", "m.xlsx"]);
        }
        let started = std::time::Instant::now();
        let out = declform(d, &args);
        assert!(started.elapsed().as_secs() < 30, "{cmd} hung on a pipe");
        assert!(
            stderr(&out).contains("提示：in/p.xlsx: 不是普通文件，已跳过"),
            "{cmd}: {}",
            stderr(&out)
        );
    }
    assert!(d.join("m.xlsx").exists());
    let out = declform(d, &["convert", "/dev/zero", "--max-file-mb", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        "错误：/dev/zero: 输入超过上限 2 MiB（不是普通文件，读到上限为止）；确属正常文件时可用 --max-file-mb 提高上限"
    );
}

#[test]
fn extra_cannot_corrupt_a_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (key, why) in [
        (
            "项目名称",
            "是申报表自身的栏目名称，写入后会被当作该栏目读取；请改用其他名称",
        ),
        (
            "项目资金总额",
            "是申报表自身的栏目名称，写入后会被当作该栏目读取；请改用其他名称",
        ),
        (
            "一级指标",
            "是申报表自身的栏目名称，写入后会被当作该栏目读取；请改用其他名称",
        ),
        (
            "",
            "其他信息中有一项没有名称（空的键）；请为它填写名称，如“联系电话”",
        ),
    ] {
        let mut form = seed().forms[0].clone();
        form.extra.insert(key.into(), "某值".into());
        let json = declform::to_json(&[form]);
        let name = "extra.json";
        std::fs::write(d.join(name), json).unwrap();
        for out in ["x.xlsx", "m.xlsx"] {
            let args: Vec<&str> = if out == "m.xlsx" {
                vec!["merge", name, "-o", out]
            } else {
                vec!["convert", name, "-o", out]
            };
            let o = declform(d, &args);
            assert_eq!(o.status.code(), Some(1), "{key:?}: {}", stderr(&o));
            assert_eq!(
                stderr(&o).lines().last().unwrap(),
                format!(
                    "错误：{name} 第1张表「村(居)委专职调解岗位工作津贴」其他信息“{key}”: {why}"
                )
            );
            assert!(!d.join(out).exists());
        }
    }
    // A flat CSV with two columns of one header is refused.
    let mut csv = Vec::new();
    write_csv(&seed().forms[..1], &mut csv).unwrap();
    let text = String::from_utf8(csv)
        .unwrap()
        .replacen("项目类别", "项目名称", 1);
    assert_eq!(
        convert_fails(d, "dup.csv", text.as_bytes(), &[]),
        "错误：dup.csv 表头“项目名称”: 第2列和第3列的表头相同，无法确定用哪一列；请删除或改名其中一列"
    );
}

#[test]
fn a_text_longer_than_a_cell_is_named_and_skipped_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut form = seed().forms[0].clone();
    form.overall_goal = "很".repeat(40_000);
    std::fs::write(d.join("long.json"), declform::to_json(&[form])).unwrap();
    let o = declform(d, &["convert", "long.json", "-o", "x.xlsx"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim_end(),
        "错误：long.json 第1张表「村(居)委专职调解岗位工作津贴」项目总目标: 内容有 40000 个字符，超过单元格上限 32767 个字符；请精简后再试"
    );
    assert!(!d.join("x.xlsx").exists());
    let sample = root().join("samples/办公室.xlsx").display().to_string();
    let o = declform(
        d,
        &[
            "merge",
            "--keep-going",
            &sample,
            "long.json",
            "-o",
            "m.xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "long.json 第3张表「村(居)委专职调解岗位工作津贴」项目总目标: 跳过（内容有 40000 个字符"
        ),
        "{}",
        stderr(&o)
    );
    let merged = read_path(&d.join("m.xlsx"), &Default::default()).unwrap();
    assert_eq!(merged.forms.len(), 2);
}

#[test]
fn check_reports_a_negative_amount() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut form = seed().forms[0].clone();
    form.funds.total_other = Some("-1.00".parse().unwrap());
    form.funds.total_fiscal = Some("2646001.00".parse().unwrap());
    std::fs::write(d.join("neg.json"), declform::to_json(&[form])).unwrap();
    let o = declform(d, &["check", "neg.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().lines().next().unwrap(),
        "neg.json「村(居)委专职调解岗位工作津贴」: 错误 [金额非负] 其他资金 -1.00 是负数；金额不能小于 0"
    );
}

#[cfg(unix)]
#[test]
fn an_interrupted_merge_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    let sample = std::fs::read(root().join("samples/人民调解科.xlsx")).unwrap();
    for i in 0..400 {
        std::fs::write(d.join(format!("in/{i:03}.xlsx")), &sample).unwrap();
    }
    std::fs::create_dir(d.join("out")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_declform"))
        .current_dir(d)
        .args(["merge", "in", "-o", "out/m.xlsx", "--quiet"])
        .stderr(std::fs::File::create(d.join("stderr.txt")).unwrap())
        .spawn()
        .unwrap();
    // Wait for the output's temporary file, then interrupt the run while it is written.
    let started = std::time::Instant::now();
    let partial = loop {
        let found = std::fs::read_dir(d.join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(".declform-"));
        if found.is_some() || started.elapsed().as_secs() > 120 {
            break found;
        }
        if child.try_wait().unwrap().is_some() {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    assert!(
        partial.is_some(),
        "the run ended before its output was being written"
    );
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let err = std::fs::read_to_string(d.join("stderr.txt")).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    let left: Vec<String> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(err.contains("已中断；未写出任何文件"), "{err}");
}

#[cfg(unix)]
#[test]
fn keep_going_skips_an_unreadable_subfolder_and_links_are_followed_alike() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["in/ok", "in/locked", "elsewhere"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in/ok/a.xlsx")).unwrap();
    std::fs::copy(
        root().join("samples/社区矫正中心.xlsx"),
        d.join("elsewhere/b.xlsx"),
    )
    .unwrap();
    std::fs::copy(
        root().join("samples/人民调解科.xlsx"),
        d.join("in/locked/c.xlsx"),
    )
    .unwrap();
    std::fs::copy(
        root().join("samples/社区矫正中心.xlsx"),
        d.join("other.xlsx"),
    )
    .unwrap();
    // A linked folder and a linked file are both read; a link back up is a loop, read once;
    // a link to a file read already is read once too.
    symlink(d.join("elsewhere"), d.join("in/linked")).unwrap();
    symlink(d.join("other.xlsx"), d.join("in/ok/b-link.xlsx")).unwrap();
    symlink(d.join("elsewhere/b.xlsx"), d.join("in/ok/b-again.xlsx")).unwrap();
    symlink(d.join("in"), d.join("in/ok/loop")).unwrap();
    std::fs::set_permissions(d.join("in/locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let locked_readable = std::fs::read_dir(d.join("in/locked")).is_ok(); // root reads anyway
    let o = declform(d, &["merge", "in", "--dry-run", "--keep-going"]);
    let listing = String::from_utf8(o.stdout.clone()).unwrap();
    std::fs::set_permissions(d.join("in/locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(listing.contains("in/linked/b.xlsx: 3 张表"), "{listing}");
    assert!(listing.contains("in/ok/b-link.xlsx: 3 张表"), "{listing}");
    assert!(!listing.contains("b-again"), "{listing}");
    assert!(
        stderr(&o)
            .contains("提示：in/ok/b-again.xlsx: 与 in/linked/b.xlsx 是同一个文件，只读取一次"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("in/ok/loop: 与已读取的文件夹相同（链接），已跳过"),
        "{}",
        stderr(&o)
    );
    // A folder deeper than the system's path limit (4,096 bytes) cannot be listed, even by root.
    let long = "长".repeat(80);
    let mkdeep = std::process::Command::new("sh")
        .arg("-c")
        .arg({
            // Each step stays under the limit; the whole path from `in` does not.
            let eight = [long.as_str(); 8].join("/");
            let ten = [long.as_str(); 10].join("/");
            format!("cd in && mkdir -p {eight} && cd {eight} && mkdir -p {ten}")
        })
        .current_dir(d)
        .status()
        .unwrap();
    assert!(mkdeep.success());
    let o = declform(d, &["merge", "in", "--dry-run", "--keep-going"]);
    assert!(
        stderr(&o).contains("路径过长或文件名无效，系统无法打开；请移到层级较浅的文件夹或改短名称"),
        "{}",
        stderr(&o)
    );
    assert!(
        String::from_utf8(o.stdout)
            .unwrap()
            .contains("in/ok/a.xlsx: 2 张表")
    );
    let o = declform(d, &["merge", "in", "--dry-run"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "without --keep-going the deep folder stops the run"
    );
    if locked_readable {
        eprintln!(
            "running as root: an unreadable folder cannot be made here; that part is not checked"
        );
    } else {
        assert!(
            stderr(&o).contains("跳过：in/locked: 没有权限读写该文件"),
            "{}",
            stderr(&o)
        );
        assert!(!listing.contains("c.xlsx"));
    }
}

#[cfg(unix)]
#[test]
fn a_full_disk_during_a_merge_says_so_in_chinese_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    let sample = std::fs::read(root().join("samples/人民调解科.xlsx")).unwrap();
    for i in 0..30 {
        std::fs::write(d.join(format!("in/{i}.xlsx")), &sample).unwrap();
    }
    // A workbook name that leads to a full device.
    std::os::unix::fs::symlink("/dev/full", d.join("full.xlsx")).unwrap();
    let o = declform(d, &["merge", "in", "--quiet", "-o", "full.xlsx"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(
        err.lines().last(),
        Some("错误：full.xlsx: 无法写出：磁盘已满"),
        "{err}"
    );
    assert!(!err.contains("ZipWriter"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_shown_the_same_way_everywhere() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    let good = std::ffi::OsStr::from_bytes(b"\xff\xe5\x8a\x9e.xlsx");
    let bad = std::ffi::OsStr::from_bytes(b"bad\xfe.xlsx");
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("in").join(good)).unwrap();
    std::fs::write(d.join("in").join(bad), "不是工作簿").unwrap();
    let o = declform(
        d,
        &["merge", "in", "--keep-going", "--quiet", "-o", "m.xlsx"],
    );
    assert_eq!(o.status.code(), Some(1));
    // Both names show U+FFFD for the bytes that are not UTF-8: in messages and in the summary.
    assert!(
        stderr(&o).contains("in/bad\u{fffd}.xlsx: 跳过（不是 Excel"),
        "{}",
        stderr(&o)
    );
    let sheets = sheets(&d.join("m.xlsx"));
    let summary = &sheets[0].1;
    let header = summary
        .cells
        .iter()
        .find(|(_, v)| **v == calamine::Data::String("来源文件".into()))
        .map(|(k, _)| k.trim_end_matches(char::is_numeric).to_string())
        .unwrap();
    // Under the title, unit and header rows: the first form's row is 4; the summary names a
    // file relative to the folder all merged files lie in (here `in/`).
    assert_eq!(summary.text(&format!("{header}4")), "\u{fffd}办.xlsx");
}

/// Every XML part of the zip `bytes` parses (quick-xml) and holds only characters that XML
/// 1.0 allows (quick-xml does not check them; LibreOffice and openpyxl refuse the file).
fn assert_well_formed(bytes: &[u8], what: &str) {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        parts += 1;
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let bad = text.chars().find(|&c| {
            !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        });
        assert_eq!(bad, None, "{what}: {name}");
        let mut reader = quick_xml::Reader::from_str(&text);
        reader.config_mut().check_end_names = true;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{what}: {name}: {e}"),
            }
        }
    }
    assert!(parts > 3, "{what}: {parts} XML parts");
}

#[test]
fn characters_xml_does_not_allow_are_refused_with_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // U+FFFF planted in a shared string: calamine reads it raw.
    let xlsx = with_part(&sample_bytes(), "xl/sharedStrings.xml", |data| {
        String::from_utf8(data)
            .unwrap()
            .replace(
                "政府购买服务人员专项经费<",
                "政府购买服务人员专项经费\u{FFFF}<",
            )
            .into_bytes()
    });
    std::fs::write(d.join("坏字符.xlsx"), &xlsx).unwrap();
    let out = declform(d, &["merge", "坏字符.xlsx", "-o", "合并.xlsx"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "错误：坏字符.xlsx!政府购买服务人员专项经费!B3: 含有工作簿中不允许的字符 U+FFFF（XML 1.0 不允许），写出后工作簿将无法打开；请在单元格中删去该字符后再试\n"
    );
    assert!(!d.join("合并.xlsx").exists());
    let out = declform(d, &["convert", "坏字符.xlsx", "-o", "转换.xlsx"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "错误：坏字符.xlsx!政府购买服务人员专项经费!B3: 含有工作簿中不允许的字符 U+FFFF"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("转换.xlsx").exists());

    // JSON carries any character: the writers refuse it, naming form and field, and
    // `merge --keep-going` skips that file and writes a workbook that opens.
    let mut doc = seed();
    doc.forms.truncate(2);
    doc.forms[1].project_name.push('\u{FFFE}');
    doc.forms[0].indicators[0]
        .extra
        .insert("备注".into(), "a\u{1}b".into());
    let bad = serde_json::to_string(&doc).unwrap();
    std::fs::write(d.join("坏.json"), bad).unwrap();
    let out = declform(d, &["convert", "坏.json", "-o", "坏.xlsx"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "错误：坏.json 第1张表「{}」绩效指标第1行“备注”: 含有工作簿中不允许的字符 U+0001（XML 1.0 不允许），写出后工作簿将无法打开；请删去该字符后再试\n",
            doc.forms[0].project_name
        )
    );
    assert!(!d.join("坏.xlsx").exists());
    // The diff report workbook carries the project names too: refused alike (diff's exit 2).
    let good = serde_json::to_string(&seed().forms[..2].to_vec()).unwrap();
    std::fs::write(d.join("好.json"), format!("{{\"forms\": {good}}}")).unwrap();
    let out = declform(d, &["diff", "好.json", "坏.json", "-o", "报告.xlsx"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("U+0001"), "{}", stderr(&out));
    assert!(!d.join("报告.xlsx").exists());
    std::fs::copy(root().join("samples/办公室.xlsx"), d.join("办公室.xlsx")).unwrap();
    let out = declform(
        d,
        &[
            "merge",
            "办公室.xlsx",
            "坏.json",
            "坏字符.xlsx",
            "-o",
            "合并.xlsx",
            "--keep-going",
            "--date",
            "2026-01-05",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("坏字符.xlsx!政府购买服务人员专项经费!B3: 跳过此表（含有工作簿中不允许的字符 U+FFFF（XML 1.0 不允许），写出后工作簿将无法打开；请在单元格中删去该字符后再试）"),
        "{err}"
    );
    assert!(
        err.contains("已将 2 个文件中的 3 张表合并到 合并.xlsx（跳过 1 个文件、1 张表）"),
        "{err}"
    );
    assert_well_formed(&std::fs::read(d.join("合并.xlsx")).unwrap(), "merge");

    // The sheet namer never passes such a character on, whatever the caller gives it.
    let out = declform(d, &["template", "-o", "模板.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_well_formed(&std::fs::read(d.join("模板.xlsx")).unwrap(), "template");
}

#[test]
fn values_that_read_like_labels_are_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut form = seed().forms[0].clone();
    form.project_name = "项目名称".into();
    form.implementing_unit = "单位".into();
    form.overall_goal = "项目名称".into();
    form.annual_goal = "年度目标（%）".into();
    let names = [
        "财政拨款（万元）",
        "其他资金",
        "年度目标（%）",
        "单位",
        "项目名称",
    ];
    form.indicators.truncate(10);
    assert_eq!(form.indicators.len(), 10);
    for (i, ind) in form.indicators.iter_mut().enumerate() {
        if let Some(name) = names.get(i / 2) {
            if i % 2 == 0 {
                ind.level3 = (*name).to_string();
            } else {
                ind.target = (*name).to_string();
            }
        }
    }
    let doc = declform::Document { forms: vec![form] };
    std::fs::write(dir.path().join("x.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = declform(dir.path(), &["convert", "x.json", "-o", "x.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = declform(dir.path(), &["convert", "x.xlsx", "-o", "y.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "已将 1 个文件中的 1 张表写入 y.json\n",
        "no notice"
    );
    let back: declform::Document =
        serde_json::from_slice(&std::fs::read(dir.path().join("y.json")).unwrap()).unwrap();
    assert_eq!(without_source(back.forms), without_source(doc.forms));
}

/// The form of `bytes` with the funds label A6 replaced and a unit line put above it, read
/// by the binary: its 项目资金总额, or the one line of the refusal.
fn with_unit(dir: &Path, label: &str, line: Option<&str>) -> Result<String, String> {
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    let mut wb = editable_workbook(&bytes, 1);
    let ws = wb.worksheet_from_index(0).unwrap();
    ws.write_string(6, 0, label).unwrap();
    if let Some(line) = line {
        ws.write_string(0, 0, line).unwrap();
    }
    std::fs::write(dir.join("u.xlsx"), wb.save_to_buffer().unwrap()).unwrap();
    let out = declform(dir, &["convert", "u.xlsx", "-o", "u.json"]);
    if out.status.code() != Some(0) {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        return Err(stderr(&out).trim_end().to_string());
    }
    let doc: declform::Document =
        serde_json::from_slice(&std::fs::read(dir.join("u.json")).unwrap()).unwrap();
    std::fs::remove_file(dir.join("u.json")).unwrap();
    Ok(doc.forms[0].funds.total.unwrap().to_string())
}

#[test]
fn every_amount_unit_is_read_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // 项目资金总额 is 2,646,000 in the cell.
    for (label, line, want) in [
        ("项目资金(元)", None, "2646000.00"),
        ("项目资金（千元）", None, "2646000000.00"),
        ("项目资金(万)", None, "26460000000.00"),
        ("项目资金（人民币万元）", None, "26460000000.00"),
        ("项目资金（百万元）", None, "2646000000000.00"),
        ("项目资金（亿元）", None, "264600000000000.00"),
        ("项目资金", Some("金额单位：千元"), "2646000000.00"),
        (
            "项目资金",
            Some("单位：万元（保留两位小数）"),
            "26460000000.00",
        ),
        ("项目资金", Some("单位：人民币万元"), "26460000000.00"),
        ("项目资金", Some("（亿元）"), "264600000000000.00"),
        ("项目资金", Some("(万)"), "26460000000.00"),
        ("项目资金", Some("金额单位（千元）"), "2646000000.00"),
        ("项目资金（万元）", Some("金额单位：万元"), "26460000000.00"),
        ("项目资金", None, "2646000.00"),
    ] {
        assert_eq!(
            with_unit(dir, label, line).as_deref(),
            Ok(want),
            "{label} {line:?}"
        );
    }
    let sheet = "错误：u.xlsx!村(居)委专职调解岗位工作津贴";
    assert_eq!(
        with_unit(dir, "项目资金", Some("金额单位：美元")),
        Err(format!(
            "{sheet}!A1: “金额单位：美元”中的金额单位“美元”无法识别；请写成 元、千元、万元、百万元 或 亿元"
        ))
    );
    assert_eq!(
        with_unit(dir, "项目资金（十万元）", None),
        Err(format!(
            "{sheet}!A7: “项目资金（十万元）”中的金额单位“十万元”无法识别；请写成 元、千元、万元、百万元 或 亿元"
        ))
    );
    assert_eq!(
        with_unit(dir, "项目资金(元)", Some("金额单位：万元")),
        Err(format!(
            "{sheet}!A7: “项目资金(元)”的金额单位是元，而 A1 的“金额单位：万元”是万元，无法确定金额单位；请改为一致后再试"
        ))
    );
}

#[test]
fn a_unit_note_inside_the_funds_block_counts() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    let with_note = |label: &str, note: &str| {
        let mut wb = editable_workbook(&bytes, 0);
        let ws = wb.worksheet_from_index(0).unwrap();
        ws.write_string(5, 0, label).unwrap();
        // F6, beside 年度资金申请总额's value.
        ws.write_string(5, 5, note).unwrap();
        wb.save_to_buffer().unwrap()
    };
    let read = declform::read(
        with_note("项目资金", "（单位：万元）"),
        "n.xlsx",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        read.forms[0].funds.total.unwrap().to_string(),
        "26460000000.00"
    );
    assert_eq!(
        convert_fails(
            dir.path(),
            "n.xlsx",
            &with_note("项目资金(元)", "（单位：万元）"),
            &[]
        ),
        "错误：n.xlsx!村(居)委专职调解岗位工作津贴!F6: “（单位：万元）”的金额单位是万元，而 A6 的“项目资金(元)”是元，无法确定金额单位；请改为一致后再试"
    );
}

#[test]
fn an_amounts_own_unit_wins_and_is_only_a_suffix() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    for (label, text, want) in [
        ("项目资金（万元）", "100元", Ok("100.00")),
        ("项目资金（万元）", "100", Ok("1000000.00")),
        ("项目资金(元)", "264.6万", Ok("2646000.00")),
        ("项目资金(元)", "264.6万元", Ok("2646000.00")),
        ("项目资金(元)", "3千元", Ok("3000.00")),
        ("项目资金(元)", "1.5亿", Ok("150000000.00")),
        (
            "项目资金(元)",
            "5元6",
            Err(
                "不是金额；单位只能是写在数字之后的 元、千元、万元、百万元 或 亿元，如 100元、264.6万元",
            ),
        ),
        (
            "项目资金(元)",
            "5万6",
            Err(
                "不是金额；单位只能是写在数字之后的 元、千元、万元、百万元 或 亿元，如 100元、264.6万元",
            ),
        ),
        (
            "项目资金(元)",
            "100美元",
            Err(
                "不是金额；单位只能是写在数字之后的 元、千元、万元、百万元 或 亿元，如 100元、264.6万元",
            ),
        ),
    ] {
        let mut wb = editable_workbook(&bytes, 0);
        let ws = wb.worksheet_from_index(0).unwrap();
        ws.write_string(5, 0, label).unwrap();
        ws.write_string(5, 2, text).unwrap();
        let edited = wb.save_to_buffer().unwrap();
        match want {
            Ok(want) => {
                std::fs::write(dir.path().join("o.xlsx"), &edited).unwrap();
                let out = declform(dir.path(), &["convert", "o.xlsx", "-o", "o.json"]);
                assert_eq!(out.status.code(), Some(0), "{text}: {}", stderr(&out));
                let doc: declform::Document =
                    serde_json::from_slice(&std::fs::read(dir.path().join("o.json")).unwrap())
                        .unwrap();
                std::fs::remove_file(dir.path().join("o.json")).unwrap();
                assert_eq!(
                    doc.forms[0].funds.total.unwrap().to_string(),
                    want,
                    "{text}"
                );
            }
            Err(msg) => assert_eq!(
                convert_fails(dir.path(), "o.xlsx", &edited, &[]),
                format!(
                    "错误：o.xlsx!村(居)委专职调解岗位工作津贴!C6 项目资金总额: \"{text}\" {msg}"
                )
            ),
        }
    }
}

#[test]
fn a_number_in_a_date_cell_is_a_date_only_when_it_plausibly_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    let cell = "d.xlsx!村(居)委专职调解岗位工作津贴!B5 计划开始日期";
    let with = |n: f64| {
        let mut wb = editable_workbook(&bytes, 0);
        wb.worksheet_from_index(0)
            .unwrap()
            .write_number(4, 1, n)
            .unwrap();
        wb.save_to_buffer().unwrap()
    };
    // A bare year, a serial before 1990 or after 2100: refused, saying what it would be.
    for (n, as_date) in [
        (2024.0, "1905-07-16"),
        (32873.0, "1989-12-31"),
        (73416.0, "2101-01-01"),
    ] {
        assert_eq!(
            convert_fails(dir.path(), "d.xlsx", &with(n), &[]),
            format!(
                "错误：{cell}: 数字 {n} 不像日期（按日期序号读是 {as_date}）；请写成 2024-01-01 这样的日期"
            )
        );
    }
    // `check` no longer passes such a file.
    std::fs::write(dir.path().join("d.xlsx"), with(2024.0)).unwrap();
    let out = declform(dir.path(), &["check", "d.xlsx"]);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.lines().any(|l| l
            == "d.xlsx!村(居)委专职调解岗位工作津贴!B5: 错误 [文件可读] 计划开始日期: 数字 2024 不像日期（按日期序号读是 1905-07-16）；请写成 2024-01-01 这样的日期"),
        "{all}"
    );
    // A serial in 1990..2100 is that date, with a notice naming the cell.
    for (n, date) in [
        (45292.0, "2024-01-01"),
        (32874.0, "1990-01-01"),
        (73415.0, "2100-12-31"),
    ] {
        std::fs::write(dir.path().join("d.xlsx"), with(n)).unwrap();
        let out = declform(dir.path(), &["convert", "d.xlsx", "-o", "d.json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "提示：{cell}: 数字 {n} 按日期序号读作 {date}；如不对请写成 2024-01-01 这样的日期，或把单元格设为日期格式\n已将 1 个文件中的 1 张表写入 d.json\n"
            )
        );
        let doc: declform::Document =
            serde_json::from_slice(&std::fs::read(dir.path().join("d.json")).unwrap()).unwrap();
        std::fs::remove_file(dir.path().join("d.json")).unwrap();
        assert_eq!(doc.forms[0].start_date.unwrap().to_string(), date);
    }
}

#[test]
fn dates_typed_with_full_width_digits_are_read() {
    // A Chinese input method in full-width mode types ２０２４－０１－０１: read as amounts are.
    let dir = tempfile::tempdir().unwrap();
    let bytes = declform::write_workbook(&seed().forms[..1], None).unwrap();
    for (text, date) in [
        ("２０２４－０３－０１", "2024-03-01"),
        ("２０２４年３月１日", "2024-03-01"),
        ("２０２４／３／１", "2024-03-01"),
        ("２０２４．３．１", "2024-03-01"),
    ] {
        let mut wb = editable_workbook(&bytes, 0);
        wb.worksheet_from_index(0)
            .unwrap()
            .write_string(4, 1, text)
            .unwrap();
        std::fs::write(dir.path().join("d.xlsx"), wb.save_to_buffer().unwrap()).unwrap();
        let out = declform(dir.path(), &["convert", "d.xlsx", "-o", "d.json"]);
        assert_eq!(out.status.code(), Some(0), "{text}: {}", stderr(&out));
        let doc: declform::Document =
            serde_json::from_slice(&std::fs::read(dir.path().join("d.json")).unwrap()).unwrap();
        std::fs::remove_file(dir.path().join("d.json")).unwrap();
        assert_eq!(doc.forms[0].start_date.unwrap().to_string(), date, "{text}");
    }
}

/// File names in GBK (as archives made on a Chinese Windows unpack on Linux) are shown
/// decoded: two such files are told apart in messages and in the summary.
#[cfg(unix)]
#[test]
fn gbk_file_names_are_shown_decoded() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    // 办公室.xlsx and 财务科.xlsx in GBK; the second is not a workbook.
    let office = std::ffi::OsStr::from_bytes(b"\xb0\xec\xb9\xab\xca\xd2.xlsx");
    let finance = std::ffi::OsStr::from_bytes(b"\xb2\xc6\xce\xf1\xbf\xc6.xlsx");
    std::fs::copy(
        root().join("samples/办公室.xlsx"),
        d.join("in").join(office),
    )
    .unwrap();
    std::fs::write(d.join("in").join(finance), "不是工作簿").unwrap();
    let o = declform(
        d,
        &["merge", "in", "--keep-going", "--quiet", "-o", "m.xlsx"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("in/财务科.xlsx: 跳过（不是 Excel"),
        "{}",
        stderr(&o)
    );
    let sheets = sheets(&d.join("m.xlsx"));
    let summary = &sheets[0].1;
    assert!(
        summary
            .cells
            .values()
            .any(|v| *v == calamine::Data::String("办公室.xlsx".into())),
        "the summary names the file decoded"
    );
}

/// Text a merge covers is read (its top-left empty) or reported (both hold text, or merges
/// overlap), never dropped silently (#22 item 8).
#[test]
fn text_in_covered_cells_is_read_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed();
    let name = seed.forms[0].project_name.clone();
    let bytes = declform::write_workbook(&seed.forms[..1], None).unwrap();
    let sheet = "a.xlsx!村(居)委专职调解岗位工作津贴";
    let convert = |bytes: &[u8]| -> (String, declform::Form) {
        std::fs::write(dir.path().join("a.xlsx"), bytes).unwrap();
        let out = declform(dir.path(), &["convert", "a.xlsx", "-o", "a.json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: declform::Document =
            serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
        std::fs::remove_file(dir.path().join("a.json")).unwrap();
        (stderr(&out), doc.forms[0].clone())
    };
    let done = "已将 1 个文件中的 1 张表写入 a.json\n";
    // The workbook with its sheet's merge list edited: `from` replaced by `to`.
    let merges = |from: &str, to: &str| {
        with_part(&bytes, "xl/worksheets/sheet1.xml", |xml| {
            String::from_utf8(xml)
                .unwrap()
                .replace(from, to)
                .into_bytes()
        })
    };
    // The name left in the covered C3 of B3:C3, B3 empty: read, with a notice.
    let mut wb = editable_workbook(&bytes, 0);
    let ws = wb.worksheet_from_index(0).unwrap();
    ws.clear_cell(2, 1);
    ws.write_string(2, 2, &name).unwrap();
    let (err, form) = convert(&wb.save_to_buffer().unwrap());
    assert_eq!(
        err,
        format!(
            "提示：{sheet}!C3: 此单元格被合并区域 B3:C3 覆盖（合并后不显示），而左上角 B3 是空的；其中的文字已作为 B3 的内容读取\n{done}"
        )
    );
    assert_eq!(form.project_name, name);
    // Text in both B3 and the covered C3: the merge is dropped, both cells named.
    let mut wb = editable_workbook(&bytes, 0);
    let ws = wb.worksheet_from_index(0).unwrap();
    ws.write_string(2, 2, "备注").unwrap();
    let (err, form) = convert(&wb.save_to_buffer().unwrap());
    assert_eq!(
        err,
        format!(
            "提示：{sheet}!C3: 合并区域 B3:C3 中 B3、C3 都有文字，而合并后只显示左上角 B3；已忽略此合并，各单元格按各自的内容读取\n{done}"
        )
    );
    assert_eq!(form.project_name, name);
    // A label merged over its value (A3:B3, B3:C3 no longer merged): both read.
    let label_over_value = merges(r#"<mergeCell ref="B3:C3"/>"#, r#"<mergeCell ref="A3:B3"/>"#);
    let (err, form) = convert(&label_over_value);
    assert_eq!(
        err,
        format!(
            "提示：{sheet}!B3: 合并区域 A3:B3 中 A3、B3 都有文字，而合并后只显示左上角 A3；已忽略此合并，各单元格按各自的内容读取\n{done}"
        )
    );
    assert_eq!(form.project_name, name);
    // Overlapping merges: both ranges named.
    let overlapping = merges(
        r#"<mergeCell ref="B3:C3"/>"#,
        r#"<mergeCell ref="B3:C3"/><mergeCell ref="C3:C4"/>"#,
    );
    let (err, form) = convert(&overlapping);
    assert_eq!(
        err,
        format!(
            "提示：{sheet}: 合并区域 B3:C3 与 C3:C4 重叠（文件可能已损坏），重叠处的单元格可能读错；请在 Excel 或 WPS 中取消这些合并后重新合并\n提示：{sheet}: 合并区域 C3:C4 与 B4:C4 重叠（文件可能已损坏），重叠处的单元格可能读错；请在 Excel 或 WPS 中取消这些合并后重新合并\n{done}"
        )
    );
    assert_eq!(form.project_name, name);
    // One merge over the whole sheet: reported, and the form read as its cells hold it.
    let whole = merges(
        r#"<mergeCell ref="A1:E1"/>"#,
        r#"<mergeCell ref="A1:Z200"/><mergeCell ref="A1:E1"/>"#,
    );
    let (err, form) = convert(&whole);
    assert_eq!(
        err,
        format!(
            "提示：{sheet}: 合并区域 A1:Z200 与 A1:E1、A2:E2、B3:C3 等 19 处合并区域重叠（文件可能已损坏），重叠处的单元格可能读错；请在 Excel 或 WPS 中取消这些合并后重新合并\n提示：{sheet}!A3: 合并区域 A1:Z200 中 A1、A3、D3、E3、A4、D4 等 48 个单元格都有文字，而合并后只显示左上角 A1；已忽略此合并，各单元格按各自的内容读取\n{done}"
        )
    );
    assert_eq!(form, convert(&bytes).1);
}

/// An ODS covered cell (`table:covered-table-cell`) holding the text, its top-left empty.
#[test]
fn text_in_an_ods_covered_cell_is_read() {
    let bytes = std::fs::read(root().join("tests/fixtures/producers/gnumeric-odf.ods")).unwrap();
    let name = "村(居)委专职调解岗位工作津贴";
    let edited = with_part(&bytes, "content.xml", |xml| {
        let xml = String::from_utf8(xml).unwrap();
        let from = format!(
            "office:value-type=\"string\"><text:p>{name}</text:p></table:table-cell>\n          <table:covered-table-cell/>"
        );
        assert_eq!(xml.matches(&from).count(), 1);
        xml.replace(
            &from,
            &format!("/>\n          <table:covered-table-cell office:value-type=\"string\"><text:p>{name}</text:p></table:covered-table-cell>"),
        )
        .into_bytes()
    });
    let read = read_bytes(edited, "a.ods", &ReadOptions::default()).unwrap();
    let notices: Vec<String> = read.notices.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notices,
        [format!(
            "a.ods!{name}!C3: 此单元格被合并区域 B3:C3 覆盖（合并后不显示），而左上角 B3 是空的；其中的文字已作为 B3 的内容读取"
        )]
    );
    assert_eq!(read.forms[0].project_name, name);
}
