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
        if cells <= INDEXED_MERGE_CELLS {
            for r in m.row..=m.last_row {
                for c in m.col..=m.last_col {
                    self.covered.insert((r, c), i);
                }
            }
        } else {
            self.large.push(i);
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
        if let Some(&i) = self.covered.get(&(row, col)) {
            return self.merges.get(i).copied();
        }
        self.large
            .iter()
            .filter_map(|&i| self.merges.get(i))
            .find(|m| m.contains(row, col))
            .copied()
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
}
