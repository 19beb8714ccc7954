//! The document being assembled from a Word document's tables: grid rows, their places,
//! the paragraphs waiting for the next table ([`Out`]), and a table's vertical merges
//! ([`VMerges`]).

use super::{Cell, Doc, LAST_COL, PARAGRAPHS_ABOVE, RowPlace, Table, is_sheet_heading};
use crate::reader::grid::{Fault, MAX_CELLS, Merge, Value};
use std::collections::BTreeMap;

/// The document being assembled: grid rows so far, and the paragraphs waiting for the
/// next table.
pub(super) struct Out {
    pub(super) doc: Doc,
    pub(super) next_row: u32,
    pub(super) tables: u32,
    /// Non-empty body paragraphs since the last table.
    pub(super) pending: Vec<String>,
    pub(super) cells: u64,
}

impl Out {
    pub(super) fn count(&mut self, n: u64) -> Result<(), Fault> {
        self.cells = self.cells.saturating_add(n);
        if self.cells > MAX_CELLS {
            return Err(Fault::TooManyCells);
        }
        Ok(())
    }

    pub(super) fn add_merge(&mut self, m: Merge) -> Result<(), Fault> {
        let cells = u64::from(m.last_row - m.row + 1) * u64::from(m.last_col - m.col + 1);
        self.count(cells.min(4096))?;
        self.doc.grid.add_merge(m);
        Ok(())
    }

    /// Adds a finished outermost table; when it is a frame (one row of one cell holding
    /// tables, a layout some templates use), the tables in it instead, with the cell's
    /// paragraphs above each.
    pub(super) fn add_framed(&mut self, mut table: Table) -> Result<(), Fault> {
        let frame = table.rows.len() == 1
            && table.rows.first().is_some_and(|r| {
                r.len() == 1
                    && r.iter()
                        .all(|c| c.inner.iter().any(|i| !i.2.rows.is_empty()))
            });
        if !frame {
            return self.add_table(table);
        }
        let Some(cell) = table.rows.pop().and_then(|mut r| r.pop()) else {
            return Ok(());
        };
        let mut from = 0;
        let lines = |text: &str| -> Vec<String> {
            text.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty() && !is_sheet_heading(l))
                .collect()
        };
        for (start, end, inner) in cell.inner {
            let before = cell.text.get(from..start).unwrap_or_default();
            self.pending.extend(lines(before));
            self.add_table(inner)?;
            from = end.max(start);
        }
        let after = cell.text.get(from..).unwrap_or_default();
        self.pending.extend(lines(after));
        Ok(())
    }

    /// Adds the last [`PARAGRAPHS_ABOVE`] paragraphs before table `number` as rows of
    /// their own, each merged across the table's width (to `last_col`).
    pub(super) fn add_paragraphs_above(&mut self, number: u32, last_col: u16) -> Result<(), Fault> {
        let above: Vec<String> = std::mem::take(&mut self.pending);
        let keep = above.len().saturating_sub(PARAGRAPHS_ABOVE);
        let kept = above.get(keep..).unwrap_or_default();
        for (i, text) in kept.iter().enumerate() {
            let row = self.next_row;
            self.count(1)?;
            self.doc.grid.set(row, 0, Value::Text(text.clone()));
            if last_col > 0 {
                self.add_merge(Merge {
                    row,
                    col: 0,
                    last_row: row,
                    last_col,
                })?;
            }
            let above = u32::try_from(kept.len() - i).unwrap_or(u32::MAX);
            self.doc.places.rows.insert(
                row,
                RowPlace::Paragraph {
                    table: number,
                    above,
                },
            );
            self.next_row = self.next_row.saturating_add(1);
        }
        Ok(())
    }

    /// Adds a finished outer table, with the paragraphs right above it.
    pub(super) fn add_table(&mut self, table: Table) -> Result<(), Fault> {
        self.tables += 1;
        let number = self.tables;
        let width = table
            .rows
            .iter()
            .filter_map(|r| r.last().map(|c| c.col + c.span))
            .max()
            .unwrap_or(0)
            .max(table.grid_cols)
            .clamp(1, LAST_COL + 1);
        let last_col = u16::try_from(width - 1).unwrap_or(0);
        self.add_paragraphs_above(number, last_col)?;
        let first = self.next_row;
        let mut vmerges = VMerges::default();
        for (i, cells) in table.rows.into_iter().enumerate() {
            let row = first.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            let mut starts = Vec::new();
            for cell in cells {
                if cell.col > LAST_COL {
                    continue;
                }
                let col = u16::try_from(cell.col).unwrap_or(0);
                starts.push(col);
                self.cell_notices(&cell, (row, col));
                let repeated = vmerges.repeats(&cell);
                vmerges.cell(&cell, row);
                if !cell.text.trim().is_empty() && !repeated {
                    self.count(1)?;
                    self.doc.grid.set(row, col, Value::Text(cell.text));
                }
            }
            vmerges.end_row(row);
            self.doc.places.rows.insert(
                row,
                RowPlace::Table {
                    table: number,
                    row: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    starts,
                },
            );
            self.next_row = row.saturating_add(1);
        }
        for m in vmerges.finish(self.next_row.saturating_sub(1)) {
            self.add_merge(m)?;
        }
        Ok(())
    }

    /// What to tell the user of a cell at `at`: a table nested in it, symbols with no
    /// known character.
    pub(super) fn cell_notices(&mut self, cell: &Cell, at: (u32, u16)) {
        if cell.nested {
            self.doc.notices.push((
                at,
                "此单元格中嵌套了表格，其中的文字已按行并入此单元格读取；如读错，请把嵌套的表格改为普通文字后再试".to_string(),
            ));
        }
        if !cell.unknown_symbols.is_empty() {
            self.doc.notices.push((
                at,
                format!(
                    "此单元格中有无法识别的符号（{}），已读作“\u{FFFD}”；请在 Word 中改为普通文字（如“≤”“≥”）后再试",
                    cell.unknown_symbols.join("、")
                ),
            ));
        }
    }
}

