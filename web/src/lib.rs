//! declform in the browser: the library compiled to WebAssembly for the offline page
//! (`bash web/build.sh` writes `target/web/declform.html`).
//!
//! A [`Session`] holds the files a clerk dropped onto the page, read in order, and gives
//! what the command line gives for them: each file's forms or its error in the command
//! line's words, the findings of `check`, and the merged workbook (as `declform merge
//! --keep-going` makes it: same bytes for the same files), the flat table, the JSON, a file
//! re-laid in an official grid, and blank templates. It holds no files and starts no
//! threads; the page runs it in a Web Worker.

use declform::check::{Finding, Severity};
use declform::{Error, ErrorKind, Form, LayoutKind, Location, Read, Source};
use serde::Serialize;
use std::ops::Range;
use wasm_bindgen::prelude::*;

/// Talc instead of the standard library's dlmalloc in the browser: merging allocates many
/// small strings, and talc does so faster (measured in node on the page's module: merging
/// 1,000 forms about 8% faster, reading the same; README, Performance). Single-threaded,
/// as the page's worker is.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The files read so far, in the order they were added.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Session {
    files: Vec<Entry>,
    /// The forms of the readable files, in order, named as `declform merge` names them.
    forms: Vec<Form>,
}

#[derive(Debug)]
struct Entry {
    name: String,
    result: Result<Read, Error>,
    /// Its forms in the session's `forms`.
    forms: Range<usize>,
}

/// What the page shows of one file.
#[derive(Debug, Serialize)]
struct FileView<'a> {
    name: &'a str,
    ok: bool,
    /// The error in the command line's words (`错误：…`), when the file could not be read.
    error: Option<String>,
    forms: Vec<FormView<'a>>,
    notices: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FormView<'a> {
    project_name: &'a str,
    department: &'a str,
    sheet: Option<&'a str>,
    indicators: usize,
}

/// One finding as the page's table shows it: the columns of `declform check`'s line
/// (`place: severity [rule] message`), with the rule's id for the tooltip.
#[derive(Debug, Serialize)]
struct FindingView {
    severity: String,
    /// The rule's Chinese name, as `check` prints it.
    rule: &'static str,
    /// Its id (`indicators-present`), as `check --format json` gives it.
    rule_id: &'static str,
    place: String,
    message: String,
}

impl From<Finding> for FindingView {
    fn from(f: Finding) -> FindingView {
        // What `check` prints before the colon.
        let place = f.place_text();
        FindingView {
            severity: f.severity.to_string(),
            rule: f.rule.name(),
            rule_id: f.rule.id(),
            place,
            message: f.message,
        }
    }
}

/// What the command line says of a workbook whose parser panicked (the reader's guard
/// turns such a panic into this error; in the page the panic traps the instance instead,
/// and the worker reports the file with [`Session::add_damaged`]).
const DAMAGED: &str = "工作簿已损坏，无法打开（解析时遇到无法处理的数据）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试";

impl Session {
    /// The forms of a file that could be read; forms without a source (JSON) are named by
    /// their file, as `declform merge` names them.
    fn forms_of(entry: &Entry) -> Vec<Form> {
        let Ok(read) = &entry.result else {
            return Vec::new();
        };
        read.forms
            .iter()
            .map(|form| {
                let mut form = form.clone();
                if form.source.is_none() {
                    form.source = Some(Source::file(entry.name.clone()));
                }
                form
            })
            .collect()
    }

