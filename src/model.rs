//! The form model of `docs/model.md`: what `convert` writes as JSON and reads back.
//!
//! ```
//! use declform::Document;
//! let doc: Document = serde_json::from_str(r#"{"forms": []}"#).unwrap();
//! assert!(doc.forms.is_empty());
//! ```

use crate::amount::Amount;
use crate::error::Location;
use crate::field::{Field, FieldKind};
use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A JSON document: `{"forms": [...]}`.
///
/// ```
/// use declform::{Document, Form};
/// let doc = Document { forms: vec![Form { project_name: "甲".into(), ..Form::default() }] };
/// let json = serde_json::to_string(&doc).unwrap();
/// assert!(json.starts_with(r#"{"forms":[{"year":null,"project_name":"甲""#));
/// assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), doc);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Document {
    /// The forms, in order.
    pub forms: Vec<Form>,
}

/// One 财政项目支出绩效目标申报表.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let form = &declform::read(seed, "seed.json", &Default::default())?.forms[0];
/// assert_eq!((form.year, form.department.as_str()), (Some(2024), "上海市宝山区司法局"));
/// assert_eq!(form.indicators[0].level1, "产出指标");
/// # Ok::<(), declform::Error>(())
/// ```
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
///
/// ```
/// let funds = declform::Funds { total: Some("100".parse().unwrap()), ..Default::default() };
/// assert_eq!(funds.total.unwrap().to_string(), "100.00");
/// assert_eq!(funds.annual_total, None);
/// ```
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

impl Funds {
    /// The amount of an amount field ([`Field::AMOUNTS`]); `None` for an empty cell or a
    /// field that is not an amount.
    ///
    /// ```
    /// use declform::{Amount, Field, Funds};
    /// let funds = Funds { total: Some("2646000.00".parse().unwrap()), ..Funds::default() };
    /// assert_eq!(funds.get(Field::FundsTotal), funds.total);
    /// assert_eq!(funds.get(Field::ProjectName), None);
    /// ```
    pub fn get(&self, field: Field) -> Option<Amount> {
        self.slot(field).and_then(|a| *a)
    }

    /// Sets the amount of an amount field; returns false for a field that is not an amount.
    ///
    /// ```
    /// use declform::{Field, Funds};
    /// let mut funds = Funds::default();
    /// assert!(funds.set(Field::FundsAnnualOther, Some("1.50".parse().unwrap())));
    /// assert_eq!(funds.annual_other.unwrap().to_string(), "1.50");
    /// assert!(!funds.set(Field::Year, None));
    /// ```
    pub fn set(&mut self, field: Field, value: Option<Amount>) -> bool {
        match self.slot_mut(field) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        }
    }

    /// The seven amounts in form order ([`Field::AMOUNTS`]).
    ///
    /// ```
    /// let funds = declform::Funds { annual_other: Some("1.50".parse().unwrap()), ..Default::default() };
    /// let all = funds.all();
    /// assert_eq!(all[6], funds.annual_other);
    /// assert_eq!(all.iter().flatten().count(), 1);
    /// ```
    pub fn all(&self) -> [Option<Amount>; 7] {
        Field::AMOUNTS.map(|f| self.get(f))
    }

    fn slot(&self, field: Field) -> Option<&Option<Amount>> {
        Some(match field {
            Field::FundsTotal => &self.total,
            Field::FundsTotalFiscal => &self.total_fiscal,
            Field::FundsTotalOther => &self.total_other,
            Field::FundsAnnualTotal => &self.annual_total,
            Field::FundsAnnualAppropriation => &self.annual_appropriation,
            Field::FundsAnnualCarryover => &self.annual_carryover,
            Field::FundsAnnualOther => &self.annual_other,
            _ => return None,
        })
    }

    fn slot_mut(&mut self, field: Field) -> Option<&mut Option<Amount>> {
        Some(match field {
            Field::FundsTotal => &mut self.total,
            Field::FundsTotalFiscal => &mut self.total_fiscal,
            Field::FundsTotalOther => &mut self.total_other,
            Field::FundsAnnualTotal => &mut self.annual_total,
            Field::FundsAnnualAppropriation => &mut self.annual_appropriation,
            Field::FundsAnnualCarryover => &mut self.annual_carryover,
            Field::FundsAnnualOther => &mut self.annual_other,
            _ => return None,
        })
    }
}