/// The vertical merges (`w:vMerge`) of a table being added, row by row: those open at
/// each grid column, and those closed so far.
#[derive(Default)]
struct VMerges {
    /// Open at a grid column: (first row, span).
    open: BTreeMap<u32, (u32, u32)>,
    /// The text of the cell that opened each vertical merge.
    restart_text: BTreeMap<u32, String>,
    /// The grid columns whose merge the current row continues.
    continued: Vec<u32>,
    merges: Vec<Merge>,
}

impl VMerges {
    /// Whether `cell` continues a merge and repeats the text of the cell that opened it:
    /// LibreOffice writes a merged cell's text again into its continuation cells, which
    /// Word hides, so the same text is the same value (not a second one).
    fn repeats(&mut self, cell: &Cell) -> bool {
        let repeated = cell.vmerge == Some(false)
            && self.continues(cell)
            && self
                .restart_text
                .get(&cell.col)
                .is_some_and(|t| t.trim() == cell.text.trim());
        if cell.vmerge == Some(true) {
            self.restart_text.insert(cell.col, cell.text.clone());
        }
        repeated
    }

    /// Whether a merge of `cell`'s width is open at its column.
    fn continues(&self, cell: &Cell) -> bool {
        self.open.get(&cell.col).is_some_and(|o| o.1 == cell.span)
    }

    /// `cell`, at grid row `row`: it continues the merge open above it, or closes that
    /// merge and opens one of its own (`restart`), or is a cell of its own (closed as a
    /// merge when it spans columns).
    fn cell(&mut self, cell: &Cell, row: u32) {
        match cell.vmerge {
            Some(false) if self.continues(cell) => self.continued.push(cell.col),
            restart => {
                if let Some(o) = self.open.remove(&cell.col) {
                    self.close(cell.col, o, row - 1);
                }
                if restart == Some(true) {
                    self.open.insert(cell.col, (row, cell.span));
                } else {
                    self.close(cell.col, (row, cell.span), row);
                }
            }
        }
    }

    /// Row `row` is done: a vertical merge not continued in it ends above it.
    fn end_row(&mut self, row: u32) {
        let continued = std::mem::take(&mut self.continued);
        let ended: Vec<u32> = self
            .open
            .iter()
            .filter(|(c, o)| !continued.contains(c) && o.0 != row)
            .map(|(c, _)| *c)
            .collect();
        for c in ended {
            if let Some(o) = self.open.remove(&c) {
                self.close(c, o, row - 1);
            }
        }
    }

    /// The table is done, its last row `last`: every merge, the open ones closed there.
    fn finish(mut self, last: u32) -> Vec<Merge> {
        for (c, o) in std::mem::take(&mut self.open) {
            self.close(c, o, last);
        }
        self.merges
    }

    /// Closes the merge opened at grid column `col`, row `top`, `span` columns wide, at
    /// row `last`; one that covers a single cell is none.
    fn close(&mut self, col: u32, (top, span): (u32, u32), last: u32) {
        if let (Ok(c), Ok(lc)) = (
            u16::try_from(col),
            u16::try_from((col + span - 1).min(LAST_COL)),
        ) && (last > top || lc > c)
        {
            self.merges.push(Merge {
                row: top,
                col: c,
                last_row: last,
                last_col: lc,
            });
        }
    }
}
