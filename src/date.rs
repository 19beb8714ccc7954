//! Calendar dates as finance staff write them.
//!

use chrono::{Duration, NaiveDate};

/// Parses a date written as text: `2024-01-01`, `2024/1/1`, `2024年1月1日`, `20240101`,
/// `2024.1.1`, with an optional time part (`2024-01-01 00:00:00`, `2024-01-01T00:00:00`)
/// that is ignored; full-width digits and separators (`２０２４－０１－０１`, as a Chinese
/// input method types them) count as their ASCII twins, as in amounts. Returns `None` for
/// anything else, including impossible dates.
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let folded: String;
    let text = if text.chars().any(is_full_width) {
        folded = text.chars().map(half_width).collect();
        &folded
    } else {
        text
    };
    let t = text.trim();
    let t = t.split(['T', ' ']).next().unwrap_or(t);
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y = t.get(0..4)?.parse().ok()?;
        let m = t.get(4..6)?.parse().ok()?;
        let d = t.get(6..8)?.parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d).filter(|d| in_range(*d));
    }
    let t = t.strip_suffix('日').unwrap_or(t);
    let mut parts = t.split(['-', '/', '.', '年', '月']);
    let y: i32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let d: u32 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() || !(1900..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Full-width digits and the separators a date may hold (－ ／ ． ： and the ideographic
/// space).
fn is_full_width(c: char) -> bool {
    matches!(c, '０'..='９' | '－' | '／' | '．' | '：' | '\u{3000}')
}

/// A full-width digit or separator as its ASCII twin; any other character as it is.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        c if is_full_width(c) => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    }
}

/// Whether a date lies in the range spreadsheets and the model carry: 1900-01-01 to
/// 9999-12-31 (Excel's own date range).
pub(crate) fn in_range(d: NaiveDate) -> bool {
    NaiveDate::from_ymd_opt(1900, 1, 1).is_some_and(|first| d >= first)
        && NaiveDate::from_ymd_opt(9999, 12, 31).is_some_and(|last| d <= last)
}

/// The date of an Excel serial day number (1900 date system), ignoring any time of day.
/// Serial 60 (Excel's fictitious 1900-02-29) and non-positive serials give `None`.
///
pub fn date_from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 31)?;
    match days {
        60 => None,
        d if d < 60 => base.checked_add_signed(Duration::days(d)),
        d => base.checked_add_signed(Duration::days(d - 1)),
    }
}

/// Serde for `Option<NaiveDate>` as `"YYYY-MM-DD"` or null, strictly.
pub(crate) mod opt_iso {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(&d.format("%Y-%m-%d")),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .filter(|d| text.len() == 10 && super::in_range(*d))
            .map(Some)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("\"{text}\" 不是有效日期（应为 YYYY-MM-DD）"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_separators_fold() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1);
        assert_eq!(parse_date_text("２０２４年１月１日"), d);
        assert_eq!(parse_date_text("２０２４－０１－０１　００：００：００"), d);
        assert_eq!(parse_date_text("２０２４０１０１"), d);
        assert_eq!(parse_date_text("２０２４年１３月１日"), None);
        assert_eq!(half_width('Ａ'), 'Ａ', "only digits and separators fold");
    }

    #[test]
    fn serials() {
        assert_eq!(date_from_serial(1.0), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(date_from_serial(59.0), NaiveDate::from_ymd_opt(1900, 2, 28));
        assert_eq!(date_from_serial(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(
            date_from_serial(45657.75),
            NaiveDate::from_ymd_opt(2024, 12, 31)
        );
        assert_eq!(date_from_serial(0.0), None);
        assert_eq!(date_from_serial(60.0), None);
    }

    #[test]
    fn texts() {
        let d = NaiveDate::from_ymd_opt(2024, 12, 31);
        for t in [
            "2024-12-31",
            " 2024/12/31 ",
            "2024年12月31日",
            "20241231",
            "2024-12-31 00:00:00",
        ] {
            assert_eq!(parse_date_text(t), d, "{t}");
        }
        for t in [
            "",
            "明年",
            "2024-13-01",
            "2024-02-30",
            "24-1-1",
            "2024-1-1-1",
        ] {
            assert_eq!(parse_date_text(t), None, "{t}");
        }
    }

    #[test]
    fn texts_of_eight_characters_and_json_dates() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1);
        // 8 characters each, like YYYYMMDD, but not all digits.
        for t in ["2024-1-1", "2024/1/1", "2024.1.1"] {
            assert_eq!(parse_date_text(t), d, "{t}");
        }
        #[derive(serde::Deserialize)]
        struct J {
            #[serde(with = "opt_iso")]
            d: Option<NaiveDate>,
        }
        let json = |t: &str| serde_json::from_str::<J>(&format!("{{\"d\": \"{t}\"}}"));
        assert_eq!(json("2024-01-01").unwrap().d, d);
        for bad in ["1899-12-31", "2024-1-1", "2024/01/01", "2024-02-30"] {
            let e = json(bad).err().unwrap().to_string();
            assert!(
                e.starts_with(&format!("\"{bad}\" 不是有效日期（应为 YYYY-MM-DD）")),
                "{e}"
            );
        }
    }
}
