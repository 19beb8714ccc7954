//! A sparse sheet: only the cells that hold something, and the merged areas if the format
//! has them. Memory follows the cells, not the sheet's used rectangle.

pub(crate) use crate::coerce::Value;
use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// The most cells a grid built by our own readers may hold: an ODS workbook's once repeated
/// cells are expanded (about 300 MB: a repeated cell that holds a value costs memory like any
/// other, and one element can repeat a value over a whole sheet), a Word document's (cells,
/// and merges counted by the cells they cover up to 4096 each).
pub(crate) const MAX_CELLS: u64 = 5_000_000;

/// Why our own readers (ODS, Word) could not build their grids.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The package is encrypted (an ODS manifest names encryption data).
    Encrypted,
    /// More than [`MAX_CELLS`] cells.
    TooManyCells,
    /// The XML or the archive is broken; the detail is for the cause, not the message.
    Broken(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Encrypted => write!(f, "encrypted package"),
            Fault::TooManyCells => write!(f, "more than {MAX_CELLS} cells"),
            Fault::Broken(d) => write!(f, "{d}"),
        }
    }
}

impl std::error::Error for Fault {}

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
    /// Whether the two areas share a cell.
    pub fn overlaps(&self, o: &Merge) -> bool {
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

/// The most cells a merge may cover to be indexed (as spans of rows or columns); larger
/// ones are scanned.
const INDEXED_MERGE_CELLS: u64 = 4096;

/// The non-empty cells of one sheet, by row then column, and its merges.
///
/// Merges are kept as they were read (12 bytes each) and indexed on first use: a merge
/// that overlaps no other as one span per row (or per column, when it is taller than wide),
/// so that a list of millions costs little more than itself; only merges that overlap
/// another are indexed cell by cell, to say which one a shared cell belongs to.
#[derive(Debug, Default, Clone)]
pub struct Grid {
    rows: BTreeMap<u32, BTreeMap<u16, Value>>,
    merges: Vec<Merge>,
    /// Whether this format reports merges at all (xlsx, xls); for ods and xlsb it cannot.
    has_merge_info: bool,
    /// Built from `merges` on first use; emptied whenever a merge is added or dropped.
    index: OnceCell<MergeIndex>,
    /// Whether [`Grid::settle_covered`] has reported the overlapping merges already.
    overlaps_reported: bool,
    /// Whether the sheet is hidden (ODS, where the sheet's reader finds it out).
    pub hidden: bool,
}

/// Where the merges are, for finding the one that covers a cell.
#[derive(Debug, Default, Clone)]
struct MergeIndex {
    /// Indexed merges that overlap no other, one span per row they cover (merges at least
    /// as wide as tall), sorted.
    row_spans: Vec<Span>,
    /// The same for merges taller than wide, one span per column.
    col_spans: Vec<Span>,
    /// Where each row's spans start in `row_spans`, each column's in `col_spans`.
    row_starts: Starts,
    col_starts: Starts,
    /// The cells of indexed merges that overlap another, each with the first such merge
    /// read: where merges overlap, the first one read keeps the cell.
    covered: HashMap<(u32, u16), u32>,
    /// Merges larger than [`INDEXED_MERGE_CELLS`], in reading order.
    large: Vec<u32>,
    /// Pairs of merges (by index) that overlap, each later merge paired with one earlier.
    overlaps: Vec<(usize, usize)>,
}

/// Where the spans of each line start in a sorted list of spans, for the lines from `first`
/// on (and past the last, the list's end): a line's spans found without a search. Empty
/// where the lines are spread out (more than a few per span): then they are searched for.
#[derive(Debug, Default, Clone)]
struct Starts {
    first: u32,
    at: Vec<u32>,
}

impl Starts {
    fn of(spans: &[Span]) -> Starts {
        let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
            return Starts::default();
        };
        let lines = u64::from(last.line - first.line) + 1;
        if lines > 4 * spans.len() as u64 + 64 {
            return Starts::default();
        }
        let mut at = Vec::with_capacity(lines as usize + 1);
        let mut k = 0usize;
        for line in first.line..=last.line {
            k += spans
                .get(k..)
                .unwrap_or_default()
                .partition_point(|s| s.line < line);
            at.push(u32::try_from(k).unwrap_or(u32::MAX));
        }
        at.push(u32::try_from(spans.len()).unwrap_or(u32::MAX));
        Starts {
            first: first.line,
            at,
        }
    }

    /// The spans on `line`, or `None` when this has no table (search instead).
    fn line<'s>(&self, spans: &'s [Span], line: u32) -> Option<&'s [Span]> {
        if self.at.is_empty() {
            return None;
        }
        let i = line
            .checked_sub(self.first)
            .and_then(|i| usize::try_from(i).ok());
        let range = i.and_then(|i| Some(*self.at.get(i)? as usize..*self.at.get(i + 1)? as usize));
        Some(range.and_then(|r| spans.get(r)).unwrap_or_default())
    }
}

