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

/// The words a split table may write for a sign (指标性质), and the sign each stands for.
const SIGN_WORDS: [(&str, &str); 5] = [
    ("大于等于", "≥"),
    ("小于等于", "≤"),
    ("等于", "="),
    ("大于", ">"),
    ("小于", "<"),
];

/// What a 指标性质 cell says: a sign, that the value is qualitative, or something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nature {
    /// `≥ ≤ = > <` (or the words 大于等于, 小于等于, 等于, 大于, 小于; `>=` and full-width forms).
    Sign(&'static str),
    /// `定性`, or an empty cell: the value is the whole target.
    Qualitative,
    /// `定量`: the value carries its own sign, if any.
    Quantitative,
    /// Any other text.
    Other(String),
}

/// The written word for a qualitative target in a split table's 指标性质 column.
pub const QUALITATIVE: &str = "定性";

/// What the writer puts in a split table's 指标性质 column, and the template offers there:
/// the signs of a quantitative target, then [`QUALITATIVE`].
///
/// ```
/// use declform::target::{NATURES, Nature};
/// assert_eq!(NATURES, ["≥", "≤", "=", ">", "<", "定性"]);
/// assert!(NATURES[..5].iter().all(|n| matches!(Nature::parse(n), Nature::Sign(s) if s == *n)));
/// assert_eq!(Nature::parse(NATURES[5]), Nature::Qualitative);
/// ```
pub const NATURES: [&str; 6] = ["≥", "≤", "=", ">", "<", QUALITATIVE];
const QUANTITATIVE: &str = "定量";

impl Nature {
    /// Reads a 指标性质 cell.
    ///
    /// ```
    /// use declform::target::Nature;
    /// assert_eq!(Nature::parse("大于等于"), Nature::Sign("≥"));
    /// assert_eq!(Nature::parse(" ＞ "), Nature::Sign(">"));
    /// assert_eq!(Nature::parse("定性"), Nature::Qualitative);
    /// assert_eq!(Nature::parse(""), Nature::Qualitative);
    /// assert_eq!(Nature::parse("约"), Nature::Other("约".into()));
    /// ```
    pub fn parse(text: &str) -> Nature {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() || t == QUALITATIVE {
            return Nature::Qualitative;
        }
        if t == QUANTITATIVE {
            return Nature::Quantitative;
        }
        if let Some((_, op)) = SIGN_WORDS
            .iter()
            .chain(OPERATORS.iter())
            .find(|(w, _)| *w == t)
        {
            return Nature::Sign(op);
        }
        Nature::Other(t)
    }
}

/// Joins a split target (指标性质 | 指标值 | 度量单位) into one `target` text, as
/// `docs/model.md` says: the sign, the value exactly as written, the unit in ASCII brackets;
/// a qualitative (or empty) 指标性质 gives the value alone. A unit is never dropped: a value
/// without a sign keeps its unit in brackets too. A 指标性质 that is neither a sign nor
/// 定性/定量 is kept before the value.
///
/// ```
/// use declform::target::join;
/// assert_eq!(join("≥", "100", "人"), "≥100(人)");
/// assert_eq!(join("大于等于", "95", ""), "≥95");
/// assert_eq!(join("=", "721.00", "平方米"), "=721.00(平方米)");
/// assert_eq!(join("定性", "好", ""), "好");
/// assert_eq!(join("", "", ""), "");
/// ```
pub fn join(nature: &str, value: &str, unit: &str) -> String {
    let (value, unit) = (value.trim(), unit.trim());
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!("({unit})")
    };
    match Nature::parse(nature) {
        Nature::Sign(op) => format!("{op}{value}{unit}"),
        Nature::Qualitative | Nature::Quantitative => format!("{value}{unit}"),
        Nature::Other(word) => format!("{word}{value}{unit}"),
    }
}

