//! Cell coercion: what a cell of any format holds ([`Value`]), and an amount or a date read
//! from it exactly, with errors located by the caller. Used by the workbook reader and the
//! flat-table reader alike; it imports only the bottom of the house (amounts, dates, errors).

use crate::amount::{Amount, Unit};
use crate::date::{date_from_serial, parse_date_text};
use crate::error::{Error, ErrorKind, Location, Result};
use chrono::NaiveDate;
use std::borrow::Cow;

/// A cell's content, format-neutral.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// Text.
    Text(String),
    /// A floating-point number.
    Number(f64),
    /// An integer (xls, xlsb).
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A date cell (date-formatted number, or an ISO date from ODS).
    Date(NaiveDate),
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A formula whose value was never calculated (no cached value); holds the formula.
    Uncalculated(String),
}

impl Value {
    /// The value as text, as a person reads the cell: numbers by their shortest form,
    /// dates as `YYYY-MM-DD`; trimmed.
    pub(crate) fn text(&self) -> String {
        self.text_ref().into_owned()
    }

    /// [`Value::text`], borrowed where the cell holds it as it is (a text, an error): the
    /// reader looks at far more texts than it keeps.
    pub(crate) fn text_ref(&self) -> Cow<'_, str> {
        match self {
            Value::Text(s) => Cow::Borrowed(s.trim()),
            Value::Number(f) => Cow::Owned(format!("{f}")),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Value::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Value::Error(e) => Cow::Borrowed(e),
            Value::Uncalculated(_) => Cow::Borrowed(""),
        }
    }

    /// The value as a date, when it is one or a plausible serial number.
    pub(crate) fn as_serial_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            Value::Number(f) => date_from_serial(*f),
            Value::Int(i) => date_from_serial(*i as f64),
            _ => None,
        }
    }
}

/// The error for a formula whose value was never calculated.
pub(crate) fn uncalculated(formula: &str, location: Location) -> Error {
    Error::new(
        ErrorKind::Uncalculated,
        location,
        format!("公式 ={formula} {UNCALCULATED}"),
    )
}

pub(crate) const UNCALCULATED: &str = "没有计算结果；请在 Excel 或 WPS 中打开并保存一次后再试";

/// A cell's amount in 元: a number is of the block's `unit`; a text may carry its own unit
/// after the number (`100元`, `264.6万`), which wins over the block's. Errors are located
/// by `loc`.
pub(crate) fn amount_of(
    v: &Value,
    unit: Unit,
    loc: impl Fn() -> Location,
) -> Result<Option<Amount>> {
    let bad = |what: String| Err(Error::new(ErrorKind::BadAmount, loc(), what));
    let (a, unit) = match v {
        Value::Number(f) => (Amount::from_f64(*f), unit),
        Value::Int(i) => (Some(Amount::new((*i).into())), unit),
        Value::Text(t) => {
            let (number, own) = Unit::strip_suffix(t.trim());
            match number.parse::<Amount>() {
                Ok(a) => (Some(a), own.unwrap_or(unit)),
                Err(_)
                    if t.contains(['元', '千', '万', '亿'])
                        && t.chars()
                            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) =>
                {
                    return bad(format!(
                        "\"{}\" 不是金额；单位只能是写在数字之后的 {}，如 100元、264.6万元",
                        v.text(),
                        Unit::KNOWN
                    ));
                }
                Err(_) => {
                    return bad(format!(
                        "\"{}\" 不是金额；请填写数字，如 2646000.00",
                        v.text()
                    ));
                }
            }
        }
        Value::Uncalculated(f) => return Err(uncalculated(f, loc())),
        other => {
            return bad(format!(
                "\"{}\" 不是金额；请填写数字，如 2646000.00",
                other.text()
            ));
        }
    };
    let Some(a) = a else {
        // A finite number that a decimal cannot hold (beyond ±7.9e28).
        return bad(format!("{} 超出可处理的金额范围", v.text()));
    };
    match unit.to_yuan(a) {
        Some(a) => Ok(Some(a)),
        None => bad(format!("\"{}\" {unit}超出可处理的范围", v.text())),
    }
}

/// The dates a plain number (no date format) in a date cell is taken for: 1990-01-01 to
/// 2100-12-31, serials 32874 to 73415. Anything else, a bare year such as 2024 included,
/// is no date a form means.
pub(crate) fn plausible_serial(d: NaiveDate) -> bool {
    NaiveDate::from_ymd_opt(1990, 1, 1).is_some_and(|first| d >= first)
        && NaiveDate::from_ymd_opt(2100, 12, 31).is_some_and(|last| d <= last)
}

