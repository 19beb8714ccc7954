//! The offline page (web/): built by `bash web/build.sh`, opened from `file://` in headless
//! Chromium (driven by playwright-core, web/test/page.mjs) with every network request
//! blocked and counted, fed the samples and a broken file. What it shows and downloads must
//! be what the command line gives for the same files.
//!
//! Needs node, npm, python3 and Debian's chromium (page.mjs starts /usr/bin/chromium, or
//! the browser that `CHROMIUM` names); `.ci/run` installs them. Where they are missing the
//! test says so and passes, except under CI (`CI` set), where it fails.

mod common;
use common::*;
use std::process::Command;

#[test]
fn the_page_reads_checks_and_merges_like_the_command_line_and_sends_nothing() {
    let needs = Needs {
        programs: &["node", "npm", "chromium", "python3"],
        fonts: &[],
        packages: "nodejs npm chromium python3",
    };
    if !needs.met("the page test") {
        return;
    }
    let root = root();
    // A target folder of its own: the build runs while `cargo test` may hold the main one.
    let build = Command::new("bash")
        .arg(root.join("web/build.sh"))
        .env("CARGO_TARGET_DIR", root.join("target/page-build"))
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "web/build.sh failed: {}",
        stderr(&build)
    );
    let page = root.join("target/web/declform.html");
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(
        size < 3 * 1024 * 1024,
        "the page is {size} bytes, over 3 MiB"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("connect-src 'none'"),
        "the page's CSP allows connections"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "the page loads something from the network"
    );

    let modules = root.join("web/test/node_modules/playwright-core");
    if !modules.exists() {
        let npm = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root.join("web/test"))
            .output()
            .unwrap();
        assert!(npm.status.success(), "npm ci failed: {}", stderr(&npm));
    }

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = [
        "人民调解科.xlsx",
        "社区矫正中心.xlsx",
        "办公室.xlsx",
        "损坏.xlsx",
    ];
    for name in &names[..3] {
        std::fs::copy(root.join("samples").join(name), d.join(name)).unwrap();
    }
    std::fs::write(d.join("损坏.xlsx"), "这不是工作簿").unwrap();
    // Then twelve files at once (copies of a sample): the file list folds.
    let many: Vec<String> = (1..=12).map(|i| format!("第{i:02}份.xlsx")).collect();
    for name in &many {
        std::fs::copy(root.join("samples/办公室.xlsx"), d.join(name)).unwrap();
    }
    let out = Command::new("node")
        .arg(root.join("web/test/page.mjs"))
        .arg(&page)
        .arg(d)
        .args(names)
        .arg("--")
        .args(&many)
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success(), "page.mjs failed: {}", stderr(&out));
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let _ = std::fs::copy(d.join("page.png"), root.join("target/web/page.png"));

    // Nothing left the page, and nothing went wrong in it.
    assert_eq!(seen["network"], serde_json::json!([]), "network requests");
    assert_eq!(
        seen["consoleErrors"],
        serde_json::json!([]),
        "console errors"
    );

    // The file list gives the broken file's error in the command line's words.
    let cli = declform(d, &["convert", "损坏.xlsx"]);
    let files = seen["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    assert_eq!(files[3][0], "损坏.xlsx");
    assert_eq!(files[3][1].as_str().unwrap(), stderr(&cli).trim_end());
    assert!(files[0][1].as_str().unwrap().starts_with("5 张表："));

    // The findings table is `declform check` of the same files, row for row: the broken
    // file a 错误 [文件可读] with check's message, the 规则 in Chinese with the id as tooltip.
    let check = declform(d, &["check", names[0], names[1], names[2], names[3]]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let want: Vec<String> = String::from_utf8(check.stdout.clone())
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let got: Vec<String> = seen["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}: {} [{}] {}",
                r[2].as_str().unwrap(),
                r[0].as_str().unwrap(),
                r[1].as_str().unwrap(),
                r[3].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 8);
    assert!(
        got[7].starts_with("损坏.xlsx: 错误 [文件可读] 不是 Excel"),
        "{}",
        got[7]
    );
    let ids: Vec<&str> = seen["ruleTitles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for (row, id) in seen["findings"].as_array().unwrap().iter().zip(&ids) {
        let rule = declform::check::Rule::ALL
            .into_iter()
            .find(|r| r.id() == *id)
            .unwrap_or_else(|| panic!("{id} is no rule's id"));
        assert_eq!(row[1], rule.name());
    }
    assert_eq!(ids[7], "unreadable");
    assert_eq!(seen["errorRows"], 1, "the 错误 filter shows only the error");

    // The status and the counts are check's summary line: the unreadable file is one of the
    // errors.
    let status = seen["status"].as_str().unwrap();
    let summary = stderr(&check);
    let summary = summary.lines().last().unwrap();
    assert_eq!(summary, "检查了 4 个文件中的 10 张表：1 个错误，7 个警告");
    assert!(status.starts_with(&format!("完成：{summary}")), "{status}");
    assert!(
        status.contains("其中 1 个文件无法读取：损坏.xlsx"),
        "{status}"
    );
    // 文件, 申报表, 错误, 警告, 无法读取.
    assert_eq!(seen["counts"], serde_json::json!([4, 10, 1, 7, 1]));

    // The engine check runs before the page starts: this Chromium has what the module needs;
    // one without bulk memory, or without WebAssembly at all, is told which browsers work.
    let engine = &seen["engine"];
    assert_eq!(engine["real"], serde_json::Value::Null, "{engine}");
    assert_eq!(engine["unsupported"], serde_json::Value::Null, "{engine}");
    let no_bulk = engine["noBulkMemory"].as_str().unwrap();
    assert!(
        no_bulk.contains("缺少批量内存操作（bulk-memory）。")
            && no_bulk.contains("需要 Chrome 75、Edge 79")
            && no_bulk.contains("极速模式"),
        "{no_bulk}"
    );
    assert!(
        engine["throwing"]
            .as_str()
            .unwrap()
            .contains("可变全局变量（mutable-globals）、符号扩展"),
        "{engine}"
    );
    // The worker's own gzip decoder (engines without DecompressionStream) gives zlib's bytes.
    assert_eq!(seen["gunzip"], true);
    // The worker reads files in groups, and a file that cannot be read is reported alone.
    assert_eq!(
        seen["groupRead"],
        serde_json::json!({
            "sizes": [16, 16, 8],
            "same": true,
            "broken": ["", "文件1", "文件2文件2", "error: gone"],
        })
    );

    // Twelve files: the downloads stay above the findings and the folded file list.
    let many_seen = &seen["many"];
    assert_eq!(many_seen["counts"], serde_json::json!([12, 24, 0, 24, 0]));
    assert_eq!(many_seen["open"], false, "{many_seen}");
    assert_eq!(many_seen["rows"], 12);
    assert!(
        many_seen["summary"]
            .as_str()
            .unwrap()
            .starts_with("共 12 个文件，24 张申报表"),
        "{many_seen}"
    );
    // The same forms twelve times: the 警告 `declform merge` prints of them, the first five
    // and how many there are (none for the samples and the broken file).
    assert_eq!(seen["duplicates"]["hidden"], true, "{}", seen["duplicates"]);
    let mut args = vec!["merge", "--keep-going", "-o", "dups.xlsx"];
    args.extend(many.iter().map(String::as_str));
    let out = declform(d, &args);
    let warned: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with("警告：疑似重复"))
        .map(String::from)
        .collect();
    assert_eq!(warned.len(), 22, "{}", stderr(&out));
    let mut shown: Vec<String> = warned[..5].to_vec();
    shown.push("……共 22 处；合并工作簿“汇总”的备注列逐一标出".into());
    assert_eq!(many_seen["duplicates"]["hidden"], false);
    assert_eq!(many_seen["duplicates"]["items"], serde_json::json!(shown));
    assert!(
        many_seen["status"]
            .as_str()
            .unwrap()
            .contains("疑似重复 22 张表"),
        "{many_seen}"
    );
    let top = |key: &str| many_seen[key].as_f64().unwrap();
    assert!(
        top("mergedTop") < top("findingsTop") && top("findingsTop") < top("filesTop"),
        "{many_seen}"
    );
    assert!(
        top("mergedTop") < 900.0,
        "the merge button is off the first screen"
    );

    // The merged workbook is the command's, byte for byte.
    let mut args = vec!["merge", "--keep-going", "--quiet"];
    args.extend(names);
    args.extend(["-o", "cli.xlsx"]);
    let merge = declform(d, &args);
    assert_eq!(merge.status.code(), Some(1), "{}", stderr(&merge));
    assert_eq!(seen["merged.xlsx"], "合并结果.xlsx");
    assert!(
        std::fs::read(d.join("merged.xlsx")).unwrap() == std::fs::read(d.join("cli.xlsx")).unwrap(),
        "the page's merged workbook differs from declform merge's"
    );
    // The flat CSV too; and the 2026 template reads as a blank 2026 form.
    let convert = declform(
        d,
        &["convert", names[0], names[1], names[2], "-o", "cli.csv"],
    );
    assert!(convert.status.success(), "{}", stderr(&convert));
    assert!(
        std::fs::read(d.join("flat.csv")).unwrap() == std::fs::read(d.join("cli.csv")).unwrap()
    );
    let template = read_path(&d.join("template.xlsx"), &Default::default()).unwrap();
    assert_eq!(template.forms.len(), 1);
    assert_eq!(template.forms[0].project_nature, None);
    // Nine 二级指标 of the skeleton, three empty rows each.
    assert_eq!(template.forms[0].indicators.len(), 27);

    // The split grid: its template and a file laid out again are the command's.
    assert_eq!(
        seen["template-split.xlsx"],
        "申报表模板（一体化拆分版）.xlsx"
    );
    let year = template.forms[0].year.unwrap().to_string();
    let cli = declform(
        d,
        &[
            "template",
            "--layout",
            "split",
            "--year",
            &year,
            "-o",
            "cli-t.xlsx",
        ],
    );
    assert!(cli.status.success(), "{}", stderr(&cli));
    assert!(
        std::fs::read(d.join("template-split.xlsx")).unwrap()
            == std::fs::read(d.join("cli-t.xlsx")).unwrap(),
        "the page's split template differs from declform template --layout split"
    );
    let first = names[0].rsplit_once('.').unwrap().0;
    assert_eq!(
        seen["relaid-split.xlsx"],
        format!("{first}（一体化拆分版式）.xlsx")
    );
    let cli = declform(
        d,
        &["convert", names[0], "--layout", "split", "-o", "cli-s.xlsx"],
    );
    assert!(cli.status.success(), "{}", stderr(&cli));
    assert!(
        std::fs::read(d.join("relaid-split.xlsx")).unwrap()
            == std::fs::read(d.join("cli-s.xlsx")).unwrap(),
        "the page's split workbook differs from declform convert --layout split"
    );
}