/// Splits a target into the three cells of a split table (指标性质, 指标值, 度量单位) so that
/// [`join`] gives it back exactly: a quantitative target written in its canonical form
/// (`≥100(人)`, `≥95`) gives its sign, number and unit; any other non-empty text is 定性
/// with the whole text as its value.
///
/// ```
/// use declform::target::{join, split};
/// assert_eq!(split("≥100(人)"), ("≥".to_string(), "100".to_string(), "人".to_string()));
/// assert_eq!(split("一致"), ("定性".to_string(), "一致".to_string(), String::new()));
/// assert_eq!(split(""), (String::new(), String::new(), String::new()));
/// for t in ["≥100(人)", ">= 90 (%)", "一致", "≥95", ""] {
///     let (n, v, u) = split(t);
///     assert_eq!(join(&n, &v, &u), t);
/// }
/// ```
pub fn split(target: &str) -> (String, String, String) {
    if target.is_empty() {
        return (String::new(), String::new(), String::new());
    }
    if let parsed @ Target::Quantitative { op, number, unit } = &Target::parse(target)
        && parsed.to_string() == target
        && join(op, number, unit) == target
    {
        return (op.clone(), number.clone(), unit.clone());
    }
    (QUALITATIVE.to_string(), target.to_string(), String::new())
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

    #[test]
    fn natures() {
        assert_eq!(Nature::parse("大于等于"), Nature::Sign("≥"));
        assert_eq!(Nature::parse("小于等于"), Nature::Sign("≤"));
        assert_eq!(Nature::parse(" ＞ "), Nature::Sign(">"));
        assert_eq!(Nature::parse(">="), Nature::Sign("≥"));
        assert_eq!(Nature::parse("定 性"), Nature::Qualitative);
        assert_eq!(Nature::parse(""), Nature::Qualitative);
        assert_eq!(Nature::parse("定量"), Nature::Quantitative);
        assert_eq!(Nature::parse("约"), Nature::Other("约".into()));
        for n in NATURES {
            assert_ne!(Nature::parse(n), Nature::Other(n.into()), "{n}");
        }
    }

    #[test]
    fn join_split_and_display() {
        assert_eq!(join("≥", "100", "人"), "≥100(人)");
        assert_eq!(join("大于等于", " 95 ", ""), "≥95");
        assert_eq!(join("定性", "好", ""), "好");
        assert_eq!(join("定量", "5", "天"), "5(天)");
        assert_eq!(join("", "5", "天"), "5(天)");
        assert_eq!(join("约", "5", ""), "约5");
        assert_eq!(join("", "", ""), "");
        let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(split("≥100(人)"), s("≥", "100", "人"));
        assert_eq!(split("=1.50(%)"), s("=", "1.50", "%"));
        assert_eq!(split("≥95"), s("≥", "95", ""));
        assert_eq!(split("一致"), s("定性", "一致", ""));
        // Not canonical: kept whole, so that joining gives it back.
        assert_eq!(split("≤ 37.00 (人)"), s("定性", "≤ 37.00 (人)", ""));
        assert_eq!(split(""), s("", "", ""));
        for t in ["≥100(人)", ">= 90 (%)", "一致", "≥95", "", "*", "≥85(%"] {
            let (n, v, u) = split(t);
            assert_eq!(join(&n, &v, &u), t, "{t}");
        }
        assert_eq!(q("≥", "85.00", "%").to_string(), "≥85.00(%)");
        assert_eq!(q("=", "3", "").to_string(), "=3");
        assert_eq!(Target::Empty.to_string(), "");
        assert_eq!(Target::Qualitative("一致".into()).to_string(), "一致");
        assert_eq!(Target::Placeholder("*".into()).to_string(), "*");
        // A malformed target displays as what is wrong with it.
        assert_eq!(
            Target::parse("≥85(%").to_string(),
            "“≥85(%”的单位应写在括号中，如 ≥85.00(%)"
        );
    }
}
