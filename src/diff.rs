//! What changed between two versions of the same forms (review rounds 一上、二上): forms
//! matched by (年度, 主管部门, 项目名称), indicators within a form by (一级, 二级, 三级指标),
//! each difference one [`Change`] located at the cell of the new value (of the old value
//! for removals).
//!
//! ```
//! use declform::diff::{diff, ChangeKind};
//! let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
//! let old = declform::read(seed, "old.json", &Default::default())?.forms;
//! let mut new = old.clone();
//! new[0].funds.total = Some("2699000".parse().unwrap());
//! let changes = diff(&old, &new)?;
//! assert_eq!(changes.len(), 1);
//! assert_eq!(changes[0].kind, ChangeKind::FieldChanged);
//! assert_eq!(changes[0].old.as_deref(), Some("2646000.00"));
//! assert_eq!(changes[0].delta.unwrap().to_string(), "53000.00");
//! assert!(diff(&old, &old)?.is_empty());
//! # Ok::<(), declform::Error>(())
//! ```

use crate::amount::Amount;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::field::{Field, FieldKind};
use crate::model::{FieldValue, Form, Indicator};
use serde::Serialize;
use serde::ser::SerializeMap;
use std::collections::HashMap;
use std::fmt;

/// Defines [`ChangeKind`] from one table: each kind's variant, id and Chinese description.
macro_rules! change_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $description:literal; )*) => {
        /// What kind of difference a [`Change`] is, with its stable id (`field-changed`, ...).
        ///
        /// ```
        /// use declform::diff::ChangeKind;
        /// assert_eq!(ChangeKind::TargetChanged.to_string(), "target-changed");
        /// assert_eq!(serde_json::to_string(&ChangeKind::FormAdded).unwrap(), "\"form-added\"");
        /// assert_eq!(ChangeKind::IndicatorRemoved.description(), "删除指标");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ChangeKind {
            $( $(#[$doc])* $variant, )*
        }

        impl ChangeKind {
            /// Every kind, in the order the counts line names them.
            ///
            /// ```
            /// assert_eq!(declform::diff::ChangeKind::ALL.len(), 7);
            /// ```
            pub const ALL: [ChangeKind; [$(ChangeKind::$variant),*].len()] =
                [$(ChangeKind::$variant),*];

            /// The stable id, as printed.
            ///
            /// ```
            /// assert_eq!(declform::diff::ChangeKind::FieldChanged.id(), "field-changed");
            /// ```
            pub fn id(self) -> &'static str {
                match self { $( ChangeKind::$variant => $id, )* }
            }

            /// The kind in Chinese, as the report and the counts line name it.
            ///
            /// ```
            /// assert_eq!(declform::diff::ChangeKind::FormAdded.description(), "新增项目");
            /// ```
            pub fn description(self) -> &'static str {
                match self { $( ChangeKind::$variant => $description, )* }
            }
        }
    };
}

change_kinds! {
    /// `form-added`: a form only the new version has.
    FormAdded = "form-added", "新增项目";
    /// `form-removed`: a form only the old version has.
    FormRemoved = "form-removed", "删除项目";
    /// `field-changed`: a header field, a goal, an amount or an `extra` entry.
    FieldChanged = "field-changed", "栏目变更";
    /// `indicator-added`: an indicator only the new form has (a filled empty category too).
    IndicatorAdded = "indicator-added", "新增指标";
    /// `indicator-removed`: an indicator only the old form has.
    IndicatorRemoved = "indicator-removed", "删除指标";
    /// `target-changed`: an indicator's 年度指标值.
    TargetChanged = "target-changed", "指标值变更";
    /// `indicator-extra-changed`: an entry of an indicator's `extra` (指标值设定依据, 权重,
    /// ...), with `field` `extra.<key>`.
    IndicatorExtraChanged = "indicator-extra-changed", "指标其他信息变更";
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl PartialEq<&str> for ChangeKind {
    /// A kind equals its id.
    fn eq(&self, id: &&str) -> bool {
        self.id() == *id
    }
}

impl Serialize for ChangeKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// The header part of a form that changed: a model field, or an `extra` entry by its key.
///
/// ```
/// use declform::{Field, diff::ChangedField};
/// assert_eq!(ChangedField::Field(Field::FundsTotal).key(), "funds.total");
/// assert_eq!(ChangedField::Extra("联系电话".into()).key(), "extra.联系电话");
/// assert_eq!(ChangedField::Field(Field::AnnualGoal).label(), "年度总目标");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChangedField {
    /// A field of the model.
    Field(Field),
    /// An entry of the form's `extra`.
    Extra(String),
}

