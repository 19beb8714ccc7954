//! The flat table: one row per indicator row, the form's fields repeated on each row, as
//! CSV (UTF-8 with a byte-order mark, for Excel and WPS) or as one xlsx sheet; and back.
//! Read back, the rows of one project make one form wherever they stand (see
//! `forms_from_rows`), so sorting the table does not split forms.
//! Its columns are described in `templates/tables.json`.

use crate::amount::Amount;
use crate::coerce::{Value, amount_of, date_of};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::field::{Field, FieldKind};
use crate::layout::{Column, Computed, Style, Tables};
use crate::model::{FieldValue, Form, Indicator};
use crate::target::Target;
use crate::write::measure::display_width;
use crate::write::workbook::{self, amount_format, date_format, write_amount};
use indexmap::IndexMap;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::io::Write;

fn columns() -> &'static [Column] {
    &Tables::get().flat.columns
}

/// The headers of the indicator columns, in [`Field::INDICATOR`] order.
fn indicator_headers() -> Vec<String> {
    Field::INDICATOR.iter().map(|f| f.header()).collect()
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

/// The indicator `extra` keys of all forms, in order of first appearance.
fn indicator_extra_keys(forms: &[Form]) -> Vec<String> {
    let mut keys: IndexMap<&str, ()> = IndexMap::new();
    for i in forms.iter().flat_map(|f| &f.indicators) {
        for k in i.extra.keys() {
            keys.insert(k, ());
        }
    }
    keys.keys().map(|k| k.to_string()).collect()
}

/// The header row and the rows of the table.
fn table(forms: &[Form]) -> (Vec<String>, Vec<Vec<Cell>>) {
    let extras = extra_keys(forms);
    let ind_extras = indicator_extra_keys(forms);
    let spec = &Tables::get().flat;
    let mut header: Vec<String> = columns().iter().map(Column::header).collect();
    header.extend(extras.iter().cloned());
    header.extend(ind_extras.iter().map(|k| spec.indicator_extra_header(k)));
    let mut rows = Vec::new();
    for form in forms {
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
            let target = Target::parse(&ind.target);
            let part = |which: Computed| match &target {
                Target::Quantitative { op, number, unit } => match which {
                    Computed::TargetOp => op.clone(),
                    Computed::TargetNumber => number.clone(),
                    Computed::TargetUnit => unit.clone(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            let mut row: Vec<Cell> = columns()
                .iter()
                .map(|c| match (c.field, c.value) {
                    (Some(field), _) => match ind.get(field) {
                        Some(text) => Cell::Text(text.to_string()),
                        None => match form.get(field) {
                            Some(FieldValue::Year(y)) => Cell::Year(y),
                            Some(FieldValue::Text(t)) => Cell::Text(t.unwrap_or_default()),
                            Some(FieldValue::Amount(a)) => Cell::Amount(a),
                            Some(FieldValue::Date(d)) => Cell::Date(d),
                            None => Cell::Text(String::new()),
                        },
                    },
                    (None, Some(v)) => Cell::Text(part(v)),
                    (None, None) => Cell::Text(String::new()),
                })
                .collect();
            row.extend(tail.iter().cloned());
            row.extend(
                ind_extras
                    .iter()
                    .map(|k| Cell::Text(ind.extra.get(k).cloned().unwrap_or_default())),
            );
            rows.push(row);
        }
    }
    (header, rows)
}

/// Writes the flat table as CSV: UTF-8 with a byte-order mark, RFC 4180 quoting.
pub(crate) fn write_csv<W: Write>(forms: &[Form], mut w: W) -> std::io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let (header, rows) = table(forms);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header.iter().map(|h| escape(h).into_owned()))
        .map_err(csv_io)?;
    for row in rows {
        out.write_record(row.iter().map(|c| escape(&c.text()).into_owned()))
            .map_err(csv_io)?;
    }
    out.flush()
}

/// What a spreadsheet takes for the start of a formula when it opens a CSV (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a text written to CSV needs a leading apostrophe: it starts like a formula, or
/// with an apostrophe before such a start or before another apostrophe (so that exactly
/// the escaping apostrophe is removed on reading).
fn needs_escape(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if FORMULA_STARTS.contains(&c) => true,
        Some('\'') => chars
            .next()
            .is_some_and(|c| c == '\'' || FORMULA_STARTS.contains(&c)),
        _ => false,
    }
}

