//! The flat table: one row per indicator row, the form's fields repeated on each row, as
//! CSV (UTF-8 with a byte-order mark, for Excel and WPS) or as one xlsx sheet; and back.
//!
//! ```
//! use declform::{flat, json};
//! let doc = json::from_str(include_str!("../samples/seed-forms-2024.json"), "seed.json").unwrap();
//! let mut csv = Vec::new();
//! flat::write_csv(&doc.forms, &mut csv).unwrap();
//! let back = flat::read_csv(&csv, "seed.csv").unwrap();
//! assert_eq!(back, doc.forms);
//! ```

use crate::amount::Amount;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::model::{
    AMOUNT_HEADERS, AMOUNT_KEYS, FieldKind, FieldValue, Form, Indicator, field_kind,
};
use crate::reader::forms::{amount_of, date_of};
use crate::reader::grid::Value;
use crate::target::Target;
use crate::writer;
use indexmap::IndexMap;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::io::Write;

/// The flat sheet's name.
pub const SHEET: &str = "指标明细";
/// The year column.
pub const YEAR: &str = "年度";
/// The indicator columns, in [`Indicator`] field order.
pub const INDICATOR_COLUMNS: [&str; 4] = ["一级指标", "二级指标", "三级指标", "年度指标值"];
/// The parsed target columns (written, ignored on input).
pub const PARSED_COLUMNS: [&str; 3] = ["符号", "数值", "单位"];

/// The form columns after 年度: (header, model key).
pub fn form_columns() -> Vec<(&'static str, String)> {
    let mut cols: Vec<(&str, String)> = vec![
        ("项目名称", "project_name".into()),
        ("项目类别", "project_category".into()),
        ("项目性质", "project_nature".into()),
        ("主管部门", "department".into()),
        ("实施单位", "implementing_unit".into()),
        ("计划开始日期", "start_date".into()),
        ("计划完成日期", "end_date".into()),
    ];
    cols.extend(
        AMOUNT_HEADERS
            .iter()
            .zip(AMOUNT_KEYS)
            .map(|(h, k)| (*h, format!("funds.{k}"))),
    );
    cols.push(("项目总目标", "overall_goal".into()));
    cols.push(("年度总目标", "annual_goal".into()));
    cols
}

/// One cell of the flat table.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Amount(Option<Amount>),
    Date(Option<chrono::NaiveDate>),
    Year(Option<i32>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Amount(a) => a.map(|a| a.to_string()).unwrap_or_default(),
            Cell::Date(d) => d
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            Cell::Year(y) => y.map(|y| y.to_string()).unwrap_or_default(),
        }
    }
}

/// The extra keys of all forms, in order of first appearance.
fn extra_keys(forms: &[Form]) -> Vec<String> {
    let mut keys: IndexMap<&str, ()> = IndexMap::new();
    for f in forms {
        for k in f.extra.keys() {
            keys.insert(k, ());
        }
    }
    keys.keys().map(|k| k.to_string()).collect()
}

/// The header row and the rows of the table.
fn table(forms: &[Form]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let cols = form_columns();
    let extras = extra_keys(forms);
    let mut header: Vec<String> = vec![YEAR.into()];
    header.extend(cols.iter().map(|(h, _)| h.to_string()));
    header.extend(
        INDICATOR_COLUMNS
            .iter()
            .chain(&PARSED_COLUMNS)
            .map(|h| h.to_string()),
    );
    header.extend(extras.iter().cloned());
    let mut rows = Vec::new();
    for form in forms {
        let mut head = vec![Cell::Year(form.year)];
        for (_, key) in &cols {
            head.push(match form.field(key) {
                Some(FieldValue::Text(t)) => Cell::Text(t.unwrap_or_default()),
                Some(FieldValue::Amount(a)) => Cell::Amount(a),
                Some(FieldValue::Date(d)) => Cell::Date(d),
                None => Cell::Text(String::new()),
            });
        }
        let tail: Vec<Cell> = extras
            .iter()
            .map(|k| Cell::Text(form.extra.get(k).cloned().unwrap_or_default()))
            .collect();
        let empty = [Indicator::default()];
        let indicators = if form.indicators.is_empty() {
            &empty[..]
        } else {
            &form.indicators[..]
        };
        for ind in indicators {
            let mut row = head.clone();
            for t in [&ind.level1, &ind.level2, &ind.level3, &ind.target] {
                row.push(Cell::Text(t.clone()));
            }
            let (op, number, unit) = match Target::parse(&ind.target) {
                Target::Quantitative { op, number, unit } => (op, number, unit),
                _ => Default::default(),
            };
            row.extend([Cell::Text(op), Cell::Text(number), Cell::Text(unit)]);
            row.extend(tail.iter().cloned());
            rows.push(row);
        }
    }
    (header, rows)
}