impl ChangedField {
    /// The model's key path: `funds.total`, `annual_goal`, `extra.联系电话`.
    ///
    /// ```
    /// use declform::{Field, diff::ChangedField};
    /// assert_eq!(ChangedField::Field(Field::StartDate).key(), "start_date");
    /// ```
    pub fn key(&self) -> String {
        match self {
            ChangedField::Field(f) => f.key().to_string(),
            ChangedField::Extra(k) => format!("extra.{k}"),
        }
    }

    /// The Chinese name shown to people: the field's table header, or the `extra` key.
    ///
    /// ```
    /// use declform::{Field, diff::ChangedField};
    /// assert_eq!(ChangedField::Field(Field::FundsAnnualOther).label(), "其他资金（年度）");
    /// assert_eq!(ChangedField::Extra("项目负责人".into()).label(), "项目负责人");
    /// ```
    pub fn label(&self) -> String {
        match self {
            ChangedField::Field(f) => f.header(),
            ChangedField::Extra(k) => k.clone(),
        }
    }

    fn is_amount(&self) -> bool {
        matches!(self, ChangedField::Field(f) if f.kind() == FieldKind::Amount)
    }
}

impl Serialize for ChangedField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

/// An indicator's identity within its form: (一级, 二级, 三级指标).
///
/// ```
/// let i = declform::Indicator::new("产出指标", "数量指标", "培训人数", "≥100(人)");
/// let key = declform::diff::IndicatorKey::of(&i);
/// assert_eq!(key.to_string(), "产出指标/数量指标/培训人数");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IndicatorKey {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub level3: String,
}

impl IndicatorKey {
    /// The key of an indicator row.
    ///
    /// ```
    /// let i = declform::Indicator::new("成本指标", "", "人均成本", "≤50(元)");
    /// assert_eq!(declform::diff::IndicatorKey::of(&i).level2, "");
    /// ```
    pub fn of(i: &Indicator) -> IndicatorKey {
        IndicatorKey {
            level1: i.level1.clone(),
            level2: i.level2.clone(),
            level3: i.level3.clone(),
        }
    }
}

impl fmt::Display for IndicatorKey {
    /// The non-empty levels joined by `/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = [&self.level1, &self.level2, &self.level3]
            .into_iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        f.write_str(&parts.join("/"))
    }
}

/// One difference between the old and the new version.
///
/// Serialised (`--format json`) as an object with the keys `kind`, `project`,
/// `department`, `field` (absent for form and indicator kinds), `indicator` (indicator
/// kinds only), `old`, `new` and `cell` (`file!sheet!A1`).
///
/// ```
/// use declform::{Form, diff::diff};
/// let old = Form { project_name: "甲".into(), annual_goal: "旧".into(), ..Form::default() };
/// let new = Form { annual_goal: "新".into(), ..old.clone() };
/// let c = &diff(&[old], &[new])?[0];
/// assert_eq!(c.to_string(), "[field-changed] 「甲」年度总目标：“旧” → “新”");
/// let json = serde_json::to_string(c).unwrap();
/// assert_eq!(json, r#"{"kind":"field-changed","project":"甲","department":"","field":"annual_goal","old":"旧","new":"新","cell":""}"#);
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind of difference.
    pub kind: ChangeKind,
    /// The form's 项目名称.
    pub project: String,
    /// The form's 主管部门.
    pub department: String,
    /// The form's 年度.
    pub year: Option<i32>,
    /// The header part that changed (`field-changed` only).
    pub field: Option<ChangedField>,
    /// The indicator (indicator kinds only).
    pub indicator: Option<IndicatorKey>,
    /// The old value (amounts as `2646000.00`, dates as `YYYY-MM-DD`); `None` where there
    /// was none.
    pub old: Option<String>,
    /// The new value, likewise.
    pub new: Option<String>,
    /// New minus old for an amount (an empty cell counting as zero).
    pub delta: Option<Amount>,
    /// The new value's cell; the old one's for removals (printed `file!sheet!cell`, as in errors).
    pub place: Location,
    /// The new form (index into the new forms) and indicator row it concerns.
    pub(crate) at: Option<(usize, Option<usize>)>,
}

impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("project", &self.project)?;
        m.serialize_entry("department", &self.department)?;
        if let Some(f) = &self.field {
            m.serialize_entry("field", f)?;
        }
        if let Some(i) = &self.indicator {
            m.serialize_entry("indicator", i)?;
        }
        m.serialize_entry("old", &self.old)?;
        m.serialize_entry("new", &self.new)?;
        m.serialize_entry("cell", &self.place.to_string())?;
        m.end()
    }
}

/// An amount with thousands separators: `2,646,000.00`; with `sign`, a leading `+` for
/// zero and more.
fn grouped(a: Amount, sign: bool) -> String {
    let text = a.to_string();
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    match (neg, sign) {
        (true, _) => format!("-{out}"),
        (false, true) => format!("+{out}"),
        (false, false) => out,
    }
}

impl Change {
    /// A value as the text line and the report show it: amounts grouped (`2,646,000.00`),
    /// texts quoted, `（空）` for an empty amount or date, `（无）` for an absent entry.
    ///
    /// ```
    /// use declform::{Form, Funds, diff::diff};
    /// let old = Form { project_name: "甲".into(), ..Form::default() };
    /// let new = Form { funds: Funds { total: Some("1234.5".parse().unwrap()), ..Funds::default() }, ..old.clone() };
    /// let c = &diff(&[old], &[new])?[0];
    /// assert_eq!((c.shown(c.old.as_deref()), c.shown(c.new.as_deref())), ("（空）".into(), "1,234.50".into()));
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn shown(&self, value: Option<&str>) -> String {
        self.render(value, true)
    }

    pub(crate) fn render(&self, value: Option<&str>, quoted: bool) -> String {
        let dated = matches!(
            self.field,
            Some(ChangedField::Field(f)) if f.kind() == FieldKind::Date
        );
        let amount = self.field.as_ref().is_some_and(ChangedField::is_amount);
        match value {
            None if amount || dated => "（空）".into(),
            None => "（无）".into(),
            Some(v) if amount => v
                .parse::<Amount>()
                .map_or_else(|_| v.to_string(), |a| grouped(a, false)),
            Some(v) if dated || !quoted => v.to_string(),
            Some(v) => format!("“{}”", v.replace('\n', "\\n")),
        }
    }

    /// The difference of an amount as shown: `+53,000.00`, `-1,000.00`.
    ///
    /// ```
    /// use declform::{Form, Funds, diff::diff};
    /// let old = Form { funds: Funds { total: Some("100".parse().unwrap()), ..Funds::default() }, ..Form::default() };
    /// let new = Form { funds: Funds { total: Some("53100".parse().unwrap()), ..Funds::default() }, ..Form::default() };
    /// assert_eq!(diff(&[old], &[new])?[0].delta_shown().as_deref(), Some("+53,000.00"));
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn delta_shown(&self) -> Option<String> {
        self.delta.map(|d| grouped(d, true))
    }

    /// What the change says, without its place and kind: `「甲」项目资金总额：… → …（+…）`.
    ///
    /// ```
    /// use declform::{Form, diff::diff};
    /// let new = Form { project_name: "甲".into(), department: "某局".into(), year: Some(2024), ..Form::default() };
    /// assert_eq!(diff(&[], &[new])?[0].message(), "新增项目「甲」（某局，2024年度）");
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn message(&self) -> String {
        let p = &self.project;
        let indicator = self
            .indicator
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        match self.kind {
            ChangeKind::FormAdded | ChangeKind::FormRemoved => {
                let year = self.year.map(|y| format!("，{y}年度")).unwrap_or_default();
                format!(
                    "{}「{p}」（{}{year}）",
                    self.kind.description(),
                    self.department
                )
            }
            ChangeKind::FieldChanged => {
                let label = self
                    .field
                    .as_ref()
                    .map(ChangedField::label)
                    .unwrap_or_default();
                let delta = self
                    .delta_shown()
                    .map(|d| format!("（{d}）"))
                    .unwrap_or_default();
                format!(
                    "「{p}」{label}：{} → {}{delta}",
                    self.shown(self.old.as_deref()),
                    self.shown(self.new.as_deref())
                )
            }
            ChangeKind::IndicatorAdded => {
                format!(
                    "「{p}」新增指标 {indicator}：{}",
                    self.shown(self.new.as_deref())
                )
            }
            ChangeKind::IndicatorRemoved => {
                format!(
                    "「{p}」删除指标 {indicator}：{}",
                    self.shown(self.old.as_deref())
                )
            }
            ChangeKind::TargetChanged => format!(
                "「{p}」指标 {indicator} 的{}：{} → {}",
                Field::Target.label(),
                self.shown(self.old.as_deref()),
                self.shown(self.new.as_deref())
            ),
            ChangeKind::IndicatorExtraChanged => format!(
                "「{p}」指标 {indicator} 的{}：{} → {}",
                self.field
                    .as_ref()
                    .map(ChangedField::label)
                    .unwrap_or_default(),
                self.shown(self.old.as_deref()),
                self.shown(self.new.as_deref())
            ),
        }
    }
}

