//! The official layouts, described once as data in `templates/` and embedded in the binary.
//!
//! The writer renders a [`Layout`]; the reader recognises forms by the labels the same
//! description holds, so the two cannot drift apart.
//!
//! ```
//! use declform::layout::{Layout, LayoutKind};
//! let l = Layout::get(LayoutKind::Y2024);
//! assert_eq!(l.columns(), 5);
//! assert_eq!(l.title.text, "财政项目支出绩效目标申报表");
//! ```

use serde::Deserialize;
use std::fmt;
use std::sync::OnceLock;

/// Which official grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum LayoutKind {
    /// The 2024 grid: five columns, no 项目性质.
    #[value(name = "2024")]
    Y2024,
    /// The 2026 grid: six columns, with 项目性质.
    #[value(name = "2026")]
    Y2026,
}

impl LayoutKind {
    /// Both layouts, the default first.
    pub const ALL: [LayoutKind; 2] = [LayoutKind::Y2024, LayoutKind::Y2026];
}

impl fmt::Display for LayoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LayoutKind::Y2024 => "2024",
            LayoutKind::Y2026 => "2026",
        })
    }
}

/// A rectangle relative to the form's top-left cell, zero-based, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Area {
    /// First row.
    pub row: u32,
    /// First column.
    pub col: u16,
    /// Last row.
    pub last_row: u32,
    /// Last column.
    pub last_col: u16,
}

impl Area {
    /// Whether the area is more than one cell.
    pub fn is_merged(&self) -> bool {
        self.row != self.last_row || self.col != self.last_col
    }
}

/// A span of columns, zero-based, inclusive (`"B"` or `"E:F"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Cols {
    /// First column.
    pub first: u16,
    /// Last column.
    pub last: u16,
}

/// The zero-based column of letters such as `"A"` or `"XFD"`.
///
/// ```
/// assert_eq!(declform::layout::column_index("AA"), Some(26));
/// ```
pub fn column_index(letters: &str) -> Option<u16> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_uppercase() {
            return None;
        }
        n = n * 26 + u32::from(b - b'A' + 1);
    }
    u16::try_from(n - 1).ok().filter(|&c| c < 16_384)
}

/// The letters of a zero-based column.
///
/// ```
/// assert_eq!(declform::layout::column_letters(26), "AA");
/// ```
pub fn column_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The A1 reference of a zero-based cell.
///
/// ```
/// assert_eq!(declform::layout::a1(5, 2), "C6");
/// ```
pub fn a1(row: u32, col: u16) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

fn parse_cell(s: &str) -> Option<(u32, u16)> {
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column_index(letters)?))
}

impl TryFrom<String> for Area {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("not an A1 area: {s}");
        let (a, b) = s.split_once(':').unwrap_or((&s, &s));
        let (row, col) = parse_cell(a).ok_or_else(bad)?;
        let (last_row, last_col) = parse_cell(b).ok_or_else(bad)?;
        if last_row < row || last_col < col {
            return Err(bad());
        }
        Ok(Area {
            row,
            col,
            last_row,
            last_col,
        })
    }
}

impl TryFrom<String> for Cols {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let (a, b) = s.split_once(':').unwrap_or((&s, &s));
        match (column_index(a), column_index(b)) {
            (Some(first), Some(last)) if first <= last => Ok(Cols { first, last }),
            _ => Err(format!("not a column span: {s}")),
        }
    }
}

/// Fixed text in a fixed place (title, year line).
#[derive(Debug, Clone, Deserialize)]
pub struct Placed {
    /// Where.
    pub at: Area,
    /// The text; `{year}` stands for the form's year.
    pub text: String,
}

/// A label and, for a model field, where its value stands.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldCell {
    /// The label as written; `{period}` stands for `(2024年-2024年)`.
    pub label: String,
    /// Where the label stands.
    pub label_at: Area,
    /// The model field (`project_name`, `funds.total`, ...); `None` for section labels.
    #[serde(default)]
    pub field: Option<String>,
    /// Where the value stands.
    #[serde(default)]
    pub at: Option<Area>,
    /// A special role: `funds_unit` marks the label that carries `(元)` or `(万元)`.
    #[serde(default)]
    pub role: Option<String>,
}

/// A label/value pair slot of the extra rows.
#[derive(Debug, Clone, Deserialize)]
pub struct PairSlot {
    /// The label's columns.
    pub label_at: Cols,
    /// The value's columns.
    pub at: Cols,
}

