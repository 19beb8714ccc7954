//! 年度指标值: the target text of an indicator, read as operator + number + unit where it is
//! quantitative (`≥85.00(%)`), as text where it is qualitative (`一致`).
//!
//! ```
//! use declform::target::Target;
//! let t = Target::parse("≥85.00(%)");
//! assert_eq!(t, Target::Quantitative { op: "≥".into(), number: "85.00".into(), unit: "%".into() });
//! assert_eq!(Target::parse("一致"), Target::Qualitative("一致".into()));
//! assert_eq!(Target::parse("≤ 37.00 (人)").to_string(), "≤37.00(人)");
//! ```

use std::fmt;

/// A parsed target.
///
/// ```
/// use declform::target::Target;
/// assert_eq!(Target::parse("  "), Target::Empty);
/// assert_eq!(Target::parse("*"), Target::Placeholder("*".into()));
/// assert!(matches!(Target::parse("≥85(%"), Target::Malformed(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// No target.
    Empty,
    /// Operator, number (as written, digits and one point) and unit (without brackets; may be empty).
    Quantitative {
        /// `≥`, `≤`, `=`, `>` or `<` (full-width and `>=` forms are folded to these).
        op: String,
        /// The number as written.
        number: String,
        /// The unit inside the brackets.
        unit: String,
    },
    /// A qualitative target such as `一致` or `及时`.
    Qualitative(String),
    /// A placeholder (`*`, `/`) that stands for no real target.
    Placeholder(String),
    /// Starts like a quantitative target but is not one; the reason says why.
    Malformed(String),
}

const OPERATORS: [(&str, &str); 13] = [
    (">=", "≥"),
    ("<=", "≤"),
    ("≥", "≥"),
    ("≤", "≤"),
    ("≧", "≥"),
    ("≦", "≤"),
    ("=", "="),
    ("＝", "="),
    (">", ">"),
    ("<", "<"),
    ("＞", ">"),
    ("＜", "<"),
    ("==", "="),
];

impl Target {
    /// Parses a target as written.
    ///
    /// ```
    /// use declform::target::Target;
    /// let t = Target::parse(">=90（%）");
    /// assert_eq!(t, Target::Quantitative { op: "≥".into(), number: "90".into(), unit: "%".into() });
    /// assert_eq!(t.to_string(), "≥90(%)");
    /// ```
    pub fn parse(text: &str) -> Target {
        let t = text.trim();
        if t.is_empty() {
            return Target::Empty;
        }
        if matches!(t, "*" | "/" | "＊" | "／" | "-" | "—" | "无") {
            return Target::Placeholder(t.to_string());
        }
        let Some((op, rest)) = OPERATORS
            .iter()
            .filter_map(|(written, op)| t.strip_prefix(written).map(|rest| (*op, rest)))
            .max_by_key(|(_, rest)| std::cmp::Reverse(rest.len()))
        else {
            return Target::Qualitative(t.to_string());
        };
        let rest = rest.trim_start();
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(rest.len());
        let (number, unit_part) = rest.split_at(split);
        let number: String = number.chars().filter(|&c| c != ',').collect();
        let valid = !number.is_empty()
            && number.chars().filter(|&c| c == '.').count() <= 1
            && !number.starts_with('.')
            && !number.ends_with('.');
        if !valid {
            return Target::Malformed(format!("“{t}”中的数值无效"));
        }
        let unit_part = unit_part.trim();
        let unit = if unit_part.is_empty() {
            String::new()
        } else if let Some(inner) = unit_part
            .strip_prefix(['(', '（'])
            .and_then(|u| u.strip_suffix([')', '）']))
        {
            inner.trim().to_string()
        } else if unit_part.chars().all(|c| !c.is_ascii_digit())
            && !unit_part.contains(['(', ')', '（', '）'])
        {
            unit_part.to_string()
        } else {
            return Target::Malformed(format!("“{t}”的单位应写在括号中，如 ≥85.00(%)"));
        };
        Target::Quantitative {
            op: op.to_string(),
            number,
            unit,
        }
    }

    /// Whether the target is a percentage over 100.
    ///
    /// ```
    /// use declform::target::Target;
    /// assert!(Target::parse("≥120.00(%)").is_percentage_over_100());
    /// assert!(!Target::parse("=100.00(%)").is_percentage_over_100());
    /// assert!(!Target::parse("≥120.00(人)").is_percentage_over_100());
    /// ```
    pub fn is_percentage_over_100(&self) -> bool {
        match self {
            Target::Quantitative { number, unit, .. } if unit == "%" => number
                .parse::<rust_decimal::Decimal>()
                .is_ok_and(|n| n > rust_decimal::Decimal::ONE_HUNDRED),
            _ => false,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Empty => Ok(()),
            Target::Quantitative { op, number, unit } if unit.is_empty() => {
                write!(f, "{op}{number}")
            }
            Target::Quantitative { op, number, unit } => write!(f, "{op}{number}({unit})"),
            Target::Qualitative(t) | Target::Placeholder(t) => f.write_str(t),
            Target::Malformed(t) => f.write_str(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(op: &str, n: &str, u: &str) -> Target {
        Target::Quantitative {
            op: op.into(),
            number: n.into(),
            unit: u.into(),
        }
    }

    /// Every target of the seed forms, parsed.
    #[test]
    fn seed_targets() {
        let table = [
            ("", Target::Empty),
            ("=1.50(%)", q("=", "1.50", "%")),
            ("=100.00(%)", q("=", "100.00", "%")),
            ("=3.00(人)", q("=", "3.00", "人")),
            ("=721.00(平方米)", q("=", "721.00", "平方米")),
            ("≤1000.00(人)", q("≤", "1000.00", "人")),
            ("≤30.00(人)", q("≤", "30.00", "人")),
            ("≤37.00(人)", q("≤", "37.00", "人")),
            ("≤490.00(人)", q("≤", "490.00", "人")),
            ("≥1000.00(件)", q("≥", "1000.00", "件")),
            ("≥85.00(%)", q("≥", "85.00", "%")),
        ];
        for (text, want) in table {
            assert_eq!(Target::parse(text), want, "{text}");
        }
        for text in [
            "一致",
            "与市场价格相符",
            "促进",
            "充分",
            "及时",
            "及时掌握",
            "建立健全",
            "按照合同约定及时支付",
            "按照政策标准执行",
            "提高",
            "无差错",
            "符合国家相关规定",
            "符合要求",
            "良好",
            "规范",
            "零失误",
        ] {
            assert_eq!(
                Target::parse(text),
                Target::Qualitative(text.into()),
                "{text}"
            );
        }
    }

    #[test]
    fn variants_and_faults() {
        assert_eq!(Target::parse("≤ 37.00 (人)"), q("≤", "37.00", "人"));
        assert_eq!(Target::parse(">=90（%）"), q("≥", "90", "%"));
        assert_eq!(Target::parse("≤2.00小时"), q("≤", "2.00", "小时"));
        assert_eq!(Target::parse("=1,000.00(元)"), q("=", "1000.00", "元"));
        assert!(matches!(Target::parse("≥8.5.0(%)"), Target::Malformed(_)));
        assert!(matches!(Target::parse("≥(%)"), Target::Malformed(_)));
        assert!(matches!(Target::parse("≥85(%"), Target::Malformed(_)));
        assert_eq!(Target::parse("*"), Target::Placeholder("*".into()));
        assert!(Target::parse("≥120.00(%)").is_percentage_over_100());
        assert!(!Target::parse("=100.00(%)").is_percentage_over_100());
    }
}
