//! What a form must not hold to be written: a text longer than a cell, a character XML
//! cannot carry, an `extra` key the reader would take for a field; and the indicator
//! `extra` columns a form is written with.

use crate::error::{Error, ErrorKind, Location, Result};
use crate::field::Field;
use crate::model::Form;

/// The most characters a cell holds.
const MAX_CELL_CHARS: usize = 32_767;

/// Refuses a text longer than a cell holds, and a form whose `extra` would make the written form unreadable or different when
/// read back: an empty key, or a key that is one of the layouts' labels (项目名称, 项目资金总额,
/// 一级指标, ...), which the reader would take for that field. `index` is the form's
/// position (0-based) among those written, for the message.
pub(crate) fn refuse_unwritable(form: &Form, index: usize) -> Result<()> {
    let file = || {
        form.source
            .as_ref()
            .map_or_else(|| "输入".to_string(), |s| s.place.file_name().to_string())
    };
    let at = |what: String| {
        Location::file(file()).label(format!(
            "第{}张表「{}」{what}",
            index + 1,
            form.project_name
        ))
    };
    // A cell holds at most 32,767 characters (Excel's limit, which rust_xlsxwriter enforces).
    // Texts are only measured here; the place is named only for one that is too long.
    let nature = form
        .project_nature
        .iter()
        .map(|t| (Field::ProjectNature, t.as_str()));
    let too_long = |t: &str| t.len() > MAX_CELL_CHARS && t.chars().count() > MAX_CELL_CHARS;
    let mut long: Option<(String, usize)> = form
        .header_texts()
        .into_iter()
        .chain(nature)
        .find(|(_, t)| too_long(t))
        .map(|(f, t)| (f.label(), t.chars().count()));
    if long.is_none() {
        long = form.indicators.iter().enumerate().find_map(|(i, ind)| {
            Field::INDICATOR
                .into_iter()
                .zip(ind.texts())
                .find(|(_, t)| too_long(t))
                .map(|(f, t)| {
                    (
                        format!("绩效指标第{}行{}", i + 1, f.label()),
                        t.chars().count(),
                    )
                })
        });
    }
    if long.is_none() {
        long = form
            .extra
            .iter()
            .find(|(_, v)| too_long(v))
            .map(|(k, v)| (format!("其他信息“{k}”"), v.chars().count()));
    }
    if long.is_none() {
        long = form.indicators.iter().enumerate().find_map(|(i, ind)| {
            ind.extra
                .iter()
                .find(|(_, v)| too_long(v))
                .map(|(k, v)| (format!("绩效指标第{}行“{k}”", i + 1), v.chars().count()))
        });
    }
    if let Some((what, n)) = long {
        return Err(Error::new(
            ErrorKind::Unwritable,
            at(what),
            format!("内容有 {n} 个字符，超过单元格上限 {MAX_CELL_CHARS} 个字符；请精简后再试"),
        ));
    }
    if let Some((spot, c)) = crate::xmlchar::first_illegal(form) {
        use crate::xmlchar::Spot;
        let what = match spot {
            Spot::Header(f) => f.label(),
            Spot::Indicator(i, f) => format!("绩效指标第{}行{}", i + 1, f.label()),
            Spot::Extra(k) => format!("其他信息“{k}”"),
            Spot::IndicatorExtra(i, k) => format!("绩效指标第{}行“{k}”", i + 1),
        };
        return Err(Error::new(
            ErrorKind::Unwritable,
            at(what),
            format!(
                "含有工作簿中不允许的字符 {}（XML 1.0 不允许），写出后工作簿将无法打开；请删去该字符后再试",
                crate::xmlchar::name(c)
            ),
        ));
    }
    let vocab = crate::vocab::Vocabulary::get();
    for key in form.extra.keys() {
        let why = if key.trim().is_empty() {
            "其他信息中有一项没有名称（空的键）；请为它填写名称，如“联系电话”"
        } else if vocab.is_label(key) {
            "是申报表自身的栏目名称，写入后会被当作该栏目读取；请改用其他名称"
        } else {
            continue;
        };
        return Err(Error::new(
            ErrorKind::Unwritable,
            at(format!("其他信息“{key}”")),
            why,
        ));
    }
    // An indicator `extra` key heads a column: read back without spaces, and taken for
    // that column when it is one of the layouts' labels.
    for (i, ind) in form.indicators.iter().enumerate() {
        for key in ind.extra.keys() {
            let why = if key.is_empty() {
                "指标的其他信息中有一项没有名称（空的键）；请为它填写名称，如“权重”"
            } else if key.chars().any(char::is_whitespace) {
                "指标的其他信息名称含有空白，作为表头读回时会去掉空白；请删去名称中的空白"
            } else if vocab.is_label(key) {
                "是申报表自身的栏目名称，写入后会被当作该栏目读取；请改用其他名称"
            } else {
                continue;
            };
            return Err(Error::new(
                ErrorKind::Unwritable,
                at(format!("绩效指标第{}行其他信息“{key}”", i + 1)),
                why,
            ));
        }
    }
    Ok(())
}

/// The indicator `extra` keys of a form, in order of first appearance: one column each.
pub(crate) fn indicator_extra_keys(form: &Form) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for k in form.indicators.iter().flat_map(|i| i.extra.keys()) {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    keys
}