/// A model field that this layout has no cell for, written as an extra pair when set.
#[derive(Debug, Clone, Deserialize)]
pub struct ExtraField {
    /// The label.
    pub label: String,
    /// The model field.
    pub field: String,
}

/// Where `extra` label/value pairs go: rows inserted after a header row.
#[derive(Debug, Clone, Deserialize)]
pub struct ExtraSpec {
    /// The 1-based layout row after which extra rows are inserted.
    pub after_row: u32,
    /// The pair slots of one extra row, left to right.
    pub pairs: Vec<PairSlot>,
    /// Model fields written as pairs when this layout has no cell of their own.
    pub fields: Vec<ExtraField>,
}

/// The 绩效指标 section label, merged down over the table.
#[derive(Debug, Clone, Deserialize)]
pub struct SectionLabel {
    /// The text.
    pub text: String,
    /// Its column.
    pub column: Cols,
}

/// One column of the indicator table.
#[derive(Debug, Clone, Deserialize)]
pub struct IndicatorColumn {
    /// The header label.
    pub label: String,
    /// `level1`, `level2`, `level3` or `target`.
    pub field: String,
    /// Its columns.
    pub at: Cols,
}

/// The 绩效指标 table.
#[derive(Debug, Clone, Deserialize)]
pub struct IndicatorSpec {
    /// The section label.
    pub label: SectionLabel,
    /// The 1-based layout row of the header (before extra rows are inserted).
    pub header_row: u32,
    /// The columns, left to right.
    pub columns: Vec<IndicatorColumn>,
}

/// One official grid, as described in `templates/layout-*.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Layout {
    /// `2024` or `2026`.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Column widths in Excel's character units, one per column of the grid.
    pub column_widths: Vec<f64>,
    /// The title.
    pub title: Placed,
    /// The year line.
    pub year: Placed,
    /// Labels and the fields beside or below them.
    pub fields: Vec<FieldCell>,
    /// Extra label/value rows.
    pub extra: ExtraSpec,
    /// The indicator table.
    pub indicators: IndicatorSpec,
}

/// The reader's extra vocabulary (`templates/labels.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    /// Canonical label → accepted variants (both normalised before comparing).
    pub aliases: indexmap::IndexMap<String, Vec<String>>,
}

/// The indicator taxonomy and the template's lists (`templates/taxonomy.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct Taxonomy {
    /// 一级指标 with their 二级指标.
    pub levels: Vec<TaxonomyLevel>,
    /// The blank template's (一级, 二级) rows.
    pub skeleton: Vec<(String, String)>,
    /// 项目类别 choices.
    pub project_categories: Vec<String>,
    /// 项目性质 choices.
    pub project_natures: Vec<String>,
}

/// One 一级指标 of the taxonomy.
#[derive(Debug, Clone, Deserialize)]
pub struct TaxonomyLevel {
    /// The 一级指标.
    pub level1: String,
    /// Its 二级指标.
    pub level2: Vec<String>,
    /// Whether rows may have no 二级指标 (成本指标).
    #[serde(default)]
    pub level2_optional: bool,
    /// Whether a form may have no real indicator under it (成本指标): a warning, not an error.
    #[serde(default)]
    pub may_be_empty: bool,
}

/// How the forms are printed (`templates/style.json`): font, sizes, row heights, page.
#[derive(Debug, Clone, Deserialize)]
pub struct Style {
    /// The font of every cell.
    pub font: String,
    /// Its size in points.
    pub font_size: f64,
    /// The title's size.
    pub title_font_size: f64,
    /// The title row's height in points.
    pub title_row_height: f64,
    /// Points per line of wrapped text.
    pub line_height: f64,
    /// The least height of a row.
    pub min_row_height: f64,
    /// Excel's paper size code (9 is A4).
    pub paper_size: u8,
    /// Page margins in inches.
    pub margins: Margins,
}

/// Page margins in inches.
#[derive(Debug, Clone, Deserialize)]
pub struct Margins {
    /// Left.
    pub left: f64,
    /// Right.
    pub right: f64,
    /// Top.
    pub top: f64,
    /// Bottom.
    pub bottom: f64,
    /// Header.
    pub header: f64,
    /// Footer.
    pub footer: f64,
}

impl Style {
    /// The embedded style.
    pub fn get() -> &'static Style {
        &embedded().style
    }
}