/// One row of the 绩效指标 table.
///
/// ```
/// let i = declform::Indicator::new("产出指标", "数量指标", "培训人数", "≥100(人)");
/// assert_eq!((i.level2.as_str(), i.target.as_str()), ("数量指标", "≥100(人)"));
/// assert!(!i.is_empty_category());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Indicator {
    /// 一级指标.
    pub level1: String,
    /// 二级指标; `""` where the row has none.
    pub level2: String,
    /// 三级指标; `""` on an empty category row.
    pub level3: String,
    /// 年度指标值 as written; `""` when empty. Where a table splits it over 指标性质 |
    /// 指标值 | 度量单位, the joined text ([`crate::target::join`]).
    pub target: String,
    /// Columns of the indicator table that the layout does not know (指标值设定依据, 计算公式,
    /// 权重, 备注, ...), keyed by their header without spaces, in column order; an empty
    /// cell gives no key. Omitted from the JSON when empty; `check` ignores it.
    ///
    /// ```
    /// let mut i = declform::Indicator::new("产出指标", "数量指标", "培训人数", "≥100(人)");
    /// i.extra.insert("权重".into(), "10".into());
    /// let json = serde_json::to_string(&i).unwrap();
    /// assert!(json.ends_with(r#""target":"≥100(人)","extra":{"权重":"10"}}"#));
    /// let plain = declform::Indicator::new("成本指标", "", "", "");
    /// assert!(!serde_json::to_string(&plain).unwrap().contains("extra"));
    /// ```
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub extra: IndexMap<String, String>,
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
            extra: IndexMap::new(),
        }
    }

    /// A row that only shows a category: empty `level3` and `target`.
    ///
    /// ```
    /// use declform::Indicator;
    /// assert!(Indicator::new("效益指标", "经济效益指标", "", "").is_empty_category());
    /// assert!(!Indicator::new("产出指标", "数量指标", "培训人数", "").is_empty_category());
    /// ```
    pub fn is_empty_category(&self) -> bool {
        self.level3.is_empty() && self.target.is_empty()
    }

    /// The row's texts in [`Field::INDICATOR`] order (一级, 二级, 三级指标, 年度指标值).
    ///
    /// ```
    /// let i = declform::Indicator::new("产出指标", "数量指标", "人数", "≥10.00(人)");
    /// assert_eq!(i.texts(), ["产出指标", "数量指标", "人数", "≥10.00(人)"]);
    /// ```
    pub fn texts(&self) -> [&str; 4] {
        [&self.level1, &self.level2, &self.level3, &self.target]
    }

    /// The text of an indicator field; `None` for a field of the form's header.
    ///
    /// ```
    /// use declform::{Field, Indicator};
    /// let i = Indicator::new("产出指标", "数量指标", "人数", "≥10.00(人)");
    /// assert_eq!(i.get(Field::Level3), Some("人数"));
    /// assert_eq!(i.get(Field::ProjectName), None);
    /// ```
    pub fn get(&self, field: Field) -> Option<&str> {
        field
            .indicator_index()
            .and_then(|k| self.texts().get(k).copied())
    }
}

