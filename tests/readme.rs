//! The documents' examples are real: every ```console block of README.md and
//! docs/使用说明.md is run, command by command, with the real binary, and what it prints
//! must be what the document shows, word for word; the `declform` commands of the ```sh
//! blocks are run and must succeed; every relative link and image points to a file that
//! exists.
//!
//! A console block is lines `$ declform …` (a shell command line: patterns, pipes and
//! `# comments` as in sh), each followed by the lines it prints, stdout and stderr together
//! in the order written (both go to one file, as on a terminal). A document's commands run
//! one after another, in the order they appear, in one temporary folder that holds a copy
//! of `samples/`, so that a later example can use what an earlier one wrote. The exit code
//! must be 0, 1 or 2 (never a crash); what it means is each command's own and shown in
//! its output.

use std::path::{Path, PathBuf};
#[cfg(unix)]
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One command of a document and what it must print.
#[derive(Debug)]
struct Example {
    /// The line in the document (1-based), for messages.
    line: usize,
    /// The command line without the leading `$ `.
    command: String,
    /// The expected output lines; `None` for an ```sh command, which must only succeed.
    expected: Option<Vec<String>>,
}

/// The fenced blocks of a markdown text: (language, first line number of the body, body).
fn blocks(text: &str) -> Vec<(String, usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, Vec<String>)> = None;
    for (i, line) in text.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match open.take() {
            None if fence => {
                let lang = line.trim_start().trim_start_matches('`').trim().to_string();
                open = Some((lang, i + 2, Vec::new()));
            }
            None => {}
            Some(block) if fence => out.push(block),
            Some(mut block) => {
                block.2.push(line.to_string());
                open = Some(block);
            }
        }
    }
    assert!(open.is_none(), "an unclosed code block");
    out
}

