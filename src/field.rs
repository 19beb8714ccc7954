//! The model's fields as one typed enum: what the layouts in `templates/` name, what the
//! reader fills, the writer places, the flat table lists and `check` points at.
//!
//! Each field has its model key path (`funds.total`, `level1`, ...), the same string the
//! JSON model and the `templates/` files use.
//!
//! ```
//! use declform::{Field, FieldKind};
//! assert_eq!(Field::FundsTotal.key(), "funds.total");
//! assert_eq!("funds.total".parse::<Field>(), Ok(Field::FundsTotal));
//! assert_eq!(Field::FundsTotal.kind(), FieldKind::Amount);
//! assert_eq!(Field::FundsTotal.label(), "项目资金总额");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! fields {
    ($( $(#[$doc:meta])* $variant:ident = $key:literal, $kind:ident; )*) => {
        /// A field of the model, by its key path.
        ///
        /// ```
        /// use declform::Field;
        /// assert_eq!(Field::StartDate.to_string(), "start_date");
        /// assert_eq!(serde_json::to_string(&Field::FundsTotal).unwrap(), "\"funds.total\"");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Field {
            $( $(#[$doc])* #[serde(rename = $key)] $variant, )*
        }

        impl Field {
            /// Every field, in model order.
            ///
            /// ```
            /// use declform::Field;
            /// assert_eq!(Field::ALL.len(), 21);
            /// assert_eq!((Field::ALL[0], Field::ALL[20]), (Field::Year, Field::Target));
            /// ```
            pub const ALL: [Field; [$(Field::$variant),*].len()] = [$(Field::$variant),*];

            /// The model key path, as the JSON model and `templates/` write it.
            ///
            /// ```
            /// use declform::Field;
            /// const KEY: &str = Field::FundsAnnualCarryover.key();
            /// assert_eq!(KEY, "funds.annual_carryover");
            /// ```
            pub const fn key(self) -> &'static str {
                match self { $( Field::$variant => $key, )* }
            }

            /// What kind of value the field holds.
            ///
            /// ```
            /// use declform::{Field, FieldKind};
            /// assert_eq!(Field::StartDate.kind(), FieldKind::Date);
            /// assert_eq!(Field::Level3.kind(), FieldKind::Indicator);
            /// ```
            pub const fn kind(self) -> FieldKind {
                match self { $( Field::$variant => FieldKind::$kind, )* }
            }
        }
    };
}

fields! {
    /// `(2024年度)` under the title.
    Year = "year", Year;
    /// 项目名称.
    ProjectName = "project_name", Text;
    /// 项目类别.
    ProjectCategory = "project_category", Text;
    /// 项目性质 (2026 grid).
    ProjectNature = "project_nature", Text;
    /// 主管部门.
    Department = "department", Text;
    /// 实施单位.
    ImplementingUnit = "implementing_unit", Text;
    /// 计划开始日期.
    StartDate = "start_date", Date;
    /// 计划完成日期.
    EndDate = "end_date", Date;
    /// 项目资金总额.
    FundsTotal = "funds.total", Amount;
    /// 其中：财政资金.
    FundsTotalFiscal = "funds.total_fiscal", Amount;
    /// 其他资金 (project column).
    FundsTotalOther = "funds.total_other", Amount;
    /// 年度资金申请总额.
    FundsAnnualTotal = "funds.annual_total", Amount;
    /// 其中：当年财政拨款.
    FundsAnnualAppropriation = "funds.annual_appropriation", Amount;
    /// 上年结转资金.
    FundsAnnualCarryover = "funds.annual_carryover", Amount;
    /// 其他资金 (annual column).
    FundsAnnualOther = "funds.annual_other", Amount;
    /// 项目总目标.
    OverallGoal = "overall_goal", Text;
    /// 年度总目标.
    AnnualGoal = "annual_goal", Text;
    /// 一级指标 of an indicator row.
    Level1 = "level1", Indicator;
    /// 二级指标 of an indicator row.
    Level2 = "level2", Indicator;
    /// 三级指标 of an indicator row.
    Level3 = "level3", Indicator;
    /// 年度指标值 of an indicator row.
    Target = "target", Indicator;
}

/// What kind of value a [`Field`] holds.
///
/// ```
/// use declform::{Field, FieldKind};
/// let count = |k| Field::ALL.iter().filter(|f| f.kind() == k).count();
/// assert_eq!((count(FieldKind::Amount), count(FieldKind::Date), count(FieldKind::Year)), (7, 2, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// The form's year.
    Year,
    /// Text of the form's header.
    Text,
    /// An amount of money (`funds.*`).
    Amount,
    /// A date.
    Date,
    /// A column of the indicator table (text).
    Indicator,
}