/// Part of a merge on one row (`line` the row, `lo..=hi` columns) or one column.
#[derive(Debug, Clone, Copy)]
struct Span {
    line: u32,
    lo: u32,
    hi: u32,
    merge: u32,
}

impl Merge {
    fn cells(&self) -> u64 {
        u64::from(self.last_row - self.row + 1) * u64::from(self.last_col - self.col + 1)
    }
}

impl MergeIndex {
    fn build(merges: &[Merge]) -> MergeIndex {
        let mut ix = MergeIndex::default();
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        ix.large = (0..merges.len())
            .filter(|&i| {
                merges
                    .get(i)
                    .is_some_and(|m| m.cells() > INDEXED_MERGE_CELLS)
            })
            .map(index)
            .collect();
        let tangled = tangled(merges);
        // Merges that overlap another, cell by cell as they were read, which decides what
        // each shared cell shows and which earlier merge each is reported with.
        let mut large_so_far: Vec<usize> = Vec::new();
        for (k, &i) in tangled.iter().enumerate() {
            let Some(&m) = merges.get(i) else { continue };
            let mut overlap = large_so_far
                .iter()
                .copied()
                .find(|&j| merges.get(j).is_some_and(|o| o.overlaps(&m)));
            if m.cells() <= INDEXED_MERGE_CELLS {
                for r in m.row..=m.last_row {
                    for c in m.col..=m.last_col {
                        let at = *ix.covered.entry((r, c)).or_insert(index(i));
                        if at != index(i) {
                            overlap = overlap.or(Some(at as usize));
                        }
                    }
                }
            } else {
                overlap = overlap.or_else(|| {
                    tangled
                        .get(..k)
                        .unwrap_or_default()
                        .iter()
                        .copied()
                        .find(|&j| merges.get(j).is_some_and(|o| o.overlaps(&m)))
                });
                large_so_far.push(i);
            }
            if let Some(j) = overlap {
                ix.overlaps.push((j, i));
            }
        }
        let mut is_tangled = tangled.iter().peekable();
        for (i, m) in merges.iter().enumerate() {
            if is_tangled.next_if(|&&t| t == i).is_some() || m.cells() > INDEXED_MERGE_CELLS {
                continue;
            }
            let (rows, cols) = (m.last_row - m.row, u32::from(m.last_col - m.col));
            if cols >= rows {
                ix.row_spans.extend((m.row..=m.last_row).map(|r| Span {
                    line: r,
                    lo: u32::from(m.col),
                    hi: u32::from(m.last_col),
                    merge: index(i),
                }));
            } else {
                ix.col_spans.extend((m.col..=m.last_col).map(|c| Span {
                    line: u32::from(c),
                    lo: m.row,
                    hi: m.last_row,
                    merge: index(i),
                }));
            }
        }
        ix.row_spans.sort_unstable_by_key(|s| (s.line, s.lo));
        ix.col_spans.sort_unstable_by_key(|s| (s.line, s.lo));
        ix.row_starts = Starts::of(&ix.row_spans);
        ix.col_starts = Starts::of(&ix.col_spans);
        ix
    }