/// The examples of a document, in order.
fn examples(text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    for (lang, first, body) in blocks(text) {
        match lang.as_str() {
            "console" => {
                for (j, line) in body.iter().enumerate() {
                    if let Some(command) = line.strip_prefix("$ ") {
                        assert!(
                            command.starts_with("declform "),
                            "line {}: a console example runs declform: {line}",
                            first + j
                        );
                        out.push(Example {
                            line: first + j,
                            command: command.to_string(),
                            expected: Some(Vec::new()),
                        });
                    } else {
                        let last = out.last_mut().and_then(|e| e.expected.as_mut());
                        let Some(expected) = last else {
                            panic!("line {}: output before any command: {line}", first + j);
                        };
                        expected.push(line.clone());
                    }
                }
            }
            "sh" => {
                for (j, line) in body.iter().enumerate() {
                    // `cargo run --release --` stands for declform (README, Set-up).
                    let line = line.trim();
                    let command = match line.strip_prefix("cargo run --release -- ") {
                        Some(rest) => format!("declform {rest}"),
                        None => line.to_string(),
                    };
                    if command.starts_with("declform ") {
                        out.push(Example {
                            line: first + j,
                            command,
                            expected: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(unix)]
/// Copies a folder recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[cfg(unix)]
/// Runs a command line in `dir` with sh, declform on the PATH; gives the exit code and
/// what it printed, stdout and stderr together.
fn run(dir: &Path, command: &str) -> (Option<i32>, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_declform"));
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let log = dir.join(".output");
    let file = std::fs::File::create(&log).unwrap();
    let status = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        // Patterns expand in byte order whatever the machine's locale.
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    let printed = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).unwrap();
    (status.code(), printed)
}

/// Runs every example of a document; returns how many were compared and how many only run.
#[cfg(unix)]
fn check_document(name: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(root().join(name)).unwrap();
    let examples = examples(&text);
    assert!(!examples.is_empty(), "{name} has no examples");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("samples"), &dir.path().join("samples"));
    let mut failures = Vec::new();
    let (mut compared, mut run_only) = (0, 0);
    for example in &examples {
        let (code, printed) = run(dir.path(), &example.command);
        let place = format!("{name}:{}: $ {}", example.line, example.command);
        match &example.expected {
            Some(expected) => {
                compared += 1;
                let want: String = expected.iter().map(|l| format!("{l}\n")).collect();
                if printed != want {
                    failures.push(format!(
                        "{place}\n--- the document shows:\n{want}--- the command printed:\n{printed}"
                    ));
                }
                if !matches!(code, Some(0..=2)) {
                    failures.push(format!("{place}\nexit code {code:?}\n{printed}"));
                }
            }
            None => {
                run_only += 1;
                if code != Some(0) {
                    failures.push(format!("{place}\nexit code {code:?}:\n{printed}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples differ:\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
    (compared, run_only)
}

#[test]
#[cfg(unix)] // the examples are sh command lines
fn readme_examples_print_what_the_readme_shows() {
    let (compared, run_only) = check_document("README.md");
    assert!(compared >= 15, "{compared} console examples");
    assert!(run_only >= 1, "{run_only} sh examples");
}

#[test]
#[cfg(unix)] // the examples are sh command lines
fn guide_examples_print_what_the_guide_shows() {
    let (compared, _) = check_document("docs/使用说明.md");
    assert!(compared >= 10, "{compared} console examples");
}

/// The relative link targets of a markdown text (links and images), outside code.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        // Inline code spans are text, not links.
        let prose: String = line
            .split('`')
            .enumerate()
            .filter(|(k, _)| k % 2 == 0)
            .map(|(_, part)| part)
            .collect::<Vec<_>>()
            .join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            let target = rest[..end].trim();
            let target = target.split_whitespace().next().unwrap_or("");
            let target = target.trim_start_matches('<').trim_end_matches('>');
            let target = target.split('#').next().unwrap_or("");
            let external = target.contains("://") || target.starts_with("mailto:");
            if !target.is_empty() && !external {
                out.push((i + 1, target.to_string()));
            }
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_and_image_points_to_a_file() {
    let mut missing = Vec::new();
    let mut seen = 0;
    for name in ["README.md", "docs/使用说明.md", "samples/README.md"] {
        let path = root().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let dir = path.parent().unwrap();
        for (line, target) in link_targets(&text) {
            seen += 1;
            if !dir.join(&target).exists() {
                missing.push(format!("{name}:{line}: {target}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "links to nothing:\n{}",
        missing.join("\n")
    );
    assert!(seen >= 10, "{seen} links");
}

#[test]
fn the_guide_is_linked_from_the_top_of_the_readme() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let top: Vec<&str> = readme.lines().take(5).collect();
    assert!(
        top.iter().any(|l| l.contains("(docs/使用说明.md)")),
        "{top:?}"
    );
}

#[test]
fn the_parser_finds_commands_outputs_and_links() {
    let text = "x\n```console\n$ declform a  # c\none\ntwo\n$ declform b\n```\n```sh\ncargo run --release -- c d\ncargo test\n```\n[a](b.md) ![i](docs/x.png \"t\") [w](https://x) `[c](d)` [s](#top)\n";
    let ex = examples(text);
    assert_eq!(ex.len(), 3);
    assert_eq!(ex[0].command, "declform a  # c");
    assert_eq!(ex[0].line, 3);
    assert_eq!(
        ex[0].expected.as_deref(),
        Some(&["one".to_string(), "two".to_string()][..])
    );
    assert_eq!(ex[1].expected.as_deref(), Some(&[][..]));
    assert_eq!(ex[2].command, "declform c d");
    assert!(ex[2].expected.is_none());
    let links: Vec<String> = link_targets(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(links, ["b.md", "docs/x.png"]);
}

/// The library's documentation examples name the files they include by the crate's folder:
/// rustdoc compiles all examples as one program (in a temporary folder) only when every one
/// of them compiles there, and a path relative to the source file (`../samples/…`) made the
/// 170 examples compile one by one, 40 to 85 seconds instead of 2.
#[test]
fn doc_examples_include_files_by_the_crate_folder() {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut relative = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let doc = line.trim_start().starts_with("///") || line.trim_start().starts_with("//!");
            if doc && (line.contains("include_bytes!(\"") || line.contains("include_str!(\"")) {
                relative.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(
        relative.is_empty(),
        "use include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/…\")) in: {relative:?}"
    );
}
