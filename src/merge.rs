//! Many forms into one workbook: the summary sheets `汇总` and `按部门汇总`, then every form
//! on its own sheet in the official layout.
//!
//! ```
//! use declform::{json, merge};
//! let doc = json::from_str(include_str!("../samples/seed-forms-2024.json"), "seed.json").unwrap();
//! let mut wb = merge::merged_workbook(&doc.forms).unwrap();
//! assert_eq!(wb.worksheets().len(), 12);
//! ```

use crate::amount::Amount;
use crate::error::Result;
use crate::layout::column_letters;
use crate::model::{AMOUNT_HEADERS, Form};
use crate::sheetname::SheetNames;
use crate::writer::{self, Formats, WriteOptions};
use indexmap::IndexMap;
use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, Formula, Url, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;

/// The summary sheet's name.
pub const SUMMARY: &str = "汇总";
/// The per-department summary sheet's name.
pub const BY_DEPARTMENT: &str = "按部门汇总";

/// The summary's columns: the form's fields, the seven amounts ([`AMOUNT_HEADERS`]) from
/// column [`FIRST_AMOUNT_COL`] on, then 指标数, the source and a note.
pub const SUMMARY_COLUMNS: [&str; 19] = {
    let a = AMOUNT_HEADERS;
    [
        "序号",
        "主管部门",
        "实施单位",
        "项目名称",
        "项目类别",
        "项目性质",
        "计划开始日期",
        "计划完成日期",
        a[0],
        a[1],
        a[2],
        a[3],
        a[4],
        a[5],
        a[6],
        "指标数",
        "来源文件",
        "来源工作表",
        "备注",
    ]
};
/// The summary column of the first amount.
pub const FIRST_AMOUNT_COL: u16 = 8;

/// How many form sheets a merged workbook keeps in memory before it writes them in
/// constant-memory mode (measured: 1,000 forms merge in 0.6 s and 80 MiB in memory, 1.5 s
/// with a temporary file per sheet; 10,000 forms need 750 MiB in memory, 350 MiB without).
pub const IN_MEMORY_SHEETS: usize = 1000;

/// What the summaries need of a form, kept while the form's own sheet is already written.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    /// The form's sheet in the merged workbook.
    pub sheet: String,
    /// 主管部门.
    pub department: String,
    /// 实施单位.
    pub implementing_unit: String,
    /// 项目名称.
    pub project_name: String,
    /// 项目类别.
    pub project_category: String,
    /// 项目性质.
    pub project_nature: Option<String>,
    /// 年度.
    pub year: Option<i32>,
    /// 计划开始日期.
    pub start_date: Option<chrono::NaiveDate>,
    /// 计划完成日期.
    pub end_date: Option<chrono::NaiveDate>,
    /// The seven amounts.
    pub amounts: [Option<Amount>; 7],
    /// Indicators with a 三级指标.
    pub indicators: usize,
    /// Source file.
    pub file: String,
    /// Source sheet.
    pub source_sheet: String,
}

impl SummaryRow {
    /// The row of a form that is only listed, not written (no sheet of its own).
    pub fn listing(form: &Form) -> SummaryRow {
        SummaryRow::of(form, String::new())
    }

    fn of(form: &Form, sheet: String) -> SummaryRow {
        let s = form.source.as_ref();
        SummaryRow {
            sheet,
            department: form.department.clone(),
            implementing_unit: form.implementing_unit.clone(),
            project_name: form.project_name.clone(),
            project_category: form.project_category.clone(),
            project_nature: form.project_nature.clone(),
            year: form.year,
            start_date: form.start_date,
            end_date: form.end_date,
            amounts: form.funds.all(),
            indicators: form
                .indicators
                .iter()
                .filter(|i| !i.level3.is_empty())
                .count(),
            file: s.map(|s| s.file.clone()).unwrap_or_default(),
            source_sheet: s.and_then(|s| s.sheet.clone()).unwrap_or_default(),
        }
    }

    fn key(&self) -> (&str, &str, Option<i32>) {
        (&self.project_name, &self.department, self.year)
    }
}

