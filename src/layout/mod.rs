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

use crate::cellref::{column_index, parse_a1};
use crate::field::{Field, FieldKind};
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

mod tables;
pub(crate) use tables::*;

/// Which official grid.
///
/// ```
/// use declform::{LayoutKind, layout::Layout};
/// assert_eq!(LayoutKind::Y2026.to_string(), "2026");
/// assert_eq!(Layout::get(LayoutKind::Y2024).columns(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayoutKind {
    /// The 2024 grid: five columns, no 项目性质.
    Y2024,
    /// The 2026 grid: six columns, with 项目性质.
    Y2026,
    /// The split grid: the 2024 header block and the 一体化 indicator table, whose target
    /// is split over 指标性质 | 指标值 | 度量单位 (`templates/layout-split.json`).
    Split,
}

impl LayoutKind {
    /// Both layouts, the default first.
    ///
    /// ```
    /// use declform::LayoutKind;
    /// assert_eq!(LayoutKind::ALL, [LayoutKind::Y2024, LayoutKind::Y2026]);
    /// ```
    pub const ALL: [LayoutKind; 2] = [LayoutKind::Y2024, LayoutKind::Y2026];

    /// Every layout the writer can produce and the reader knows: the official grids and
    /// the split grid.
    ///
    /// ```
    /// use declform::LayoutKind;
    /// assert_eq!(LayoutKind::EVERY.last(), Some(&LayoutKind::Split));
    /// assert_eq!("split".parse::<LayoutKind>(), Ok(LayoutKind::Split));
    /// ```
    pub const EVERY: [LayoutKind; 3] = [LayoutKind::Y2024, LayoutKind::Y2026, LayoutKind::Split];
}

impl FromStr for LayoutKind {
    type Err = String;

    /// `"2024"` or `"2026"`.
    ///
    /// ```
    /// use declform::LayoutKind;
    /// assert_eq!("2026".parse::<LayoutKind>(), Ok(LayoutKind::Y2026));
    /// assert!("2025".parse::<LayoutKind>().is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// A message naming the layouts there are, for any other text.
    fn from_str(s: &str) -> Result<LayoutKind, String> {
        LayoutKind::EVERY
            .into_iter()
            .find(|k| k.to_string() == s.trim())
            .ok_or_else(|| format!("没有“{s}”版式；可选 2024、2026、split"))
    }
}

impl fmt::Display for LayoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LayoutKind::Y2024 => "2024",
            LayoutKind::Y2026 => "2026",
            LayoutKind::Split => "split",
        })
    }
}

/// A rectangle relative to the form's top-left cell, zero-based, inclusive.
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let title = Layout::get(LayoutKind::Y2024).title.at; // A1:E1
/// assert_eq!((title.row, title.col, title.last_row, title.last_col), (0, 0, 0, 4));
/// ```
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
    ///
    /// ```
    /// use declform::{Field, layout::{Layout, LayoutKind}};
    /// let l = Layout::get(LayoutKind::Y2024);
    /// assert!(l.title.at.is_merged());
    /// assert!(!l.field(Field::FundsTotal).unwrap().at.unwrap().is_merged());
    /// ```
    pub fn is_merged(&self) -> bool {
        self.row != self.last_row || self.col != self.last_col
    }
}

/// A span of columns, zero-based, inclusive (`"B"` or `"E:F"`).
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let target = Layout::get(LayoutKind::Y2026).indicators.columns[3].at; // E:F
/// assert_eq!((target.first, target.last), (4, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Cols {
    /// First column.
    pub first: u16,
    /// Last column.
    pub last: u16,
}

