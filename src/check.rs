//! The rules a form must satisfy, each with a stable id and a severity.
//!
//! ```
//! use declform::check::{Rule, Severity};
//! let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
//! let forms = declform::read(seed, "seed.json", &Default::default()).unwrap().forms;
//! let findings = declform::check(&forms);
//! assert!(findings.iter().all(|f| f.severity == Severity::Warning));
//! assert!(findings.iter().any(|f| f.rule == Rule::TargetMissing));
//! ```

use crate::amount::Amount;
use crate::error::Location;
use crate::field::Field;
use crate::layout::Taxonomy;
use crate::model::{Form, Indicator};
use crate::target::Target;
use chrono::Datelike;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// How bad a finding is.
///
/// ```
/// use declform::check::Severity;
/// assert_eq!(Severity::Error.to_string(), "错误");
/// assert_eq!(serde_json::to_string(&Severity::Warning).unwrap(), "\"警告\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    /// 错误: the form is wrong and must be corrected.
    #[serde(rename = "错误")]
    Error,
    /// 警告: worth a look; the form may still be right.
    #[serde(rename = "警告")]
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        })
    }
}

/// What a rule's function looks at, and so when it runs: the form's rules first, then each
/// indicator row in turn with the row rules, then the rules of the indicator table as a
/// whole; within each, in the order of [`Rule::ALL`].
enum Check {
    /// The form's header and amounts.
    Form(fn(&mut Checker<'_>)),
    /// One indicator row (its index and the indicator).
    Row(for<'a> fn(&mut Checker<'a>, usize, &'a Indicator)),
    /// The indicator table as a whole, after its rows.
    Table(fn(&mut Checker<'_>)),
    /// Not a check of a form (reported by whoever reads the files).
    None,
}

/// Defines [`Rule`] from one table: each rule's variant, id, short Chinese name, severity,
/// the function that checks it and what it checks.
macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $name:literal, $severity:ident, $check:expr, $description:literal; )*) => {
        /// A rule, with its stable id (`total-sum`, ...) and what it checks.
        ///
        /// ```
        /// use declform::check::Rule;
        /// assert_eq!(Rule::DateOrder.to_string(), "date-order");
        /// assert!(Rule::TotalSum == "total-sum");
        /// assert_eq!(serde_json::to_string(&Rule::Taxonomy).unwrap(), "\"taxonomy\"");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in the order `check` reports them (row rules row by row).
            ///
            /// ```
            /// use declform::check::Rule;
            /// assert_eq!(Rule::ALL.len(), 13);
            /// assert_eq!(Rule::ALL[0].id(), "required");
            /// ```
            pub const ALL: [Rule; [$(Rule::$variant),*].len()] = [$(Rule::$variant),*];

            /// The stable id, as printed in findings.
            ///
            /// ```
            /// assert_eq!(declform::check::Rule::TotalSum.id(), "total-sum");
            /// ```
            pub fn id(self) -> &'static str {
                match self { $( Rule::$variant => $id, )* }
            }

            /// The rule's short Chinese name, shown to people (the 规则 of `check`'s lines
            /// and of the offline page); the [`id`](Rule::id) stays for JSON and scripts.
            ///
            /// ```
            /// use declform::check::Rule;
            /// assert_eq!(Rule::IndicatorsPresent.name(), "指标齐全");
            /// assert_eq!(Rule::Required.name(), "必填项");
            /// ```
            pub fn name(self) -> &'static str {
                match self { $( Rule::$variant => $name, )* }
            }

            /// What the rule checks, in Chinese.
            ///
            /// ```
            /// use declform::check::Rule;
            /// assert_eq!(Rule::DateOrder.description(), "计划开始日期 ≤ 计划完成日期");
            /// ```
            pub fn description(self) -> &'static str {
                match self { $( Rule::$variant => $description, )* }
            }

