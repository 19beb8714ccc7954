//! Money: exact decimal amounts of 元 (yuan).
//!
//! An [`Amount`] wraps a [`Decimal`] and is serialised as a JSON string with at
//! least two decimal places, more only when the value has more
//! (`"2646000.00"`, `"0.125"`). It is never a binary float.
//!
//! ```
//! use declform::Amount;
//! let a: Amount = "2,646,000.00".parse().unwrap();
//! assert_eq!(a.to_string(), "2646000.00");
//! // 264.6 万元 is exactly 2 646 000 元.
//! let w = Amount::from_wan(Amount::from_f64(264.6).unwrap()).unwrap();
//! assert_eq!(w.to_string(), "2646000.00");
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An exact amount of money in 元, canonicalised to at least two decimal places.
///
/// ```
/// let a: declform::Amount = "1,000.5".parse().unwrap();
/// assert_eq!(a.to_string(), "1000.50");
/// assert_eq!(serde_json::to_string(&a).unwrap(), "\"1000.50\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(Decimal);

/// Why a text is not an amount.
///
/// ```
/// use declform::{Amount, amount::AmountError};
/// assert_eq!("四十二万".parse::<Amount>(), Err(AmountError));
/// assert_eq!(AmountError.to_string(), "不是金额");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("不是金额")]
pub struct AmountError;

impl Amount {
    /// Zero 元.
    ///
    /// ```
    /// use declform::Amount;
    /// assert_eq!(Amount::ZERO.to_string(), "0.00");
    /// assert_eq!(Amount::ZERO, "0".parse::<Amount>().unwrap());
    /// ```
    pub const ZERO: Amount = Amount(Decimal::from_parts(0, 0, 0, false, 2));

    /// Wraps a decimal, canonicalising its scale (at least 2, trailing zeros past 2 dropped).
    ///
    /// ```
    /// use declform::Amount;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Amount::new(Decimal::new(1500, 3)).to_string(), "1.50");
    /// ```
    pub fn new(d: Decimal) -> Amount {
        let mut d = d.normalize();
        if d.scale() < 2 {
            d.rescale(2);
        }
        Amount(d)
    }

    /// The decimal value.
    ///
    /// ```
    /// use rust_decimal::Decimal;
    /// let a: declform::Amount = "1.5".parse().unwrap();
    /// assert_eq!(a.value(), Decimal::new(150, 2));
    /// assert_eq!(a.value().scale(), 2);
    /// ```
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The amount as a workbook shows it in the forms, with thousands separators:
    /// `1,850,000.00` (more decimals only where the amount has them). [`Amount`]'s
    /// parser reads it back.
    ///
    /// ```
    /// use declform::Amount;
    /// let a: Amount = "1850000".parse().unwrap();
    /// assert_eq!(a.grouped(), "1,850,000.00");
    /// assert_eq!("-1234.125".parse::<Amount>().unwrap().grouped(), "-1,234.125");
    /// assert_eq!(a.grouped().parse::<Amount>(), Ok(a));
    /// ```
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let mut out = String::with_capacity(plain.len() + int.len() / 3);
        out.push_str(sign);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        out
    }

    /// The amount from a spreadsheet number, by its shortest round-trip text, so that
    /// `264.6` gives exactly `264.60`, never `264.6000000000000227`.
    ///
    /// ```
    /// use declform::Amount;
    /// assert_eq!(Amount::from_f64(0.1).unwrap().to_string(), "0.10");
    /// assert!(Amount::from_f64(f64::NAN).is_none());
    /// ```
    pub fn from_f64(f: f64) -> Option<Amount> {
        if !f.is_finite() {
            return None;
        }
        // `{}` prints the shortest text that round-trips; it never uses exponents.
        format!("{f}").parse().ok()
    }

    /// The amount as a spreadsheet number, when that number reads back as exactly
    /// this amount; `None` when a float cannot carry it (more than ~15 significant digits).
    ///
    /// ```
    /// use declform::Amount;
    /// let a: Amount = "5246207.06".parse().unwrap();
    /// assert_eq!(a.to_f64_exact(), Some(5246207.06));
    /// let b: Amount = "12345678901234567.89".parse().unwrap();
    /// assert_eq!(b.to_f64_exact(), None);
    /// ```
    pub fn to_f64_exact(self) -> Option<f64> {
        let f: f64 = self.0.to_string().parse().ok()?;
        (Amount::from_f64(f)? == self).then_some(f)
    }

    /// Converts an amount of 万元 to 元, exactly.
    ///
    /// ```
    /// use declform::Amount;
    /// let wan: Amount = "264.6".parse().unwrap();
    /// assert_eq!(Amount::from_wan(wan).unwrap().to_string(), "2646000.00");
    /// ```
    pub fn from_wan(wan: Amount) -> Option<Amount> {
        wan.0.checked_mul(Decimal::from(10_000)).map(Amount::new)
    }

    /// The sum, or `None` on overflow.
    ///
    /// ```
    /// use declform::Amount;
    /// let a: Amount = "0.10".parse().unwrap();
    /// assert_eq!(a.checked_add("0.20".parse().unwrap()).unwrap().to_string(), "0.30");
    /// let max = Amount::new(rust_decimal::Decimal::MAX);
    /// assert_eq!(max.checked_add(max), None);
    /// ```
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount::new)
    }
}

