//! The merged workbook's summary sheets `汇总` and `按部门汇总`, one row per form
//! ([`SummaryRow`]); their columns, headers, formats and page are described in
//! `templates/tables.json`.

use crate::amount::Amount;
use crate::cellref::{absolute_column_range, column_range};
use crate::error::Result;
use crate::field::{Field, FieldKind};
use crate::layout::{CellStyle, Column, Computed, Style, TableSpec, Tables};
use crate::model::Form;
use crate::write::measure::Widths;
use crate::write::workbook::{amount_format, date_format, write_amount};
use crate::write::{measure, workbook};
use indexmap::IndexMap;
use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, FormatUnderline, Formula, Url, Workbook, Worksheet,
    XlsxError,
};
use std::collections::HashMap;

/// What the summaries keep of a form, once the form's own sheet is written.
///
/// ```
/// let form = declform::Form { project_name: "甲".into(), department: "司法局".into(), ..Default::default() };
/// let merged = declform::merge(&[form])?;
/// let row = &merged.rows()[0];
/// assert_eq!((row.sheet.as_str(), row.department.as_str(), row.amounts), ("甲", "司法局", [None; 7]));
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The form's sheet in the merged workbook (empty for a form only listed).
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
    /// The seven amounts, in [`Field::AMOUNTS`] order.
    pub amounts: [Option<Amount>; 7],
    /// Indicators with a 三级指标.
    pub indicators: usize,
    /// The file the form was read from.
    pub file: String,
    /// The sheet it was read from (empty for JSON and CSV).
    pub source_sheet: String,
}

impl SummaryRow {
    /// The summary row of a form that has, or would have, the sheet `sheet`.
    ///
    /// ```
    /// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
    /// let row = declform::merge::SummaryRow::of(&form, "");
    /// assert_eq!((row.project_name.as_str(), row.indicators), ("甲", 0));
    /// ```
    pub fn of(form: &Form, sheet: impl Into<String>) -> SummaryRow {
        let s = form.source.as_ref();
        SummaryRow {
            sheet: sheet.into(),
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
            file: s
                .map(|s| s.place.file_name().to_string())
                .unwrap_or_default(),
            source_sheet: s
                .and_then(|s| s.place.sheet_name())
                .unwrap_or_default()
                .to_string(),
        }
    }

    fn key(&self) -> (&str, &str, Option<i32>) {
        (&self.project_name, &self.department, self.year)
    }

    fn amount(&self, field: Field) -> Option<Amount> {
        field
            .amount_index()
            .and_then(|i| self.amounts.get(i).copied().flatten())
    }
}

/// For each row, the position of an earlier row that looks like the same project (same
/// 项目名称, 主管部门 and year), which the summary flags in its 备注 column.
///
/// ```
/// use declform::{Form, merge::{SummaryRow, duplicates}};
/// let form = Form { project_name: "甲".into(), ..Default::default() };
/// let rows = [SummaryRow::of(&form, ""), SummaryRow::of(&form, "")];
/// assert_eq!(duplicates(&rows), [None, Some(0)]);
/// ```
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
    title: Format,
    unit: Format,
    date: Format,
    header: Format,
    text: Format,
    center: Format,
    amount: Format,
    amount_text: Format,
    date_cell: Format,
    link: Format,
    total_label: Format,
    total_amount: Format,
    number: Format,
    total_number: Format,
}