            /// The severity of the rule's findings (`indicators-present` is a 警告 for a
            /// category that may be empty, such as 成本指标).
            ///
            /// ```
            /// use declform::check::{Rule, Severity};
            /// assert_eq!(Rule::TargetMissing.severity(), Severity::Warning);
            /// assert_eq!(Rule::TotalSum.severity(), Severity::Error);
            /// ```
            pub fn severity(self) -> Severity {
                match self { $( Rule::$variant => Severity::$severity, )* }
            }

            fn check(self) -> Check {
                match self { $( Rule::$variant => $check, )* }
            }
        }
    };
}

rules! {
    /// `required`: the fields every form must fill in.
    Required = "required", "必填项", Error, Check::Form(required), "必填项已填写";
    /// `amount-negative`: no amount is below zero.
    AmountNegative = "amount-negative", "金额非负", Error, Check::Form(amount_negative), "金额不为负数";
    /// `total-sum`: 项目资金总额 = 财政资金 + 其他资金.
    TotalSum = "total-sum", "项目资金合计", Error, Check::Form(total_sum), "项目资金总额 = 财政资金 + 其他资金";
    /// `annual-sum`: 年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金.
    AnnualSum = "annual-sum", "年度资金合计", Error, Check::Form(annual_sum), "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金";
    /// `annual-le-total`: 年度资金申请总额 ≤ 项目资金总额.
    AnnualLeTotal = "annual-le-total", "年度不超总额", Error, Check::Form(annual_le_total), "年度资金申请总额 ≤ 项目资金总额";
    /// `date-order`: 计划开始日期 ≤ 计划完成日期.
    DateOrder = "date-order", "起止日期", Error, Check::Form(date_order), "计划开始日期 ≤ 计划完成日期";
    /// `year-in-period`: the form's year lies within the planned period.
    YearInPeriod = "year-in-period", "年度在期内", Error, Check::Form(year_in_period), "年度在计划期间之内";
    /// `taxonomy`: 一级/二级 pairs from the national taxonomy.
    Taxonomy = "taxonomy", "指标体系", Warning, Check::Row(taxonomy), "一级/二级指标符合指标体系";
    /// `duplicate-indicator`: the same 三级指标 twice in one form.
    DuplicateIndicator = "duplicate-indicator", "指标不重复", Warning, Check::Row(duplicate_indicator), "同一张表中三级指标不重复";
    /// `target-missing`: an indicator without a value.
    TargetMissing = "target-missing", "指标值已填", Warning, Check::Row(target_missing), "三级指标有指标值";
    /// `target-syntax`: 指标值 is operator + number + (unit) or qualitative text.
    TargetSyntax = "target-syntax", "指标值格式", Error, Check::Row(target_syntax), "指标值为 符号+数值+(单位) 或定性描述";
    /// `indicators-present`: at least one indicator under each 一级指标.
    IndicatorsPresent = "indicators-present", "指标齐全", Error, Check::Table(indicators_present), "产出、效益、满意度指标下至少各有一项三级指标";
    /// `unreadable`: the file could be read at all (reported by whoever reads the files, as
    /// [`Finding::unreadable`]; the checks of a form never emit it).
    Unreadable = "unreadable", "文件可读", Error, Check::None, "文件能够读取";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl PartialEq<&str> for Rule {
    /// A rule equals its id.
    fn eq(&self, id: &&str) -> bool {
        self.id() == *id
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// One finding.
///
/// ```
/// use declform::check::{Rule, Severity};
/// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
/// let f = &declform::check(&[form])[0];
/// assert_eq!((f.rule, f.severity, f.place.cell_ref()), (Rule::Required, Severity::Error, None));
/// assert_eq!(f.to_string(), "「甲」: 错误 [必填项] 项目类别未填写");
/// ```
///
/// As JSON (`check --format json`) the place's parts are keys of the finding's own:
/// `{"file", "sheet", "cell", "form", "severity", "rule", "message"}` (and `detail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Where: the file, the sheet for workbook inputs and the cell where known (no label).
    #[serde(flatten)]
    pub place: Location,
    /// The form's 项目名称.
    pub form: String,
    /// 错误 or 警告.
    pub severity: Severity,
    /// The rule (serialised as its id).
    pub rule: Rule,
    /// What is wrong, in Chinese.
    pub message: String,
    /// For an unreadable file: what the underlying library reported (often English), kept
    /// out of the message for those who need it (`check --format json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Finding {
    /// A file that could not be read, as a 错误 finding of its own rule ([`Rule::Unreadable`]),
    /// so that a check of many files reports it and goes on with the others.
    ///
    /// ```
    /// let e = declform::read(b"x".to_vec(), "a.xlsx", &Default::default()).unwrap_err();
    /// let f = declform::check::Finding::unreadable(&e);
    /// assert_eq!(f.rule, declform::check::Rule::Unreadable);
    /// assert!(f.to_string().starts_with("a.xlsx: 错误 [文件可读] 不是 Excel"));
    /// ```
    pub fn unreadable(e: &crate::Error) -> Finding {
        Finding {
            // The label goes into the message, after the place.
            place: e.location().clone().unlabelled(),
            form: String::new(),
            severity: Severity::Error,
            rule: Rule::Unreadable,
            message: match e.label() {
                Some(l) => format!("{l}: {}", e.message()),
                None => e.message().to_string(),
            },
            detail: std::error::Error::source(e).map(|cause| cause.to_string()),
        }
    }

    /// Where, as `check` prints it before the colon: the [place](Finding::place) (as every
    /// [`Location`] prints), and for a form read without a sheet (JSON, CSV) its name in 「」.
    ///
    /// ```
    /// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
    /// let mut f = declform::check(&[form])[0].clone();
    /// assert_eq!(f.place_text(), "「甲」");
    /// f.place = declform::Location::file("a.xlsx").sheet("表1").cell(5, 2);
    /// assert_eq!(f.place_text(), "a.xlsx!表1!C6");
    /// ```
    pub fn place_text(&self) -> String {
        if self.place.sheet_name().is_some() || self.form.is_empty() {
            self.place.to_string()
        } else {
            format!("{}「{}」", self.place, self.form)
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}] {}",
            self.place_text(),
            self.severity,
            self.rule.name(),
            self.message
        )
    }
}

