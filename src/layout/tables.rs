//! The tables made from forms, as `templates/tables.json` describes them: the flat table,
//! the merged workbook's summaries and the diff's listing (columns, totals, page).

use super::{Margins, embedded};
use crate::field::Field;
use serde::Deserialize;

/// The tables made from forms (`templates/tables.json`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Tables {
    /// Table headers of fields whose header differs from their label on the form.
    pub(super) headers: std::collections::HashMap<Field, String>,
    pub(crate) flat: FlatSpec,
    pub(crate) summary: TableSpec,
    pub(crate) by_department: TableSpec,
    pub(crate) total_label: String,
    /// The 合计 label when rows are flagged as duplicates: `{n}` stands for their number.
    pub(crate) total_label_with_duplicates: String,
    /// `{row}` stands for the earlier row's number.
    pub(crate) duplicate_note: String,
    /// The line under a summary's title, at its left.
    pub(crate) unit_line: String,
    /// The same line at its right: `{date}` stands for the date the summary was made.
    pub(crate) date_line: String,
    pub(crate) summary_page: SummaryPage,
    pub(crate) diff: DiffSpec,
}

/// The diff report's 变更清单 and its fills.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DiffSpec {
    pub(crate) sheet: String,
    pub(crate) columns: Vec<DiffColumn>,
    /// RGB, hex.
    changed_fill: String,
    added_fill: String,
    /// `{old}` stands for the old value.
    pub(crate) old_value_note: String,
    pub(crate) width_min: f64,
    pub(crate) width_max: f64,
}

impl DiffSpec {
    /// The fill of a changed cell.
    pub(crate) fn changed_fill(&self) -> u32 {
        u32::from_str_radix(&self.changed_fill, 16).unwrap_or(0xFFEB9C)
    }

    /// The fill of an added indicator row.
    pub(crate) fn added_fill(&self) -> u32 {
        u32::from_str_radix(&self.added_fill, 16).unwrap_or(0xC6EFCE)
    }
}

/// One column of 变更清单.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DiffColumn {
    pub(crate) value: DiffValue,
    #[serde(default)]
    header: Option<String>,
}

impl DiffColumn {
    /// The column's header: its own, or the field's table header.
    pub(crate) fn header(&self) -> String {
        match (&self.header, self.value) {
            (Some(h), _) => h.clone(),
            (None, DiffValue::Project) => Field::ProjectName.header(),
            (None, DiffValue::Department) => Field::Department.header(),
            (None, _) => String::new(),
        }
    }
}

/// What a column of 变更清单 shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DiffValue {
    /// 序号.
    Index,
    /// The kind, in Chinese.
    Kind,
    /// 项目名称.
    Project,
    /// 主管部门.
    Department,
    /// The field's name.
    Field,
    /// The indicator, `一级/二级/三级`.
    Indicator,
    /// The old value.
    Old,
    /// The new value.
    New,
    /// New minus old, for amounts.
    Delta,
    /// Where: a link to the changed cell in the report.
    Place,
}

/// The flat table.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FlatSpec {
    pub(crate) sheet: String,
    pub(crate) columns: Vec<Column>,
    /// The fields whose equal values make rows one form, wherever the rows stand.
    pub(crate) identity: Vec<Field>,
    pub(crate) width_max: f64,
    /// The header of an indicator `extra` column: `{key}` stands for the key.
    pub(crate) indicator_extra_header: String,
}

impl FlatSpec {
    /// The header of the column of indicator `extra` key `key`.
    pub(crate) fn indicator_extra_header(&self, key: &str) -> String {
        self.indicator_extra_header.replace("{key}", key)
    }

    /// The indicator `extra` key a header names, if it is such a column's header.
    pub(crate) fn indicator_extra_key<'h>(&self, header: &'h str) -> Option<&'h str> {
        let (pre, post) = self.indicator_extra_header.split_once("{key}")?;
        header
            .strip_prefix(pre)?
            .strip_suffix(post)
            .filter(|k| !k.is_empty())
    }
}

/// A summary sheet.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TableSpec {
    pub(crate) sheet: String,
    /// The printed title: `{year}` stands for the forms' year.
    title: String,
    /// The title when the forms have several years (or none).
    title_any_year: String,
    pub(crate) columns: Vec<Column>,
    /// The first columns, repeated at the left of every printed page.
    pub(crate) repeat_columns: u16,
    pub(crate) autofilter: bool,
    pub(crate) width_min: f64,
    pub(crate) width_max: f64,
}

/// One column of a table: a model field or a computed value.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Column {
    #[serde(default)]
    pub(crate) field: Option<Field>,
    #[serde(default)]
    pub(crate) value: Option<Computed>,
    #[serde(default)]
    header: Option<String>,
    #[serde(default)]
    pub(crate) style: CellStyle,
    /// Whether the 合计 row sums this column.
    #[serde(default)]
    pub(crate) total: bool,
    /// Whether the column is shown only when some row has a value for it.
    #[serde(default)]
    pub(crate) when_present: bool,
    /// The column's own widest, where narrower than the table's.
    #[serde(default)]
    pub(crate) width_max: Option<f64>,
}

impl TableSpec {
    /// The title of a summary of forms of `year` (`None`: several years, or none).
    pub(crate) fn title(&self, year: Option<i32>) -> String {
        match year {
            Some(y) => self.title.replace("{year}", &y.to_string()),
            None => self.title_any_year.clone(),
        }
    }
}

impl Column {
    /// The column's header: its own, or the field's table header.
    pub(crate) fn header(&self) -> String {
        match (&self.header, self.field) {
            (Some(h), _) => h.clone(),
            (None, Some(f)) => f.header(),
            (None, None) => String::new(),
        }
    }
}

/// A value computed for a table column rather than read from a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Computed {
    /// 序号.
    Index,
    /// Indicators with a 三级指标.
    Indicators,
    /// The forms of a department.
    Count,
    /// The file the form was read from.
    SourceFile,
    /// The sheet the form was read from.
    SourceSheet,
    /// 备注 (flagged duplicates).
    Note,
    /// The parsed target's operator, number and unit (flat table).
    TargetOp,
    /// See [`Computed::TargetOp`].
    TargetNumber,
    /// See [`Computed::TargetOp`].
    TargetUnit,
}

/// How a table cell is formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CellStyle {
    #[default]
    Text,
    Center,
    Number,
    Date,
    Amount,
    Link,
}

/// The summary sheets' print and screen set-up.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SummaryPage {
    pub(crate) font_size: f64,
    pub(crate) title_font_size: f64,
    pub(crate) title_row_height: f64,
    /// Points per line of wrapped text.
    pub(crate) line_height: f64,
    pub(crate) min_row_height: f64,
    /// Excel's footer codes.
    pub(crate) footer: String,
    /// Excel's header codes: `{title}`, `{unit}`, `{date}`, `{font}` and `{size}` (the
    /// title's) stand for their values.
    pub(crate) print_header: String,
    /// RGB, hex.
    header_fill: String,
    link_color: String,
    pub(crate) header_row_height: f64,
    pub(crate) paper_size: u8,
    pub(crate) landscape: bool,
    pub(crate) margins: Margins,
}

impl SummaryPage {
    pub(crate) fn header_fill(&self) -> u32 {
        u32::from_str_radix(&self.header_fill, 16).unwrap_or(0xF2F2F2)
    }

    pub(crate) fn link_color(&self) -> u32 {
        u32::from_str_radix(&self.link_color, 16).unwrap_or(0x0563C1)
    }
}

impl Tables {
    /// The embedded tables.
    pub(crate) fn get() -> &'static Tables {
        &embedded().tables
    }
}
