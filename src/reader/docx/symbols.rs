//! Word's `w:sym`: a symbol inserted from a font by its code, read as its character.

/// The Symbol font's characters 0x20–0x7E (Adobe Symbol encoding; U+FFFD where a
/// glyph has no Unicode character).
const SYMBOL_LOW: &str = " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_�αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼";

/// The Symbol font's characters 0xA0–0xFF.
const SYMBOL_HIGH: &str = "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…⏐⎯↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪�〉∫⌠⎮⌡⎞⎟⎠⎤⎥⎦⎫⎬⎭�";

/// The character of a `w:sym` (a symbol inserted from a font by its code): the Symbol
/// font's codes (`F0A3`, or `A3`) through its encoding (`≤`), any other font's code as
/// the Unicode character unless it is a private-use code, which only the font can draw.
/// `Err` names the symbol that has no known character.
pub(super) fn symbol(font: Option<&str>, code: Option<&str>) -> Result<char, String> {
    let what = || format!("{} 字体 {}", font.unwrap_or("?"), code.unwrap_or("?"));
    let n = code
        .and_then(|c| u32::from_str_radix(c.trim(), 16).ok())
        .ok_or_else(what)?;
    let symbol_font = font.is_some_and(|f| f.trim().eq_ignore_ascii_case("symbol"));
    let low = if (0xF000..=0xF0FF).contains(&n) {
        n - 0xF000
    } else {
        n
    };
    if symbol_font && low <= 0xFF {
        let found = match low {
            0x20..=0x7E => SYMBOL_LOW.chars().nth((low - 0x20) as usize),
            0xA0..=0xFF => SYMBOL_HIGH.chars().nth((low - 0xA0) as usize),
            _ => None,
        };
        return found.filter(|&c| c != '\u{FFFD}').ok_or_else(what);
    }
    match char::from_u32(n) {
        Some(c) if !(0xE000..=0xF8FF).contains(&n) && !c.is_control() => Ok(c),
        _ => Err(what()),
    }
}