struct Checker<'a> {
    form: &'a Form,
    out: Vec<Finding>,
    /// The 一级/二级 pairs already reported by `taxonomy`.
    reported_pairs: HashSet<(&'a str, &'a str)>,
    /// Each 三级指标's first row, for `duplicate-indicator`.
    seen_level3: HashMap<&'a str, usize>,
}

impl Checker<'_> {
    fn cell_of(&self, key: Field) -> Option<String> {
        let source = self.form.source.as_ref()?;
        let cells = source.cells.as_ref()?;
        let sheet = source.place.sheet_name();
        cells
            .fields
            .get(&key)
            .map(|&(r, c)| cells.name(sheet, r, c))
    }

    fn indicator_cell(&self, i: usize, col: usize) -> Option<String> {
        let source = self.form.source.as_ref()?;
        let cells = source.cells.as_ref()?;
        Some(cells.name(
            source.place.sheet_name(),
            *cells.indicator_rows.get(i)?,
            *cells.indicator_cols.get(col)?,
        ))
    }

    fn push_as(&mut self, cell: Option<String>, severity: Severity, rule: Rule, message: String) {
        let place = match &self.form.source {
            Some(s) => s.place.clone().cell_ref_as(cell),
            None => Location::default().cell_ref_as(cell),
        };
        self.out.push(Finding {
            place,
            form: self.form.project_name.clone(),
            severity,
            rule,
            message,
            detail: None,
        });
    }

    /// A finding of `rule`, with the rule's severity, at `cell`.
    fn push(&mut self, cell: Option<String>, rule: Rule, message: String) {
        self.push_as(cell, rule.severity(), rule, message);
    }

    /// A finding of `rule` at a field's cell.
    fn at(&mut self, key: Field, rule: Rule, message: String) {
        let cell = self.cell_of(key);
        self.push(cell, rule, message);
    }
}

