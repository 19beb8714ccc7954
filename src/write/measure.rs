//! Text measured as it prints: display widths of CJK and Latin text, line wrapping in a
//! cell of a given width, and column widths that fit their texts.

use crate::layout::Style;
use rust_xlsxwriter::{Worksheet, XlsxError};

/// How a text wraps in a printed cell: its number of lines and the characters on its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wrap {
    /// Lines as printed.
    pub(crate) lines: usize,
    /// Characters on the last line.
    pub(crate) last: usize,
}

impl Wrap {
    /// Whether the last of several lines holds a single character.
    pub(crate) fn orphan(&self) -> bool {
        self.lines > 1 && self.last == 1
    }
}

/// How much wider than its width (Excel's character units) a column prints: the padding
/// rust_xlsxwriter adds to each column (5 of 7 pixels of a unit, `templates/style.json`).
pub(crate) fn column_padding() -> f64 {
    let style = Style::get();
    style.column_padding_pixels / style.pixels_per_unit
}

/// The printed widths, in points, of `columns` columns whose widths add up to `units`
/// (Excel's character units, as given to rust_xlsxwriter, which adds 5/7 of a unit of
/// padding per column), in each program measured: narrowest first.
pub(crate) fn span_points(units: f64, columns: usize) -> Vec<f64> {
    let mut widths: Vec<f64> = Style::get()
        .measure
        .points_per_unit
        .iter()
        .map(|p| (units + columns as f64 * column_padding()) * p)
        .collect();
    widths.sort_by(f64::total_cmp);
    widths
}

/// The column width (Excel's units) that prints `points` of text on one line, with the
/// room a cell keeps (padding on both sides, one indent level), in every program measured.
pub(crate) fn units_for_points(points: f64) -> f64 {
    let m = &Style::get().measure;
    let points = points + 2.0 * m.padding_points + m.indent_points;
    m.points_per_unit
        .iter()
        .map(|p| points / p - column_padding())
        .fold(0.0, f64::max)
}

/// The printed width, in points, of the widest piece of `text` that does not break (a
/// number, a Latin word, a symbol with its number); 0 for none wider than a character.
pub(crate) fn longest_word_points(text: &str, font: f64) -> f64 {
    let latin = Style::get().measure.latin_em;
    text.split('\n')
        .flat_map(|para| tokens(para, true))
        .filter(|t| t.chars().nth(1).is_some() && !t.starts_with(' '))
        .map(|t| t.chars().map(|c| char_em(c, latin)).sum::<f64>() * font)
        .fold(0.0, f64::max)
}

/// How `text` wraps in each of `widths` (narrowest first): the wrap with the most lines,
/// whether its last line holds one character alone in any of them, and whether in the
/// narrowest.
pub(crate) fn wrap_all(text: &str, widths: &[f64], font: f64, indent: u8) -> (Wrap, bool, bool) {
    // Closing punctuation is kept with the character before it in the narrowest (Excel's)
    // geometry; in the others (LibreOffice's) also without, since LibreOffice may begin a
    // line with it when the line is full.
    let closing = text.chars().any(is_closing);
    let all: Vec<Wrap> = widths
        .iter()
        .enumerate()
        .flat_map(|(i, w)| {
            let loose = (i > 0 && closing).then(|| wrap_with(text, *w, font, indent, false));
            std::iter::once(wrap_with(text, *w, font, indent, true)).chain(loose)
        })
        .collect();
    let most = all
        .iter()
        .copied()
        .max_by_key(|w| w.lines)
        .unwrap_or(Wrap { lines: 1, last: 0 });
    let first = all.first().is_some_and(Wrap::orphan);
    (most, all.iter().any(Wrap::orphan), first)
}

/// How `text` at `font` points wraps in a cell `width` points wide with `indent` indent
/// levels: CJK characters break anywhere and are one em wide; runs of other characters
/// break at spaces; closing punctuation stays with the character before it.
#[cfg(test)]
pub(crate) fn wrap(text: &str, width: f64, font: f64, indent: u8) -> Wrap {
    wrap_with(text, width, font, indent, true)
}