impl Field {
    /// The seven amounts of the 项目资金 block, in form order.
    ///
    /// ```
    /// use declform::{Field, FieldKind};
    /// assert_eq!(Field::AMOUNTS[0], Field::FundsTotal);
    /// assert!(Field::AMOUNTS.iter().all(|f| f.kind() == FieldKind::Amount));
    /// ```
    pub const AMOUNTS: [Field; 7] = [
        Field::FundsTotal,
        Field::FundsTotalFiscal,
        Field::FundsTotalOther,
        Field::FundsAnnualTotal,
        Field::FundsAnnualAppropriation,
        Field::FundsAnnualCarryover,
        Field::FundsAnnualOther,
    ];

    /// The indicator table's columns, left to right.
    ///
    /// ```
    /// use declform::Field;
    /// assert_eq!(Field::INDICATOR.map(Field::key), ["level1", "level2", "level3", "target"]);
    /// ```
    pub const INDICATOR: [Field; 4] = [Field::Level1, Field::Level2, Field::Level3, Field::Target];

    /// The position of an indicator field in [`Field::INDICATOR`]; `None` for header fields.
    ///
    /// ```
    /// use declform::Field;
    /// assert_eq!(Field::Level3.indicator_index(), Some(2));
    /// assert_eq!(Field::ProjectName.indicator_index(), None);
    /// ```
    pub fn indicator_index(self) -> Option<usize> {
        Field::INDICATOR.iter().position(|&f| f == self)
    }

    /// The position of an amount in [`Field::AMOUNTS`]; `None` for other fields.
    ///
    /// ```
    /// use declform::Field;
    /// assert_eq!(Field::FundsAnnualOther.amount_index(), Some(6));
    /// assert_eq!(Field::StartDate.amount_index(), None);
    /// ```
    pub fn amount_index(self) -> Option<usize> {
        Field::AMOUNTS.iter().position(|&f| f == self)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A key that names no field of the model.
///
/// ```
/// use declform::{Field, UnknownField};
/// let e = "funds.nope".parse::<Field>().unwrap_err();
/// assert_eq!(e, UnknownField("funds.nope".into()));
/// assert_eq!(e.to_string(), "unknown field key `funds.nope`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField(pub String);

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown field key `{}`", self.0)
    }
}

impl std::error::Error for UnknownField {}

impl FromStr for Field {
    type Err = UnknownField;

    /// The field of a model key path.
    ///
    /// # Errors
    ///
    /// [`UnknownField`] for a key that is not a field of the model.
    fn from_str(key: &str) -> Result<Field, UnknownField> {
        Field::ALL
            .into_iter()
            .find(|f| f.key() == key)
            .ok_or_else(|| UnknownField(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_parse_back() {
        for f in Field::ALL {
            assert_eq!(f.key().parse::<Field>(), Ok(f));
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.key())
            );
        }
        assert!("funds.nope".parse::<Field>().is_err());
        assert_eq!(
            Field::AMOUNTS
                .iter()
                .filter(|f| f.kind() == FieldKind::Amount)
                .count(),
            7
        );
        assert_eq!(
            Field::ALL
                .iter()
                .filter(|f| f.kind() == FieldKind::Amount)
                .count(),
            7
        );
    }
}