fn amount(a: Option<Amount>) -> Amount {
    a.unwrap_or(Amount::ZERO)
}

fn sum(parts: &[Option<Amount>]) -> Option<Amount> {
    parts
        .iter()
        .try_fold(Amount::ZERO, |acc, a| acc.checked_add(amount(*a)))
}

fn show(a: Amount) -> String {
    a.to_string()
}

/// Checks every form; findings in form order.
pub(crate) fn check_forms(forms: &[Form]) -> Vec<Finding> {
    forms.iter().flat_map(check_form).collect()
}

/// Checks one form: its rules, then row by row the row rules, then the table's rules.
fn check_form(form: &Form) -> Vec<Finding> {
    let mut c = Checker {
        form,
        out: Vec::new(),
        reported_pairs: HashSet::new(),
        seen_level3: HashMap::new(),
    };
    let checks: Vec<Check> = Rule::ALL.into_iter().map(Rule::check).collect();
    for check in &checks {
        if let Check::Form(rule) = check {
            rule(&mut c);
        }
    }
    for (i, ind) in form.indicators.iter().enumerate() {
        for check in &checks {
            if let Check::Row(rule) = check {
                rule(&mut c, i, ind);
            }
        }
    }
    for check in &checks {
        if let Check::Table(rule) = check {
            rule(&mut c);
        }
    }
    c.out
}

fn required(c: &mut Checker<'_>) {
    let form = c.form;
    for (key, value) in form.header_texts() {
        if value.trim().is_empty() {
            c.at(key, Rule::Required, format!("{}未填写", key.label()));
        }
    }
    for (key, value) in [
        (Field::StartDate, form.start_date),
        (Field::EndDate, form.end_date),
    ] {
        if value.is_none() {
            c.at(key, Rule::Required, format!("{}未填写", key.label()));
        }
    }
    if form.funds.total.is_none() {
        c.at(
            Field::FundsTotal,
            Rule::Required,
            "项目资金总额未填写".into(),
        );
    }
}

fn amount_negative(c: &mut Checker<'_>) {
    for field in Field::AMOUNTS {
        if let Some(a) = c
            .form
            .funds
            .get(field)
            .filter(|a| a.value().is_sign_negative() && !a.value().is_zero())
        {
            c.at(
                field,
                Rule::AmountNegative,
                format!("{} {} 是负数；金额不能小于 0", field.label(), show(a)),
            );
        }
    }
}

fn total_sum(c: &mut Checker<'_>) {
    let f = &c.form.funds;
    if let (Some(total), Some(parts)) = (f.total, sum(&[f.total_fiscal, f.total_other]))
        && total != parts
    {
        let message = format!(
            "项目资金总额 {} 不等于 财政资金 {} + 其他资金 {} = {}",
            show(total),
            show(amount(f.total_fiscal)),
            show(amount(f.total_other)),
            show(parts)
        );
        c.at(Field::FundsTotal, Rule::TotalSum, message);
    }
}

fn annual_sum(c: &mut Checker<'_>) {
    let f = &c.form.funds;
    if let (Some(annual), Some(parts)) = (
        f.annual_total,
        sum(&[f.annual_appropriation, f.annual_carryover, f.annual_other]),
    ) && annual != parts
    {
        let message = format!(
            "年度资金申请总额 {} 不等于 当年财政拨款 {} + 上年结转资金 {} + 其他资金 {} = {}",
            show(annual),
            show(amount(f.annual_appropriation)),
            show(amount(f.annual_carryover)),
            show(amount(f.annual_other)),
            show(parts)
        );
        c.at(Field::FundsAnnualTotal, Rule::AnnualSum, message);
    }
}