/// How `text` wraps (as `wrap` says), where `keep_closing` says whether closing
/// punctuation stays with the character before it or may begin a line.
fn wrap_with(text: &str, width: f64, font: f64, indent: u8, keep_closing: bool) -> Wrap {
    let m = &Style::get().measure;
    let usable = (width - 2.0 * m.padding_points - f64::from(indent) * m.indent_points).max(font);
    let mut lines = 0;
    let mut last = 0;
    for para in text.split('\n') {
        let (mut x, mut n) = (0.0, 0usize);
        lines += 1;
        for token in tokens(para, keep_closing) {
            let w: f64 = token.chars().map(|c| char_em(c, m.latin_em) * font).sum();
            let count = token.chars().count();
            if x > 0.0 && x + w > usable && !token.starts_with(' ') {
                lines += 1;
                x = 0.0;
                n = 0;
            }
            x += w;
            n += count;
            // A word longer than the line breaks inside it.
            while x > usable + 0.01 && count > 1 {
                let per_line = (usable / (w / count as f64)).floor().max(1.0);
                lines += 1;
                x -= per_line * (w / count as f64);
                n = n.saturating_sub(per_line as usize);
            }
        }
        last = n;
    }
    Wrap { lines, last }
}

/// A paragraph's unbreakable pieces: one CJK character (with the closing punctuation
/// after it when `keep_closing`; a full-width symbol also with the number after it), a run
/// of other characters, or a run of spaces.
fn tokens(para: &str, keep_closing: bool) -> impl Iterator<Item = &str> {
    let mut rest = para;
    std::iter::from_fn(move || {
        let mut chars = rest.char_indices().peekable();
        let (_, c) = chars.next()?;
        // Whether the next character belongs to the piece, in up to two stages: for a CJK
        // character its closing punctuation, then (for a symbol) the number after it.
        let mut stage = 0;
        let mut joins = |d: char| -> bool {
            if !is_cjk(c) {
                return !is_cjk(d) && (d == ' ') == (c == ' ');
            }
            if stage == 0 && keep_closing && is_closing(d) {
                return true;
            }
            stage = 1;
            is_symbol(c) && !is_cjk(d) && d != ' '
        };
        let mut end = rest.len();
        while let Some(&(at, d)) = chars.peek() {
            if !joins(d) {
                end = at;
                break;
            }
            chars.next();
        }
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

fn is_closing(c: char) -> bool {
    // (A match, not `str::contains`, which looks for a non-ASCII char as a substring: it
    // took 7% of the offline page's time reading and merging 1,000 forms.)
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '”'
            | '’'
            | '…'
            | '·'
            | '%'
            | '/'
    )
}

/// The symbols that Chinese fonts (SimSun, Noto Sans CJK) print full width: × ÷ ± ° %,
/// arrows, ≥ ≤ and the other mathematical operators.
fn is_symbol(c: char) -> bool {
    matches!(
        c,
        '×' | '÷' | '±' | '°' | '§' | '‰' | '%' | '№' | '\u{2190}'..='\u{22FF}'
    )
}

/// Whether `c` prints one em wide and may start or end a line anywhere: CJK characters
/// and full-width symbols.
fn is_cjk(c: char) -> bool {
    is_symbol(c)
        || matches!(c as u32, 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD | 0x201C..=0x201D | 0x2018..=0x2019 | 0x2026)
}

fn char_em(c: char, latin: f64) -> f64 {
    if is_cjk(c) { 1.0 } else { latin }
}

/// The width a one-line cell needs for `text`, in Excel's character units, with room for
/// the padding: CJK (any non-ASCII) characters count about double.
pub(crate) fn display_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.1 } else { 2.1 })
        .sum::<f64>()
        + 2.0
}

/// Column widths that fit their contents, within bounds.
pub(crate) struct Widths {
    widths: Vec<f64>,
    /// Each column's width for its longest text on one line, whatever the maximum.
    natural: Vec<f64>,
    max: f64,
    limits: std::collections::HashMap<u16, f64>,
}

impl Widths {
    /// `columns` columns of at least `min`, fitting text up to `max`.
    pub(crate) fn new(columns: usize, min: f64, max: f64) -> Widths {
        Widths {
            widths: vec![min; columns],
            natural: vec![min; columns],
            max,
            limits: Default::default(),
        }
    }

