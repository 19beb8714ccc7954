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
    let mut widths = Vec::new();
    span_points_into(units, columns, &mut widths);
    widths
}

/// [`span_points`] into `widths` (cleared first), reusing its room.
pub(crate) fn span_points_into(units: f64, columns: usize, widths: &mut Vec<f64>) {
    widths.clear();
    widths.extend(
        Style::get()
            .measure
            .points_per_unit
            .iter()
            .map(|p| (units + columns as f64 * column_padding()) * p),
    );
    widths.sort_by(f64::total_cmp);
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
/// narrowest. (To measure a text at several widths or indents, [`Measured`] cuts it into
/// pieces once.)
#[cfg(test)]
pub(crate) fn wrap_all(text: &str, widths: &[f64], font: f64, indent: u8) -> (Wrap, bool, bool) {
    Measured::new(text, font).wrap_all(widths, indent)
}

/// How `text` at `font` points wraps in a cell `width` points wide with `indent` indent
/// levels: CJK characters break anywhere and are one em wide; runs of other characters
/// break at spaces; closing punctuation stays with the character before it.
#[cfg(test)]
pub(crate) fn wrap(text: &str, width: f64, font: f64, indent: u8) -> Wrap {
    let m = Measured::new(text, font);
    m.fill(&m.tight, width, indent)
}

/// One unbreakable piece of a paragraph (see [`tokens`]), measured at a font size: its
/// printed width, summed character by character, its characters, and whether it is a run
/// of spaces. A piece of no characters marks where the next paragraph begins.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Piece {
    points: f64,
    chars: u32,
    space: bool,
}

impl Piece {
    const PARAGRAPH: Piece = Piece {
        points: 0.0,
        chars: 0,
        space: false,
    };
}

/// A text cut into measured pieces once, at one font size, and then wrapped at any widths
/// and indents ([`Measured::wrap_all`]): what `wrap_all` would give for the same text and
/// font, without cutting and measuring it again for each width and indent tried. Its
/// buffers are reused by [`Measured::set`].
#[derive(Debug, Default)]
pub(crate) struct Measured {
    font: f64,
    /// The pieces with closing punctuation kept with the character before it.
    tight: Vec<Piece>,
    /// The pieces with closing punctuation on its own, where it joins a CJK character in
    /// `tight` (else empty and unused: the same pieces).
    loose: Vec<Piece>,
    has_loose: bool,
}

impl Measured {
    /// `text` measured at `font` points.
    pub(crate) fn new(text: &str, font: f64) -> Measured {
        let mut m = Measured::default();
        m.set(text, font);
        m
    }

    /// Measures `text` at `font` points instead, reusing the buffers.
    pub(crate) fn set(&mut self, text: &str, font: f64) {
        self.font = font;
        self.has_loose = cut(text, font, true, &mut self.tight);
        if self.has_loose {
            cut(text, font, false, &mut self.loose);
        }
    }

    /// How the text wraps in each of `widths` (narrowest first) with `indent` indent
    /// levels: the wrap with the most lines, whether its last line holds one character
    /// alone in any of them, and whether in the narrowest. Closing punctuation is kept with
    /// the character before it in the narrowest (Excel's) geometry; in the others
    /// (LibreOffice's) also without, since LibreOffice may begin a line with it when the
    /// line is full.
    pub(crate) fn wrap_all(&self, widths: &[f64], indent: u8) -> (Wrap, bool, bool) {
        let mut most: Option<Wrap> = None;
        let mut anywhere = false;
        let mut first = false;
        let mut see = |w: Wrap| {
            // The last of the tallest, as `Iterator::max_by_key` picks.
            if most.is_none_or(|m| w.lines >= m.lines) {
                most = Some(w);
            }
            anywhere |= w.orphan();
        };
        for (i, width) in widths.iter().enumerate() {
            let w = self.fill(&self.tight, *width, indent);
            if i == 0 {
                first = w.orphan();
            }
            see(w);
            if i > 0 && self.has_loose {
                see(self.fill(&self.loose, *width, indent));
            }
        }
        (most.unwrap_or(Wrap { lines: 1, last: 0 }), anywhere, first)
    }