impl SummaryFormats {
    fn new() -> SummaryFormats {
        let page = &Tables::get().summary_page;
        let font = Format::new()
            .set_font_name(&Style::get().font)
            .set_font_size(page.font_size)
            .set_align(FormatAlign::VerticalCenter);
        let base = font.clone().set_border(FormatBorder::Thin);
        let bold = base
            .clone()
            .set_bold()
            .set_background_color(page.header_fill());
        let text = base.clone().set_text_wrap().set_indent(1);
        let amount = base
            .clone()
            .set_align(FormatAlign::Right)
            .set_indent(1)
            .set_num_format(amount_format(2));
        SummaryFormats {
            title: font
                .clone()
                .set_font_size(page.title_font_size)
                .set_bold()
                .set_align(FormatAlign::Center),
            unit: font.clone().set_align(FormatAlign::Left),
            date: font.set_align(FormatAlign::Right),
            header: bold.clone().set_align(FormatAlign::Center).set_text_wrap(),
            text: text.clone(),
            center: base.clone().set_align(FormatAlign::Center),
            amount: amount.clone(),
            amount_text: base.clone().set_align(FormatAlign::Right).set_indent(1),
            date_cell: base
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format(date_format()),
            link: text
                .set_font_color(page.link_color())
                .set_underline(FormatUnderline::Single),
            total_label: bold.clone().set_align(FormatAlign::Center),
            total_amount: bold
                .clone()
                .set_align(FormatAlign::Right)
                .set_indent(1)
                .set_num_format(amount_format(2)),
            number: base.set_align(FormatAlign::Center),
            total_number: bold.set_align(FormatAlign::Center),
        }
    }

    fn of(&self, style: CellStyle) -> &Format {
        match style {
            CellStyle::Text => &self.text,
            CellStyle::Center => &self.center,
            CellStyle::Number => &self.number,
            CellStyle::Date => &self.date_cell,
            CellStyle::Amount => &self.amount,
            CellStyle::Link => &self.link,
        }
    }
}

/// One summary cell's content.
enum Cell<'a> {
    Number(f64),
    Text(&'a str),
    Link(&'a str, &'a str),
    Date(Option<chrono::NaiveDate>),
    Amount(Option<Amount>),
    /// A formula with its exact cached result.
    Formula(String, String),
}

/// The rows of a summary sheet above its data: the title, the unit and date line, and the
/// header row, which is repeated on every printed page.
const TITLE_ROW: u32 = 0;
const UNIT_ROW: u32 = 1;
const HEADER_ROW: u32 = 2;

/// The sheet row of data row `i` (zero-based).
fn data_row(i: usize) -> u32 {
    u32::try_from(i)
        .unwrap_or(u32::MAX)
        .saturating_add(HEADER_ROW + 1)
}

/// A sheet of the summaries being written.
struct Table<'a> {
    ws: &'a mut Worksheet,
    spec: &'a TableSpec,
    /// The columns shown: the spec's, less those shown only when present that no row has.
    columns: Vec<&'a Column>,
    f: &'a SummaryFormats,
    widths: Widths,
    /// Texts that may wrap: (row, first and last column of its cell, text), measured when
    /// the widths are known.
    texts: Vec<(u32, u16, u16, String)>,
}

impl<'a> Table<'a> {
    fn new(
        ws: &'a mut Worksheet,
        spec: &'a TableSpec,
        columns: Vec<&'a Column>,
        f: &'a SummaryFormats,
    ) -> Self {
        let mut widths = Widths::new(columns.len(), spec.width_min, spec.width_max);
        for (c, column) in columns.iter().enumerate() {
            if let Some(max) = column.width_max {
                widths.limit(col(c), max);
            }
        }
        Table {
            ws,
            spec,
            columns,
            f,
            widths,
            texts: Vec::new(),
        }
    }

    fn header(&mut self) -> Result<(), XlsxError> {
        for (c, column) in self.columns.iter().enumerate() {
            let c = col(c);
            let title = column.header();
            self.ws
                .write_string_with_format(HEADER_ROW, c, &title, &self.f.header)?;
            // The header row is two lines high: a header may wrap once.
            let half: String = title
                .chars()
                .take(title.chars().count().div_ceil(2))
                .collect();
            self.widths.see(c, &half);
        }
        Ok(())
    }

    /// Remembers a text that may need more than one line.
    fn measure(&mut self, row: u32, c: u16, text: &str) {
        self.widths.see(c, text);
        if measure::display_width(text) > self.spec.width_min {
            self.texts.push((row, c, c, text.to_string()));
        }
    }

