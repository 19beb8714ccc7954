//! Places in a Word document as its user sees them: a form read from a document is read
//! from one grid, each of whose rows came from a table's row or a paragraph above a table,
//! and messages name the table (`表格2`) and the row and cell (`第5行第3格`) instead of the
//! grid's A1 cell.

/// Where one grid row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RowPlace {
    /// Row `row` (1-based) of table `table` (1-based, in document order); the grid
    /// columns where each of its cells starts, left to right.
    Table {
        table: u32,
        row: u32,
        starts: Vec<u16>,
    },
    /// The `above`-th non-empty paragraph above table `table` (1 = right above it).
    Paragraph { table: u32, above: u32 },
}

/// Where each grid row of a document came from, to name places as a Word user sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Places {
    pub(super) rows: std::collections::BTreeMap<u32, RowPlace>,
}

impl Places {
    /// The table (`表格2`) and the place in it (`第5行第3格`, `上方第1段`) of a grid cell.
    pub(crate) fn name(&self, row: u32, col: u16) -> Option<(String, String)> {
        Some(match self.rows.get(&row)? {
            RowPlace::Table { table, row, starts } => {
                let k = starts.iter().take_while(|&&s| s <= col).count().max(1);
                (format!("表格{table}"), format!("第{row}行第{k}格"))
            }
            RowPlace::Paragraph { table, above } => {
                (format!("表格{table}"), format!("上方第{above}段"))
            }
        })
    }

    /// A grid cell named relative to a form's table (`sheet`): `第5行第3格` in that
    /// table, `表格3第2行第1格` in another.
    pub(crate) fn name_from(&self, sheet: Option<&str>, row: u32, col: u16) -> Option<String> {
        let (table, at) = self.name(row, col)?;
        Some(if sheet == Some(table.as_str()) {
            at
        } else {
            format!("{table}{at}")
        })
    }
}
