//! The label vocabulary both sides share: what each label of every layout means (the reader
//! recognises forms by it; the writer refuses `extra` keys that are labels), built from the
//! layout description in `templates/`.

use crate::amount::Unit;
use crate::field::Field;
use crate::layout::{Labels, Layout, LayoutKind, TargetPart};
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// Where a field's value stands relative to its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// In the same row, to the right.
    Right,
    /// In the same column, below.
    Below,
}

/// What a normalised label means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// The label of header fields: more than one where a label repeats (其他资金), left first.
    Field(Vec<(Field, Direction)>),
    /// A section label; `funds_unit` marks the 项目资金 label that carries the unit.
    Section {
        /// Whether this label carries the amounts' unit.
        funds_unit: bool,
    },
    /// A column header of the indicator table.
    IndicatorColumn(Field),
    /// A column header of a split target other than its value (指标性质, 度量单位).
    TargetPart(TargetPart),
    /// The indicator section label (绩效指标).
    IndicatorSection,
    /// The title.
    Title,
}

/// The labels every layout knows, normalised.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    meanings: HashMap<String, Meaning>,
    /// The first character of every label in `meanings`, sorted: most texts a sheet holds
    /// are values, told apart from labels by their first character.
    first_chars: Vec<char>,
    /// The remark label (备注), normalised.
    remark: String,
}

/// The most characters a text may have to be taken for a label, a title or a remark.
const MAX_LABEL_CHARS: usize = 40;

/// Bytes enough for any text of [`MAX_LABEL_CHARS`] characters, normalised.
const SHORT_BYTES: usize = 4 * MAX_LABEL_CHARS;

/// Normalises a label for comparison: white space removed, full-width ASCII folded to
/// half-width, parenthesised parts removed, a trailing colon removed.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(normalized_chars(text));
    while out.ends_with(':') {
        out.pop();
    }
    out
}

/// The characters of [`normalize`]`(text)`, the trailing colons still there.
fn normalized_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut depth = 0usize;
    text.chars().filter_map(move |c| {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '【' | '〔' => '(',
            '】' | '〕' => ')',
            c => c,
        };
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() => {}
            c if depth == 0 => return Some(c),
            _ => {}
        }
        None
    })
}

/// [`normalize`] for a text of at most [`MAX_LABEL_CHARS`] characters, written into
/// `buf` instead of a new string (the reader asks this of every text cell); `None` for a
/// longer text.
fn normalize_short<'b>(text: &str, buf: &'b mut [u8; SHORT_BYTES]) -> Option<&'b str> {
    let mut len = 0;
    for c in normalized_chars(text) {
        let slot = buf.get_mut(len..len + c.len_utf8())?;
        len += c.encode_utf8(slot).len();
    }
    let normalized = std::str::from_utf8(buf.get(..len)?).ok()?;
    Some(normalized.trim_end_matches(':'))
}

/// Whether a text has more than [`MAX_LABEL_CHARS`] characters.
fn too_long(text: &str) -> bool {
    text.len() > MAX_LABEL_CHARS
        && (text.len() > SHORT_BYTES || text.chars().count() > MAX_LABEL_CHARS)
}