    fn cell(
        &mut self,
        row: u32,
        c: u16,
        style: CellStyle,
        cell: Cell<'_>,
    ) -> Result<(), XlsxError> {
        let fmt = self.f.of(style);
        match cell {
            Cell::Number(n) => {
                self.ws.write_number_with_format(row, c, n, fmt)?;
                self.widths.see(c, &n.to_string());
            }
            Cell::Text(t) => {
                self.ws.write_string_with_format(row, c, t, fmt)?;
                self.measure(row, c, t);
            }
            Cell::Link(text, sheet) => {
                let link =
                    Url::new(format!("internal:'{}'!A1", sheet.replace('\'', "''"))).set_text(text);
                self.ws.write_url_with_format(row, c, link, fmt)?;
                self.measure(row, c, text);
            }
            Cell::Date(d) => {
                match d.and_then(workbook::excel_date) {
                    Some(dt) => self.ws.write_datetime_with_format(row, c, &dt, fmt)?,
                    None => self.ws.write_blank(row, c, fmt)?,
                };
                self.widths.see(c, "2024-01-01");
            }
            Cell::Amount(a) => {
                match a {
                    Some(a) => write_amount(self.ws, row, c, a, fmt, &self.f.amount_text)?,
                    None => {
                        self.ws.write_blank(row, c, fmt)?;
                    }
                }
                self.widths
                    .see(c, &a.map(|a| amount_text(&a)).unwrap_or_default());
            }
            Cell::Formula(formula, result) => {
                self.ws.write_formula_with_format(
                    row,
                    c,
                    Formula::new(formula).set_result(&result),
                    fmt,
                )?;
                if style == CellStyle::Amount {
                    self.widths.see(c, &amount_text(&result));
                }
            }
        }
        Ok(())
    }

    /// The 合计 row after `rows` data rows: `label` over the columns before the first
    /// total, a SUM with its exact result under each total column, blanks elsewhere.
    fn totals(&mut self, rows: u32, label: &str, sums: &[(u16, String)]) -> Result<(), XlsxError> {
        let total_row = HEADER_ROW + rows + 1;
        let first_total = self.columns.iter().position(|c| c.total).map_or(0, col);
        // The label spans the columns before the first total, but no further than the
        // columns repeated on every printed page, so that each page carries it.
        let label_end = match self.spec.repeat_columns {
            0 => first_total,
            r => first_total.min(r),
        };
        if label_end > 1 {
            self.ws.merge_range(
                total_row,
                0,
                total_row,
                label_end - 1,
                label,
                &self.f.total_label,
            )?;
        } else if label_end == 1 {
            self.ws
                .write_string_with_format(total_row, 0, label, &self.f.total_label)?;
        }
        if label_end > 0 {
            self.texts
                .push((total_row, 0, label_end - 1, label.to_string()));
        }
        let columns = self.columns.clone();
        for (c, column) in columns.iter().enumerate().skip(usize::from(label_end)) {
            let c = col(c);
            match sums.iter().find(|(sc, _)| *sc == c) {
                Some((_, result)) if column.total => {
                    let fmt = if column.style == CellStyle::Amount {
                        &self.f.total_amount
                    } else {
                        &self.f.total_number
                    };
                    let formula = format!(
                        "=SUM({})",
                        column_range(c, HEADER_ROW + 1, HEADER_ROW + rows)
                    );
                    self.ws.write_formula_with_format(
                        total_row,
                        c,
                        Formula::new(formula).set_result(result),
                        fmt,
                    )?;
                    if column.style == CellStyle::Amount {
                        self.widths.see(c, &amount_text(result));
                    }
                }
                _ => {
                    self.ws.write_blank(total_row, c, &self.f.total_label)?;
                }
            }
        }
        Ok(())
    }