struct Embedded {
    y2024: Layout,
    y2026: Layout,
    labels: Labels,
    taxonomy: Taxonomy,
    style: Style,
}

fn embedded() -> &'static Embedded {
    static CELL: OnceLock<Embedded> = OnceLock::new();
    CELL.get_or_init(|| {
        // These are compiled-in files, not input: the unit tests parse each of them.
        #[allow(clippy::expect_used)]
        Embedded {
            y2024: serde_json::from_str(include_str!("../templates/layout-2024.json"))
                .expect("templates/layout-2024.json is valid"),
            y2026: serde_json::from_str(include_str!("../templates/layout-2026.json"))
                .expect("templates/layout-2026.json is valid"),
            labels: serde_json::from_str(include_str!("../templates/labels.json"))
                .expect("templates/labels.json is valid"),
            taxonomy: serde_json::from_str(include_str!("../templates/taxonomy.json"))
                .expect("templates/taxonomy.json is valid"),
            style: serde_json::from_str(include_str!("../templates/style.json"))
                .expect("templates/style.json is valid"),
        }
    })
}

impl Layout {
    /// The embedded layout of a kind.
    pub fn get(kind: LayoutKind) -> &'static Layout {
        match kind {
            LayoutKind::Y2024 => &embedded().y2024,
            LayoutKind::Y2026 => &embedded().y2026,
        }
    }

    /// The number of columns of the grid.
    pub fn columns(&self) -> u16 {
        u16::try_from(self.column_widths.len()).unwrap_or(u16::MAX)
    }

    /// The label cell of a model field, if the layout has one.
    pub fn field(&self, field: &str) -> Option<&FieldCell> {
        self.fields
            .iter()
            .find(|f| f.field.as_deref() == Some(field))
    }

    /// The Chinese label of a model field (`funds.total` → `项目资金总额`), for messages.
    pub fn field_label(&self, field: &str) -> Option<String> {
        if let Some(f) = self.field(field) {
            return Some(f.label.replace("{period}", ""));
        }
        if let Some(f) = self.extra.fields.iter().find(|f| f.field == field) {
            return Some(f.label.clone());
        }
        self.indicators
            .columns
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.label.clone())
    }
}

impl Labels {
    /// The embedded reader vocabulary.
    pub fn get() -> &'static Labels {
        &embedded().labels
    }
}

impl Taxonomy {
    /// The embedded taxonomy.
    pub fn get() -> &'static Taxonomy {
        &embedded().taxonomy
    }

    /// The template's skeleton rows as indicators.
    pub fn skeleton_indicators(&self) -> Vec<crate::Indicator> {
        self.skeleton
            .iter()
            .map(|(l1, l2)| crate::Indicator::new(l1, l2, "", ""))
            .collect()
    }
}

/// The Chinese name of a model field path for messages, from the layouts, e.g.
/// `funds.total` → `项目资金总额`, `indicators` → `绩效指标`.
pub fn chinese_name(field: &str) -> String {
    let l = Layout::get(LayoutKind::Y2024);
    match field {
        "year" => "年度".into(),
        "indicators" => l.indicators.label.text.clone(),
        "extra" => "其他信息".into(),
        "funds" => "项目资金".into(),
        f => LayoutKind::ALL
            .iter()
            .find_map(|&k| Layout::get(k).field_label(f))
            .unwrap_or_else(|| f.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse() {
        for kind in LayoutKind::ALL {
            let l = Layout::get(kind);
            assert_eq!(l.name, kind.to_string());
            assert_eq!(l.title.at.last_col + 1, l.columns());
        }
        assert!(Labels::get().aliases.contains_key("项目总目标"));
        assert_eq!(Taxonomy::get().skeleton.len(), 9);
        assert_eq!(Style::get().paper_size, 9);
    }

    #[test]
    fn a1_refs() {
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("XFD"), Some(16_383));
        assert_eq!(column_index("XFE"), None);
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
        let a = Area::try_from("B7:C8".to_string()).unwrap();
        assert_eq!((a.row, a.col, a.last_row, a.last_col), (6, 1, 7, 2));
        assert!(Area::try_from("C8:B7".to_string()).is_err());
    }

    #[test]
    fn chinese_names() {
        assert_eq!(chinese_name("funds.total"), "项目资金总额");
        assert_eq!(chinese_name("start_date"), "计划开始日期");
        assert_eq!(chinese_name("overall_goal"), "项目总目标");
        assert_eq!(chinese_name("project_nature"), "项目性质");
    }
}