/// For each row, the position of an earlier row that looks like the same project
/// (same 项目名称, 主管部门 and year).
pub fn duplicates(rows: &[SummaryRow]) -> Vec<Option<usize>> {
    let mut first: HashMap<(&str, &str, Option<i32>), usize> = HashMap::new();
    rows.iter()
        .enumerate()
        .map(|(i, r)| match first.get(&r.key()) {
            Some(&j) => Some(j),
            None => {
                first.insert(r.key(), i);
                None
            }
        })
        .collect()
}

struct SummaryFormats {
    header: Format,
    text: Format,
    center: Format,
    amount: Format,
    amount_text: Format,
    date: Format,
    link: Format,
    total_label: Format,
    total_amount: Format,
    number: Format,
    total_number: Format,
}

impl SummaryFormats {
    fn new() -> SummaryFormats {
        let base = Format::new()
            .set_font_name(&crate::layout::Style::get().font)
            .set_font_size(10.5)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let bold = base.clone().set_bold().set_background_color(0xF2F2F2);
        SummaryFormats {
            header: bold.clone().set_align(FormatAlign::Center).set_text_wrap(),
            text: base.clone().set_text_wrap(),
            center: base.clone().set_align(FormatAlign::Center),
            amount: base.clone().set_num_format("#,##0.00"),
            amount_text: base.clone().set_align(FormatAlign::Right),
            date: base
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("yyyy-mm-dd"),
            link: base
                .clone()
                .set_font_color(0x0563C1)
                .set_underline(rust_xlsxwriter::FormatUnderline::Single)
                .set_text_wrap(),
            total_label: bold.clone().set_align(FormatAlign::Center),
            total_amount: bold.clone().set_num_format("#,##0.00"),
            number: base.set_align(FormatAlign::Center),
            total_number: bold.set_align(FormatAlign::Center),
        }
    }
}

/// Column widths that fit their contents (CJK characters count double), within bounds.
struct Widths(Vec<f64>);

impl Widths {
    fn see(&mut self, col: u16, text: &str) {
        let w: f64 = text
            .chars()
            .map(|c| if c.is_ascii() { 1.1 } else { 2.1 })
            .sum::<f64>()
            + 2.0;
        if let Some(slot) = self.0.get_mut(usize::from(col)) {
            *slot = slot.max(w.min(40.0));
        }
    }

    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            ws.set_column_width(u16::try_from(c).unwrap_or(0), *w)?;
        }
        Ok(())
    }
}

fn page_setup(ws: &mut Worksheet, header_rows: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    ws.set_repeat_rows(0, header_rows.saturating_sub(1))?;
    ws.set_freeze_panes(header_rows, 0)?;
    Ok(())
}

fn write_amount_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    a: Option<Amount>,
    f: &SummaryFormats,
) -> Result<(), XlsxError> {
    match a {
        Some(a) => writer::write_amount(ws, row, col, a, &f.amount, &f.amount_text),
        None => ws.write_blank(row, col, &f.amount).map(|_| ()),
    }
}

/// The exact sum of amount `k` (in [`AMOUNT_HEADERS`] order) over rows.
fn column_sum<'a>(rows: impl Iterator<Item = &'a SummaryRow>, k: u16) -> Amount {
    rows.filter_map(|r| r.amounts.get(usize::from(k)).copied().flatten())
        .fold(Amount::ZERO, |acc, a| acc.checked_add(a).unwrap_or(acc))
}

/// Builds the merged workbook: summaries first, then every form on a sheet of its own.
pub fn merged_workbook(forms: &[Form]) -> Result<Workbook> {
    let mut merged = MergedWorkbook::new(usize::MAX, 0)?;
    for form in forms {
        merged.add(form)?;
    }
    merged.finish()
}

/// A merged workbook being built: each form's sheet is written as the form arrives (in
/// input order), the summary sheets, created first so that they come first, at the end.
pub struct MergedWorkbook {
    wb: Workbook,
    names: SheetNames,
    formats: Formats,
    rows: Vec<SummaryRow>,
    in_memory_first: usize,
    constant_memory_sheets: usize,
}

