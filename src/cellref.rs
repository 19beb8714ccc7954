//! A1 cell references: column letters, `C6`, `A1:E1`. At the bottom of the house: it
//! imports nothing of the crate.

/// The zero-based column of letters such as `"A"` or `"XFD"`; `None` past Excel's last
/// column (XFD).
///
pub fn column_index(letters: &str) -> Option<u16> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_uppercase() {
            return None;
        }
        n = n * 26 + u32::from(b - b'A' + 1);
    }
    u16::try_from(n - 1).ok().filter(|&c| c < 16_384)
}

/// The letters of a zero-based column.
///
pub fn column_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The A1 reference of a zero-based cell.
///
pub fn a1(row: u32, col: u16) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

/// The zero-based (row, column) of an A1 reference such as `"C6"`.
///
pub fn parse_a1(s: &str) -> Option<(u32, u16)> {
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column_index(letters)?))
}

/// A column range `"B:C"` of a sheet, as formulas write it: `$B$2:$B$11` for rows
/// `first..=last` (zero-based), optionally on another sheet.
pub(crate) fn absolute_column_range(sheet: &str, col: u16, first: u32, last: u32) -> String {
    let c = column_letters(col);
    format!(
        "'{}'!${c}${}:${c}${}",
        sheet.replace('\'', "''"),
        u64::from(first) + 1,
        u64::from(last) + 1
    )
}

/// `B2:B11`: a column's cells from row `first` to `last` (zero-based), relative.
pub(crate) fn column_range(col: u16, first: u32, last: u32) -> String {
    let c = column_letters(col);
    format!("{c}{}:{c}{}", u64::from(first) + 1, u64::from(last) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_refs() {
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("XFD"), Some(16_383));
        assert_eq!(column_index("XFE"), None);
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
        assert_eq!(parse_a1("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_a1("A0"), None);
        assert_eq!(column_range(8, 1, 10), "I2:I11");
        assert_eq!(absolute_column_range("汇总", 1, 1, 10), "'汇总'!$B$2:$B$11");
    }
}
