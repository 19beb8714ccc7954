//! A sparse sheet: only the cells that hold something, and the merged areas if the format
//! has them. Memory follows the cells, not the sheet's used rectangle.

pub(crate) use crate::coerce::Value;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// A merged area, absolute and zero-based, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    /// First row.
    pub row: u32,
    /// First column.
    pub col: u16,
    /// Last row.
    pub last_row: u32,
    /// Last column.
    pub last_col: u16,
}

impl Merge {
    fn overlaps(&self, o: &Merge) -> bool {
        self.row <= o.last_row
            && o.row <= self.last_row
            && self.col <= o.last_col
            && o.col <= self.last_col
    }

    /// The area in A1 style, such as `B3:C3`.
    pub fn a1(&self) -> String {
        format!(
            "{}:{}",
            crate::cellref::a1(self.row, self.col),
            crate::cellref::a1(self.last_row, self.last_col)
        )
    }

    fn contains(&self, row: u32, col: u16) -> bool {
        (self.row..=self.last_row).contains(&row) && (self.col..=self.last_col).contains(&col)
    }
}

/// The most cells a merge may cover to be indexed cell by cell; larger ones are scanned.
const INDEXED_MERGE_CELLS: u64 = 4096;

/// The non-empty cells of one sheet, by row then column, and its merges.
#[derive(Debug, Default, Clone)]
pub struct Grid {
    rows: BTreeMap<u32, BTreeMap<u16, Value>>,
    merges: Vec<Merge>,
    /// Whether this format reports merges at all (xlsx, xls); for ods and xlsb it cannot.
    has_merge_info: bool,
    covered: HashMap<(u32, u16), usize>,
    large: Vec<usize>,
    /// Pairs of merges (by index) that overlap, each later merge paired with one earlier.
    overlaps: Vec<(usize, usize)>,
    /// Whether the sheet is hidden (ODS, where the sheet's reader finds it out).
    pub hidden: bool,
}

impl Grid {
    /// An empty grid; `has_merge_info` says whether merges are known for this format.
    pub fn new(has_merge_info: bool) -> Grid {
        Grid {
            has_merge_info,
            ..Grid::default()
        }
    }

    /// Sets a cell; empty text is not stored.
    pub fn set(&mut self, row: u32, col: u16, value: Value) {
        if matches!(&value, Value::Text(s) if s.trim().is_empty()) {
            return;
        }
        self.rows.entry(row).or_default().insert(col, value);
    }

    /// Adds a merged area.
    pub fn add_merge(&mut self, m: Merge) {
        let i = self.merges.len();
        let cells = u64::from(m.last_row - m.row + 1) * u64::from(m.last_col - m.col + 1);
        let mut overlap = self
            .large
            .iter()
            .copied()
            .find(|&j| self.merges.get(j).is_some_and(|o| o.overlaps(&m)));
        if cells <= INDEXED_MERGE_CELLS {
            for r in m.row..=m.last_row {
                for c in m.col..=m.last_col {
                    // Where merges overlap, the first one read keeps the cell.
                    let at = *self.covered.entry((r, c)).or_insert(i);
                    if at != i {
                        overlap = overlap.or(Some(at));
                    }
                }
            }
        } else {
            overlap = overlap
                .or_else(|| (0..i).find(|&j| self.merges.get(j).is_some_and(|o| o.overlaps(&m))));
            self.large.push(i);
        }
        if let Some(j) = overlap {
            self.overlaps.push((j, i));
        }
        self.merges.push(m);
    }

    /// Whether merges are known for this grid's format.
    pub fn has_merge_info(&self) -> bool {
        self.has_merge_info
    }

    /// The cell's own value.
    pub fn get(&self, row: u32, col: u16) -> Option<&Value> {
        self.rows.get(&row)?.get(&col)
    }

    /// The merge covering a cell.
    pub fn merge_at(&self, row: u32, col: u16) -> Option<Merge> {
        self.merge_index_at(row, col)
            .and_then(|i| self.merges.get(i).copied())
    }

    fn merge_index_at(&self, row: u32, col: u16) -> Option<usize> {
        if let Some(&i) = self.covered.get(&(row, col)) {
            return Some(i);
        }
        self.large
            .iter()
            .copied()
            .find(|&i| self.merges.get(i).is_some_and(|m| m.contains(row, col)))
    }