impl MergedWorkbook {
    /// An empty merged workbook with its two summary sheets. The first `in_memory_first`
    /// form sheets stay in memory (fastest; [`IN_MEMORY_SHEETS`] is the command's choice); the next
    /// `constant_memory_sheets` are written in rust_xlsxwriter's constant-memory mode, their
    /// cells going to a temporary file as they are written instead of staying in memory
    /// until the save, at the cost of one open file each until then (so the caller sizes
    /// this by the process's open-file limit); any beyond stay in memory again.
    pub fn new(in_memory_first: usize, constant_memory_sheets: usize) -> Result<MergedWorkbook> {
        let mut wb = writer::new_workbook();
        // A consolidated workbook is large and written once: deflate level 1 saves in about
        // half the time of the default 6, for a file about 30% larger.
        wb.set_zip_compression_level(1);
        let mut names = SheetNames::default();
        for name in [SUMMARY, BY_DEPARTMENT] {
            names.reserve(name);
            wb.add_worksheet()
                .set_name(name)
                .map_err(|e| writer::xlsx_error(name, &e))?;
        }
        Ok(MergedWorkbook {
            wb,
            names,
            formats: Formats::default(),
            rows: Vec::new(),
            in_memory_first,
            constant_memory_sheets,
        })
    }

    /// Writes a form's sheet in the official layout and keeps its summary row.
    pub fn add(&mut self, form: &Form) -> Result<()> {
        let name = self.names.claim(&form.project_name);
        let n = self.rows.len();
        let first = self.in_memory_first;
        let ws = if n >= first && n < first.saturating_add(self.constant_memory_sheets) {
            self.wb
                .add_worksheet_with_constant_memory()
                .map_err(|e| writer::xlsx_error(&form.project_name, &e))?
        } else {
            self.wb.add_worksheet()
        };
        writer::add_form_sheet(
            ws,
            &name,
            form,
            writer::layout_for(form, &WriteOptions::default()),
            &self.formats,
        )
        .map_err(|e| writer::xlsx_error(&form.project_name, &e))?;
        self.rows.push(SummaryRow::of(form, name));
        Ok(())
    }

    /// The summary rows so far, in form order.
    pub fn rows(&self) -> &[SummaryRow] {
        &self.rows
    }

    /// Fills the summary sheets and returns the workbook, ready to save.
    pub fn finish(mut self) -> Result<Workbook> {
        write_summaries(&mut self.wb, &self.rows).map_err(|e| writer::xlsx_error("汇总", &e))?;
        Ok(self.wb)
    }
}