    /// How `pieces` wrap in a cell `width` points wide with `indent` indent levels.
    fn fill(&self, pieces: &[Piece], width: f64, indent: u8) -> Wrap {
        let m = &Style::get().measure;
        let font = self.font;
        let usable =
            (width - 2.0 * m.padding_points - f64::from(indent) * m.indent_points).max(font);
        let mut lines = 1;
        let (mut x, mut n) = (0.0, 0usize);
        for p in pieces {
            if p.chars == 0 {
                lines += 1;
                x = 0.0;
                n = 0;
                continue;
            }
            let (w, count) = (p.points, p.chars as usize);
            if x > 0.0 && x + w > usable && !p.space {
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
        Wrap { lines, last: n }
    }
}

/// Cuts `text` into `out` (cleared first): each paragraph's pieces as [`tokens`] cuts
/// them, measured at `font` points (each piece's width summed character by character, as
/// `sum of char_em(c) * font`), paragraphs separated by [`Piece::PARAGRAPH`]. Returns
/// whether closing punctuation joined a CJK character (where `keep_closing`): where none
/// did, the text cuts into the same pieces either way.
fn cut(text: &str, font: f64, keep_closing: bool, out: &mut Vec<Piece>) -> bool {
    /// What the piece being cut is: a run of spaces or of other non-CJK characters, or a
    /// CJK character (a symbol or not), before or after its closing punctuation.
    #[derive(Clone, Copy)]
    enum Run {
        None,
        Other { space: bool },
        Cjk { symbol: bool, past_closing: bool },
    }
    out.clear();
    // A CJK character is one em: `char_em` 1.0 times the font, exactly the font.
    let cjk_points = font;
    let latin_points = Style::get().measure.latin_em * font;
    let mut joined = false;
    let mut run = Run::None;
    let mut piece = Piece::PARAGRAPH;
    for c in text.chars() {
        if c == '\n' {
            if !matches!(run, Run::None) {
                out.push(piece);
            }
            out.push(Piece::PARAGRAPH);
            run = Run::None;
            continue;
        }
        let (cjk, closing) = classify(c);
        let joins = match &mut run {
            Run::None => false,
            Run::Other { space } => !cjk && (c == ' ') == *space,
            Run::Cjk {
                symbol,
                past_closing,
            } => {
                if !*past_closing && keep_closing && closing {
                    joined = true;
                    true
                } else {
                    *past_closing = true;
                    *symbol && !cjk && c != ' '
                }
            }
        };
        if !joins {
            if !matches!(run, Run::None) {
                out.push(piece);
            }
            piece = Piece {
                points: -0.0,
                chars: 0,
                space: c == ' ',
            };
            run = if cjk {
                Run::Cjk {
                    symbol: is_symbol(c),
                    past_closing: false,
                }
            } else {
                Run::Other { space: c == ' ' }
            };
        }
        piece.points += if cjk { cjk_points } else { latin_points };
        piece.chars = piece.chars.saturating_add(1);
    }
    if !matches!(run, Run::None) {
        out.push(piece);
    }
    joined
}

/// Whether `c` is CJK ([`is_cjk`]) and whether closing punctuation ([`is_closing`]), with
/// the commonest characters (CJK ideographs, ASCII) answered first.
fn classify(c: char) -> (bool, bool) {
    match c {
        // CJK ideographs: none is closing punctuation or a symbol.
        '\u{3400}'..='\u{9FFF}' => (true, false),
        _ if c.is_ascii() => (c == '%', c == '%' || c == '/'),
        _ => (is_cjk(c), is_closing(c)),
    }
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

    /// The wrapping as it was before texts were cut into pieces once: the reference that
    /// [`Measured`] must match exactly.
    mod reference {
        use super::super::*;

        pub(crate) fn wrap_all(
            text: &str,
            widths: &[f64],
            font: f64,
            indent: u8,
        ) -> (Wrap, bool, bool) {
            let closing = text.chars().any(is_closing);
            let all: Vec<Wrap> = widths
                .iter()
                .enumerate()
                .flat_map(|(i, w)| {
                    let loose =
                        (i > 0 && closing).then(|| wrap_with(text, *w, font, indent, false));
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

        pub(crate) fn wrap_with(
            text: &str,
            width: f64,
            font: f64,
            indent: u8,
            keep_closing: bool,
        ) -> Wrap {
            let m = &Style::get().measure;
            let usable =
                (width - 2.0 * m.padding_points - f64::from(indent) * m.indent_points).max(font);
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

        /// The pieces as `tokens` cuts them and `wrap_with` measured them: (the bits of
        /// the width, characters, starts with a space), a paragraph's start as (0, 0, false).
        pub(crate) fn pieces(text: &str, font: f64, keep_closing: bool) -> Vec<(u64, u32, bool)> {
            let latin = Style::get().measure.latin_em;
            let mut out = Vec::new();
            for (i, para) in text.split('\n').enumerate() {
                if i > 0 {
                    out.push((0.0f64.to_bits(), 0, false));
                }
                for token in tokens(para, keep_closing) {
                    let w: f64 = token.chars().map(|c| char_em(c, latin) * font).sum();
                    let count = u32::try_from(token.chars().count()).unwrap();
                    out.push((w.to_bits(), count, token.starts_with(' ')));
                }
            }
            out
        }
    }

    /// Texts of CJK characters, closing punctuation, full-width symbols, Latin words,
    /// digits, spaces and newlines.
    fn texts() -> impl proptest::strategy::Strategy<Value = String> {
        const CHARS: &[char] = &[
            '项',
            '目',
            '名',
            '称',
            '其',
            '中',
            '，',
            '。',
            '、',
            '；',
            '：',
            '？',
            '！',
            '）',
            '》',
            '”',
            '’',
            '…',
            '·',
            '%',
            '/',
            '（',
            '“',
            '×',
            '÷',
            '±',
            '°',
            '‰',
            '≥',
            '≤',
            '→',
            '№',
            '％',
            'a',
            'b',
            'Z',
            'x',
            'e',
            '1',
            '0',
            '9',
            '.',
            '-',
            ' ',
            ' ',
            '\n',
            '\t',
            'é',
            '😀',
            'ｂ',
            '가',
            '\u{20001}',
        ];
        proptest::collection::vec(proptest::sample::select(CHARS), 0..60)
            .prop_map(|cs| cs.into_iter().collect())
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// A text cut into pieces once wraps exactly as it did cut again at each width:
        /// the same pieces, their widths to the bit, and the same wraps at any widths,
        /// fonts and indents (also through a reused `Measured`).
        #[test]
        fn measured_once_wraps_as_before(
            text in texts(),
            before in texts(),
            mut widths in proptest::collection::vec(0.0f64..250.0, 0..4),
            font in 4.0f64..24.0,
            indent in 0u8..6,
        ) {
            widths.sort_by(f64::total_cmp);
            let bits = |pieces: &[Piece]| -> Vec<(u64, u32, bool)> {
                pieces.iter().map(|p| (p.points.to_bits(), p.chars, p.space)).collect()
            };
            let mut m = Measured::new(&before, font * 1.5);
            m.set(&text, font);
            proptest::prop_assert_eq!(bits(&m.tight), reference::pieces(&text, font, true));
            if m.has_loose {
                proptest::prop_assert_eq!(bits(&m.loose), reference::pieces(&text, font, false));
            } else {
                // No closing punctuation joined a CJK character: the same pieces.
                let loose = reference::pieces(&text, font, false);
                proptest::prop_assert_eq!(bits(&m.tight), loose);
            }
            let expected = reference::wrap_all(&text, &widths, font, indent);
            proptest::prop_assert_eq!(m.wrap_all(&widths, indent), expected);
            proptest::prop_assert_eq!(wrap_all(&text, &widths, font, indent), expected);
            for &w in &widths {
                let old = reference::wrap_with(&text, w, font, indent, true);
                proptest::prop_assert_eq!(m.fill(&m.tight, w, indent), old);
            }
        }
    }

    #[test]
    fn the_quick_classification_is_the_full_one() {
        let mut checked = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(classify(c), (is_cjk(c), is_closing(c)), "{c:?}");
            checked += 1;
        }
        assert!(checked > 1_000_000);
    }

    /// The same over the widths the form sheets use (the span of one to four columns of
    /// the default grid's widths) at the style's font, every indent level, and texts cut
    /// from the samples' kind of words.
    #[test]
    fn measured_once_wraps_as_before_in_the_grid() {
        let style = Style::get();
        let words = [
            "其中：当年财政拨款",
            "项目支出绩效目标申报表",
            "≥85%",
            "×100%",
            "（万元）",
            "满意度≥90%。",
            "Latin words and 1234.56 digits",
            "“引号”，逗号、顿号；",
            "\n",
            " ",
        ];
        let mut m = Measured::default();
        let mut checked = 0;
        for a in &words {
            for b in &words {
                for c in &words {
                    let text = format!("{a}{b}{c}");
                    m.set(&text, style.font_size);
                    for units in [4.0, 7.5, 9.0, 12.0, 15.5, 20.0, 31.0] {
                        for columns in 1..=4 {
                            let widths = span_points(units, columns);
                            for indent in 0..=4 {
                                let expected =
                                    reference::wrap_all(&text, &widths, style.font_size, indent);
                                assert_eq!(m.wrap_all(&widths, indent), expected, "{text:?}");
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 1000 * 7 * 4 * 5);
    }

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
