//! A form's indicator table: its header row (一级指标 … 指标值, a split target's columns,
//! extra columns to the right), then its rows down to a 备注 row, the end of the merged
//! 绩效指标 label, an empty row or the next form's title.

use super::Ctx;
use crate::error::{Error, ErrorKind, Result};
use crate::field::Field;
use crate::layout::TargetPart;
use crate::model::{Form, FormCells, Indicator};
use crate::reader::grid::Value;
use crate::vocab::{Meaning, Vocabulary};
use std::borrow::Cow;

/// Reads the indicator table whose header row is `header_row` (the form ends before
/// `limit`) into `form`, noting its cells in `cells`; the table's last row.
pub(super) fn read_indicators(
    ctx: &mut Ctx<'_>,
    form: &mut Form,
    cells: &mut FormCells,
    header_row: u32,
    limit: u32,
) -> Result<u32> {
    let grid = ctx.grid;
    let vocab = Vocabulary::get();
    let IndicatorColumns {
        cols,
        sign_col,
        unit_col,
        extra_cols,
        section_end,
    } = indicator_columns(ctx, cells, header_row)?;
    let c3 = cols[2];
    let split = sign_col.is_some() || unit_col.is_some();
    let all_cols: Vec<u16> = cols
        .iter()
        .copied()
        .chain(sign_col)
        .chain(unit_col)
        .chain(extra_cols.iter().map(|(c, _)| *c))
        .collect();
    // What a cell shows, and the merge covering it.
    let shown_at = |r: u32, c: u16| {
        let (value, merge) = grid.shown_and_merge(r, c);
        (value.map_or(Cow::Borrowed(""), Value::text_ref), merge)
    };
    // Where in `all_cols` the split target's columns are.
    let sign_at = sign_col.map(|_| cols.len());
    let unit_at = unit_col.map(|_| cols.len() + usize::from(sign_col.is_some()));
    let extra_from = all_cols.len() - extra_cols.len();
    let mut rows: Vec<Indicator> = Vec::new();
    let mut last = header_row;
    let mut r = header_row;
    while r < limit {
        r += 1;
        // A 备注 row closes the table; its text goes to the form's `extra`.
        if let Some((c, v)) = grid.row(r).find(|(c, _)| *c <= c3)
            && vocab.is_remark(&v.text_ref())
        {
            let label = v
                .text()
                .chars()
                .filter(|ch| !ch.is_whitespace())
                .collect::<String>();
            let value_cell = ctx.right_of(r, c);
            let value = value_cell
                .and_then(|(vr, vc)| grid.get(vr, vc))
                .map(Value::text)
                .unwrap_or_default();
            ctx.used.insert((r, c));
            if let Some(cell) = value_cell {
                ctx.used.insert(cell);
            }
            cells
                .extra
                .insert(label.clone(), value_cell.unwrap_or((r, c)));
            form.extra.insert(label, value);
            last = r;
            break;
        }
        // What each of the table's columns shows on this row.
        let (mut texts, merges): (Vec<Cow<'_, str>>, Vec<_>) =
            all_cols.iter().map(|&c| shown_at(r, c)).unzip();
        let empty = texts.iter().all(|t| t.is_empty());
        match section_end {
            Some(end) if r > end => break,
            Some(_) => {}
            None if empty => break,
            None => {}
        }
        // A new form's title ends the table; anything else in the table's columns is an
        // indicator, even when it reads like a label (an indicator named 财政拨款（万元）, a
        // target 单位 or 金额单位：元).
        if grid.row(r).any(|(c, v)| {
            matches!(ctx.meaning_at(r, c), Some(Meaning::Title))
                || vocab.is_title_like(&v.text_ref())
        }) {
            break;
        }
        let mut get = |i: Option<usize>| {
            i.and_then(|i| texts.get_mut(i))
                .map(|t| std::mem::take(t).into_owned())
                .unwrap_or_default()
        };
        let extra = extra_cols
            .iter()
            .enumerate()
            .map(|(i, (_, k))| (k.clone(), get(Some(extra_from + i))))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let target = if split {
            crate::target::join(&get(sign_at), &get(Some(3)), &get(unit_at))
        } else {
            get(Some(3))
        };
        let level3 = get(Some(2));
        let prev = rows.last();
        let (mut level1, mut level2) = (get(Some(0)), get(Some(1)));
        let continues = level1.is_empty() && prev.is_some();
        if continues {
            level1 = prev.map(|p| p.level1.clone()).unwrap_or_default();
            if level2.is_empty() {
                level2 = prev.map(|p| p.level2.clone()).unwrap_or_default();
            }
        }
        rows.push(Indicator {
            level1,
            level2,
            level3,
            target,
            extra,
        });
        for (&c, merge) in all_cols.iter().zip(&merges) {
            ctx.used.insert((r, c));
            if let Some(m) = merge {
                for cc in m.col..=m.last_col {
                    ctx.used.insert((r, cc));
                }
            }
        }
        cells.indicator_rows.push(r);
        last = r;
    }
    while rows.last().is_some_and(|i| i == &Indicator::default()) {
        rows.pop();
        cells.indicator_rows.pop();
    }
    form.indicators = rows;
    Ok(last)
}

/// The indicator table's columns, from its header row.
struct IndicatorColumns {
    /// The 一级指标, 二级指标, 三级指标 and 指标值 columns.
    cols: [u16; 4],
    /// A split target's 指标性质 column.
    sign_col: Option<u16>,
    /// A split target's 度量单位 column.
    unit_col: Option<u16>,
    /// The columns right of the known ones, each with its `extra` key.
    extra_cols: Vec<(u16, String)>,
    /// The last row of a merged 绩效指标 label: the table ends there.
    section_end: Option<u32>,
}

/// Reads the indicator table's header row `header_row` (noting its columns in `cells`),
/// or the error naming the columns it lacks.
fn indicator_columns(
    ctx: &mut Ctx<'_>,
    cells: &mut FormCells,
    header_row: u32,
) -> Result<IndicatorColumns> {
    let grid = ctx.grid;
    let mut columns: [Option<u16>; 4] = [None; 4];
    // A split target's 指标性质 and 度量单位 columns.
    let (mut sign_col, mut unit_col): (Option<u16>, Option<u16>) = (None, None);
    let mut section: Option<(u32, u16)> = None;
    for (c, _) in grid.row(header_row) {
        match ctx.meaning_at(header_row, c) {
            Some(Meaning::IndicatorColumn(f)) => {
                let slot = columns.get_mut(f.indicator_index().unwrap_or(3));
                if let Some(slot) = slot.filter(|s| s.is_none()) {
                    *slot = Some(c);
                }
                ctx.used.insert((header_row, c));
            }
            Some(Meaning::TargetPart(part)) => {
                let slot = match part {
                    TargetPart::Sign => &mut sign_col,
                    _ => &mut unit_col,
                };
                if slot.is_none() {
                    *slot = Some(c);
                }
                ctx.used.insert((header_row, c));
            }
            Some(Meaning::IndicatorSection) => {
                section = Some((header_row, c));
                ctx.used.insert((header_row, c));
            }
            _ => {}
        }
    }
    let [Some(c1), Some(c2), Some(c3), Some(c4)] = columns else {
        let missing: Vec<String> = Field::INDICATOR
            .iter()
            .zip(columns)
            .filter(|(_, c)| c.is_none())
            .map(|(f, _)| f.label())
            .collect();
        return Err(Error::new(
            ErrorKind::NoForm,
            ctx.loc(
                header_row,
                ctx.grid.row(header_row).next().map_or(0, |(c, _)| c),
            ),
            format!(
                "绩效指标表头缺少“{}”列；请按官方格式填写表头",
                missing.join("”“")
            ),
        ));
    };
    // Every header cell right of the known columns names an indicator `extra` column,
    // keyed by its text without spaces.
    let rightmost = [Some(c4), sign_col, unit_col]
        .into_iter()
        .flatten()
        .map(|c| grid.last_col_of(header_row, c))
        .max()
        .unwrap_or(c4);
    let mut extra_cols: Vec<(u16, String)> = Vec::new();
    for (c, v) in grid.row(header_row) {
        if c <= rightmost || ctx.used.contains(&(header_row, c)) {
            continue;
        }
        let key: String = v.text().chars().filter(|ch| !ch.is_whitespace()).collect();
        if key.is_empty() || extra_cols.iter().any(|(_, k)| *k == key) {
            continue;
        }
        ctx.used.insert((header_row, c));
        cells.indicator_extra_cols.insert(key.clone(), c);
        extra_cols.push((c, key));
    }
    // The 绩效指标 label may also stand above the header (merged) or to its left.
    if section.is_none() {
        section = grid
            .row(header_row)
            .map(|(c, _)| c)
            .find(|&c| {
                c < c1
                    && matches!(
                        ctx.meaning_at(header_row, c),
                        Some(Meaning::IndicatorSection)
                    )
            })
            .map(|c| (header_row, c));
    }
    let section_end = section
        .filter(|_| grid.has_merge_info())
        .and_then(|(r, c)| grid.merge_at(r, c))
        .map(|m| m.last_row);
    let cols = [c1, c2, c3, c4];
    cells.indicator_cols = cols;
    Ok(IndicatorColumns {
        cols,
        sign_col,
        unit_col,
        extra_cols,
        section_end,
    })
}
