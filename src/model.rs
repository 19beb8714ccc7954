//! The form model of `spec/model.md`: what `convert` writes as JSON and reads back.
//!
//! ```
//! use declform::Document;
//! let doc: Document = serde_json::from_str(r#"{"forms": []}"#).unwrap();
//! assert!(doc.forms.is_empty());
//! ```

use crate::amount::Amount;
use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A JSON document: `{"forms": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Document {
    /// The forms, in order.
    pub forms: Vec<Form>,
}

/// One 财政项目支出绩效目标申报表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Form {
    /// `(2024年度)` under the title; `None` when the form has no year line.
    pub year: Option<i32>,
    /// 项目名称.
    pub project_name: String,
    /// 项目类别 (其他人员类, 其他运转类, 公用经费, 特定目标类, ...).
    pub project_category: String,
    /// 项目性质 (2026 layout only): 一次性项目, 经常性项目, 阶段性项目.
    #[serde(default)]
    pub project_nature: Option<String>,
    /// 主管部门.
    pub department: String,
    /// 实施单位.
    pub implementing_unit: String,
    /// 计划开始日期.
    #[serde(with = "crate::date::opt_iso", default)]
    pub start_date: Option<NaiveDate>,
    /// 计划完成日期.
    #[serde(with = "crate::date::opt_iso", default)]
    pub end_date: Option<NaiveDate>,
    /// The 项目资金 block.
    pub funds: Funds,
    /// 项目总目标.
    pub overall_goal: String,
    /// 年度总目标.
    pub annual_goal: String,
    /// The 绩效指标 table, top to bottom.
    pub indicators: Vec<Indicator>,
    /// Labelled header fields the layout does not know, in sheet order.
    #[serde(default)]
    pub extra: IndexMap<String, String>,
    /// Where the form was read from; not part of the form's content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// The 项目资金 block; every amount in 元, `None` for an empty cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Funds {
    /// 项目资金总额.
    pub total: Option<Amount>,
    /// 其中：财政资金.
    pub total_fiscal: Option<Amount>,
    /// 其他资金 (left column).
    pub total_other: Option<Amount>,
    /// 年度资金申请总额.
    pub annual_total: Option<Amount>,
    /// 其中：当年财政拨款.
    pub annual_appropriation: Option<Amount>,
    /// 上年结转资金.
    pub annual_carryover: Option<Amount>,
    /// 其他资金 (right column).
    pub annual_other: Option<Amount>,
}

/// The seven amounts' model keys, in form order.
pub const AMOUNT_KEYS: [&str; 7] = [
    "total",
    "total_fiscal",
    "total_other",
    "annual_total",
    "annual_appropriation",
    "annual_carryover",
    "annual_other",
];

/// The seven amounts' column headers in tables (`merge`'s summary, the flat table), in
/// [`AMOUNT_KEYS`] order; the two 其他资金 are told apart.
pub const AMOUNT_HEADERS: [&str; 7] = [
    "项目资金总额",
    "财政资金",
    "其他资金（项目）",
    "年度资金申请总额",
    "当年财政拨款",
    "上年结转资金",
    "其他资金（年度）",
];

impl Funds {
    /// The amount of a model key of [`AMOUNT_KEYS`].
    pub fn get(&self, key: &str) -> Option<Amount> {
        self.slot(key).and_then(|a| *a)
    }

    /// Sets the amount of a model key; returns false for an unknown key.
    pub fn set(&mut self, key: &str, value: Option<Amount>) -> bool {
        match self.slot_mut(key) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        }
    }

    /// The seven amounts in form order.
    pub fn all(&self) -> [Option<Amount>; 7] {
        [
            self.total,
            self.total_fiscal,
            self.total_other,
            self.annual_total,
            self.annual_appropriation,
            self.annual_carryover,
            self.annual_other,
        ]
    }

    fn slot(&self, key: &str) -> Option<&Option<Amount>> {
        Some(match key {
            "total" => &self.total,
            "total_fiscal" => &self.total_fiscal,
            "total_other" => &self.total_other,
            "annual_total" => &self.annual_total,
            "annual_appropriation" => &self.annual_appropriation,
            "annual_carryover" => &self.annual_carryover,
            "annual_other" => &self.annual_other,
            _ => return None,
        })
    }

    fn slot_mut(&mut self, key: &str) -> Option<&mut Option<Amount>> {
        Some(match key {
            "total" => &mut self.total,
            "total_fiscal" => &mut self.total_fiscal,
            "total_other" => &mut self.total_other,
            "annual_total" => &mut self.annual_total,
            "annual_appropriation" => &mut self.annual_appropriation,
            "annual_carryover" => &mut self.annual_carryover,
            "annual_other" => &mut self.annual_other,
            _ => return None,
        })
    }
}

/// One row of the 绩效指标 table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Indicator {
    /// 一级指标.
    pub level1: String,
    /// 二级指标; `""` where the row has none.
    pub level2: String,
    /// 三级指标; `""` on an empty category row.
    pub level3: String,
    /// 年度指标值 as written; `""` when empty.
    pub target: String,
}

impl Indicator {
    /// Builds an indicator row.
    ///
    /// ```
    /// use declform::Indicator;
    /// let i = Indicator::new("成本指标", "", "", "");
    /// assert!(i.is_empty_category());
    /// ```
    pub fn new(level1: &str, level2: &str, level3: &str, target: &str) -> Indicator {
        Indicator {
            level1: level1.into(),
            level2: level2.into(),
            level3: level3.into(),
            target: target.into(),
        }
    }

    /// A row that only shows a category: empty `level3` and `target`.
    pub fn is_empty_category(&self) -> bool {
        self.level3.is_empty() && self.target.is_empty()
    }
}

