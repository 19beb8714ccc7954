//! Characters that XML 1.0 does not allow (U+FFFE, U+FFFF, control characters other than
//! tab, line feed and carriage return): every text the writers put into a workbook's XML
//! (cells, sheet names, links, `docProps/app.xml`) is refused if it holds one.

use crate::field::Field;
use crate::model::Form;

/// Whether XML 1.0 allows `c` (its `Char` production; surrogates cannot occur in Rust).
pub(crate) fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character of `s` that XML 1.0 does not allow.
pub(crate) fn illegal(s: &str) -> Option<char> {
    s.chars().find(|&c| !allowed(c))
}

/// A character as named in messages: `U+FFFF`.
pub(crate) fn name(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Where in a form a text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spot<'a> {
    /// A header field (项目名称, 项目性质, ...).
    Header(Field),
    /// An indicator's field, by the indicator's index.
    Indicator(usize, Field),
    /// An `extra` entry, by its key.
    Extra(&'a str),
    /// An indicator's `extra` entry, by the indicator's index and the key.
    IndicatorExtra(usize, &'a str),
}

/// The first text of `form` (keys of `extra` included) that holds a character XML 1.0 does
/// not allow, where it stands and the character.
pub(crate) fn first_illegal(form: &Form) -> Option<(Spot<'_>, char)> {
    let nature = form
        .project_nature
        .iter()
        .map(|t| (Field::ProjectNature, t.as_str()));
    if let Some(found) = form
        .header_texts()
        .into_iter()
        .chain(nature)
        .find_map(|(f, t)| illegal(t).map(|c| (Spot::Header(f), c)))
    {
        return Some(found);
    }
    for (i, ind) in form.indicators.iter().enumerate() {
        if let Some(found) = Field::INDICATOR
            .into_iter()
            .zip(ind.texts())
            .find_map(|(f, t)| illegal(t).map(|c| (Spot::Indicator(i, f), c)))
        {
            return Some(found);
        }
    }
    if let Some(found) = form.extra.iter().find_map(|(k, v)| {
        illegal(k)
            .or_else(|| illegal(v))
            .map(|c| (Spot::Extra(k), c))
    }) {
        return Some(found);
    }
    form.indicators.iter().enumerate().find_map(|(i, ind)| {
        ind.extra.iter().find_map(|(k, v)| {
            illegal(k)
                .or_else(|| illegal(v))
                .map(|c| (Spot::IndicatorExtra(i, k), c))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_char_production() {
        for c in [
            '\u{0}', '\u{1}', '\u{8}', '\u{B}', '\u{1F}', '\u{FFFE}', '\u{FFFF}',
        ] {
            assert!(!allowed(c), "{}", name(c));
        }
        for c in [
            '\t', '\n', '\r', ' ', '项', '\u{D7FF}', '\u{E000}', '\u{FFFD}', '😀',
        ] {
            assert!(allowed(c), "{}", name(c));
        }
        assert_eq!(illegal("甲\u{FFFF}乙").map(name).as_deref(), Some("U+FFFF"));
        assert_eq!(name('\u{1}'), "U+0001");
    }

    #[test]
    fn finds_keys_and_indicators() {
        let mut form = Form {
            project_name: "甲".into(),
            ..Default::default()
        };
        assert_eq!(first_illegal(&form), None);
        form.indicators.push(crate::model::Indicator::new(
            "产出指标",
            "数量指标",
            "x\u{FFFE}",
            "",
        ));
        assert_eq!(
            first_illegal(&form),
            Some((Spot::Indicator(0, Field::Level3), '\u{FFFE}'))
        );
        form.extra.insert("键\u{1}".into(), "值".into());
        form.project_name = "乙\u{FFFF}".into();
        assert_eq!(
            first_illegal(&form),
            Some((Spot::Header(Field::ProjectName), '\u{FFFF}'))
        );
    }
}