    fn view(entry: &Entry) -> FileView<'_> {
        match &entry.result {
            Ok(read) => FileView {
                name: &entry.name,
                ok: true,
                error: None,
                forms: read
                    .forms
                    .iter()
                    .map(|f| FormView {
                        project_name: &f.project_name,
                        department: &f.department,
                        sheet: f.source.as_ref().and_then(|s| s.place.sheet_name()),
                        indicators: f.indicators.iter().filter(|i| !i.level3.is_empty()).count(),
                    })
                    .collect(),
                notices: read.notices.iter().map(|n| format!("提示：{n}")).collect(),
            },
            Err(e) => FileView {
                name: &entry.name,
                ok: false,
                error: Some(format!("错误：{e}")),
                forms: Vec::new(),
                notices: Vec::new(),
            },
        }
    }

    /// Adds a file read (or not) and returns its view as JSON.
    fn push(&mut self, name: String, result: Result<Read, Error>) -> String {
        let mut entry = Entry {
            name,
            result,
            forms: 0..0,
        };
        let start = self.forms.len();
        self.forms.extend(Session::forms_of(&entry));
        entry.forms = start..self.forms.len();
        let view = serde_json::to_string(&Session::view(&entry)).unwrap_or_default();
        self.files.push(entry);
        view
    }

    /// Forms to write, or the error the command line gives when there are none.
    fn forms_or_error(&self) -> Result<&[Form], JsError> {
        if self.forms.is_empty() {
            return Err(JsError::new("没有可用的申报表：请先添加能读取的文件"));
        }
        Ok(&self.forms)
    }
}

fn js(e: Error) -> JsError {
    JsError::new(&format!("错误：{e}"))
}

#[wasm_bindgen]
impl Session {
    /// An empty session.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Session::default()
    }

    /// Reads one file (any format declform reads, by content) and returns what the page
    /// shows of it, as JSON: `{name, ok, error, forms: [{project_name, department, sheet,
    /// indicators}], notices}`.
    pub fn add(&mut self, name: String, bytes: Vec<u8>) -> String {
        // As `check` and `merge --keep-going`: a bad form is left out alone (a finding of
        // its own), the file's other forms are read.
        let opts = declform::ReadOptions {
            skip_bad_forms: true,
            ..Default::default()
        };
        let result = declform::read(bytes, &name, &opts);
        self.push(name, result)
    }

    /// Records a file whose reading trapped the WebAssembly instance (a panic in a parser)
    /// as the command line reports it, a damaged workbook; returns its view as [`add`]
    /// does.
    ///
    /// [`add`]: Session::add
    pub fn add_damaged(&mut self, name: String) -> String {
        let error = Error::new(ErrorKind::Corrupt, Location::file(name.clone()), DAMAGED);
        self.push(name, Err(error))
    }

    /// Forgets every file.
    pub fn clear(&mut self) {
        self.files.clear();
        self.forms.clear();
    }

    /// The findings of `declform check` of the files, in its order (file by file, a file
    /// that could not be read as a 错误 of the rule `unreadable`), and the counts of its
    /// summary line, as JSON: `{findings: [{severity, rule, rule_id, place, message}],
    /// summary: {files, forms, failed: [names], errors, warnings, duplicates: [texts]}}`
    /// (`rule` is the rule's Chinese name, `place` is `file!sheet!cell`; `errors` counts the
    /// unreadable files; `duplicates` are the 警告 `declform merge` prints of forms that look
    /// like the same project twice).
    pub fn report(&self) -> String {
        let mut findings = Vec::new();
        for entry in &self.files {
            match &entry.result {
                Ok(read) => {
                    findings.extend(read.skipped.iter().map(Finding::unreadable));
                    findings.extend(declform::check(&self.forms[entry.forms.clone()]));
                }
                Err(e) => findings.push(Finding::unreadable(e)),
            }
        }
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let rows: Vec<declform::merge::SummaryRow> = self
            .forms
            .iter()
            .map(|f| declform::merge::SummaryRow::of(f, ""))
            .collect();
        let summary = serde_json::json!({
            "duplicates": declform::merge::duplicate_warnings(&rows),
            "files": self.files.len(),
            "forms": self.forms.len(),
            "failed": self.files.iter().filter(|e| e.result.is_err()).map(|e| &e.name).collect::<Vec<_>>(),
            "errors": errors,
            "warnings": findings.len() - errors,
        });
        let views: Vec<FindingView> = findings.into_iter().map(FindingView::from).collect();
        serde_json::json!({ "findings": views, "summary": summary }).to_string()
    }

    /// The merged workbook of every readable file, its summaries dated `date`
    /// (`YYYY-MM-DD`, the page gives today's): the bytes `declform merge --keep-going
    /// --date DATE` writes for the same files (blank forms, such as a template, left out).
    pub fn merged(&self, date: &str) -> Result<Vec<u8>, JsError> {
        let all = self.forms_or_error()?;
        // Copied only when some are left out.
        let forms: std::borrow::Cow<[Form]> = if all.iter().any(Form::is_blank) {
            all.iter().filter(|f| !f.is_blank()).cloned().collect()
        } else {
            all.into()
        };
        if forms.is_empty() {
            return Err(JsError::new("没有可合并的申报表"));
        }
        let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| JsError::new(&format!("“{date}” 不是日期")))?;
        let mut merger = declform::Merger::new().map_err(js)?.dated(date);
        merger.add_all(&forms).map_err(js)?;
        merger.finish().and_then(|mut m| m.to_bytes()).map_err(js)
    }

    /// The flat table (one row per indicator) as CSV.
    pub fn flat_csv(&self) -> Result<Vec<u8>, JsError> {
        Ok(declform::flat_csv(self.forms_or_error()?))
    }

    /// The flat table as an xlsx workbook.
    pub fn flat_xlsx(&self) -> Result<Vec<u8>, JsError> {
        declform::flat_xlsx(self.forms_or_error()?).map_err(js)
    }

    /// The forms as a Word document: each form a table in its official grid, one a page.
    pub fn docx(&self) -> Result<Vec<u8>, JsError> {
        declform::write_docx(self.forms_or_error()?, None).map_err(js)
    }

    /// The forms as the JSON model.
    pub fn json(&self) -> Result<String, JsError> {
        Ok(declform::to_json(self.forms_or_error()?))
    }

    /// The forms of the `index`th file re-laid in an official grid: `"2024"`, `"2026"`, or
    /// `""` for each form's own (2026 where it has 项目性质).
    pub fn workbook(&self, index: usize, layout: &str) -> Result<Vec<u8>, JsError> {
        let entry = self
            .files
            .get(index)
            .ok_or_else(|| JsError::new("没有这个文件"))?;
        let read = entry.result.as_ref().map_err(|e| js(e.clone()))?;
        let layout = parse_layout(layout)?;
        declform::write_workbook(&read.forms, layout).map_err(js)
    }
}