impl TryFrom<String> for Area {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("not an A1 area: {s}");
        let (a, b) = s.split_once(':').unwrap_or((&s, &s));
        let (row, col) = parse_a1(a).ok_or_else(bad)?;
        let (last_row, last_col) = parse_a1(b).ok_or_else(bad)?;
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
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let year = &Layout::get(LayoutKind::Y2024).year;
/// assert_eq!(year.text, "({year}年度)");
/// assert_eq!((year.at.row, year.at.last_col), (1, 4));
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct Placed {
    /// Where.
    pub at: Area,
    /// The text; `{year}` stands for the form's year.
    pub text: String,
}

/// A label and, for a model field, where its value stands.
///
/// ```
/// use declform::{Field, layout::{Layout, LayoutKind}};
/// let f = Layout::get(LayoutKind::Y2024).field(Field::FundsTotalFiscal).unwrap();
/// assert_eq!(f.label, "其中：财政资金");
/// assert_eq!((f.label_at.col, f.at.unwrap().col, f.at.unwrap().last_row), (1, 2, 7));
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct FieldCell {
    /// The label as written; `{period}` stands for `(2024年-2024年)`.
    pub label: String,
    /// Where the label stands.
    pub label_at: Area,
    /// The model field; `None` for section labels.
    #[serde(default)]
    pub field: Option<Field>,
    /// Where the value stands.
    #[serde(default)]
    pub at: Option<Area>,
    /// A special role: `funds_unit` marks the label that carries `(元)` or `(万元)`.
    #[serde(default)]
    pub role: Option<String>,
}

/// A label/value pair slot of the extra rows.
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let slot = &Layout::get(LayoutKind::Y2024).extra.pairs[0]; // label in A, value in B:C
/// assert_eq!((slot.label_at.first, slot.at.first, slot.at.last), (0, 1, 2));
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct PairSlot {
    /// The label's columns.
    pub label_at: Cols,
    /// The value's columns.
    pub at: Cols,
}

/// A model field that this layout has no cell for, written as an extra pair when set.
///
/// ```
/// use declform::{Field, layout::{Layout, LayoutKind}};
/// let extra = &Layout::get(LayoutKind::Y2024).extra.fields[0];
/// assert_eq!((extra.label.as_str(), extra.field), ("项目性质", Field::ProjectNature));
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct ExtraField {
    /// The label.
    pub label: String,
    /// The model field.
    pub field: Field,
}

/// Where `extra` label/value pairs go: rows inserted after a header row.
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let extra = &Layout::get(LayoutKind::Y2024).extra;
/// assert_eq!((extra.after_row, extra.pairs.len(), extra.fields.len()), (5, 2, 1));
/// ```
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
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let label = &Layout::get(LayoutKind::Y2024).indicators.label;
/// assert_eq!((label.text.as_str(), label.column.first), ("绩效指标", 0));
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct SectionLabel {
    /// The text.
    pub text: String,
    /// Its column.
    pub column: Cols,
}

/// One column of the indicator table.
///
/// ```
/// use declform::{Field, layout::{Layout, LayoutKind}};
/// let c = &Layout::get(LayoutKind::Y2024).indicators.columns[0];
/// assert_eq!((c.label.as_str(), c.field, c.at.first), ("一级指标", Field::Level1, 1));
/// ```
#[derive(Debug, Clone, Deserialize)]
pub struct IndicatorColumn {
    /// The header label.
    pub label: String,
    /// [`Field::Level1`], [`Field::Level2`], [`Field::Level3`] or [`Field::Target`].
    pub field: Field,
    /// Its columns.
    pub at: Cols,
    /// For a target split over columns: which part this column holds.
    #[serde(default)]
    pub part: Option<TargetPart>,
}

/// A part of a target split over columns (指标性质 | 指标值 | 度量单位).
///
/// ```
/// use declform::layout::{Layout, LayoutKind, TargetPart};
/// let parts: Vec<_> = Layout::get(LayoutKind::Split).indicators.columns.iter().filter_map(|c| c.part).collect();
/// assert_eq!(parts, [TargetPart::Sign, TargetPart::Value, TargetPart::Unit]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetPart {
    /// 指标性质: a sign, or 定性.
    Sign,
    /// 指标值.
    Value,
    /// 度量单位.
    Unit,
}

/// The 绩效指标 table.
///
/// ```
/// use declform::{Field, layout::{Layout, LayoutKind}};
/// let table = &Layout::get(LayoutKind::Y2024).indicators;
/// assert_eq!(table.header_row, 12);
/// assert!(table.columns.iter().map(|c| c.field).eq(Field::INDICATOR));
/// ```
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
///
/// ```
/// use declform::layout::{Layout, LayoutKind};
/// let l = Layout::get(LayoutKind::Y2026);
/// assert_eq!(l.name, "2026");
/// assert_eq!(l.column_widths.len(), 6);
/// ```
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
pub(crate) struct Labels {
    /// Canonical label → accepted variants (both normalised before comparing).
    pub(crate) aliases: indexmap::IndexMap<String, Vec<String>>,
    /// How a title other than the layouts' own ends (`2020年省级部门预算项目绩效目标表`).
    pub(crate) title_endings: Vec<String>,
    /// The labels of a unit line (`金额单位：万元`).
    pub(crate) unit_line: UnitLine,
    /// The label of the row that closes the indicator table (`备注`).
    pub(crate) remark: String,
}