    /// The untangled merge whose span on `line` holds `at`.
    fn span_at(spans: &[Span], starts: &Starts, line: u32, at: u32) -> Option<usize> {
        if let Some(on_line) = starts.line(spans, line) {
            let k = on_line.partition_point(|s| s.lo <= at);
            let s = on_line.get(k.checked_sub(1)?)?;
            return (s.hi >= at).then_some(s.merge as usize);
        }
        let k = spans.partition_point(|s| (s.line, s.lo) <= (line, at));
        let s = spans.get(k.checked_sub(1)?)?;
        (s.line == line && s.hi >= at).then_some(s.merge as usize)
    }
}

/// Up to this many merges (a form has about a hundred), [`tangled`] compares each with
/// those that start on its rows instead of sweeping with ordered sets.
const FEW_MERGES: usize = 512;

/// The merges (by index, ascending) that overlap at least one other: a sweep down the
/// rows, keeping the merges that reach the current row by first column.
fn tangled(merges: &[Merge]) -> Vec<usize> {
    use std::cmp::Reverse;
    let mut order: Vec<u32> = (0..u32::try_from(merges.len()).unwrap_or(u32::MAX)).collect();
    let at = |i: u32| merges.get(i as usize).copied();
    order.sort_unstable_by_key(|&i| at(i).map(|m| (m.row, m.col)));
    let mut tangled = vec![false; merges.len()];
    if merges.len() <= FEW_MERGES {
        for (k, &i) in order.iter().enumerate() {
            let Some(m) = at(i) else { continue };
            for &j in order.get(k + 1..).unwrap_or_default() {
                let Some(o) = at(j) else { continue };
                if o.row > m.last_row {
                    break;
                }
                if m.overlaps(&o) {
                    for t in [i, j] {
                        if let Some(t) = tangled.get_mut(t as usize) {
                            *t = true;
                        }
                    }
                }
            }
        }
        return (0..merges.len())
            .filter(|&i| tangled.get(i).copied().unwrap_or(false))
            .collect();
    }
    let mark = |i: u32, tangled: &mut Vec<bool>| {
        if let Some(t) = tangled.get_mut(i as usize) {
            *t = true;
        }
    };
    let mut active: BTreeSet<(u16, u32)> = BTreeSet::new();
    let mut ends: BinaryHeap<Reverse<(u32, u16, u32)>> = BinaryHeap::new();
    for i in order {
        let Some(m) = at(i) else { continue };
        while let Some(&Reverse((last_row, col, j))) = ends.peek()
            && last_row < m.row
        {
            active.remove(&(col, j));
            ends.pop();
        }
        let mut hit = false;
        // Merges that reach this row and start within this one's columns.
        for &(_, j) in active.range((m.col, 0)..=(m.last_col, u32::MAX)) {
            mark(j, &mut tangled);
            hit = true;
        }
        // Merges that start left of it and reach into it. Past one that does not, only
        // one overlapping those between could: stop at the first that overlaps nothing.
        for &(_, j) in active.range(..(m.col, 0)).rev() {
            if at(j).is_some_and(|o| o.last_col >= m.col) {
                mark(j, &mut tangled);
                hit = true;
            } else if !tangled.get(j as usize).copied().unwrap_or(false) {
                break;
            }
        }
        if hit {
            mark(i, &mut tangled);
        }
        active.insert((m.col, i));
        ends.push(Reverse((m.last_row, m.col, i)));
    }
    tangled
        .iter()
        .enumerate()
        .filter(|(_, t)| **t)
        .map(|(i, _)| i)
        .collect()
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
        // Readers give the cells row by row: the row is most often the last one.
        let cells = match self.rows.last_entry() {
            Some(last) if *last.key() == row => last.into_mut(),
            _ => self.rows.entry(row).or_default(),
        };
        cells.insert(col, value);
    }

    /// Adds a merged area.
    pub fn add_merge(&mut self, m: Merge) {
        self.merges.push(m);
        self.index = OnceCell::new();
    }

    /// The smallest area that holds every non-empty cell (first row, first column, last
    /// row, last column), or `None` for an empty grid.
    pub fn used_area(&self) -> Option<Merge> {
        let (&row, _) = self.rows.first_key_value()?;
        let (&last_row, _) = self.rows.last_key_value()?;
        let cols = self
            .rows
            .values()
            .flat_map(|cells| [cells.first_key_value(), cells.last_key_value()])
            .flatten()
            .map(|(c, _)| *c);
        let (col, last_col) = cols.fold((u16::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
        Some(Merge {
            row,
            col,
            last_row,
            last_col,
        })
    }

    /// Adds the merged areas that share a cell with the [`used_area`](Grid::used_area)
    /// (call it once the cells are in). A merge outside that area covers no text, and no
    /// cell whose merge the reader asks for: the cells it asks about are text cells, cells
    /// right of or below them in the same row or column, and empty cells whose merge shows
    /// what its top-left holds (nothing, outside the area).
    pub fn add_merges_in_used_area(&mut self, merges: impl IntoIterator<Item = Merge>) {
        let Some(area) = self.used_area() else {
            return;
        };
        for m in merges {
            if m.overlaps(&area) {
                self.add_merge(m);
            }
        }
    }

    /// How many entries the grid's merge bookkeeping holds: merges, spans and cells indexed
    /// one by one. It follows the merges kept, never the cells they cover (for tests).
    #[cfg(test)]
    pub fn merge_entries(&self) -> usize {
        let ix = self.index();
        self.merges.len()
            + ix.row_spans.len()
            + ix.col_spans.len()
            + ix.covered.len()
            + ix.large.len()
    }

    fn index(&self) -> &MergeIndex {
        self.index.get_or_init(|| MergeIndex::build(&self.merges))
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
        if self.merges.is_empty() {
            return None;
        }
        let ix = self.index();
        // (Most sheets have no overlapping merges: no hashing then.)
        if !ix.covered.is_empty()
            && let Some(&i) = ix.covered.get(&(row, col))
        {
            return Some(i as usize);
        }
        MergeIndex::span_at(&ix.row_spans, &ix.row_starts, row, u32::from(col))
            .or_else(|| MergeIndex::span_at(&ix.col_spans, &ix.col_starts, u32::from(col), row))
            .or_else(|| {
                ix.large
                    .iter()
                    .map(|&i| i as usize)
                    .find(|&i| self.merges.get(i).is_some_and(|m| m.contains(row, col)))
            })
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
        if !self.overlaps_reported && !self.merges.is_empty() {
            for &(j, i) in &self.index().overlaps {
                by_first.entry(j).or_default().push(i);
            }
        }
        self.overlaps_reported = true;
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
            let mut i = 0;
            self.merges.retain(|_| {
                i += 1;
                dropped.binary_search(&(i - 1)).is_err()
            });
            self.index = OnceCell::new();
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
    #[cfg(test)]
    pub fn shown(&self, row: u32, col: u16) -> Option<&Value> {
        self.shown_and_merge(row, col).0
    }

    /// [`Grid::shown`], with the merge covering the cell (one look-up for both).
    pub fn shown_and_merge(&self, row: u32, col: u16) -> (Option<&Value>, Option<Merge>) {
        let merge = self.merge_at(row, col);
        let value = match merge {
            Some(m) => self.get(m.row, m.col),
            None => self.get(row, col),
        };
        (value, merge)
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

    /// How many cells hold something.
    pub fn len(&self) -> usize {
        self.rows.values().map(BTreeMap::len).sum()
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

    #[test]
    fn few_merges_are_tangled_as_the_sweep_finds() {
        // Pseudo-random merges, clustered so that many overlap: the pairwise comparison
        // (up to FEW_MERGES) and the sweep find the same ones.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..200 {
            let n = 1 + next(if round % 2 == 0 {
                40
            } else {
                FEW_MERGES as u64
            }) as usize;
            let span = 1 + next(60);
            let merges: Vec<Merge> = (0..n)
                .map(|_| {
                    let (r, c) = (next(span) as u32, next(span) as u16);
                    merge(r, c, r + next(4) as u32, c + next(4) as u16)
                })
                .collect();
            let few = tangled(&merges);
            // Every cell of the area finds a merge that holds it exactly when one does,
            // the one that holds it when only one does (the spans' line tables at work).
            let mut g = Grid::new(true);
            for &m in &merges {
                g.add_merge(m);
            }
            for r in 0..span as u32 + 4 {
                for c in 0..span as u16 + 4 {
                    let holding: Vec<Merge> = merges
                        .iter()
                        .copied()
                        .filter(|m| m.contains(r, c))
                        .collect();
                    let found = g.merge_at(r, c);
                    assert_eq!(found.is_some(), !holding.is_empty(), "({r}, {c})");
                    if let [only] = holding.as_slice() {
                        assert_eq!(found, Some(*only), "({r}, {c})");
                    }
                }
            }
            // The same merges and many far away (as many again as FEW_MERGES) take the sweep.
            let far = (0..FEW_MERGES as u32).map(|i| merge(100_000 + 2 * i, 0, 100_000 + 2 * i, 0));
            let swept: Vec<usize> = tangled(&merges.iter().copied().chain(far).collect::<Vec<_>>());
            assert_eq!(few, swept, "round {round}: {merges:?}");
        }
    }

    #[test]
    fn merges_are_indexed_by_span_not_by_cell() {
        let mut g = Grid::new(true);
        g.set(0, 0, Value::Text("项目名称".into()));
        // 200,000 merges of 1 × 3 and 1,000 of 64 × 64 (as many cells as are indexed).
        for i in 0..200_000u32 {
            let (r, c) = (i / 4, (i % 4) as u16 * 3);
            g.add_merge(merge(r, c, r, c + 2));
        }
        for i in 0..1_000u32 {
            let (r, c) = (64 * (i / 10), 20 + 64 * (i % 10) as u16);
            g.add_merge(merge(r, c, r + 63, c + 63));
        }
        assert!(g.settle_covered().is_empty());
        // Each merge, its spans (one for each 1 × 3, 64 for each 64 × 64), no cells.
        assert_eq!(g.merge_entries(), 201_000 + 200_000 + 64_000);
        assert_eq!(g.merge_at(49_999, 11), Some(merge(49_999, 9, 49_999, 11)));
        assert_eq!(g.merge_at(50_000, 11), None);
        assert_eq!(g.last_col_of(130, 100), 147);
        assert_eq!(g.last_row_of(130, 100), 191);
        assert_eq!(g.shown(0, 2), Some(&Value::Text("项目名称".into())));
    }

    #[test]
    fn merges_outside_the_cells_are_not_kept() {
        let mut g = Grid::new(true);
        g.set(2, 1, Value::Text("项目名称".into()));
        g.set(9, 4, Value::Text("名".into()));
        let far = (0..200_000u32).map(|i| {
            merge(
                1_000 + i / 8,
                (i % 8) as u16 * 2,
                1_000 + i / 8,
                (i % 8) as u16 * 2 + 1,
            )
        });
        g.add_merges_in_used_area(far.chain([merge(9, 4, 9, 6), merge(10, 0, 12, 0)]));
        assert_eq!(g.merges.len(), 1);
        assert_eq!(g.last_col_of(9, 4), 6);
        assert_eq!(g.used_area(), Some(merge(2, 1, 9, 4)));
    }
}