fn parse_layout(layout: &str) -> Result<Option<LayoutKind>, JsError> {
    if layout.is_empty() {
        return Ok(None);
    }
    layout
        .parse::<LayoutKind>()
        .map(Some)
        .map_err(|e| JsError::new(&e))
}

/// A blank official form of a grid (`"2024"` or `"2026"`) for the budget year.
#[wasm_bindgen]
pub fn template(layout: &str, year: i32) -> Result<Vec<u8>, JsError> {
    let layout = parse_layout(layout)?.unwrap_or(LayoutKind::Y2024);
    declform::template(layout, year, false).map_err(js)
}

/// The library's version, shown on the page.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_download_as_a_word_document_that_reads_back() {
        let mut session = Session::new();
        let sample = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/办公室.xlsx"
        ));
        session.add("办公室.xlsx".into(), sample.to_vec());
        let docx = session.docx().unwrap();
        let back = declform::read(docx, "申报表.docx", &Default::default()).unwrap();
        let read = declform::read(sample.to_vec(), "办公室.xlsx", &Default::default()).unwrap();
        assert_eq!(back.forms.len(), 2);
        assert_eq!(back.forms[1].funds, read.forms[1].funds);
        assert_eq!(back.forms[1].indicators, read.forms[1].indicators);
    }

    #[test]
    fn a_bad_form_is_a_finding_and_its_neighbours_are_read() {
        let mut session = Session::new();
        let bad = include_bytes!("../../samples/有误/金额写成汉字.xlsx").to_vec();
        let view: serde_json::Value =
            serde_json::from_str(&session.add("金额写成汉字.xlsx".into(), bad)).unwrap();
        assert_eq!(view["ok"], true);
        assert_eq!(view["forms"].as_array().unwrap().len(), 2);
        let report: serde_json::Value = serde_json::from_str(&session.report()).unwrap();
        let first = &report["findings"][0];
        assert_eq!(
            first["place"],
            "金额写成汉字.xlsx!社区服刑人员基站定位流量费!C6"
        );
        assert_eq!(first["rule_id"], "unreadable");
        assert_eq!(report["summary"]["forms"], 2);
        // A blank template among the files is not merged, as `merge` leaves it out.
        let blank = declform::template(LayoutKind::Y2024, 2026, false).unwrap();
        session.add("模板.xlsx".into(), blank);
        let merged = session.merged("2026-01-05").unwrap();
        let back = declform::read(merged, "m.xlsx", &Default::default()).unwrap();
        assert_eq!(back.forms.len(), 2);
    }

    #[test]
    fn unreadable_files_are_check_findings_in_file_order() {
        let mut session = Session::new();
        let view: serde_json::Value =
            serde_json::from_str(&session.add("坏.xlsx".into(), b"x".to_vec())).unwrap();
        assert_eq!(view["ok"], false);
        let view: serde_json::Value =
            serde_json::from_str(&session.add_damaged("炸.xlsx".into())).unwrap();
        assert_eq!(
            view["error"],
            format!("错误：炸.xlsx: {DAMAGED}"),
            "as the command line words a contained panic"
        );
        let report: serde_json::Value = serde_json::from_str(&session.report()).unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0]["severity"], "错误");
        assert_eq!(findings[0]["rule"], "文件可读");
        assert_eq!(findings[0]["rule_id"], "unreadable");
        assert_eq!(findings[0]["place"], "坏.xlsx");
        assert_eq!(findings[1]["place"], "炸.xlsx");
        assert_eq!(findings[1]["message"], DAMAGED);
        assert_eq!(report["summary"]["errors"], 2);
        assert_eq!(
            report["summary"]["failed"],
            serde_json::json!(["坏.xlsx", "炸.xlsx"])
        );
    }

    #[test]
    fn the_same_forms_twice_are_reported_as_merge_warns() {
        let sample = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../samples/办公室.xlsx"
        ));
        let mut session = Session::new();
        session.add("办公室.xlsx".into(), sample.to_vec());
        let report: serde_json::Value = serde_json::from_str(&session.report()).unwrap();
        assert_eq!(report["summary"]["duplicates"], serde_json::json!([]));
        session.add("副本/办公室.xlsx".into(), sample.to_vec());
        let report: serde_json::Value = serde_json::from_str(&session.report()).unwrap();
        assert_eq!(
            report["summary"]["duplicates"][0],
            "疑似重复项目「政府购买服务人员专项经费」（上海市宝山区司法局，2024年度）：办公室.xlsx!政府购买服务人员专项经费 与 副本/办公室.xlsx!政府购买服务人员专项经费"
        );
        assert_eq!(report["summary"]["duplicates"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_printed_pdf_reads_on_the_page_and_a_scan_is_a_failed_file() {
        let pdf = include_bytes!("../../tests/fixtures/pdf/calc.pdf").to_vec();
        let mut session = Session::new();
        let view: serde_json::Value =
            serde_json::from_str(&session.add("社区矫正中心.pdf".into(), pdf)).unwrap();
        assert_eq!(view["ok"], true);
        assert_eq!(view["forms"].as_array().unwrap().len(), 3);
        let scan = include_bytes!("../../tests/fixtures/pdf/scan.pdf").to_vec();
        let view: serde_json::Value =
            serde_json::from_str(&session.add("扫描.pdf".into(), scan)).unwrap();
        assert_eq!(view["ok"], false);
        let report: serde_json::Value = serde_json::from_str(&session.report()).unwrap();
        assert_eq!(report["summary"]["forms"], 3);
        assert_eq!(report["summary"]["failed"], serde_json::json!(["扫描.pdf"]));
    }
}