impl fmt::Display for Change {
    /// One line: `file!sheet!cell: [kind] message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.place.to_string();
        if !place.is_empty() {
            write!(f, "{place}: ")?;
        }
        write!(f, "[{}] {}", self.kind, self.message())
    }
}

/// The counts line: `共 3 处不同：栏目变更 2 处，新增指标 1 处`, or `没有不同` for none.
///
/// ```
/// assert_eq!(declform::diff::counts(&[]), "没有不同");
/// ```
pub fn counts(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "没有不同".into();
    }
    let parts: Vec<String> = ChangeKind::ALL
        .iter()
        .filter_map(|&k| {
            let n = changes.iter().filter(|c| c.kind == k).count();
            (n > 0).then(|| format!("{} {n} 处", k.description()))
        })
        .collect();
    format!("共 {} 处不同：{}", changes.len(), parts.join("，"))
}

type FormKey<'a> = (Option<i32>, &'a str, &'a str);

fn form_key(f: &Form) -> FormKey<'_> {
    (f.year, f.department.as_str(), f.project_name.as_str())
}

/// The form's title cell (or file, for JSON and CSV inputs).
fn title_place(form: &Form) -> Location {
    form.source
        .as_ref()
        .map_or_else(Location::default, |s| match s.place.sheet_name() {
            Some(_) => s.place.clone(),
            None => s.place.clone().cell_ref_as(None),
        })
}

/// A place on the form's sheet; without the cell where the reader did not record one.
fn place_at(form: &Form, at: Option<(u32, u16)>) -> Location {
    let p = title_place(form);
    let cells = form.source.as_ref().and_then(|s| s.cells.as_ref());
    match (p.sheet_name().map(str::to_owned), at) {
        (Some(sheet), Some((r, c))) => match cells {
            Some(cells) => {
                let name = cells.name(Some(&sheet), r, c);
                p.cell_ref_as(Some(name))
            }
            None => p.cell(r, c),
        },
        _ => p.cell_ref_as(None),
    }
}

fn field_cell(form: &Form, field: Field) -> Option<(u32, u16)> {
    let cells = form.source.as_ref()?.cells.as_ref()?;
    cells.fields.get(&field).copied()
}

fn extra_cell(form: &Form, key: &str) -> Option<(u32, u16)> {
    let cells = form.source.as_ref()?.cells.as_ref()?;
    cells.extra.get(key).copied()
}

fn indicator_cell(form: &Form, i: usize, col: Field) -> Option<(u32, u16)> {
    let cells = form.source.as_ref()?.cells.as_ref()?;
    let row = *cells.indicator_rows.get(i)?;
    let c = *cells.indicator_cols.get(col.indicator_index()?)?;
    Some((row, c))
}

fn indicator_extra_cell(form: &Form, i: usize, key: &str) -> Option<(u32, u16)> {
    let cells = form.source.as_ref()?.cells.as_ref()?;
    let row = *cells.indicator_rows.get(i)?;
    let c = *cells.indicator_extra_cols.get(key)?;
    Some((row, c))
}

/// Each form by its key; a key seen twice is an error naming both places.
fn index_forms<'a>(forms: &'a [Form], side: &str) -> Result<HashMap<FormKey<'a>, usize>> {
    let mut index = HashMap::new();
    for (i, f) in forms.iter().enumerate() {
        if let Some(&first) = index.get(&form_key(f)) {
            let first_place = forms.get(first).map(title_place).unwrap_or_default();
            let loc = title_place(f);
            let year = f.year.map(|y| format!("，{y}年度")).unwrap_or_default();
            return Err(Error::new(
                ErrorKind::DuplicateForm,
                loc,
                format!(
                    "{side}中项目「{}」（{}{year}）出现了两次（另一张在 {first_place}）；无法确定与哪一张比较，请删去重复的一张后再比较",
                    f.project_name, f.department
                ),
            ));
        }
        index.insert(form_key(f), i);
    }
    Ok(index)
}