/// A line such as `金额单位：万元` that says the unit of the amounts.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UnitLine {
    /// Its labels (`金额单位`, `单位`); the units are [`crate::amount::Unit`]'s.
    pub(crate) labels: Vec<String>,
}

/// The indicator taxonomy and the template's lists (`templates/taxonomy.json`).
///
/// ```
/// let t = declform::layout::Taxonomy::get();
/// assert_eq!(t.levels[0].level1, "产出指标");
/// assert!(t.project_categories.contains(&"特定目标类".to_string()));
/// ```
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
///
/// ```
/// let cost = &declform::layout::Taxonomy::get().levels[1];
/// assert_eq!(cost.level1, "成本指标");
/// assert!(cost.level2_optional && cost.may_be_empty);
/// ```
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
pub(crate) struct Style {
    pub(crate) font: String,
    /// The workbook's Normal style, the unit of column widths.
    pub(crate) default_font: DefaultFont,
    /// The width of a column added for an indicator `extra` key, in Excel's units.
    pub(crate) extra_column_width: f64,
    /// The widest a form's grid prints, in Excel's units with each column's padding (5/7
    /// of a unit) included.
    pub(crate) grid_width: f64,
    /// The least width a grid column is narrowed to, to make room for indicator `extra`
    /// columns within the page, in Excel's units.
    pub(crate) min_column_width: f64,
    pub(crate) font_size: f64,
    pub(crate) title_font_size: f64,
    pub(crate) title_row_height: f64,
    /// Points per line of wrapped text.
    pub(crate) line_height: f64,
    pub(crate) min_row_height: f64,
    /// Excel's paper size code (9 is A4).
    pub(crate) paper_size: u8,
    /// The printed page in points, portrait: width, height (A4).
    pub(crate) paper_points: (f64, f64),
    /// Pixels per unit of column width (the default font's digit).
    pub(crate) pixels_per_unit: f64,
    /// Pixels a column prints wider than its width.
    pub(crate) column_padding_pixels: f64,
    /// A column's width where none is set, in Excel's units.
    pub(crate) default_column_width: f64,
    pub(crate) margins: Margins,
    pub(crate) measure: Measure,
    pub(crate) number_formats: NumberFormats,
}

/// The workbook's Normal style font (`templates/style.json`, `default_font`): its digit
/// width is the unit of column widths.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DefaultFont {
    pub(crate) name: String,
    pub(crate) size: f64,
    /// Excel's default row height for this font, in pixels.
    pub(crate) row_pixels: u32,
    /// Excel's default column width for this font, in pixels.
    pub(crate) column_pixels: u32,
}

/// How printed text is measured, to size rows (`templates/style.json`, `measure`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Measure {
    /// Printed points per unit of Excel's column width, in each program measured (Excel,
    /// LibreOffice).
    pub(crate) points_per_unit: Vec<f64>,
    /// Room a program keeps between text and a border, each side, in points.
    pub(crate) padding_points: f64,
    /// Room kept above and below wrapped text, each, in points.
    pub(crate) vertical_padding_points: f64,
    /// The room one indent level takes, in points.
    pub(crate) indent_points: f64,
    /// The width of a non-CJK character, in ems.
    pub(crate) latin_em: f64,
    /// The width of a digit or separator of a printed amount, in em (SimSun 0.5 in Excel,
    /// the substitute CJK font's about 0.55 in LibreOffice): amounts do not wrap, so their
    /// columns are kept this wide.
    pub(crate) digit_em: f64,
}

/// Page margins in inches.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Margins {
    pub(crate) left: f64,
    pub(crate) right: f64,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
    pub(crate) header: f64,
    pub(crate) footer: f64,
}

/// How amounts and dates display.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NumberFormats {
    pub(crate) amount: String,
    pub(crate) date: String,
}

impl Style {
    /// The embedded style.
    pub(crate) fn get() -> &'static Style {
        &embedded().style
    }
}

/// The blank template (`templates/template.json`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TemplateSpec {
    pub(crate) sheet: String,
    /// Lines of text each goal gets room for.
    pub(crate) goal_lines: f64,
    /// Empty indicator rows under each 二级指标 (and under an 一级指标 without one).
    pub(crate) rows_per_level2: usize,
    pub(crate) validations: Vec<ValidationSpec>,
    pub(crate) list_error: Message,
}