    /// Widths, row heights, the title and unit lines over the first printed page, and the
    /// print and screen set-up, for a table of `rows` data rows made on `date` from forms
    /// of `year`.
    fn finish(
        mut self,
        rows: u32,
        year: Option<i32>,
        date: Option<chrono::NaiveDate>,
    ) -> Result<(), XlsxError> {
        let tables = Tables::get();
        let page = &tables.summary_page;
        let last = col(self.columns.len().saturating_sub(1));
        if self.spec.autofilter && rows > 0 {
            self.ws.autofilter(HEADER_ROW, 0, HEADER_ROW + rows, last)?;
        }
        // Columns onto pages: the repeated columns, then as many of the others as fit the
        // printable width in the widest measure, page after page.
        let repeat = self.spec.repeat_columns.min(last + 1);
        let m = &page.margins;
        let paper = if page.landscape {
            Style::get().paper_points.1
        } else {
            Style::get().paper_points.0
        };
        let room = paper - (m.left + m.right) * 72.0;
        let pages = plan_pages(&mut self.widths, repeat, last, room);
        let widths = self.widths.get();
        self.widths.apply(self.ws)?;
        let breaks: Vec<u32> = pages.iter().skip(1).map(|p| u32::from(p.0)).collect();
        let first_page_last = pages.first().map_or(last, |p| p.1);
        if !breaks.is_empty() {
            self.ws.set_vertical_page_breaks(&breaks)?;
        }

        // Title and unit line over the first page's columns.
        let title = self.spec.title(year);
        if first_page_last > 0 {
            self.ws.merge_range(
                TITLE_ROW,
                0,
                TITLE_ROW,
                first_page_last,
                &title,
                &self.f.title,
            )?;
        } else {
            self.ws
                .write_string_with_format(TITLE_ROW, 0, &title, &self.f.title)?;
        }
        self.ws.set_row_height(TITLE_ROW, page.title_row_height)?;
        self.ws
            .write_string_with_format(UNIT_ROW, 0, &tables.unit_line, &self.f.unit)?;
        let date_line = date.map_or(String::new(), |d| {
            tables
                .date_line
                .replace("{date}", &d.format("%Y-%m-%d").to_string())
        });
        if !date_line.is_empty() {
            self.ws.write_string_with_format(
                UNIT_ROW,
                first_page_last,
                &date_line,
                &self.f.date,
            )?;
        }

        // Row heights: the header's, and each row's tallest wrapped text.
        self.ws.set_row_height(HEADER_ROW, page.header_row_height)?;
        let mut lines: std::collections::BTreeMap<u32, usize> = Default::default();
        let (mut measured, mut span) = (measure::Measured::default(), Vec::new());
        for (row, first, end, text) in &self.texts {
            let cols = usize::from(*first)..=usize::from(*end);
            let w: f64 = widths.get(cols.clone()).map_or(0.0, |w| w.iter().sum());
            measure::span_points_into(w, cols.count(), &mut span);
            measured.set(text, page.font_size);
            let (wrap, _, _) = measured.wrap_all(&span, 1);
            let slot = lines.entry(*row).or_insert(1);
            *slot = (*slot).max(wrap.lines);
        }
        let pad = 2.0 * Style::get().measure.vertical_padding_points;
        for (row, n) in lines {
            let h = (n as f64 * page.line_height + pad).max(page.min_row_height);
            self.ws.set_row_height(row, h)?;
        }

        // On paper, the title and unit lines are the page header of every page, and the
        // sheet prints from its header row.
        workbook::page_setup(self.ws, page.paper_size, page.landscape, &page.margins);
        let header = page
            .print_header
            .replace("{unit}", &tables.unit_line)
            .replace("{date}", &date_line)
            .replace("{font}", &Style::get().font)
            .replace("{size}", &page.title_font_size.to_string())
            .replace("{title}", &title);
        self.ws.set_header(header);
        self.ws.set_footer(&page.footer);
        self.ws
            .set_print_area(HEADER_ROW, 0, HEADER_ROW + rows + 1, last)?;
        self.ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        // As many pages wide as planned, any number tall: at 100% where the plan holds, scaled
        // rather than split onto further pages where a program's fonts measure wider.
        self.ws
            .set_print_fit_to_pages(u16::try_from(pages.len()).unwrap_or(u16::MAX), 0);
        if repeat > 0 {
            self.ws.set_repeat_columns(0, repeat - 1)?;
        }
        self.ws.set_freeze_panes(HEADER_ROW + 1, repeat)?;
        Ok(())
    }
}

