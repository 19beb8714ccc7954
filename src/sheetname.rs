//! Worksheet names that Excel accepts: at most 31 UTF-16 units, none of `[ ] : * ? / \`,
//! no leading or trailing apostrophe, unique within the workbook (case-insensitively).
//!

use std::collections::HashSet;

/// The longest sheet name Excel allows, in UTF-16 units.
pub const MAX_LEN: usize = 31;

/// Hands out unique, valid sheet names.
#[derive(Debug, Default, Clone)]
pub struct SheetNames {
    used: HashSet<String>,
    blanks: usize,
}

impl SheetNames {
    /// Reserves a name as taken (such as `汇总`), as is.
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_lowercase());
    }

    /// A valid, unused name as close to `wanted` as possible; marks it used.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut base: String = wanted
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
                c if c.is_control() || !crate::xmlchar::allowed(c) => ' ',
                c => c,
            })
            .collect();
        base = base.trim().trim_matches('\'').trim().to_string();
        if base.is_empty() {
            self.blanks += 1;
            base = format!("表{}", self.blanks);
        }
        let mut n = 1;
        loop {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("({n})")
            };
            let candidate = format!(
                "{}{}",
                truncate_utf16(&base, MAX_LEN - suffix.len()),
                suffix
            );
            let candidate = candidate.trim_end_matches('\'').to_string();
            if self.used.insert(candidate.to_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return s.get(..i).unwrap_or(s);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_and_stay_unique() {
        let mut n = SheetNames::default();
        let long = "上海市宝山区司法局社区矫正中心房屋租赁费项目二零二四年度绩效目标";
        let a = n.claim(long);
        let b = n.claim(long);
        assert_eq!(a.encode_utf16().count(), 31);
        assert!(b.encode_utf16().count() <= 31);
        assert!(b.ends_with("(2)"));
        assert_ne!(a, b);
    }

    #[test]
    fn case_insensitive_and_reserved() {
        let mut n = SheetNames::default();
        n.reserve("汇总");
        assert_eq!(n.claim("汇总"), "汇总(2)");
        assert_eq!(n.claim("Abc"), "Abc");
        assert_eq!(n.claim("aBC"), "aBC(2)");
        assert_eq!(n.claim("'引号'"), "引号");
        assert_eq!(n.claim("😀".repeat(20).as_str()).encode_utf16().count(), 30);
    }
}