fn annual_le_total(c: &mut Checker<'_>) {
    let f = &c.form.funds;
    if let (Some(annual), Some(total)) = (f.annual_total, f.total)
        && annual > total
    {
        let message = format!(
            "年度资金申请总额 {} 大于 项目资金总额 {}",
            show(annual),
            show(total)
        );
        c.at(Field::FundsAnnualTotal, Rule::AnnualLeTotal, message);
    }
}

fn date_order(c: &mut Checker<'_>) {
    if let (Some(start), Some(end)) = (c.form.start_date, c.form.end_date)
        && start > end
    {
        let message = format!("计划完成日期 {end} 早于计划开始日期 {start}");
        c.at(Field::EndDate, Rule::DateOrder, message);
    }
}

/// Only for dates in order (dates out of order are `date-order`'s).
fn year_in_period(c: &mut Checker<'_>) {
    if let (Some(start), Some(end), Some(year)) = (c.form.start_date, c.form.end_date, c.form.year)
        && start <= end
        && (year < start.year() || year > end.year())
    {
        let message = format!(
            "表头年度 {year} 不在计划期间 {}年-{}年 之内",
            start.year(),
            end.year()
        );
        c.at(Field::StartDate, Rule::YearInPeriod, message);
    }
}

/// Each 一级/二级 pair off the taxonomy, once per form.
fn taxonomy<'a>(c: &mut Checker<'a>, i: usize, ind: &'a Indicator) {
    let taxonomy = Taxonomy::get();
    let known = taxonomy.levels.iter().find(|l| l.level1 == ind.level1);
    let pair_ok = match known {
        None => false,
        Some(l) => {
            l.level2.contains(&ind.level2)
                || (ind.level2.is_empty() && (l.level2_optional || ind.is_empty_category()))
        }
    };
    if pair_ok || !c.reported_pairs.insert((&ind.level1, &ind.level2)) {
        return;
    }
    let what = if known.is_none() {
        let names: Vec<&str> = taxonomy.levels.iter().map(|l| l.level1.as_str()).collect();
        format!(
            "一级指标“{}”不在指标体系中（应为 {}）",
            ind.level1,
            names.join("、")
        )
    } else if ind.level2.is_empty() {
        format!("一级指标“{}”下缺少二级指标", ind.level1)
    } else {
        format!("二级指标“{}”不属于一级指标“{}”", ind.level2, ind.level1)
    };
    let cell = c.indicator_cell(i, if known.is_none() { 0 } else { 1 });
    c.push(cell, Rule::Taxonomy, what);
}

fn duplicate_indicator<'a>(c: &mut Checker<'a>, i: usize, ind: &'a Indicator) {
    if ind.level3.is_empty() {
        return;
    }
    if let Some(first) = c.seen_level3.insert(&ind.level3, i) {
        let cell = c.indicator_cell(i, 2);
        let message = format!(
            "三级指标“{}”重复出现（第{}行与第{}行）",
            ind.level3,
            first + 1,
            i + 1
        );
        c.push(cell, Rule::DuplicateIndicator, message);
    }
}

fn target_missing(c: &mut Checker<'_>, i: usize, ind: &Indicator) {
    if !ind.level3.is_empty() && matches!(Target::parse(&ind.target), Target::Empty) {
        let cell = c.indicator_cell(i, 3);
        let message = format!("三级指标“{}”没有填写指标值", ind.level3);
        c.push(cell, Rule::TargetMissing, message);
    }
}

fn target_syntax(c: &mut Checker<'_>, i: usize, ind: &Indicator) {
    if ind.level3.is_empty() {
        return;
    }
    let message = match Target::parse(&ind.target) {
        Target::Placeholder(p) => format!(
            "三级指标“{}”的指标值“{p}”是占位符，请填写实际指标值",
            ind.level3
        ),
        Target::Malformed(why) => format!("三级指标“{}”：{why}", ind.level3),
        t if t.is_percentage_over_100() => {
            format!("三级指标“{}”的百分比 {} 超过 100%", ind.level3, ind.target)
        }
        _ => return,
    };
    let cell = c.indicator_cell(i, 3);
    c.push(cell, Rule::TargetSyntax, message);
}