impl Vocabulary {
    /// The shared vocabulary.
    pub(crate) fn get() -> &'static Vocabulary {
        static V: OnceLock<Vocabulary> = OnceLock::new();
        V.get_or_init(Vocabulary::build)
    }

    fn build() -> Vocabulary {
        let mut meanings: HashMap<String, Meaning> = HashMap::default();
        let labels = Labels::get();
        let mut add = |label: &str, meaning: Meaning| {
            let key = normalize(&label.replace("{period}", ""));
            let mut keys = vec![key.clone()];
            for (canonical, aliases) in &labels.aliases {
                if normalize(canonical) == key {
                    keys.extend(aliases.iter().map(|a| normalize(a)));
                }
            }
            for k in keys {
                match (meanings.get_mut(&k), &meaning) {
                    (Some(Meaning::Field(have)), Meaning::Field(new)) => {
                        for f in new {
                            if !have.contains(f) {
                                have.push(*f);
                            }
                        }
                    }
                    (Some(_), _) => {}
                    (None, m) => {
                        meanings.insert(k, m.clone());
                    }
                }
            }
        };
        for kind in LayoutKind::EVERY {
            let layout = Layout::get(kind);
            add(&layout.title.text, Meaning::Title);
            // Fields sharing a label are listed left column first.
            let mut cells: Vec<_> = layout.fields.iter().collect();
            cells.sort_by_key(|c| (c.label_at.col, c.label_at.row));
            for cell in cells {
                let meaning = match (&cell.field, &cell.at) {
                    (Some(field), Some(at)) => {
                        let field = *field;
                        let dir = if at.row > cell.label_at.last_row {
                            Direction::Below
                        } else {
                            Direction::Right
                        };
                        Meaning::Field(vec![(field, dir)])
                    }
                    _ => Meaning::Section {
                        funds_unit: cell.role.as_deref() == Some("funds_unit"),
                    },
                };
                add(&cell.label, meaning);
            }
            for f in &layout.extra.fields {
                add(&f.label, Meaning::Field(vec![(f.field, Direction::Right)]));
            }
            add(&layout.indicators.label.text, Meaning::IndicatorSection);
            for c in &layout.indicators.columns {
                let meaning = match c.part {
                    Some(part @ (TargetPart::Sign | TargetPart::Unit)) => Meaning::TargetPart(part),
                    _ => Meaning::IndicatorColumn(c.field),
                };
                add(&c.label, meaning);
            }
        }
        let mut first_chars: Vec<char> = meanings.keys().filter_map(|k| k.chars().next()).collect();
        first_chars.sort_unstable();
        first_chars.dedup();
        Vocabulary {
            meanings,
            first_chars,
            remark: normalize(&labels.remark),
        }
    }

    /// What a cell's text means, if it is a known label.
    pub(crate) fn meaning(&self, text: &str) -> Option<&Meaning> {
        // A text whose first character no label has is none (a colon may be trimmed off
        // the end: such a text takes the whole way).
        if let Some(first) = normalized_chars(text).next()
            && first != ':'
            && self.first_chars.binary_search(&first).is_err()
        {
            return None;
        }
        if too_long(text) {
            return None;
        }
        let mut buf = [0u8; SHORT_BYTES];
        self.meanings.get(normalize_short(text, &mut buf)?)
    }

    /// Whether a text is a title other than the layouts' own: it ends like one
    /// (`2020年省级部门预算项目绩效目标表`, `项目支出绩效目标表`).
    pub(crate) fn is_title_like(&self, text: &str) -> bool {
        if too_long(text) {
            return false;
        }
        let endings = &Labels::get().title_endings;
        // The normalised text's last character (but trailing colons) first: most texts
        // end unlike any title.
        let Some(last) = normalized_chars(text).filter(|&c| c != ':').last() else {
            return false;
        };
        if !endings.iter().any(|e| e.ends_with(last)) {
            return false;
        }
        let mut buf = [0u8; SHORT_BYTES];
        let Some(t) = normalize_short(text, &mut buf) else {
            return false;
        };
        endings.iter().any(|e| t.ends_with(e.as_str()))
    }

    /// What a unit line (`金额单位：万元`, `单位：元`, `（单位：千元）`) or a bare header
    /// note (`（亿元）`) says: `None` for any other text, `Some(Err(unit text))` for a
    /// unit it does not know (`金额单位：美元`).
    pub(crate) fn unit_line(&self, text: &str) -> Option<Result<Unit, String>> {
        let unit = &Labels::get().unit_line;
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let open = |c: char| matches!(c, '(' | '（');
        let close = |c: char| matches!(c, ')' | '）');
        let bracketed = t.starts_with(open) && t.ends_with(close);
        let Some((label, value)) = t.split_once([':', '：']).or_else(|| {
            // `金额单位（万元）`: the label, then the unit in brackets.
            unit.labels.iter().find_map(|l| {
                t.strip_prefix(l.as_str())
                    .filter(|rest| rest.starts_with(open) && rest.ends_with(close))
                    .map(|rest| (l.as_str(), rest))
            })
        }) else {
            // A header note: the whole cell is a bracketed unit.
            return bracketed.then(|| Unit::parse(&t)).flatten().map(Ok);
        };
        let label = if bracketed {
            label.trim_start_matches(open)
        } else {
            label
        };
        if !unit.labels.iter().any(|l| l == label) {
            return None;
        }
        let value = if bracketed {
            value.strip_suffix(close).unwrap_or(value)
        } else {
            value
        };
        match Unit::parse(value) {
            Some(u) => Some(Ok(u)),
            // `单位：某局` names no amount unit; `金额单位：美元` does, and is not known.
            None if label == "金额单位" || value.contains('元') => Some(Err(value
                .trim_start_matches(open)
                .trim_end_matches(close)
                .to_string())),
            None => None,
        }
    }

    /// The unit in a label's brackets (`项目资金（千元）`, `财政拨款(万)`): `None` where the
    /// label has none, `Some(Err(text))` for a bracketed text naming a unit it does not know.
    pub(crate) fn label_unit(&self, label: &str) -> Option<Result<Unit, String>> {
        let t: String = label.chars().filter(|c| !c.is_whitespace()).collect();
        let i = t.find(['(', '（'])?;
        let inner = &t[i..];
        match Unit::parse(inner) {
            Some(u) => Some(Ok(u)),
            None if inner.contains('元') => Some(Err(inner
                .trim_matches(|c| matches!(c, '(' | '（' | ')' | '）'))
                .to_string())),
            None => None,
        }
    }

    /// Whether a text is the label of a row that closes the indicator table (`备注`).
    pub(crate) fn is_remark(&self, text: &str) -> bool {
        let mut buf = [0u8; SHORT_BYTES];
        !too_long(text) && normalize_short(text, &mut buf) == Some(self.remark.as_str())
    }

    /// Whether a text is one of the known labels (the writer's and the reader's).
    pub(crate) fn is_label(&self, text: &str) -> bool {
        self.meaning(text).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_normalise() {
        assert_eq!(normalize("项 目 名 称"), "项目名称");
        assert_eq!(normalize("项目资金\n（万元）"), "项目资金");
        assert_eq!(normalize("其中：财政资金"), "其中:财政资金");
        assert_eq!(normalize("项目总体目标 (2026 年-2027 年)"), "项目总体目标");
        assert_eq!(normalize("年度(/项目)指标值"), "年度指标值");
        // The short form (no allocation) is the same, up to 40 characters of 4 bytes.
        let mut buf = [0u8; SHORT_BYTES];
        for text in [
            "项 目 名 称：:",
            "（万元）",
            "",
            "𠀀".repeat(40).as_str(),
            "ａ：：：",
        ] {
            assert_eq!(
                normalize_short(text, &mut buf),
                Some(normalize(text).as_str())
            );
        }
        assert!(!too_long(&"𠀀".repeat(40)));
        assert!(too_long(&"a".repeat(41)));
        assert!(!too_long(&"备".repeat(40)));
        assert!(too_long(&"备".repeat(41)));
    }

    #[test]
    fn other_funds_has_two_fields_left_first() {
        let v = Vocabulary::get();
        let Some(Meaning::Field(fields)) = v.meaning("其他资金") else {
            panic!("其他资金 is a field label")
        };
        let keys: Vec<&str> = fields.iter().map(|(f, _)| f.key()).collect();
        assert_eq!(keys, ["funds.total_other", "funds.annual_other"]);
    }

    #[test]
    fn variants_are_known() {
        let v = Vocabulary::get();
        for text in [
            "项 目 名 称",
            "其中:财政资金",
            "     上年结转资金",
            "项目\n绩效\n目标",
            "年度总体目标",
            "项目总体目标 (2026 年-2027 年)",
            "年度(/项目)指标值",
            "项目资金\n（万元）",
            "项目性质",
        ] {
            assert!(v.is_label(text), "{text:?}");
        }
        assert_eq!(
            v.meaning("项目总目标(2024年-2024年)"),
            Some(&Meaning::Field(vec![(
                Field::OverallGoal,
                Direction::Below
            )]))
        );
        assert!(!v.is_label("上海市宝山区司法局"));
    }

    #[test]
    fn titles_unit_lines_and_remarks() {
        let v = Vocabulary::get();
        assert!(v.is_title_like("2020年省级部门预算项目绩效目标表"));
        assert!(v.is_title_like("项目支出绩效目标表"));
        assert!(!v.is_title_like("项目名称"));
        assert_eq!(v.unit_line("金额单位：万元"), Some(Ok(Unit::Wan)));
        assert_eq!(v.unit_line("单位: 元"), Some(Ok(Unit::Yuan)));
        assert_eq!(v.unit_line("金额单位：千元"), Some(Ok(Unit::Qian)));
        assert_eq!(
            v.unit_line("单位：万元（保留两位小数）"),
            Some(Ok(Unit::Wan))
        );
        assert_eq!(v.unit_line("（亿元）"), Some(Ok(Unit::Yi)));
        assert_eq!(v.unit_line("(万)"), Some(Ok(Unit::Wan)));
        assert_eq!(v.unit_line("（单位：百万元）"), Some(Ok(Unit::BaiWan)));
        assert_eq!(v.unit_line("单位：人民币万元"), Some(Ok(Unit::Wan)));
        assert_eq!(v.unit_line("金额单位：美元"), Some(Err("美元".into())));
        assert_eq!(v.unit_line("金额单位（万元）"), Some(Ok(Unit::Wan)));
        assert_eq!(v.unit_line("单位(千元)"), Some(Ok(Unit::Qian)));
        assert_eq!(v.unit_line("单位（美元）"), Some(Err("美元".into())));
        assert_eq!(v.unit_line("填报单位：某局"), None);
        assert_eq!(v.unit_line("单位：某局"), None);
        assert_eq!(v.label_unit("项目资金（千元）"), Some(Ok(Unit::Qian)));
        assert_eq!(v.label_unit("财政拨款(万)"), Some(Ok(Unit::Wan)));
        assert_eq!(v.label_unit("项目资金"), None);
        assert_eq!(v.label_unit("项目资金（美元）"), Some(Err("美元".into())));
        assert!(v.is_remark("备 注"));
        assert_eq!(
            v.meaning("计量单位"),
            Some(&Meaning::TargetPart(TargetPart::Unit))
        );
        assert_eq!(
            v.meaning("主管部门及代码"),
            Some(&Meaning::Field(vec![(Field::Department, Direction::Right)]))
        );
    }
}