/// The printed pages of a table's columns, as (first, last) column of each beside the
/// `repeat` columns printed on every page: as many columns as fit `room` points in the
/// widest measure, page after page; then a page's room left over widens its columns whose
/// longest text would wrap, so that rows are no taller than what a page needs.
fn plan_pages(widths: &mut Widths, repeat: u16, last: u16, room: f64) -> Vec<(u16, u16)> {
    let printed = |widths: &Widths, c: u16| {
        measure::span_points(widths.get().get(usize::from(c)).copied().unwrap_or(0.0), 1)
            .last()
            .copied()
            .unwrap_or(0.0)
    };
    let fixed: f64 = (0..repeat).map(|c| printed(widths, c)).sum();
    let mut pages: Vec<(u16, u16, f64)> = Vec::new();
    let mut used = fixed;
    for c in repeat..=last {
        let w = printed(widths, c);
        match pages.last_mut() {
            Some(page) if used + w <= room || used <= fixed => page.1 = c,
            _ => {
                pages.push((c, c, 0.0));
                used = fixed;
            }
        }
        used += w;
        if let Some(page) = pages.last_mut() {
            page.2 = used;
        }
    }
    // Points per unit of width in the widest measure. The room every page has left goes
    // first to the repeated columns (项目名称 above all), then each page's to its own.
    let per_unit = printed_per_unit();
    let mut spares: Vec<f64> = pages
        .iter()
        .map(|p| ((room - p.2) / per_unit).max(0.0))
        .collect();
    let mut common = spares.iter().copied().fold(f64::INFINITY, f64::min);
    if common.is_finite() {
        let before = common;
        for c in 0..repeat {
            common -= widths.widen(c, common);
        }
        spares.iter_mut().for_each(|s| *s -= before - common);
    }
    for (&(first, end, _), mut spare) in pages.iter().zip(spares) {
        for c in first..=end {
            spare -= widths.widen(c, spare);
        }
    }
    if pages.is_empty() {
        return vec![(repeat.min(last), last)];
    }
    pages.into_iter().map(|(a, b, _)| (a, b)).collect()
}

/// Printed points per unit of column width in the widest program measured.
fn printed_per_unit() -> f64 {
    Style::get()
        .measure
        .points_per_unit
        .iter()
        .copied()
        .fold(1.0, f64::max)
}

/// An amount as it displays (grouped thousands), for measuring its column.
fn amount_text(a: &impl ToString) -> String {
    let s = a.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let digits = int.trim_start_matches('-').len();
    format!(
        "{}{}.{frac} ",
        "0".repeat(digits + digits.saturating_sub(1) / 3),
        ""
    )
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// The exact sum of an amount over rows.
fn amount_sum<'a>(rows: impl Iterator<Item = &'a SummaryRow>, field: Field) -> Amount {
    rows.filter_map(|r| r.amount(field))
        .fold(Amount::ZERO, |acc, a| acc.checked_add(a).unwrap_or(acc))
}