    /// Widens a column to fit `text` (up to the maximum).
    pub(crate) fn see(&mut self, col: u16, text: &str) {
        let w = display_width(text);
        let max = self.limits.get(&col).copied().unwrap_or(self.max);
        if let Some(slot) = self.widths.get_mut(usize::from(col)) {
            *slot = slot.max(w.min(max));
        }
        if let Some(slot) = self.natural.get_mut(usize::from(col)) {
            *slot = slot.max(w);
        }
    }

    /// Widens a column by up to `by` units, no wider than its longest text needs (where its
    /// maximum made it wrap); returns the units it took.
    pub(crate) fn widen(&mut self, col: u16, by: f64) -> f64 {
        let c = usize::from(col);
        let (Some(w), Some(n)) = (self.widths.get_mut(c), self.natural.get(c)) else {
            return 0.0;
        };
        let take = (n - *w).clamp(0.0, by.max(0.0));
        *w += take;
        take
    }

    /// Sets a column's own maximum, where narrower than the table's.
    pub(crate) fn limit(&mut self, col: u16, max: f64) {
        self.limits.insert(col, max.min(self.max));
    }

    /// The widths so far.
    pub(crate) fn get(&self) -> &[f64] {
        &self.widths
    }

    /// Sets the sheet's column widths.
    pub(crate) fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            ws.set_column_width(u16::try_from(c).unwrap_or(0), *w)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_as_printed() {
        // 10 pt characters in a cell with 50 points of room (55 less the padding).
        let w = 50.0 + 2.0 * Style::get().measure.padding_points;
        assert_eq!(wrap("abc", w, 10.0, 0), Wrap { lines: 1, last: 3 });
        assert_eq!(
            wrap("项目名称项目名称", w, 10.0, 0),
            Wrap { lines: 2, last: 3 }
        );
        assert!(wrap("项目名称项目", w, 10.0, 0).orphan());
        // Closing punctuation goes down with the character before it.
        assert_eq!(wrap("项目名称项。", w, 10.0, 0), Wrap { lines: 2, last: 2 });
        // Words of Latin letters stay whole; paragraphs start new lines.
        assert_eq!(wrap("abcd efgh", w, 10.0, 0).lines, 2);
        assert_eq!(wrap("a\nb", w, 10.0, 0), Wrap { lines: 2, last: 1 });
        // An indent takes room.
        assert_eq!(wrap("项目名称项", w, 10.0, 0).lines, 1);
        assert_eq!(wrap("项目名称项", w, 10.0, 1).lines, 2);
    }

    #[test]
    fn symbols_print_full_width_and_keep_their_number() {
        let w = 50.0 + 2.0 * Style::get().measure.padding_points;
        // ≥ is one em and stays with 85: 项目名 + ≥85 (3 + 1 + 1.2 em) does not fit.
        assert_eq!(wrap("项目名≥85", w, 10.0, 0), Wrap { lines: 2, last: 3 });
        let pieces: Vec<&str> = tokens("数/计×100%", true).collect();
        assert_eq!(pieces, ["数/", "计", "×100", "%"]);
    }

    #[test]
    fn an_indent_keeps_a_lone_last_character_company() {
        let style = Style::get();
        // A column of about four characters: 其中：当年财政拨款 would wrap 4 + 4 + 1, centred
        // or not; indented, fewer characters fit a line and the last keeps company.
        let widths = span_points(7.5, 1);
        let (wrapped, orphan, _) = wrap_all("其中：当年财政拨款", &widths, style.font_size, 0);
        assert!(orphan && wrapped.lines == 3, "{wrapped:?}");
        let level = (1..=4u8)
            .find(|&i| !wrap_all("其中：当年财政拨款", &widths, style.font_size, i).1)
            .expect("some indent level avoids the lone character");
        let (indented, orphan, _) = wrap_all("其中：当年财政拨款", &widths, style.font_size, level);
        assert!(!orphan && indented.lines >= 3, "{indented:?} at {level}");
    }
}