/// A unit amounts are written in; amounts are kept in 元, scaled exactly.
///
/// ```
/// use declform::amount::Unit;
/// assert_eq!(Unit::parse("（人民币万元）"), Some(Unit::Wan));
/// assert_eq!(Unit::parse("万元（保留两位小数）"), Some(Unit::Wan));
/// assert_eq!(Unit::parse("美元"), None);
/// let a: declform::Amount = "264.6".parse().unwrap();
/// assert_eq!(Unit::Yi.to_yuan(a).unwrap().to_string(), "26460000000.00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Unit {
    /// 元.
    #[default]
    Yuan,
    /// 千元.
    Qian,
    /// 万元.
    Wan,
    /// 百万元.
    BaiWan,
    /// 亿元.
    Yi,
}

impl Unit {
    /// Every unit with its spellings, the longest first within the list as a whole so that
    /// a suffix match takes 百万元 before 万元 before 元.
    pub(crate) const SPELLINGS: [(&'static str, Unit); 9] = [
        ("百万元", Unit::BaiWan),
        ("百万", Unit::BaiWan),
        ("千元", Unit::Qian),
        ("万元", Unit::Wan),
        ("亿元", Unit::Yi),
        ("千", Unit::Qian),
        ("万", Unit::Wan),
        ("亿", Unit::Yi),
        ("元", Unit::Yuan),
    ];

    /// The units the reader knows, for messages.
    pub const KNOWN: &'static str = "元、千元、万元、百万元 或 亿元";

    /// The unit's name as a form writes it (`万元`).
    pub fn name(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Qian => "千元",
            Unit::Wan => "万元",
            Unit::BaiWan => "百万元",
            Unit::Yi => "亿元",
        }
    }

    /// How many 元 one of this unit is.
    pub fn factor(self) -> Decimal {
        Decimal::from(match self {
            Unit::Yuan => 1u64,
            Unit::Qian => 1_000,
            Unit::Wan => 10_000,
            Unit::BaiWan => 1_000_000,
            Unit::Yi => 100_000_000,
        })
    }

    /// An amount of this unit in 元, exactly; `None` beyond what a decimal holds.
    pub fn to_yuan(self, a: Amount) -> Option<Amount> {
        a.0.checked_mul(self.factor()).map(Amount::new)
    }