/// A title and a message (`{items}` for a list's items).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Message {
    pub(crate) title: String,
    pub(crate) message: String,
}

/// One data validation of the template.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ValidationSpec {
    /// The one field it applies to…
    #[serde(default)]
    pub(crate) field: Option<Field>,
    /// …or every field of this kind.
    #[serde(default)]
    pub(crate) kind: Option<ValidationKind>,
    /// For the target: the column of this part where a layout splits it (指标性质, 指标值,
    /// 度量单位); a target validation without a part applies where the target is one column.
    #[serde(default)]
    pub(crate) part: Option<TargetPart>,
    /// A drop-down list from the taxonomy.
    #[serde(default)]
    pub(crate) list: Option<ListName>,
    /// The least amount.
    #[serde(default)]
    pub(crate) min: Option<f64>,
    /// The date range, `YYYY-MM-DD`.
    #[serde(default)]
    pub(crate) from: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub(crate) to: Option<chrono::NaiveDate>,
    pub(crate) title: String,
    /// `{year}` stands for the template's year.
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) error_title: Option<String>,
    #[serde(default)]
    pub(crate) error_message: Option<String>,
}

/// The kinds of field a validation may apply to as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ValidationKind {
    Amount,
    Date,
}

impl ValidationKind {
    pub(crate) fn matches(self, kind: FieldKind) -> bool {
        matches!(
            (self, kind),
            (ValidationKind::Amount, FieldKind::Amount) | (ValidationKind::Date, FieldKind::Date)
        )
    }
}

/// The lists of `templates/taxonomy.json` a drop-down may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ListName {
    ProjectCategories,
    ProjectNatures,
    Level1,
    Level2,
    /// What a split table's 指标性质 may hold: the signs and 定性 ([`crate::target::NATURES`]).
    TargetNatures,
}

impl Taxonomy {
    /// The items of a list.
    pub(crate) fn list(&self, name: ListName) -> Vec<String> {
        match name {
            ListName::ProjectCategories => self.project_categories.clone(),
            ListName::ProjectNatures => self.project_natures.clone(),
            ListName::Level1 => self.levels.iter().map(|l| l.level1.clone()).collect(),
            ListName::Level2 => self
                .levels
                .iter()
                .flat_map(|l| l.level2.iter().cloned())
                .collect(),
            ListName::TargetNatures => crate::target::NATURES.map(String::from).to_vec(),
        }
    }
}

impl TemplateSpec {
    /// The embedded template description.
    pub(crate) fn get() -> &'static TemplateSpec {
        &embedded().template
    }
}

struct Embedded {
    y2024: Layout,
    y2026: Layout,
    split: Layout,
    labels: Labels,
    taxonomy: Taxonomy,
    style: Style,
    tables: Tables,
    template: TemplateSpec,
}

fn embedded() -> &'static Embedded {
    static CELL: OnceLock<Embedded> = OnceLock::new();
    CELL.get_or_init(|| {
        // These are compiled-in files, not input: the unit tests parse each of them.
        #[allow(clippy::expect_used)]
        Embedded {
            y2024: serde_json::from_str(include_str!("../../templates/layout-2024.json"))
                .expect("templates/layout-2024.json is valid"),
            y2026: serde_json::from_str(include_str!("../../templates/layout-2026.json"))
                .expect("templates/layout-2026.json is valid"),
            split: serde_json::from_str(include_str!("../../templates/layout-split.json"))
                .expect("templates/layout-split.json is valid"),
            labels: serde_json::from_str(include_str!("../../templates/labels.json"))
                .expect("templates/labels.json is valid"),
            taxonomy: serde_json::from_str(include_str!("../../templates/taxonomy.json"))
                .expect("templates/taxonomy.json is valid"),
            style: serde_json::from_str(include_str!("../../templates/style.json"))
                .expect("templates/style.json is valid"),
            tables: serde_json::from_str(include_str!("../../templates/tables.json"))
                .expect("templates/tables.json is valid"),
            template: serde_json::from_str(include_str!("../../templates/template.json"))
                .expect("templates/template.json is valid"),
        }
    })
}