fn value_text(v: Option<FieldValue>) -> Option<String> {
    match v? {
        FieldValue::Year(y) => y.map(|y| y.to_string()),
        FieldValue::Text(t) => t,
        FieldValue::Amount(a) => a.map(|a| a.to_string()),
        FieldValue::Date(d) => d.map(|d| d.format("%Y-%m-%d").to_string()),
    }
}

/// Compares two versions of a set of forms: the differences in the new forms' order (for
/// each form its header fields in model order, its `extra`, then its indicators), then the
/// forms only the old version has. Where a form was read from is not part of it: a form
/// moved to another sheet or file is unchanged. Within a form, an indicator that occurs
/// twice under the same (一级, 二级, 三级指标) is matched occurrence by occurrence; empty
/// category rows are placeholders, not indicators.
///
/// ```
/// use declform::{Form, Indicator, diff::{diff, ChangeKind}};
/// let old = Form { project_name: "甲".into(), indicators: vec![Indicator::new("成本指标", "经济成本指标", "", "")], ..Form::default() };
/// let mut new = old.clone();
/// new.indicators[0] = Indicator::new("成本指标", "经济成本指标", "人均成本", "≤50(元)");
/// let changes = diff(&[old], &[new])?;
/// assert_eq!(changes.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::IndicatorAdded]);
/// # Ok::<(), declform::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::DuplicateForm`] when one side holds two forms with the same key, located
/// at the second and naming the first.
pub fn diff(old: &[Form], new: &[Form]) -> Result<Vec<Change>> {
    let old_index = index_forms(old, "旧版本")?;
    let new_index = index_forms(new, "新版本")?;
    let mut out = Vec::new();
    for (j, n) in new.iter().enumerate() {
        match old_index.get(&form_key(n)).and_then(|&i| old.get(i)) {
            Some(o) => compare(o, n, j, &mut out),
            None => out.push(form_change(n, ChangeKind::FormAdded, Some(j))),
        }
    }
    for o in old {
        if !new_index.contains_key(&form_key(o)) {
            out.push(form_change(o, ChangeKind::FormRemoved, None));
        }
    }
    Ok(out)
}

fn form_change(form: &Form, kind: ChangeKind, at: Option<usize>) -> Change {
    Change {
        kind,
        project: form.project_name.clone(),
        department: form.department.clone(),
        year: form.year,
        field: None,
        indicator: None,
        old: None,
        new: None,
        delta: None,
        place: title_place(form),
        at: at.map(|j| (j, None)),
    }
}

fn compare(o: &Form, n: &Form, j: usize, out: &mut Vec<Change>) {
    let base = form_change(n, ChangeKind::FieldChanged, Some(j));
    let key_fields = [Field::Year, Field::Department, Field::ProjectName];
    for field in Field::ALL {
        if key_fields.contains(&field) || field.kind() == FieldKind::Indicator {
            continue;
        }
        let (ov, nv) = (o.get(field), n.get(field));
        if ov == nv {
            continue;
        }
        let delta = match (&ov, &nv) {
            (Some(FieldValue::Amount(a)), Some(FieldValue::Amount(b))) => {
                let zero = Amount::ZERO.value();
                let d = b
                    .map_or(zero, Amount::value)
                    .checked_sub(a.map_or(zero, Amount::value));
                d.map(Amount::new)
            }
            _ => None,
        };
        out.push(Change {
            field: Some(ChangedField::Field(field)),
            old: value_text(ov),
            new: value_text(nv),
            delta,
            place: place_at(n, field_cell(n, field)),
            ..base.clone()
        });
    }
    for (k, v) in &n.extra {
        if o.extra.get(k) != Some(v) {
            out.push(Change {
                field: Some(ChangedField::Extra(k.clone())),
                old: o.extra.get(k).cloned(),
                new: Some(v.clone()),
                place: place_at(n, extra_cell(n, k)),
                ..base.clone()
            });
        }
    }
    for (k, v) in &o.extra {
        if !n.extra.contains_key(k) {
            out.push(Change {
                field: Some(ChangedField::Extra(k.clone())),
                old: Some(v.clone()),
                new: None,
                place: place_at(o, extra_cell(o, k)),
                ..base.clone()
            });
        }
    }
    compare_indicators(o, n, &base, out);
}