/// Where a form was read from: its [`place`](Source::place) (file, sheet, and the title's
/// cell), and for a form read from a JSON document that recorded it, where it was first read.
///
/// In the JSON model it is `{"file", "sheet", "cell", "origin"}` (sheet, cell and origin left
/// out where there are none).
///
/// ```
/// let xlsx = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/办公室.xlsx")).to_vec();
/// let read = declform::read(xlsx, "办公室.xlsx", &Default::default())?;
/// let source = read.forms[0].source.as_ref().unwrap();
/// assert_eq!((source.place.file_name(), source.place.cell_ref()), ("办公室.xlsx", Some("A1")));
/// assert_eq!(source.place.to_string(), "办公室.xlsx!政府购买服务人员专项经费!A1");
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(from = "shape::Source<'_>")]
pub struct Source {
    /// The file (as given), the sheet (none for JSON and CSV inputs) and the cell of the
    /// form's title (or first cell); no label.
    pub place: Location,
    /// Where the form was first read from, for a form read from a JSON document that
    /// recorded it: `convert 办公室.xlsx -o 办公室.json` writes each form's workbook, sheet
    /// and cell, and reading that JSON names `办公室.json` in [`place`](Source::place) (in
    /// findings, errors and the merged summary) and keeps the workbook's place here. Always
    /// the first place (never an origin of an origin).
    ///
    /// ```
    /// let xlsx = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/办公室.xlsx")).to_vec();
    /// let forms = declform::read(xlsx, "办公室.xlsx", &Default::default())?.forms;
    /// let json = declform::to_json(&forms).into_bytes();
    /// let read = declform::read(json, "办公室.json", &Default::default())?;
    /// let source = read.forms[0].source.as_ref().unwrap();
    /// assert_eq!((source.place.file_name(), source.place.sheet_name()), ("办公室.json", None));
    /// let origin = source.origin.as_deref().unwrap();
    /// assert_eq!((origin.place.file_name(), origin.place.cell_ref()), ("办公室.xlsx", Some("A1")));
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub origin: Option<Box<Source>>,
    /// Where each field stood on the sheet (not serialised), so that `check` can name cells.
    pub(crate) cells: Option<FormCells>,
}

/// [`Source`] as the JSON model writes it: the place's parts as keys of their own. Its
/// name is `Source` too, which serde's messages about a bad source name.
mod shape {
    use serde::{Deserialize, Serialize};
    use std::borrow::Cow;

    #[derive(Serialize, Deserialize)]
    pub(super) struct Source<'a> {
        pub(super) file: Cow<'a, str>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) sheet: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) cell: Option<Cow<'a, str>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(super) origin: Option<Cow<'a, super::Source>>,
    }
}

impl From<shape::Source<'_>> for Source {
    fn from(json: shape::Source<'_>) -> Source {
        let place = Location::file(json.file).cell_ref_as(json.cell.map(Cow::into_owned));
        Source {
            place: match json.sheet {
                Some(sheet) => place.sheet(sheet),
                None => place,
            },
            origin: json.origin.map(|o| Box::new(o.into_owned())),
            cells: None,
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        shape::Source {
            file: self.place.file_name().into(),
            sheet: self.place.sheet_name().map(Into::into),
            cell: self.place.cell_ref().map(Into::into),
            origin: self.origin.as_deref().map(Cow::Borrowed),
        }
        .serialize(s)
    }
}

impl Source {
    /// The source of a form read from a whole file (JSON, CSV): no sheet, no cell.
    ///
    /// ```
    /// let s = declform::Source::file("a.json");
    /// assert_eq!(s.place, declform::Location::file("a.json"));
    /// ```
    pub fn file(file: impl Into<String>) -> Source {
        Source::at(Location::file(file))
    }

    /// The source of a form read at `place`.
    ///
    /// ```
    /// use declform::{Location, Source};
    /// let s = Source::at(Location::file("a.xlsx").sheet("表1").cell(0, 0));
    /// assert_eq!(s.place.to_string(), "a.xlsx!表1!A1");
    /// ```
    pub fn at(place: Location) -> Source {
        Source {
            place,
            ..Source::default()
        }
    }

    /// The source of a form read from the JSON document `file`, whose form recorded
    /// `earlier` (where it was read from before): `file` is named, and the first place the
    /// form was read from rides along as [`origin`](Source::origin).
    ///
    /// ```
    /// use declform::{Location, Source};
    /// let xlsx = Source::at(Location::file("a.xlsx").sheet("表1").cell(0, 0));
    /// let once = Source::json("a.json", Some(xlsx.clone()));
    /// let twice = Source::json("b.json", Some(once));
    /// assert_eq!(twice.place.file_name(), "b.json");
    /// assert_eq!(twice.origin.as_deref(), Some(&xlsx));
    /// assert_eq!(Source::json("c.json", None), Source::file("c.json"));
    /// ```
    pub fn json(file: impl Into<String>, earlier: Option<Source>) -> Source {
        let origin = earlier.map(|mut e| match e.origin.take() {
            Some(mut first) => {
                first.origin = None;
                first
            }
            None => Box::new(e),
        });
        Source {
            origin,
            ..Source::file(file)
        }
    }
}