impl Layout {
    /// The embedded layout of a kind.
    ///
    /// ```
    /// use declform::layout::{Layout, LayoutKind};
    /// assert_eq!(Layout::get(LayoutKind::Y2026).columns(), 6);
    /// ```
    pub fn get(kind: LayoutKind) -> &'static Layout {
        match kind {
            LayoutKind::Y2024 => &embedded().y2024,
            LayoutKind::Y2026 => &embedded().y2026,
            LayoutKind::Split => &embedded().split,
        }
    }

    /// The number of columns of the grid.
    ///
    /// ```
    /// use declform::layout::{Layout, LayoutKind};
    /// assert_eq!(Layout::get(LayoutKind::Y2024).columns(), 5);
    /// assert_eq!(Layout::get(LayoutKind::Y2026).columns(), 6);
    /// ```
    pub fn columns(&self) -> u16 {
        u16::try_from(self.column_widths.len()).unwrap_or(u16::MAX)
    }

    /// The label cell of a model field, if the layout has one.
    ///
    /// ```
    /// use declform::Field;
    /// use declform::layout::{Layout, LayoutKind};
    /// let l = Layout::get(LayoutKind::Y2024);
    /// assert_eq!(l.field(Field::FundsTotal).unwrap().label, "项目资金总额");
    /// assert!(l.field(Field::ProjectNature).is_none());
    /// ```
    pub fn field(&self, field: Field) -> Option<&FieldCell> {
        self.fields.iter().find(|f| f.field == Some(field))
    }

    /// The Chinese label of a model field in this layout (`funds.total` → `项目资金总额`).
    fn field_label(&self, field: Field) -> Option<String> {
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
    pub(crate) fn get() -> &'static Labels {
        &embedded().labels
    }
}

impl Taxonomy {
    /// The embedded taxonomy.
    ///
    /// ```
    /// let t = declform::layout::Taxonomy::get();
    /// assert_eq!(t.levels.len(), 4);
    /// assert_eq!(t.project_natures[0], "一次性项目");
    /// ```
    pub fn get() -> &'static Taxonomy {
        &embedded().taxonomy
    }
}

impl Field {
    /// The field's Chinese label, from the layouts in `templates/`: `funds.total` →
    /// `项目资金总额`, `start_date` → `计划开始日期`.
    ///
    /// ```
    /// use declform::Field;
    /// assert_eq!(Field::OverallGoal.label(), "项目总目标");
    /// assert_eq!(Field::Target.label(), "年度指标值");
    /// assert_eq!(Field::Year.label(), "年度");
    /// ```
    pub fn label(self) -> String {
        LayoutKind::ALL
            .iter()
            .find_map(|&k| Layout::get(k).field_label(self))
            .or_else(|| embedded().tables.headers.get(&self).cloned())
            .unwrap_or_else(|| self.key().to_string())
    }

    /// The field's column header in tables (the flat table, the summaries): its label,
    /// except where `templates/tables.json` tells two alike apart (`其他资金（项目）`).
    ///
    /// ```
    /// use declform::Field;
    /// assert_eq!(Field::FundsTotalOther.header(), "其他资金（项目）");
    /// assert_eq!(Field::ProjectName.header(), "项目名称");
    /// ```
    pub fn header(self) -> String {
        embedded()
            .tables
            .headers
            .get(&self)
            .cloned()
            .unwrap_or_else(|| self.label())
    }
}

/// The Chinese name of a model key path for messages (`funds.total` → `项目资金总额`,
/// `indicators` → `绩效指标`); the key itself when it names nothing known.
pub(crate) fn chinese_name(key: &str) -> String {
    let l = Layout::get(LayoutKind::Y2024);
    match key {
        "indicators" => l.indicators.label.text.clone(),
        "extra" => "其他信息".into(),
        "funds" => "项目资金".into(),
        k => k
            .parse::<Field>()
            .map_or_else(|_| k.to_string(), Field::label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse() {
        for kind in LayoutKind::EVERY {
            let l = Layout::get(kind);
            assert_eq!(l.name, kind.to_string());
            assert_eq!(l.title.at.last_col + 1, l.columns());
        }
        assert!(Labels::get().aliases.contains_key("项目总目标"));
        assert_eq!(Taxonomy::get().skeleton.len(), 9);
        assert_eq!(Style::get().paper_size, 9);
        assert_eq!(Tables::get().summary.columns.len(), 20);
        assert_eq!(TemplateSpec::get().validations.len(), 11);
    }

    #[test]
    fn areas() {
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
        assert_eq!(chinese_name("year"), "年度");
        assert_eq!(chinese_name("indicators"), "绩效指标");
    }

    #[test]
    fn every_field_has_a_label_and_a_header() {
        for f in Field::ALL {
            assert_ne!(f.label(), f.key(), "{f}");
            assert!(!f.header().is_empty());
        }
    }
}
