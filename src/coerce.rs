//! Cell coercion: what a cell of any format holds ([`Value`]), and an amount or a date read
//! from it exactly, with errors located by the caller. Used by the workbook reader and the
//! flat-table reader alike; it imports only the bottom of the house (amounts, dates, errors).

use crate::amount::{Amount, Unit};
use crate::date::{date_from_serial, parse_date_text};
use crate::error::{Error, ErrorKind, Location, Result};
use chrono::NaiveDate;

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
        match self {
            Value::Text(s) => s.trim().to_string(),
            Value::Number(f) => format!("{f}"),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Error(e) => e.clone(),
            Value::Uncalculated(_) => String::new(),
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
fn uncalculated(formula: &str, location: Location) -> Error {
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
                        "\"{}\" 不是金额；单位只能写在数字之后，如 100元、264.6万元",
                        v.text()
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

/// A cell's date (date cell, serial number or text). Errors are located by `loc`.
pub(crate) fn date_of(v: &Value, loc: impl Fn() -> Location) -> Result<Option<chrono::NaiveDate>> {
    let d = match v {
        Value::Text(t) => parse_date_text(t),
        Value::Uncalculated(f) => return Err(uncalculated(f, loc())),
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