fn summary_cell<'a>(
    column: &Column,
    row: &'a SummaryRow,
    i: usize,
    file: &'a str,
    note: &'a str,
) -> Cell<'a> {
    if let Some(v) = column.value {
        return match v {
            Computed::Index => Cell::Number((i + 1) as f64),
            Computed::Indicators => Cell::Number(row.indicators as f64),
            Computed::SourceFile => Cell::Text(file),
            Computed::SourceSheet => Cell::Text(&row.source_sheet),
            Computed::Note => Cell::Text(note),
            _ => Cell::Text(""),
        };
    }
    match column.field {
        Some(Field::Department) => Cell::Text(&row.department),
        Some(Field::ImplementingUnit) => Cell::Text(&row.implementing_unit),
        Some(Field::ProjectName) => Cell::Link(&row.project_name, &row.sheet),
        Some(Field::ProjectCategory) => Cell::Text(&row.project_category),
        Some(Field::ProjectNature) => Cell::Text(row.project_nature.as_deref().unwrap_or("")),
        Some(Field::StartDate) => Cell::Date(row.start_date),
        Some(Field::EndDate) => Cell::Date(row.end_date),
        Some(Field::Year) => row
            .year
            .map_or(Cell::Text(""), |y| Cell::Number(f64::from(y))),
        Some(f) if f.kind() == FieldKind::Amount => Cell::Amount(row.amount(f)),
        _ => Cell::Text(""),
    }
}

/// The columns of a table shown for `rows`: those shown only when present need a row
/// with a value for them.
fn shown<'a>(spec: &'a TableSpec, rows: &[SummaryRow]) -> Vec<&'a Column> {
    let present = |column: &Column| match column.field {
        Some(Field::ProjectNature) => rows
            .iter()
            .any(|r| r.project_nature.as_deref().is_some_and(|n| !n.is_empty())),
        _ => true,
    };
    spec.columns
        .iter()
        .filter(|c| !c.when_present || present(c))
        .collect()
}

/// The year of all rows, when they have one and the same.
/// The files as the summary's 来源文件 shows them: relative to the folder all of them lie in,
/// so that the summary reads (and prints) the same wherever the files are; a single file by
/// its name. Both `/` and `\` separate folders.
///
/// ```
/// # use declform::merge::relative_files;
/// let files = ["/home/甲/2024/一上/办公室.xlsx", "/home/甲/2024/二上/办公室.xlsx", ""];
/// assert_eq!(relative_files(files), ["一上/办公室.xlsx", "二上/办公室.xlsx", ""]);
/// assert_eq!(relative_files([r"D:\各部门\a.xlsx", r"D:\各部门\b.xls"]), ["a.xlsx", "b.xls"]);
/// assert_eq!(relative_files(["a.xlsx", "sub/b.xlsx"]), ["a.xlsx", "sub/b.xlsx"]);
/// ```
pub fn relative_files<'a>(files: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let files: Vec<&str> = files.into_iter().collect();
    let folder_end = |f: &str| f.rfind(['/', '\\']).map_or(0, |i| i + 1);
    // The longest folder prefix (ending in a separator) shared by every named file.
    let mut common: Option<&str> = None;
    for f in files.iter().filter(|f| !f.is_empty()) {
        let folder = &f[..folder_end(f)];
        common = Some(match common {
            None => folder,
            Some(c) => {
                let same = c
                    .char_indices()
                    .zip(folder.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8());
                &c[..folder_end(&c[..same])]
            }
        });
    }
    let cut = common.map_or(0, str::len);
    files
        .into_iter()
        .map(|f| if f.len() >= cut { &f[cut..] } else { f })
        .collect()
}

fn common_year(rows: &[SummaryRow]) -> Option<i32> {
    let first = rows.first()?.year?;
    rows.iter().all(|r| r.year == Some(first)).then_some(first)
}

