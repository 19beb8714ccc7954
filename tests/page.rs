//! The offline page (web/): built by `bash web/build.sh`, opened from `file://` in headless
//! Chromium (driven by playwright-core, web/test/page.mjs) with every network request
//! blocked and counted, fed the samples and a broken file. What it shows and downloads must
//! be what the command line gives for the same files.
//!
//! Needs node, npm and Debian's chromium; `.ci/run` installs them. Where they are missing
//! the test says so and passes, except under CI (`CI` set), where it fails.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_page_reads_checks_and_merges_like_the_command_line_and_sends_nothing() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        ("node", have("node")),
        ("npm", have("npm")),
        ("chromium", Path::new(&chromium).exists()),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        let why = format!(
            "the page test needs {} (apt-get install -y nodejs npm chromium)",
            missing.join(", ")
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
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
    let out = Command::new("node")
        .arg(root.join("web/test/page.mjs"))
        .arg(&page)
        .arg(d)
        .args(names)
        .current_dir(d)
        .env("CHROMIUM", &chromium)
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

    // The status says 完成 and names the file that failed, in the command line's words.
    let status = seen["status"].as_str().unwrap();
    assert!(status.starts_with("完成：4 个文件，共 10 张表"), "{status}");
    assert!(status.contains("无法读取 1 个文件：损坏.xlsx"), "{status}");
    let cli = declform(d, &["convert", "损坏.xlsx"]);
    let files = seen["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    assert_eq!(files[3][0], "损坏.xlsx");
    assert_eq!(files[3][1].as_str().unwrap(), stderr(&cli).trim_end());
    assert!(files[0][1].as_str().unwrap().starts_with("5 张表："));

    // The findings table is `declform check` of the readable files, row for row.
    let check = declform(d, &["check", names[0], names[1], names[2]]);
    let want: Vec<String> = String::from_utf8(check.stdout)
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
    assert_eq!(got.len(), 7);
    assert_eq!(
        seen["errorRows"], 0,
        "the 错误 filter shows only errors, and there are none"
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
}