/// Required categories first, then those that may be empty (成本, a 警告), as the taxonomy
/// says.
fn indicators_present(c: &mut Checker<'_>) {
    let form = c.form;
    let mut levels: Vec<_> = Taxonomy::get().levels.iter().collect();
    levels.sort_by_key(|l| l.may_be_empty);
    for level in levels {
        let level1 = &level.level1;
        let has = form
            .indicators
            .iter()
            .any(|i| &i.level1 == level1 && !i.level3.is_empty());
        if !has {
            let severity = if level.may_be_empty {
                Severity::Warning
            } else {
                Rule::IndicatorsPresent.severity()
            };
            let row = form.indicators.iter().position(|i| &i.level1 == level1);
            let cell = row.and_then(|i| c.indicator_cell(i, 2));
            let message = format!("{level1}下没有任何三级指标");
            c.push_as(cell, severity, Rule::IndicatorsPresent, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding's JSON (`check --format json`) keeps the keys it had before findings carried
    /// a [`Location`]: `file`, `sheet` and `cell` (null where unknown) first, no `label`, and
    /// `detail` only where there is one; the text names the place as errors do.
    #[test]
    fn a_findings_json_has_the_places_parts_as_its_own_keys() {
        let xlsx = include_bytes!("../samples/办公室.xlsx").to_vec();
        let mut read = crate::read(xlsx, "办公室.xlsx", &Default::default()).unwrap();
        read.forms.truncate(1);
        read.forms[0].funds.total_fiscal = None;
        let f = crate::check(&read.forms).remove(0);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"file":"办公室.xlsx","sheet":"政府购买服务人员专项经费","cell":"C6","form":"政府购买服务人员专项经费","severity":"错误","rule":"total-sum","message":"项目资金总额 5246207.06 不等于 财政资金 0.00 + 其他资金 0.00 = 0.00"}"#
        );
        assert_eq!(f.place_text(), "办公室.xlsx!政府购买服务人员专项经费!C6");

        let json = crate::to_json(&read.forms).into_bytes();
        let mut forms = crate::read(json, "a.json", &Default::default())
            .unwrap()
            .forms;
        forms[0].source = Some(crate::Source::file("a.json"));
        let f = crate::check(&forms).remove(0);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"file":"a.json","sheet":null,"cell":null,"form":"政府购买服务人员专项经费","severity":"错误","rule":"total-sum","message":"项目资金总额 5246207.06 不等于 财政资金 0.00 + 其他资金 0.00 = 0.00"}"#
        );
        assert_eq!(f.place_text(), "a.json「政府购买服务人员专项经费」");

        let e = crate::Error::new(
            crate::ErrorKind::BadTable,
            Location::file("a.csv").label("第3行"),
            "列数不对",
        );
        let f = Finding::unreadable(&e);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"file":"a.csv","sheet":null,"cell":null,"form":"","severity":"错误","rule":"unreadable","message":"第3行: 列数不对"}"#
        );
        assert_eq!(f.to_string(), "a.csv: 错误 [文件可读] 第3行: 列数不对");
    }

    /// Each rule's table entry is what the checks emit: one form broken for each rule gives
    /// exactly the rules of the table, with the severities the README lists.
    #[test]
    fn the_rules_table_is_what_the_checks_emit() {
        use crate::Indicator;
        let seed: crate::Document =
            serde_json::from_str(include_str!("../samples/seed-forms-2024.json")).unwrap();
        let good = seed.forms[0].clone();
        let a = |s: &str| Some(s.parse::<Amount>().unwrap());
        let mut broken: Vec<(Rule, Form)> = Vec::new();
        let mut f = good.clone();
        f.department.clear();
        broken.push((Rule::Required, f));
        let mut f = good.clone();
        f.funds.total_other = a("-1.00");
        broken.push((Rule::AmountNegative, f));
        let mut f = good.clone();
        f.funds.total = a("1.00");
        broken.push((Rule::TotalSum, f));
        let mut f = good.clone();
        f.funds.annual_carryover = a("1.00");
        broken.push((Rule::AnnualSum, f));
        let mut f = good.clone();
        f.funds.annual_total = a("99999999.00");
        f.funds.annual_appropriation = a("99999999.00");
        broken.push((Rule::AnnualLeTotal, f));
        let mut f = good.clone();
        std::mem::swap(&mut f.start_date, &mut f.end_date);
        f.start_date = f.end_date.map(|d| d + chrono::Duration::days(400));
        broken.push((Rule::DateOrder, f));
        let mut f = good.clone();
        f.year = Some(1999);
        broken.push((Rule::YearInPeriod, f));
        let mut f = good.clone();
        f.indicators[0].level2 = "不存在的指标".into();
        broken.push((Rule::Taxonomy, f));
        let mut f = good.clone();
        f.indicators.retain(|i| i.level1 != "满意度指标");
        broken.push((Rule::IndicatorsPresent, f));
        let mut f = good.clone();
        f.indicators[0].target = "*".into();
        broken.push((Rule::TargetSyntax, f));
        let mut f = good.clone();
        f.indicators[0].target.clear();
        broken.push((Rule::TargetMissing, f));
        let mut f = good.clone();
        let first = f.indicators[0].clone();
        f.indicators.insert(
            1,
            Indicator {
                target: "≥1.00(人)".into(),
                ..first
            },
        );
        broken.push((Rule::DuplicateIndicator, f));

        let baseline: HashSet<Rule> = check_form(&good).iter().map(|f| f.rule).collect();
        let mut emitted = HashSet::new();
        for (rule, form) in &broken {
            let new: Vec<Finding> = check_form(form)
                .into_iter()
                .filter(|f| !baseline.contains(&f.rule) || f.rule == *rule)
                .collect();
            assert!(new.iter().any(|f| f.rule == *rule), "{rule}: {new:?}");
            emitted.extend(new.iter().map(|f| f.rule));
            for finding in &new {
                assert!(
                    finding
                        .to_string()
                        .contains(&format!("[{}]", finding.rule.name()))
                );
            }
        }
        // Unreadable is reported for files, not forms.
        let all: HashSet<Rule> = Rule::ALL
            .into_iter()
            .filter(|r| *r != Rule::Unreadable)
            .collect();
        assert_eq!(emitted, all, "rules the checks emit vs the table");
        // Severities as documented: 警告 for taxonomy, target-missing and duplicates.
        for (rule, form) in &broken {
            let sev = check_form(form)
                .into_iter()
                .find(|f| f.rule == *rule)
                .unwrap()
                .severity;
            let want = match rule {
                Rule::Taxonomy | Rule::TargetMissing | Rule::DuplicateIndicator => {
                    Severity::Warning
                }
                _ => Severity::Error,
            };
            assert_eq!(sev, want, "{rule}");
        }
    }

    #[test]
    fn rules_have_unique_ids() {
        let ids: std::collections::HashSet<_> = Rule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), Rule::ALL.len());
    }

    #[test]
    fn a_one_day_project_is_in_order() {
        let seed: crate::Document =
            serde_json::from_str(include_str!("../samples/seed-forms-2024.json")).unwrap();
        let mut f = seed.forms[0].clone();
        f.end_date = f.start_date;
        assert!(f.start_date.is_some());
        assert!(
            !check_form(&f).iter().any(|x| x.rule == Rule::DateOrder),
            "{:?}",
            check_form(&f)
        );
        f.end_date = f.start_date.map(|d| d - chrono::Duration::days(1));
        assert!(check_form(&f).iter().any(|x| x.rule == Rule::DateOrder));
    }
}