/// Where a read form's fields stood on its sheet, zero-based.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FormCells {
    /// Header field → its value cell.
    pub(crate) fields: std::collections::BTreeMap<Field, (u32, u16)>,
    /// The sheet row of each indicator.
    pub(crate) indicator_rows: Vec<u32>,
    /// The columns of 一级, 二级, 三级指标 and 年度指标值.
    pub(crate) indicator_cols: [u16; 4],
    /// `extra` key → the cell its value stood in (the label's own cell for `label：value`).
    pub(crate) extra: std::collections::HashMap<String, (u32, u16)>,
    /// Indicator `extra` key → the column it stood in.
    pub(crate) indicator_extra_cols: std::collections::HashMap<String, u16>,
    /// For a form read from a Word document, where each row stood (table and row), so
    /// that places are named as Word shows them rather than as A1 cells.
    pub(crate) places: Option<std::sync::Arc<crate::reader::docx::Places>>,
}

impl FormCells {
    /// A cell's name for messages about a form whose sheet is `sheet`: A1, or for a
    /// Word document the table's row and cell (`第5行第3格`, `表格3第2行第1格`).
    pub(crate) fn name(&self, sheet: Option<&str>, row: u32, col: u16) -> String {
        self.places
            .as_ref()
            .and_then(|p| p.name_from(sheet, row, col))
            .unwrap_or_else(|| crate::cellref::a1(row, col))
    }
}

impl Form {
    /// The header's text fields that are never null (all but 项目性质), with their fields.
    pub(crate) fn header_texts(&self) -> [(Field, &str); 6] {
        [
            (Field::ProjectName, &self.project_name),
            (Field::ProjectCategory, &self.project_category),
            (Field::Department, &self.department),
            (Field::ImplementingUnit, &self.implementing_unit),
            (Field::OverallGoal, &self.overall_goal),
            (Field::AnnualGoal, &self.annual_goal),
        ]
    }

    /// The period of the goal label, `(2024年-2024年)`, from the two dates; `None`
    /// unless both dates are known.
    pub(crate) fn period(&self) -> Option<String> {
        use chrono::Datelike;
        Some(format!(
            "({}年-{}年)",
            self.start_date?.year(),
            self.end_date?.year()
        ))
    }

    /// A blank form of a layout (`project_nature` `Some("")` for a 2026-style form)
    /// with the standard indicator skeleton, as `declform template` writes it.
    pub(crate) fn blank(year: Option<i32>, with_nature: bool, rows_per_level2: usize) -> Form {
        let skeleton = crate::layout::Taxonomy::get()
            .skeleton
            .iter()
            .flat_map(|(l1, l2)| {
                std::iter::repeat_with(|| Indicator::new(l1, l2, "", ""))
                    .take(rows_per_level2.max(1))
            })
            .collect();
        Form {
            year,
            project_nature: with_nature.then(String::new),
            indicators: skeleton,
            ..Form::default()
        }
    }
}

/// The value of one field of a form.
///
/// ```
/// use declform::{Field, Form, model::FieldValue};
/// let mut form = Form::default();
/// assert!(form.set(Field::Year, FieldValue::Year(Some(2024))));
/// assert_eq!(form.get(Field::Year), Some(FieldValue::Year(Some(2024))));
/// assert_eq!(form.get(Field::FundsTotal), Some(FieldValue::Amount(None)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// The year.
    Year(Option<i32>),
    /// A text field; `project_nature` gives `None` when null.
    Text(Option<String>),
    /// An amount (`funds.*`).
    Amount(Option<Amount>),
    /// A date (`start_date`, `end_date`).
    Date(Option<NaiveDate>),
}