/// The real indicators of a form (not empty categories), each with its key's occurrence.
fn keyed(form: &Form) -> Vec<(usize, (IndicatorKey, usize))> {
    let mut seen: HashMap<IndicatorKey, usize> = HashMap::new();
    form.indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.is_empty_category())
        .map(|(idx, i)| {
            let key = IndicatorKey::of(i);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            (idx, (key, *n))
        })
        .collect()
}

fn compare_indicators(o: &Form, n: &Form, base: &Change, out: &mut Vec<Change>) {
    let old_keyed = keyed(o);
    let new_keyed = keyed(n);
    let old_map: HashMap<&(IndicatorKey, usize), usize> =
        old_keyed.iter().map(|(i, k)| (k, *i)).collect();
    let new_map: HashMap<&(IndicatorKey, usize), usize> =
        new_keyed.iter().map(|(i, k)| (k, *i)).collect();
    let at = |i: usize| base.at.map(|(j, _)| (j, Some(i)));
    for (i, k) in &new_keyed {
        let Some(ni) = n.indicators.get(*i) else {
            continue;
        };
        let indicator = Some(k.0.clone());
        let old_one = old_map.get(k).and_then(|&oi| o.indicators.get(oi));
        match old_one {
            Some(oi) if oi.target == ni.target => {}
            Some(oi) => out.push(Change {
                kind: ChangeKind::TargetChanged,
                indicator,
                old: Some(oi.target.clone()),
                new: Some(ni.target.clone()),
                place: place_at(n, indicator_cell(n, *i, Field::Target)),
                at: at(*i),
                ..base.clone()
            }),
            None => out.push(Change {
                kind: ChangeKind::IndicatorAdded,
                indicator,
                new: Some(ni.target.clone()),
                place: place_at(n, indicator_cell(n, *i, Field::Level3)),
                at: at(*i),
                ..base.clone()
            }),
        }
        if let Some(oi) = old_one {
            let extra = |key: &String, old: Option<&String>, new: Option<&String>| Change {
                kind: ChangeKind::IndicatorExtraChanged,
                field: Some(ChangedField::Extra(key.clone())),
                indicator: Some(k.0.clone()),
                old: old.cloned(),
                new: new.cloned(),
                place: place_at(n, indicator_extra_cell(n, *i, key)),
                at: at(*i),
                ..base.clone()
            };
            for (key, v) in &ni.extra {
                if oi.extra.get(key) != Some(v) {
                    out.push(extra(key, oi.extra.get(key), Some(v)));
                }
            }
            for (key, v) in &oi.extra {
                if !ni.extra.contains_key(key) {
                    out.push(extra(key, Some(v), None));
                }
            }
        }
    }
    for (i, k) in &old_keyed {
        if new_map.contains_key(k) {
            continue;
        }
        let Some(oi) = o.indicators.get(*i) else {
            continue;
        };
        out.push(Change {
            kind: ChangeKind::IndicatorRemoved,
            indicator: Some(k.0.clone()),
            old: Some(oi.target.clone()),
            place: place_at(o, indicator_cell(o, *i, Field::Level3)),
            at: None,
            ..base.clone()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        let a = |s: &str| s.parse::<Amount>().unwrap();
        assert_eq!(grouped(a("2646000"), false), "2,646,000.00");
        assert_eq!(grouped(a("53000"), true), "+53,000.00");
        assert_eq!(grouped(a("-1000.5"), true), "-1,000.50");
        assert_eq!(grouped(a("999"), true), "+999.00");
        assert_eq!(grouped(a("0.125"), false), "0.125");
    }

    #[test]
    fn amounts_compare_as_decimals() {
        let mut old = Form::default();
        old.funds.total = Some(Amount::new(rust_decimal::Decimal::new(2646000, 0)));
        let mut new = old.clone();
        new.funds.total = Some("2646000.00".parse().unwrap());
        assert!(diff(&[old], &[new]).unwrap().is_empty());
    }

    #[test]
    fn a_form_twice_on_one_side_is_refused() {
        let f = Form {
            project_name: "甲".into(),
            ..Form::default()
        };
        let e = diff(&[], &[f.clone(), f]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DuplicateForm);
    }
}