/// A cell's date (date cell, serial number or text). A plain number is a date only when
/// it falls in 1990..2100 as a serial ([`plausible_serial`]); the caller says so in a
/// notice. Errors are located by `loc`.
pub(crate) fn date_of(v: &Value, loc: impl Fn() -> Location) -> Result<Option<chrono::NaiveDate>> {
    let d = match v {
        Value::Text(t) => parse_date_text(t),
        Value::Uncalculated(f) => return Err(uncalculated(f, loc())),
        Value::Number(_) | Value::Int(_) => match v.as_serial_date() {
            Some(d) if plausible_serial(d) => Some(d),
            Some(d) => {
                return Err(Error::new(
                    ErrorKind::BadDate,
                    loc(),
                    format!(
                        "数字 {} 不像日期（按日期序号读是 {}）；请写成 2024-01-01 这样的日期",
                        v.text(),
                        d.format("%Y-%m-%d")
                    ),
                ));
            }
            None => None,
        },
        other => other.as_serial_date(),
    };
    match d {
        Some(d) => Ok(Some(d)),
        None => Err(Error::new(
            ErrorKind::BadDate,
            loc(),
            format!(
                "\"{}\" 不是有效日期；请写成 2024-01-01 这样的日期",
                v.text()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(v: Value, unit: Unit) -> Result<Option<Amount>> {
        amount_of(&v, unit, || Location::file("t.xlsx"))
    }

    #[test]
    fn an_amounts_own_unit_wins_over_the_blocks() {
        let text = |t: &str| Value::Text(t.into());
        let got = |v, u| amount(v, u).unwrap().unwrap().to_string();
        // `264.6万` in a 元 cell is 2,646,000 元, in a 万元 cell too (never 万 twice).
        assert_eq!(got(text("264.6万"), Unit::Yuan), "2646000.00");
        assert_eq!(got(text("264.6万元"), Unit::Wan), "2646000.00");
        assert_eq!(got(text("100元"), Unit::Wan), "100.00");
        assert_eq!(got(text("100"), Unit::Wan), "1000000.00");
        assert_eq!(got(Value::Number(264.6), Unit::Wan), "2646000.00");
        assert_eq!(got(Value::Int(3), Unit::Qian), "3000.00");
        assert_eq!(got(text("2百万"), Unit::Yuan), "2000000.00");
        assert!(amount(text("5元6"), Unit::Yuan).is_err());
        assert!(amount(text("万5"), Unit::Yuan).is_err());
    }

    #[test]
    fn a_plain_number_in_a_date_cell() {
        let date = |v: Value| date_of(&v, || Location::file("t.xlsx"));
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(date(Value::Number(45292.0)).unwrap(), ymd(2024, 1, 1));
        assert_eq!(date(Value::Int(45292)).unwrap(), ymd(2024, 1, 1));
        assert!(date(Value::Number(2024.0)).is_err());
        assert!(date(Value::Int(20240101)).is_err());
        // A date-formatted cell keeps the full range.
        assert_eq!(
            date(Value::Date(ymd(1950, 1, 1).unwrap())).unwrap(),
            ymd(1950, 1, 1)
        );
        for t in [
            "2024-1-1",
            "2024/1/1",
            "2024.1.1",
            "20240101",
            "2024年1月1日",
        ] {
            assert_eq!(date(Value::Text(t.into())).unwrap(), ymd(2024, 1, 1), "{t}");
        }
    }

    proptest::proptest! {
        /// Any amount with any unit spelling after it reads as that many of the unit,
        /// exactly, whatever the block's unit; a number cell takes the block's.
        #[test]
        fn a_units_spelling_scales_exactly(
            n in 0i64..1_000_000_000_000,
            scale in 0u32..5,
            spelling in proptest::sample::select(Unit::SPELLINGS.to_vec()),
            block in proptest::sample::select(Unit::SPELLINGS.iter().map(|(_, u)| *u).collect::<Vec<_>>()),
        ) {
            let a = Amount::new(rust_decimal::Decimal::new(n, scale));
            let (text, unit) = spelling;
            let got = amount(Value::Text(format!("{a}{text}")), block).unwrap();
            proptest::prop_assert_eq!(got, unit.to_yuan(a));
            let got = amount(Value::Text(a.to_string()), block).unwrap();
            proptest::prop_assert_eq!(got, block.to_yuan(a));
        }
    }
}