pub(crate) fn write_summaries(
    wb: &mut Workbook,
    rows: &[SummaryRow],
    date: Option<chrono::NaiveDate>,
) -> Result<(), XlsxError> {
    let tables = Tables::get();
    let dups = duplicates(rows);
    let flagged = dups.iter().filter(|d| d.is_some()).count();
    let total_label = if flagged > 0 {
        tables
            .total_label_with_duplicates
            .replace("{n}", &flagged.to_string())
    } else {
        tables.total_label.clone()
    };
    let year = common_year(rows);
    let f = SummaryFormats::new();
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX);

    // 汇总: one row per form.
    let spec = &tables.summary;
    let columns = shown(spec, rows);
    let mut t = Table::new(wb.worksheet_from_index(0)?, spec, columns.clone(), &f);
    t.header()?;
    let files = relative_files(rows.iter().map(|r| r.file.as_str()));
    for (i, row) in rows.iter().enumerate() {
        let file = files.get(i).copied().unwrap_or_default();
        let note = match dups.get(i).copied().flatten() {
            Some(j) => tables.duplicate_note.replace("{row}", &(j + 1).to_string()),
            None => String::new(),
        };
        for (c, column) in columns.iter().enumerate() {
            let cell = summary_cell(column, row, i, file, &note);
            t.cell(data_row(i), col(c), column.style, cell)?;
        }
    }
    let sums: Vec<(u16, String)> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.total)
        .map(|(c, column)| {
            let sum = match (column.field, column.value) {
                (Some(field), _) => amount_sum(rows.iter(), field).to_string(),
                (None, Some(Computed::Indicators)) => {
                    rows.iter().map(|r| r.indicators).sum::<usize>().to_string()
                }
                _ => rows.len().to_string(),
            };
            (col(c), sum)
        })
        .collect();
    t.totals(n, &total_label, &sums)?;
    t.finish(n, year, date)?;

    // 按部门汇总: one row per 主管部门, in order of first appearance, as formulas over 汇总
    // with their exact results.
    let summary_col = |field: Field| columns.iter().position(|c| c.field == Some(field)).map(col);
    let range = |field: Field| {
        summary_col(field)
            .map(|c| absolute_column_range(&spec.sheet, c, HEADER_ROW + 1, HEADER_ROW + n))
            .unwrap_or_default()
    };
    let dept_spec = &tables.by_department;
    let dept_columns = shown(dept_spec, rows);
    let mut t = Table::new(
        wb.worksheet_from_index(1)?,
        dept_spec,
        dept_columns.clone(),
        &f,
    );
    let dept_col = dept_columns
        .iter()
        .position(|c| c.field == Some(Field::Department))
        .map_or(0, col);
    let mut by_dept: IndexMap<&str, Vec<&SummaryRow>> = IndexMap::new();
    for r in rows {
        by_dept.entry(r.department.as_str()).or_default().push(r);
    }
    t.header()?;
    for (i, (dept, group)) in by_dept.iter().enumerate() {
        let row = data_row(i);
        let criteria = crate::cellref::a1(row, dept_col);
        for (c, column) in dept_columns.iter().enumerate() {
            let cell = match (column.value, column.field) {
                (Some(Computed::Index), _) => Cell::Number((i + 1) as f64),
                (Some(Computed::Count), _) => Cell::Formula(
                    format!("=COUNTIF({},{criteria})", range(Field::Department)),
                    group.len().to_string(),
                ),
                (_, Some(Field::Department)) => Cell::Text(dept),
                (_, Some(field)) if field.kind() == FieldKind::Amount => Cell::Formula(
                    format!(
                        "=SUMIF({},{criteria},{})",
                        range(Field::Department),
                        range(field)
                    ),
                    amount_sum(group.iter().copied(), field).to_string(),
                ),
                _ => Cell::Text(""),
            };
            t.cell(row, col(c), column.style, cell)?;
        }
    }
    let d = u32::try_from(by_dept.len()).unwrap_or(u32::MAX);
    let sums: Vec<(u16, String)> = dept_columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.total)
        .map(|(c, column)| {
            let sum = match column.field {
                Some(field) => amount_sum(rows.iter(), field).to_string(),
                None => rows.len().to_string(),
            };
            (col(c), sum)
        })
        .collect();
    t.totals(d, &total_label, &sums)?;
    t.finish(d, year, date)?;
    Ok(())
}