fn write_summaries(wb: &mut Workbook, rows: &[SummaryRow]) -> Result<(), XlsxError> {
    let dups = duplicates(rows);
    let f = SummaryFormats::new();

    // 汇总
    let ws = wb.worksheet_from_index(0)?;
    let mut widths = Widths(vec![6.0; SUMMARY_COLUMNS.len()]);
    for (c, title) in SUMMARY_COLUMNS.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, c, *title, &f.header)?;
        widths.see(c, title);
    }
    for (i, form) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_number_with_format(row, 0, (i + 1) as f64, &f.number)?;
        let texts = [
            (1, form.department.as_str()),
            (2, form.implementing_unit.as_str()),
            (4, form.project_category.as_str()),
            (5, form.project_nature.as_deref().unwrap_or("")),
            (16, form.file.as_str()),
            (17, form.source_sheet.as_str()),
        ];
        for (c, t) in texts {
            ws.write_string_with_format(
                row,
                c,
                t,
                if c == 4 || c == 5 { &f.center } else { &f.text },
            )?;
            widths.see(c, t);
        }
        let link = Url::new(format!("internal:'{}'!A1", form.sheet.replace('\'', "''")))
            .set_text(&form.project_name);
        ws.write_url_with_format(row, 3, link, &f.link)?;
        widths.see(3, &form.project_name);
        for (c, d) in [(6, form.start_date), (7, form.end_date)] {
            match d.and_then(writer::excel_date) {
                Some(dt) => ws.write_datetime_with_format(row, c, &dt, &f.date)?,
                None => ws.write_blank(row, c, &f.date)?,
            };
            widths.see(c, "2024-01-01");
        }
        for (k, a) in form.amounts.into_iter().enumerate() {
            let c = FIRST_AMOUNT_COL + u16::try_from(k).unwrap_or(0);
            write_amount_cell(ws, row, c, a, &f)?;
            widths.see(c, &a.map(|a| a.to_string()).unwrap_or_default());
        }
        ws.write_number_with_format(row, 15, form.indicators as f64, &f.number)?;
        let note = match dups.get(i).copied().flatten() {
            Some(j) => format!("疑似重复：与第{}行同名同部门同年度", j + 1),
            None => String::new(),
        };
        ws.write_string_with_format(row, 18, &note, &f.text)?;
        widths.see(18, &note);
    }
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let total_row = n + 1;
    ws.merge_range(total_row, 0, total_row, 7, "合计", &f.total_label)?;
    for k in 0..7u16 {
        let c = FIRST_AMOUNT_COL + k;
        let col = column_letters(c);
        let sum = column_sum(rows.iter(), k);
        let formula =
            Formula::new(format!("=SUM({col}2:{col}{})", n + 1)).set_result(sum.to_string());
        ws.write_formula_with_format(total_row, c, formula, &f.total_amount)?;
        widths.see(c, &sum.to_string());
    }
    let indicator_total: usize = rows.iter().map(|r| r.indicators).sum();
    ws.write_formula_with_format(
        total_row,
        15,
        Formula::new(format!("=SUM(P2:P{})", n + 1)).set_result(indicator_total.to_string()),
        &f.total_number,
    )?;
    for c in 16..=18 {
        ws.write_blank(total_row, c, &f.total_label)?;
    }
    if n > 0 {
        ws.autofilter(0, 0, n, 18)?;
    }
    widths.apply(ws)?;
    ws.set_row_height(0, 30)?;
    page_setup(ws, 1)?;

    // 按部门汇总
    let ws = wb.worksheet_from_index(1)?;
    let mut by_dept: IndexMap<&str, Vec<&SummaryRow>> = IndexMap::new();
    for r in rows {
        by_dept.entry(r.department.as_str()).or_default().push(r);
    }
    let headers: Vec<&str> = ["序号", "主管部门", "表数"]
        .into_iter()
        .chain(AMOUNT_HEADERS)
        .collect();
    let mut widths = Widths(vec![6.0; headers.len()]);
    for (c, h) in headers.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, c, *h, &f.header)?;
        widths.see(c, h);
    }
    let last = n + 1;
    let summary_range = |col: &str| format!("'{SUMMARY}'!${col}$2:${col}${last}");
    for (i, (dept, group)) in by_dept.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_number_with_format(row, 0, (i + 1) as f64, &f.number)?;
        ws.write_string_with_format(row, 1, *dept, &f.text)?;
        widths.see(1, dept);
        let count = Formula::new(format!("=COUNTIF({},B{})", summary_range("B"), row + 1))
            .set_result(group.len().to_string());
        ws.write_formula_with_format(row, 2, count, &f.number)?;
        for k in 0..7u16 {
            let c = 3 + k;
            let source_col = column_letters(FIRST_AMOUNT_COL + k);
            let sum = column_sum(group.iter().copied(), k);
            let formula = Formula::new(format!(
                "=SUMIF({},B{},{})",
                summary_range("B"),
                row + 1,
                summary_range(&source_col)
            ))
            .set_result(sum.to_string());
            ws.write_formula_with_format(row, c, formula, &f.amount)?;
            widths.see(c, &sum.to_string());
        }
    }
    let d = u32::try_from(by_dept.len()).unwrap_or(u32::MAX);
    let total_row = d + 1;
    ws.merge_range(total_row, 0, total_row, 1, "合计", &f.total_label)?;
    ws.write_formula_with_format(
        total_row,
        2,
        Formula::new(format!("=SUM(C2:C{})", d + 1)).set_result(rows.len().to_string()),
        &f.total_number,
    )?;
    for k in 0..7u16 {
        let c = 3 + k;
        let col = column_letters(c);
        let sum = column_sum(rows.iter(), k);
        ws.write_formula_with_format(
            total_row,
            c,
            Formula::new(format!("=SUM({col}2:{col}{})", d + 1)).set_result(sum.to_string()),
            &f.total_amount,
        )?;
    }
    widths.apply(ws)?;
    ws.set_row_height(0, 30)?;
    page_setup(ws, 1)?;

    Ok(())
}