    /// Makes text in covered cells (which a merge hides) readable instead of lost, and
    /// returns what to tell the user: each as the cell it is about (if any) and a message.
    ///
    /// Overlapping merges are reported. A merge whose top-left cell is empty and that
    /// hides text in one cell takes that text as its own. A merge that hides text besides
    /// its top-left's (other than a copy of it), or in more than one cell, is dropped, so
    /// that every cell reads as itself.
    pub fn settle_covered(&mut self) -> Vec<(Option<(u32, u16)>, String)> {
        let mut out = Vec::new();
        // Each earlier merge with the later ones that overlap it.
        let mut by_first: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &(j, i) in &self.overlaps {
            by_first.entry(j).or_default().push(i);
        }
        for (j, later) in by_first {
            let Some(a) = self.merges.get(j) else {
                continue;
            };
            let mut names: Vec<String> = later
                .iter()
                .take(3)
                .filter_map(|&i| Some(self.merges.get(i)?.a1()))
                .collect();
            let space = if later.len() > 3 {
                names.push(format!("等 {} 处合并区域", later.len()));
                ""
            } else {
                " "
            };
            out.push((
                None,
                format!(
                    "合并区域 {} 与 {}{space}重叠（文件可能已损坏），重叠处的单元格可能读错；请在 Excel 或 WPS 中取消这些合并后重新合并",
                    a.a1(),
                    names.join("、").replace("、等", " 等"),
                ),
            ));
        }
        self.overlaps.clear();
        if self.merges.is_empty() {
            return out;
        }
        // Covered cells holding something, by merge.
        let mut hidden: BTreeMap<usize, Vec<(u32, u16)>> = BTreeMap::new();
        for (r, c, v) in self.cells() {
            let Some(i) = self.merge_index_at(r, c) else {
                continue;
            };
            let Some(m) = self.merges.get(i) else {
                continue;
            };
            if (r, c) == (m.row, m.col) || self.get(m.row, m.col) == Some(v) {
                continue;
            }
            hidden.entry(i).or_default().push((r, c));
        }
        let mut dropped = Vec::new();
        for (i, cells) in hidden {
            let Some(&m) = self.merges.get(i) else {
                continue;
            };
            let top_left = crate::cellref::a1(m.row, m.col);
            let top_left_empty = self.get(m.row, m.col).is_none();
            // Not when the top-left is another (overlapping) merge's: the text would hide.
            let owns_top_left = self.merge_index_at(m.row, m.col) == Some(i);
            if let ([only], true) = (cells.as_slice(), top_left_empty && owns_top_left) {
                if let Some(v) = self.take(only.0, only.1) {
                    self.set(m.row, m.col, v);
                }
                out.push((
                    Some(*only),
                    format!(
                        "此单元格被合并区域 {} 覆盖（合并后不显示），而左上角 {top_left} 是空的；其中的文字已作为 {top_left} 的内容读取",
                        m.a1()
                    ),
                ));
                continue;
            }
            let mut names: Vec<String> = Vec::new();
            if !top_left_empty {
                names.push(top_left.clone());
            }
            names.extend(cells.iter().take(5).map(|&(r, c)| crate::cellref::a1(r, c)));
            let more = if cells.len() > 5 {
                format!(
                    " 等 {} 个单元格",
                    cells.len() + usize::from(!top_left_empty)
                )
            } else {
                " ".to_string()
            };
            out.push((
                cells.first().copied(),
                format!(
                    "合并区域 {} 中 {}{more}都有文字，而合并后只显示左上角 {top_left}；已忽略此合并，各单元格按各自的内容读取",
                    m.a1(),
                    names.join("、")
                ),
            ));
            dropped.push(i);
        }
        if !dropped.is_empty() {
            let kept: Vec<Merge> = std::mem::take(&mut self.merges)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !dropped.contains(i))
                .map(|(_, m)| m)
                .collect();
            self.covered.clear();
            self.large.clear();
            for m in kept {
                self.add_merge(m);
            }
            self.overlaps.clear();
        }
        out
    }

    /// Removes a cell's value and returns it.
    fn take(&mut self, row: u32, col: u16) -> Option<Value> {
        let cells = self.rows.get_mut(&row)?;
        let v = cells.remove(&col);
        if cells.is_empty() {
            self.rows.remove(&row);
        }
        v
    }

    /// The value shown in a cell: a cell covered by a merge shows the merge's top-left value.
    pub fn shown(&self, row: u32, col: u16) -> Option<&Value> {
        match self.merge_at(row, col) {
            Some(m) => self.get(m.row, m.col),
            None => self.get(row, col),
        }
    }

    /// The last column a cell's merge reaches (the cell's own column when not merged).
    pub fn last_col_of(&self, row: u32, col: u16) -> u16 {
        self.merge_at(row, col).map_or(col, |m| m.last_col)
    }

    /// The last row a cell's merge reaches (the cell's own row when not merged).
    pub fn last_row_of(&self, row: u32, col: u16) -> u32 {
        self.merge_at(row, col).map_or(row, |m| m.last_row)
    }

    /// The non-empty cells of a row, left to right.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u16, &Value)> {
        self.rows
            .get(&row)
            .into_iter()
            .flat_map(|cells| cells.iter().map(|(c, v)| (*c, v)))
    }

    /// The rows that hold something, in a range, top to bottom; an empty range (start past
    /// end) gives none.
    pub fn rows_in(&self, range: std::ops::RangeInclusive<u32>) -> impl Iterator<Item = u32> + '_ {
        let (start, end) = range.into_inner();
        (start <= end)
            .then(|| self.rows.range(start..=end))
            .into_iter()
            .flatten()
            .map(|(r, _)| *r)
    }

    /// All non-empty cells, row by row.
    pub fn cells(&self) -> impl Iterator<Item = (u32, u16, &Value)> {
        self.rows
            .iter()
            .flat_map(|(r, cells)| cells.iter().map(move |(c, v)| (*r, *c, v)))
    }

    /// Whether no cell holds anything.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inverted_row_range_is_empty_not_a_panic() {
        let mut g = Grid::new(false);
        g.set(3, 0, Value::Text("a".into()));
        let (start, end) = (5, 2);
        assert_eq!(g.rows_in(start..=end).count(), 0);
        assert_eq!(g.rows_in(0..=3).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn merged_cells_show_their_top_left_value() {
        let mut g = Grid::new(true);
        g.set(0, 1, Value::Text("产出指标".into()));
        g.add_merge(Merge {
            row: 0,
            col: 1,
            last_row: 3,
            last_col: 1,
        });
        g.add_merge(Merge {
            row: 0,
            col: 10,
            last_row: 100_000,
            last_col: 10,
        });
        assert_eq!(g.shown(2, 1), Some(&Value::Text("产出指标".into())));
        assert_eq!(g.last_row_of(1, 1), 3);
        assert_eq!(g.merge_at(50_000, 10).map(|m| m.last_row), Some(100_000));
        assert_eq!(g.shown(4, 1), None);
    }

    fn merge(row: u32, col: u16, last_row: u32, last_col: u16) -> Merge {
        Merge {
            row,
            col,
            last_row,
            last_col,
        }
    }

    #[test]
    fn covered_text_is_read_or_reported_never_lost() {
        // B3:C3 with the name in C3 only: it becomes B3's.
        let mut g = Grid::new(true);
        g.set(2, 2, Value::Text("名".into()));
        g.add_merge(merge(2, 1, 2, 2));
        let notes = g.settle_covered();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, Some((2, 2)));
        assert_eq!(g.get(2, 1), Some(&Value::Text("名".into())));
        assert_eq!(g.get(2, 2), None);
        assert_eq!(g.shown(2, 2), Some(&Value::Text("名".into())));

        // A label merged over its value: the merge is dropped, both read.
        let mut g = Grid::new(true);
        g.set(2, 1, Value::Text("项目名称".into()));
        g.set(2, 2, Value::Text("名".into()));
        g.add_merge(merge(2, 1, 2, 2));
        let notes = g.settle_covered();
        assert_eq!(
            notes[0].1,
            "合并区域 B3:C3 中 B3、C3 都有文字，而合并后只显示左上角 B3；已忽略此合并，各单元格按各自的内容读取"
        );
        assert_eq!(g.merge_at(2, 2), None);
        assert_eq!(g.shown(2, 2), Some(&Value::Text("名".into())));

        // A copy of the top-left's text in a covered cell loses nothing.
        let mut g = Grid::new(true);
        g.set(2, 1, Value::Text("名".into()));
        g.set(2, 2, Value::Text("名".into()));
        g.add_merge(merge(2, 1, 2, 2));
        assert!(g.settle_covered().is_empty());
        assert!(g.merge_at(2, 2).is_some());
    }

    #[test]
    fn overlapping_merges_are_reported() {
        let mut g = Grid::new(true);
        g.add_merge(merge(2, 1, 2, 2));
        g.add_merge(merge(2, 2, 3, 3));
        g.add_merge(merge(0, 10, 100_000, 12));
        g.add_merge(merge(5, 11, 5, 11));
        g.add_merge(merge(7, 0, 7, 1));
        let notes: Vec<String> = g.settle_covered().into_iter().map(|n| n.1).collect();
        assert_eq!(
            notes,
            [
                "合并区域 B3:C3 与 C3:D4 重叠（文件可能已损坏），重叠处的单元格可能读错；请在 Excel 或 WPS 中取消这些合并后重新合并",
                "合并区域 K1:M100001 与 L6:L6 重叠（文件可能已损坏），重叠处的单元格可能读错；请在 Excel 或 WPS 中取消这些合并后重新合并",
            ]
        );
        assert_eq!(g.merge_at(2, 2).map(|m| m.col), Some(1));
    }
}