    /// A unit as written on a unit line, in a label's brackets or a header note: `万元`,
    /// `(万)`, `人民币万元`, `万元（保留两位小数）`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Unit> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let open = |c: char| matches!(c, '(' | '（' | '[' | '【');
        let close = |c: char| matches!(c, ')' | '）' | ']' | '】');
        let mut t = t.as_str();
        if t.starts_with(open) && t.ends_with(close) {
            t = t.trim_start_matches(open).trim_end_matches(close);
        } else if let Some(i) = t.find(open)
            && i > 0
            && t.ends_with(close)
        {
            // A note after the unit: 万元（保留两位小数）.
            t = &t[..i];
        }
        let t = t.strip_prefix("人民币").unwrap_or(t);
        Self::SPELLINGS
            .iter()
            .find(|(s, _)| *s == t)
            .map(|(_, u)| *u)
    }

    /// An amount text's own unit written after its number (`100元`, `264.6万`): the text
    /// before it and the unit; the whole text and `None` when it ends in none.
    pub fn strip_suffix(text: &str) -> (&str, Option<Unit>) {
        let t = text.trim_end();
        for (s, u) in Self::SPELLINGS {
            if let Some(rest) = t.strip_suffix(s) {
                return (rest, Some(u));
            }
        }
        (t, None)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    /// Parses `2646000.00`, `2,646,000.00`, `2 646 000`, `￥1,000`, full-width digits and `-0.5`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Full-width digits and marks fold to ASCII; a currency sign or 元 may stand around.
        // A currency sign only in front, 元 only at the end: `5元6` is no amount.
        let t = s.trim();
        let t = t.strip_prefix(['¥', '￥']).unwrap_or(t);
        let t = t.strip_suffix('元').unwrap_or(t);
        let folded: String = t
            .chars()
            .filter_map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                '．' => Some('.'),
                '－' => Some('-'),
                '，' => Some(','),
                '\u{3000}' | '\u{a0}' => Some(' '),
                c => Some(c),
            })
            .collect();
        let t = folded.trim();
        let (sign, body) = match t.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        // One decimal point, digits after it; before it digits, grouped in threes by commas
        // (or spaces) where grouped at all: `1.234,56`, `12,34` and `1,2,3.4` are refused.
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        let frac_ok = frac.is_none_or(&digits);
        let int_ok = if int.contains([',', ' ']) {
            let mut groups = int.split([',', ' ']);
            let first = groups.next().unwrap_or("");
            (1..=3).contains(&first.len())
                && digits(first)
                && groups.all(|g| g.len() == 3 && digits(g))
        } else {
            digits(int)
        };
        let int: String = int.chars().filter(|c| c.is_ascii_digit()).collect();
        if !frac_ok || !int_ok || (int.is_empty() && frac.is_none_or(str::is_empty)) {
            return Err(AmountError);
        }
        let cleaned = match frac {
            Some(f) => format!("{sign}{}.{f}", if int.is_empty() { "0" } else { &int }),
            None => format!("{sign}{int}"),
        };
        Decimal::from_str_exact(&cleaned)
            .map(Amount::new)
            .map_err(|_| AmountError)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "\"{s}\" 不是金额（应为十进制数字字符串，如 \"2646000.00\"）"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Unit tests of what doctests also show: the mutation run (`bench/mutants.sh`) runs unit
    // tests, not doctests.
    #[test]
    fn floats_sums_and_unit_names() {
        let a: Amount = "5246207.06".parse().unwrap();
        assert_eq!(a.to_f64_exact(), Some(5246207.06));
        let long: Amount = "12345678901234567.89".parse().unwrap();
        assert_eq!(long.to_f64_exact(), None);
        let b: Amount = "0.94".parse().unwrap();
        assert_eq!(
            a.checked_add(b).map(|s| s.to_string()),
            Some("5246208.00".into())
        );
        let max = Amount::new(Decimal::MAX);
        assert_eq!(max.checked_add(b), None);
        let names: Vec<&str> = [Unit::Yuan, Unit::Qian, Unit::Wan, Unit::BaiWan, Unit::Yi]
            .into_iter()
            .map(Unit::name)
            .collect();
        assert_eq!(names, ["元", "千元", "万元", "百万元", "亿元"]);
    }

    #[test]
    fn canonical_scale() {
        for (input, want) in [
            ("1", "1.00"),
            ("1.5", "1.50"),
            ("1.500", "1.50"),
            ("0.125", "0.125"),
            ("2,646,000.00", "2646000.00"),
            ("０.５", "0.50"),
            ("-3", "-3.00"),
        ] {
            assert_eq!(
                input.parse::<Amount>().unwrap().to_string(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn grouping_is_in_threes_or_refused() {
        for (input, want) in [
            ("2,646,000.00", "2646000.00"),
            ("２，６４６，０００．００", "2646000.00"),
            ("2 646 000.00", "2646000.00"),
            ("¥1,000", "1000.00"),
            ("1,000元", "1000.00"),
            (".5", "0.50"),
            ("999,999", "999999.00"),
        ] {
            assert_eq!(
                input.parse::<Amount>().unwrap().to_string(),
                want,
                "{input}"
            );
        }
        // A thousandfold error (European decimal comma), a misplaced group, stray commas.
        for bad in [
            "1.234,56",
            "12,34",
            "1,2,3.4",
            "1,000.00,0",
            ",100",
            "1000,",
            "1,0000",
            "1..2",
        ] {
            assert_eq!(bad.parse::<Amount>(), Err(AmountError), "{bad:?}");
        }
    }

    #[test]
    fn rejects_non_amounts() {
        for bad in [
            "",
            "四十二万",
            "1.2.3",
            "1e5",
            "-",
            ".",
            "12a",
            "5元6",
            "元5",
        ] {
            assert_eq!(bad.parse::<Amount>(), Err(AmountError), "{bad:?}");
        }
    }

    #[test]
    fn wan_is_exact() {
        let w = Amount::from_wan(Amount::from_f64(264.6).unwrap()).unwrap();
        assert_eq!(w.to_string(), "2646000.00");
        let w = Amount::from_wan("0.00001".parse().unwrap()).unwrap();
        assert_eq!(w.to_string(), "0.10");
    }

    #[test]
    fn floats_by_shortest_text() {
        assert_eq!(
            Amount::from_f64(5246207.06).unwrap().to_string(),
            "5246207.06"
        );
        assert_eq!(
            Amount::from_f64(1e20).unwrap().to_string(),
            "100000000000000000000.00"
        );
        assert_eq!(Amount::from_f64(1e-7).unwrap().to_string(), "0.0000001");
    }
}