/// Writes the flat table as CSV: UTF-8 with a byte-order mark, RFC 4180 quoting.
pub fn write_csv<W: Write>(forms: &[Form], mut w: W) -> std::io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let (header, rows) = table(forms);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(&header).map_err(csv_io)?;
    for row in rows {
        out.write_record(row.iter().map(Cell::text))
            .map_err(csv_io)?;
    }
    out.flush()
}

/// The I/O error inside a CSV error, so that its kind (disk full, ...) survives.
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// The flat table as a workbook of one sheet: bold frozen header, autofilter, amounts as
/// `#,##0.00` numbers, dates as date cells, column widths that fit.
pub fn workbook(forms: &[Form]) -> Result<Workbook> {
    build(forms).map_err(|e| writer::xlsx_error("指标明细", &e))
}

fn build(forms: &[Form]) -> Result<Workbook, XlsxError> {
    let (header, rows) = table(forms);
    let mut wb = writer::new_workbook();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    let base = Format::new()
        .set_font_name(&crate::layout::Style::get().font)
        .set_font_size(10.5);
    let bold = base.clone().set_bold().set_align(FormatAlign::Center);
    let amount = base.clone().set_num_format("#,##0.00");
    let amount_text = base.clone().set_align(FormatAlign::Right);
    let date = base.clone().set_num_format("yyyy-mm-dd");
    let mut widths: Vec<f64> = header.iter().map(|h| display_width(h)).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, col(c), h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    ws.write_string_with_format(r, col(c), t, &base)?;
                }
                Cell::Amount(Some(a)) => {
                    writer::write_amount(ws, r, col(c), *a, &amount, &amount_text)?
                }
                Cell::Date(Some(d)) => {
                    if let Some(dt) = writer::excel_date(*d) {
                        ws.write_datetime_with_format(r, col(c), &dt, &date)?;
                    }
                }
                Cell::Year(Some(y)) => {
                    ws.write_number_with_format(r, col(c), f64::from(*y), &base)?;
                }
                _ => {}
            }
            if let Some(w) = widths.get_mut(c) {
                *w = w.max(display_width(&cell.text()));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c), w.min(50.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row, col(header.len().saturating_sub(1)))?;
    Ok(wb)
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.1 } else { 2.1 })
        .sum::<f64>()
        + 2.0
}

/// Whether a header row is that of a flat table (it names 项目名称 and the indicator columns).
pub fn is_flat_header(header: &[String]) -> bool {
    let has = |h: &str| header.iter().any(|x| x.trim() == h);
    has("项目名称") && INDICATOR_COLUMNS.iter().all(|h| has(h))
}