impl Form {
    /// Whether nothing has been filled in: no header text, date, amount or `extra`, and no
    /// indicator with a 三级指标, 指标值 or `extra` (a blank template, whose rows carry only
    /// 一级 and 二级指标). `merge` skips such a form with a notice.
    ///
    /// ```
    /// let template = declform::template(declform::LayoutKind::Y2024, 2026, false)?;
    /// let read = declform::read(template, "模板.xlsx", &Default::default())?;
    /// assert!(read.forms[0].is_blank());
    /// let filled = declform::Form { project_name: "甲".into(), ..read.forms[0].clone() };
    /// assert!(!filled.is_blank());
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn is_blank(&self) -> bool {
        self.header_texts().iter().all(|(_, t)| t.trim().is_empty())
            && self
                .project_nature
                .as_deref()
                .is_none_or(|t| t.trim().is_empty())
            && self.start_date.is_none()
            && self.end_date.is_none()
            && self.funds.all().iter().all(Option::is_none)
            && self.extra.is_empty()
            && self.indicators.iter().all(|i| {
                i.level3.trim().is_empty() && i.target.trim().is_empty() && i.extra.is_empty()
            })
    }

    /// A field of the form's header (everything but the indicator table).
    ///
    /// ```
    /// use declform::{Field, Form};
    /// use declform::model::FieldValue;
    /// let form = Form { project_name: "甲".into(), ..Form::default() };
    /// assert_eq!(form.get(Field::ProjectName), Some(FieldValue::Text(Some("甲".into()))));
    /// assert_eq!(form.get(Field::Level1), None);
    /// ```
    pub fn get(&self, field: Field) -> Option<FieldValue> {
        let text = |s: &String| Some(FieldValue::Text(Some(s.clone())));
        match field {
            Field::Year => Some(FieldValue::Year(self.year)),
            Field::ProjectName => text(&self.project_name),
            Field::ProjectCategory => text(&self.project_category),
            Field::ProjectNature => Some(FieldValue::Text(self.project_nature.clone())),
            Field::Department => text(&self.department),
            Field::ImplementingUnit => text(&self.implementing_unit),
            Field::OverallGoal => text(&self.overall_goal),
            Field::AnnualGoal => text(&self.annual_goal),
            Field::StartDate => Some(FieldValue::Date(self.start_date)),
            Field::EndDate => Some(FieldValue::Date(self.end_date)),
            f if f.kind() == FieldKind::Amount => Some(FieldValue::Amount(self.funds.get(f))),
            _ => None,
        }
    }

    /// Sets a field of the form's header; returns false when field and value do not fit.
    /// An empty `project_nature` is stored as null.
    ///
    /// ```
    /// use declform::{Field, Form};
    /// use declform::model::FieldValue;
    /// let mut form = Form::default();
    /// assert!(form.set(Field::ProjectNature, FieldValue::Text(Some(String::new()))));
    /// assert_eq!(form.project_nature, None);
    /// assert!(!form.set(Field::StartDate, FieldValue::Text(None)));
    /// ```
    pub fn set(&mut self, field: Field, value: FieldValue) -> bool {
        match value {
            FieldValue::Year(y) if field == Field::Year => {
                self.year = y;
                true
            }
            FieldValue::Text(t) => {
                let t = t.unwrap_or_default();
                let slot = match field {
                    Field::ProjectName => &mut self.project_name,
                    Field::ProjectCategory => &mut self.project_category,
                    Field::Department => &mut self.department,
                    Field::ImplementingUnit => &mut self.implementing_unit,
                    Field::OverallGoal => &mut self.overall_goal,
                    Field::AnnualGoal => &mut self.annual_goal,
                    Field::ProjectNature => {
                        self.project_nature = (!t.is_empty()).then_some(t);
                        return true;
                    }
                    _ => return false,
                };
                *slot = t;
                true
            }
            FieldValue::Date(d) => match field {
                Field::StartDate => {
                    self.start_date = d;
                    true
                }
                Field::EndDate => {
                    self.end_date = d;
                    true
                }
                _ => false,
            },
            FieldValue::Amount(a) => self.funds.set(field, a),
            FieldValue::Year(_) => false,
        }
    }
}