/// Where a form was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Source {
    /// The file, as given.
    pub file: String,
    /// The sheet name (absent for JSON and CSV inputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The A1 reference of the form's title (or first) cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Where each field stood on the sheet (not serialised), so that `check` can name cells.
    #[serde(skip)]
    pub cells: Option<FormCells>,
}

/// Where a read form's fields stood on its sheet, zero-based.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormCells {
    /// Header field key (`project_name`, `funds.total`, ...) → its value cell.
    pub fields: std::collections::BTreeMap<String, (u32, u16)>,
    /// The sheet row of each indicator.
    pub indicator_rows: Vec<u32>,
    /// The columns of 一级, 二级, 三级指标 and 年度指标值.
    pub indicator_cols: [u16; 4],
}

impl Form {
    /// The period of the goal label, `(2024年-2024年)`, from the two dates; `None`
    /// unless both dates are known.
    pub fn period(&self) -> Option<String> {
        use chrono::Datelike;
        Some(format!(
            "({}年-{}年)",
            self.start_date?.year(),
            self.end_date?.year()
        ))
    }

    /// A blank form of a layout (`project_nature` `Some("")` for a 2026-style form)
    /// with the standard indicator skeleton, as `declform template` writes it.
    pub fn blank(year: Option<i32>, skeleton: &[Indicator], with_nature: bool) -> Form {
        Form {
            year,
            project_nature: with_nature.then(String::new),
            indicators: skeleton.to_vec(),
            ..Form::default()
        }
    }
}

/// The value of one header field of a form, by its model key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A text field (`project_name`, goals, ...); `project_nature` gives `None` when null.
    Text(Option<String>),
    /// An amount (`funds.*`).
    Amount(Option<Amount>),
    /// A date (`start_date`, `end_date`).
    Date(Option<NaiveDate>),
}

/// What kind of value a header field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text.
    Text,
    /// An amount of money.
    Amount,
    /// A date.
    Date,
}

/// The kind of a header field key, `None` for keys that are not header fields.
///
/// ```
/// use declform::model::{field_kind, FieldKind};
/// assert_eq!(field_kind("funds.total"), Some(FieldKind::Amount));
/// assert_eq!(field_kind("nope"), None);
/// ```
pub fn field_kind(key: &str) -> Option<FieldKind> {
    match key {
        "project_name" | "project_category" | "project_nature" | "department"
        | "implementing_unit" | "overall_goal" | "annual_goal" => Some(FieldKind::Text),
        "start_date" | "end_date" => Some(FieldKind::Date),
        k => k
            .strip_prefix("funds.")
            .filter(|a| AMOUNT_KEYS.contains(a))
            .map(|_| FieldKind::Amount),
    }
}

impl Form {
    /// A header field by model key (`project_name`, `funds.total`, `start_date`, ...).
    pub fn field(&self, key: &str) -> Option<FieldValue> {
        let text = |s: &String| Some(FieldValue::Text(Some(s.clone())));
        match key {
            "project_name" => text(&self.project_name),
            "project_category" => text(&self.project_category),
            "project_nature" => Some(FieldValue::Text(self.project_nature.clone())),
            "department" => text(&self.department),
            "implementing_unit" => text(&self.implementing_unit),
            "overall_goal" => text(&self.overall_goal),
            "annual_goal" => text(&self.annual_goal),
            "start_date" => Some(FieldValue::Date(self.start_date)),
            "end_date" => Some(FieldValue::Date(self.end_date)),
            k => {
                let a = k.strip_prefix("funds.")?;
                AMOUNT_KEYS
                    .contains(&a)
                    .then(|| FieldValue::Amount(self.funds.get(a)))
            }
        }
    }

    /// Sets a header field by model key; returns false when key and value do not fit.
    /// An empty `project_nature` is stored as null.
    pub fn set_field(&mut self, key: &str, value: FieldValue) -> bool {
        match value {
            FieldValue::Text(t) => {
                let t = t.unwrap_or_default();
                let slot = match key {
                    "project_name" => &mut self.project_name,
                    "project_category" => &mut self.project_category,
                    "department" => &mut self.department,
                    "implementing_unit" => &mut self.implementing_unit,
                    "overall_goal" => &mut self.overall_goal,
                    "annual_goal" => &mut self.annual_goal,
                    "project_nature" => {
                        self.project_nature = (!t.is_empty()).then_some(t);
                        return true;
                    }
                    _ => return false,
                };
                *slot = t;
                true
            }
            FieldValue::Date(d) => match key {
                "start_date" => {
                    self.start_date = d;
                    true
                }
                "end_date" => {
                    self.end_date = d;
                    true
                }
                _ => false,
            },
            FieldValue::Amount(a) => key
                .strip_prefix("funds.")
                .is_some_and(|k| self.funds.set(k, a)),
        }
    }
}