/// Reads a flat CSV (with or without a byte-order mark) into forms.
pub fn read_csv(bytes: &[u8], file: &str) -> Result<Vec<Form>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::BadTable,
            Location::file(file),
            format!(
                "不是 UTF-8 编码的 CSV（第 {} 个字节处）；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再试",
                e.valid_up_to() + 1
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            Error::new(
                ErrorKind::BadTable,
                Location::file(file).label(format!("第{}行", i + 1)),
                format!("CSV 格式错误（{e}）"),
            )
        })?;
        records.push(rec.iter().map(str::to_string).collect::<Vec<String>>());
    }
    let mut rows = records.into_iter();
    let header = rows.next().unwrap_or_default();
    let rows: Vec<(RowAt, Vec<Option<Value>>)> = rows
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .into_iter()
                .map(|t| (!t.is_empty()).then_some(Value::Text(t)))
                .collect();
            (RowAt::Line(i + 2), cells)
        })
        .collect();
    forms_from_rows(&header, rows, &Location::file(file))
}

/// Where a table row is: a CSV line number (1-based) or a sheet row (zero-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowAt {
    /// A line of a CSV file.
    Line(usize),
    /// A row of a sheet.
    Row(u32),
}

impl RowAt {
    /// The location of this row's cell in column `col` under `header`.
    fn at(self, whole: &Location, col: Option<usize>, header: &str) -> Location {
        match (self, col) {
            (RowAt::Row(r), Some(c)) => whole
                .clone()
                .cell(r, u16::try_from(c).unwrap_or(u16::MAX))
                .label(header),
            (RowAt::Row(r), None) => whole.clone().cell(r, 0).label(header),
            (RowAt::Line(n), _) => whole.clone().label(format!("第{n}行 {header}")),
        }
    }

    fn describe(self) -> String {
        match self {
            RowAt::Line(n) => format!("第{n}行"),
            RowAt::Row(r) => format!("第{}行", u64::from(r) + 1),
        }
    }
}