/// A cell's text as written to CSV: `'=721.00(平方米)` for `=721.00(平方米)`, so that Excel,
/// WPS and LibreOffice show text instead of running a formula.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if needs_escape(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A cell's text as written to the flat xlsx: as it is (a text cell runs no formula), but
/// for a text that starts with an apostrophe that [`unescape`] would take for the CSV's
/// escaping one (`'=1`, `''`): that one gets its own, so that it reads back whole.
fn xlsx_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with('\'') {
        escape(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A flat-table cell's text as read: the escaping apostrophe of [`escape`] removed, and no
/// other.
pub(crate) fn unescape(text: String) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if needs_escape(rest) => rest.to_string(),
        _ => text,
    }
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
pub(crate) fn workbook(forms: &[Form]) -> Result<Workbook> {
    build(forms).map_err(|e| workbook::xlsx_error(&Tables::get().flat.sheet, e))
}

fn build(forms: &[Form]) -> Result<Workbook, XlsxError> {
    let (header, rows) = table(forms);
    let mut wb = workbook::new_workbook();
    let ws = wb.add_worksheet();
    let spec = &Tables::get().flat;
    ws.set_name(&spec.sheet)?;
    let base = Format::new()
        .set_font_name(&Style::get().font)
        .set_font_size(Tables::get().summary_page.font_size);
    let bold = base.clone().set_bold().set_align(FormatAlign::Center);
    let amount = base.clone().set_num_format(amount_format(2));
    let amount_text = base.clone().set_align(FormatAlign::Right);
    let date = base.clone().set_num_format(date_format());
    let mut widths: Vec<f64> = header.iter().map(|h| display_width(h)).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, col(c), xlsx_text(h), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    ws.write_string_with_format(r, col(c), xlsx_text(t), &base)?;
                }
                Cell::Amount(Some(a)) => write_amount(ws, r, col(c), *a, &amount, &amount_text)?,
                Cell::Date(Some(d)) => {
                    if let Some(dt) = workbook::excel_date(*d) {
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
        ws.set_column_width(col(c), w.min(spec.width_max))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last_row, col(header.len().saturating_sub(1)))?;
    Ok(wb)
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Whether a header row is that of a flat table (it names 项目名称 and the indicator columns).
pub(crate) fn is_flat_header(header: &[String]) -> bool {
    // Asked of every sheet's first row: the headers looked for are worked out once.
    static NEEDED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let needed = NEEDED.get_or_init(|| {
        let mut needed = vec![Field::ProjectName.header()];
        needed.extend(indicator_headers());
        needed
    });
    needed.iter().all(|h| header.iter().any(|x| x.trim() == h))
}

/// Reads a flat CSV (with or without a byte-order mark) into forms. Its errors name no
/// file: [`crate::read`] adds it.
pub(crate) fn read_csv(bytes: &[u8]) -> Result<Vec<Form>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::BadTable,
            Location::default(),
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
    let mut records: Vec<Vec<String>> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let at = || Location::default().label(format!("第{}行", i + 1));
        let rec =
            rec.map_err(|e| Error::new(ErrorKind::BadTable, at(), format!("CSV 格式错误（{e}）")))?;
        let rec: Vec<String> = rec.iter().map(str::to_string).collect();
        // Every row has the header's columns: a shorter or longer row is a cut-off file, a
        // stray separator or a quote that swallowed what follows.
        if let Some(header) = records.first()
            && rec.len() != header.len()
        {
            return Err(Error::new(
                ErrorKind::BadTable,
                at(),
                format!(
                    "这一行有 {} 列，表头有 {} 列；文件可能不完整，或有多余的逗号、未闭合的引号；请在 Excel 或 WPS 中检查该行",
                    rec.len(),
                    header.len()
                ),
            ));
        }
        records.push(rec);
    }
    // Quotes come in pairs (`""` inside a quoted cell is a pair too): an odd count means a
    // quote that was never closed, and the cell it opened ran to the end of the file.
    if text.matches('"').count() % 2 == 1 {
        return Err(Error::new(
            ErrorKind::BadTable,
            Location::default().label(format!("第{}行", records.len())),
            "这一行有未闭合的引号（\"），其后的内容都被读进了一个单元格；请在 Excel 或 WPS 中检查该行",
        ));
    }
    let mut rows = records.into_iter();
    let header: Vec<String> = rows
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(unescape)
        .collect();
    let rows: Vec<(RowAt, Vec<Option<Value>>)> = rows
        .enumerate()
        .map(|(i, r)| {
            let cells = r
                .into_iter()
                .map(|t| (!t.is_empty()).then(|| Value::Text(unescape(t))))
                .collect();
            (RowAt::Line(i + 2), cells)
        })
        .collect();
    forms_from_rows(&header, rows, &Location::default())
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

/// Groups table rows into forms: all rows of one project (same 年度, 项目名称, 主管部门,
/// 实施单位) make one form wherever they stand, so a table sorted or filtered in a
/// spreadsheet gives the same forms. Forms come in the order of their first row; a form's
/// indicator rows keep their order in the table (nothing is re-sorted). Every row of a
/// project must repeat its first row's other form fields (amounts, dates, goals, `extra`):
/// the first that differs is refused, naming both rows.
pub(crate) fn forms_from_rows(
    header: &[String],
    rows: Vec<(RowAt, Vec<Option<Value>>)>,
    whole: &Location,
) -> Result<Vec<Form>> {
    refuse_bad_header(header, whole)?;
    let cols = FlatColumns::of(header);
    let mut forms: Vec<Form> = Vec::new();
    // Each project's identity texts → its form's index, the location of its first row and
    // that row's form-defining texts, which every later row of the project must repeat.
    let mut seen: IndexMap<Vec<String>, (usize, RowAt, Vec<String>)> = IndexMap::new();
    for (row_at, cells) in rows {
        let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).and_then(Option::as_ref);
        let texts: Vec<String> = cols
            .form
            .iter()
            .map(|(_, _, i)| get(*i).map(Value::text).unwrap_or_default())
            .chain(
                cols.extra
                    .iter()
                    .map(|(i, _)| get(Some(*i)).map(Value::text).unwrap_or_default()),
            )
            .collect();
        if texts.iter().all(String::is_empty)
            && cols.indicator.iter().all(|&i| get(i).is_none())
            && cols
                .indicator_extra
                .iter()
                .all(|&(i, _)| get(Some(i)).is_none())
        {
            continue; // a blank line
        }
        let key: Vec<String> = cols
            .identity
            .iter()
            .map(|&i| texts.get(i).cloned().unwrap_or_default())
            .collect();
        let at_form = if let Some((at_form, first, ftexts)) = seen.get(&key) {
            if let Some(i) = (0..texts.len()).find(|&i| texts.get(i) != ftexts.get(i)) {
                return Err(cols.disagreement(i, (first, ftexts), (&row_at, &texts), whole));
            }
            *at_form
        } else {
            forms.push(cols.new_form(&get, &row_at, whole)?);
            let at_form = forms.len() - 1;
            seen.insert(key, (at_form, row_at, texts));
            at_form
        };
        let ind: Vec<String> = cols
            .indicator
            .iter()
            .map(|&i| get(i).map(Value::text).unwrap_or_default())
            .collect();
        let ind_extra: IndexMap<String, String> = cols
            .indicator_extra
            .iter()
            .filter_map(|&(i, k)| get(Some(i)).map(|v| (k.to_string(), v.text())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if (ind.iter().any(|t| !t.is_empty()) || !ind_extra.is_empty())
            && let (Some(form), [l1, l2, l3, t]) = (forms.get_mut(at_form), ind.as_slice())
        {
            let mut indicator = Indicator::new(l1, l2, l3, t);
            indicator.extra = ind_extra;
            form.indicators.push(indicator);
        }
    }
    Ok(forms)
}

/// Refuses a header that is not the flat table's, or that names a column twice (which one
/// holds the field is anyone's guess).
fn refuse_bad_header(header: &[String], whole: &Location) -> Result<()> {
    if !is_flat_header(header) {
        return Err(Error::new(
            ErrorKind::BadTable,
            whole.clone(),
            format!(
                "不是指标明细表：表头须含“{}”和“{}”列",
                Field::ProjectName.header(),
                indicator_headers().join("”“")
            ),
        ));
    }
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if let Some(j) = (!h.is_empty())
            .then(|| header.iter().take(i).position(|x| x.trim() == h))
            .flatten()
        {
            return Err(Error::new(
                ErrorKind::BadTable,
                whole.clone().label(format!("表头“{h}”")),
                format!(
                    "第{}列和第{}列的表头相同，无法确定用哪一列；请删除或改名其中一列",
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

/// Where a flat table's header puts each part of a form.
struct FlatColumns<'h> {
    /// The form's columns (every field but the indicator table's), in table order: header,
    /// field, column.
    form: Vec<(String, Field, Option<usize>)>,
    /// The indicator table's columns.
    indicator: Vec<Option<usize>>,
    /// Indices into `form` of the columns that identify a project, and their headers.
    identity: Vec<usize>,
    identity_headers: Vec<String>,
    /// Indicator `extra` columns (column, key) and form `extra` columns (column, header).
    indicator_extra: Vec<(usize, &'h str)>,
    extra: Vec<(usize, &'h String)>,
}

impl<'h> FlatColumns<'h> {
    fn of(header: &'h [String]) -> FlatColumns<'h> {
        let index = |h: &str| header.iter().position(|x| x.trim() == h);
        let form: Vec<(String, Field, Option<usize>)> = columns()
            .iter()
            .filter_map(|c| c.field.filter(|f| f.indicator_index().is_none()))
            .map(|f| {
                let h = f.header();
                let i = index(&h);
                (h, f, i)
            })
            .collect();
        let indicator = indicator_headers().iter().map(|h| index(h)).collect();
        let known: Vec<String> = columns().iter().map(Column::header).collect();
        let spec = &Tables::get().flat;
        let identity: Vec<usize> = spec
            .identity
            .iter()
            .filter_map(|f| form.iter().position(|(_, g, _)| g == f))
            .collect();
        let identity_headers = identity
            .iter()
            .filter_map(|&i| form.get(i).map(|(h, _, _)| h.clone()))
            .collect();
        let indicator_extra = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| spec.indicator_extra_key(h.trim()).map(|k| (i, k)))
            .collect();
        let extra = header
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                !h.trim().is_empty()
                    && !known.iter().any(|k| k == h.trim())
                    && spec.indicator_extra_key(h.trim()).is_none()
            })
            .collect();
        FlatColumns {
            form,
            indicator,
            identity,
            identity_headers,
            indicator_extra,
            extra,
        }
    }

    /// The form of a project's first row: its fields and `extra` columns.
    fn new_form<'v>(
        &self,
        get: &dyn Fn(Option<usize>) -> Option<&'v Value>,
        row_at: &RowAt,
        whole: &Location,
    ) -> Result<Form> {
        let mut form = Form::default();
        for (h, field, i) in &self.form {
            let Some(v) = get(*i) else { continue };
            let at = || row_at.at(whole, *i, h);
            if *field == Field::Year {
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
            let value = match field.kind() {
                FieldKind::Amount => {
                    FieldValue::Amount(amount_of(v, crate::amount::Unit::Yuan, at)?)
                }
                FieldKind::Date => FieldValue::Date(date_of(v, at)?),
                _ => FieldValue::Text(Some(v.text())),
            };
            form.set(*field, value);
        }
        for (i, h) in &self.extra {
            if let Some(v) = get(Some(*i)) {
                form.extra.insert(h.trim().to_string(), v.text());
            }
        }
        Ok(form)
    }

    /// Two rows of one project that disagree on the `i`th form-defining text.
    fn disagreement(
        &self,
        i: usize,
        (first, ftexts): (&RowAt, &[String]),
        (row_at, texts): (&RowAt, &[String]),
        whole: &Location,
    ) -> Error {
        let (header, col) = match self.form.get(i) {
            Some((h, _, c)) => (h.clone(), *c),
            None => self
                .extra
                .get(i - self.form.len())
                .map_or((String::new(), None), |(c, h)| (h.to_string(), Some(*c))),
        };
        Error::new(
            ErrorKind::BadTable,
            row_at.at(whole, col, &header),
            format!(
                "同一项目（{}相同）的两行值不一致：{}为“{}”，{}为“{}”；请统一后再试，若实为两个项目，请改动其中一个的项目名称",
                self.identity_headers.join("、"),
                first.describe(),
                ftexts.get(i).cloned().unwrap_or_default(),
                row_at.describe(),
                texts.get(i).cloned().unwrap_or_default(),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flat_xlsx_escapes_only_what_reading_would_unescape() {
        for (text, written) in [
            ("=1", "=1"),
            ("'abc", "'abc"),
            ("'=1", "''=1"),
            ("''=1", "'''=1"),
            ("''", "'''"),
        ] {
            assert_eq!(xlsx_text(text), written, "{text:?}");
            assert_eq!(unescape(written.to_string()), text, "{written:?}");
        }
    }

    #[test]
    fn formula_starts_are_escaped_and_exactly_unescaped() {
        for (text, written) in [
            ("=721.00(平方米)", "'=721.00(平方米)"),
            ("+1", "'+1"),
            ("-3.00", "'-3.00"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("'=x", "''=x"),
            ("''", "'''"),
            ("'abc", "'abc"),
            ("'", "'"),
            ("≥85.00(%)", "≥85.00(%)"),
            ("", ""),
        ] {
            assert_eq!(escape(text), written, "{text:?}");
            assert_eq!(unescape(written.to_string()), text, "{written:?}");
        }
    }
}