/// Groups table rows into forms: consecutive rows of one project (same 年度, 项目名称,
/// 主管部门, 实施单位) make one form; their other form fields must agree.
pub(crate) fn forms_from_rows(
    header: &[String],
    rows: Vec<(RowAt, Vec<Option<Value>>)>,
    whole: &Location,
) -> Result<Vec<Form>> {
    if !is_flat_header(header) {
        return Err(Error::new(
            ErrorKind::BadTable,
            whole.clone(),
            format!(
                "不是指标明细表：表头须含“项目名称”和“{}”列",
                INDICATOR_COLUMNS.join("”“")
            ),
        ));
    }
    let index = |h: &str| header.iter().position(|x| x.trim() == h);
    let form_cols: Vec<(&str, String, Option<usize>)> = std::iter::once((YEAR, "year".to_string()))
        .chain(form_columns())
        .map(|(h, k)| (h, k, index(h)))
        .collect();
    let ind_cols: Vec<Option<usize>> = INDICATOR_COLUMNS.iter().map(|h| index(h)).collect();
    let known: Vec<&str> = form_cols
        .iter()
        .map(|(h, _, _)| *h)
        .chain(INDICATOR_COLUMNS)
        .chain(PARSED_COLUMNS)
        .collect();
    let extra_cols: Vec<(usize, &String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.trim().is_empty() && !known.contains(&h.trim()))
        .collect();

    let mut forms: Vec<Form> = Vec::new();
    // The previous row's location and its form-defining texts, to group and compare.
    let mut prev: Option<(RowAt, Vec<String>)> = None;
    for (row_at, cells) in rows {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).and_then(Option::as_ref);
        let texts: Vec<String> = form_cols
            .iter()
            .map(|(_, _, i)| get(*i).map(Value::text).unwrap_or_default())
            .chain(
                extra_cols
                    .iter()
                    .map(|(i, _)| get(Some(*i)).map(Value::text).unwrap_or_default()),
            )
            .collect();
        if texts.iter().all(String::is_empty) && ind_cols.iter().all(|&i| get(i).is_none()) {
            continue; // a blank line
        }
        let identity =
            |t: &[String]| [0usize, 1, 4, 5].map(|i| t.get(i).cloned().unwrap_or_default());
        let same_form = prev
            .as_ref()
            .is_some_and(|(_, p)| identity(p) == identity(&texts));
        if same_form {
            if let Some((prow, ptexts)) = &prev
                && let Some(i) = (0..texts.len()).find(|&i| texts.get(i) != ptexts.get(i))
            {
                let (header, col) = match form_cols.get(i) {
                    Some((h, _, c)) => (h.to_string(), *c),
                    None => extra_cols
                        .get(i - form_cols.len())
                        .map_or((String::new(), None), |(c, h)| (h.to_string(), Some(*c))),
                };
                return Err(Error::new(
                    ErrorKind::BadTable,
                    row_at.at(whole, col, &header),
                    format!(
                        "同一项目相邻两行的值不一致：{}为“{}”，{}为“{}”；请统一后再试",
                        prow.describe(),
                        ptexts.get(i).cloned().unwrap_or_default(),
                        row_at.describe(),
                        texts.get(i).cloned().unwrap_or_default()
                    ),
                ));
            }
        } else {
            let mut form = Form::default();
            for (h, key, i) in &form_cols {
                let Some(v) = get(*i) else { continue };
                let at = || row_at.at(whole, *i, h);
                if key == "year" {
                    let y = match v {
                        Value::Number(f) if f.fract() == 0.0 && f.abs() < 1e5 => Some(*f as i32),
                        Value::Int(i) => i32::try_from(*i).ok(),
                        other => other.text().trim().parse().ok(),
                    };
                    form.year = Some(y.ok_or_else(|| {
                        Error::new(
                            ErrorKind::BadTable,
                            at(),
                            format!("\"{}\" 不是年度；请填写如 2024", v.text()),
                        )
                    })?);
                    continue;
                }
                let value = match field_kind(key) {
                    Some(FieldKind::Amount) => FieldValue::Amount(amount_of(v, false, at)?),
                    Some(FieldKind::Date) => FieldValue::Date(date_of(v, at)?),
                    _ => FieldValue::Text(Some(v.text())),
                };
                form.set_field(key, value);
            }
            for (i, h) in &extra_cols {
                if let Some(v) = get(Some(*i)) {
                    form.extra.insert(h.trim().to_string(), v.text());
                }
            }
            forms.push(form);
        }
        let ind: Vec<String> = ind_cols
            .iter()
            .map(|&i| get(i).map(Value::text).unwrap_or_default())
            .collect();
        if ind.iter().any(|t| !t.is_empty())
            && let (Some(form), [l1, l2, l3, t]) = (forms.last_mut(), ind.as_slice())
        {
            form.indicators.push(Indicator::new(l1, l2, l3, t));
        }
        prev = Some((row_at, texts));
    }
    Ok(forms)
}

/// The forms of a sheet that holds a flat table (its first row a flat header), or `None`
/// when the sheet is not a flat table.
pub(crate) fn forms_in_grid(
    grid: &crate::reader::grid::Grid,
    file: &str,
    sheet: &str,
) -> Option<Result<Vec<Form>>> {
    let first = grid.rows_in(0..=u32::MAX).next()?;
    let width = grid.row(first).map(|(c, _)| usize::from(c) + 1).max()?;
    let mut header = vec![String::new(); width];
    for (c, v) in grid.row(first) {
        if let Some(slot) = header.get_mut(usize::from(c)) {
            *slot = v.text();
        }
    }
    if !is_flat_header(&header) {
        return None;
    }
    let rows: Vec<(RowAt, Vec<Option<Value>>)> = grid
        .rows_in(first + 1..=u32::MAX)
        .map(|r| {
            let cells = (0..width)
                .map(|c| grid.get(r, u16::try_from(c).unwrap_or(u16::MAX)).cloned())
                .collect();
            (RowAt::Row(r), cells)
        })
        .collect();
    let whole = Location::file(file).sheet(sheet);
    Some(forms_from_rows(&header, rows, &whole).map(|forms| {
        forms
            .into_iter()
            .map(|mut f| {
                f.source = Some(crate::model::Source {
                    file: file.to_string(),
                    sheet: Some(sheet.to_string()),
                    ..Default::default()
                });
                f
            })
            .collect()
    }))
}
