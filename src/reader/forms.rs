//! Finding forms on a sheet by their labels and reading them into the model.

use super::Notice;
use super::grid::{Grid, Value};
use crate::amount::Unit;
use crate::cellref::a1;
use crate::coerce::{UNCALCULATED, amount_of, date_of, uncalculated};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::field::{Field, FieldKind};
use crate::model::{FieldValue, Form, FormCells, Source};
use crate::vocab::{Direction, Meaning, Vocabulary};
use indicators::read_indicators;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

mod indicators;

/// How many rows above 项目名称 the title and year line may stand.
const TITLE_SEARCH_ROWS: u32 = 4;
/// How far below 项目名称 the indicator header may stand.
const HEADER_SEARCH_ROWS: u32 = 60;

/// The forms of one sheet, top to bottom, and what was noticed on the way.
#[derive(Debug, Default)]
pub(crate) struct SheetForms {
    /// The forms.
    pub(crate) forms: Vec<Form>,
    /// Warnings: cells inside a form that map to nothing.
    pub(crate) notices: Vec<Notice>,
    /// The forms that could not be read, each as its error; the others are still read.
    pub(crate) errors: Vec<Error>,
}

struct Ctx<'a> {
    grid: &'a Grid,
    /// What each label cell of the sheet means, worked out once per cell.
    labels: HashMap<(u32, u16), &'static Meaning>,
    sheet: &'a str,
    used: HashSet<(u32, u16)>,
}

impl Ctx<'_> {
    fn loc(&self, row: u32, col: u16) -> Location {
        Location::default().sheet(self.sheet).cell(row, col)
    }

    fn text_at(&self, row: u32, col: u16) -> Option<String> {
        self.grid
            .get(row, col)
            .map(Value::text)
            .filter(|t| !t.is_empty())
    }

    fn meaning_at(&self, row: u32, col: u16) -> Option<&'static Meaning> {
        self.labels.get(&(row, col)).copied()
    }

    /// The value cell to the right of a label: the cell just past the label (and its merge);
    /// where that is empty and not part of a merged blank, the first cell further right
    /// that is not itself a label.
    fn right_of(&self, row: u32, col: u16) -> Option<(u32, u16)> {
        let start = self.grid.last_col_of(row, col).checked_add(1)?;
        if self.grid.get(row, start).is_some() {
            return (self.meaning_at(row, start).is_none()).then_some((row, start));
        }
        if self.grid.merge_at(row, start).is_some() {
            return None;
        }
        let (c, _) = self.grid.row(row).find(|(c, _)| *c > start)?;
        (self.meaning_at(row, c).is_none() && !self.used.contains(&(row, c))).then_some((row, c))
    }

    fn below(&self, row: u32, col: u16) -> Option<(u32, u16)> {
        let r = self.grid.last_row_of(row, col).checked_add(1)?;
        (self.grid.get(r, col).is_some() && self.meaning_at(r, col).is_none()).then_some((r, col))
    }
}

/// Reads every form of a sheet. Sheets without a form give no forms and no error.
pub(crate) fn forms_in_sheet(grid: &Grid, sheet: &str) -> Result<SheetForms> {
    let vocab = Vocabulary::get();
    // Room for the labels of a few forms at once.
    let mut labels: HashMap<(u32, u16), &'static Meaning> =
        HashMap::with_capacity_and_hasher(grid.len().min(1024), Default::default());
    labels.extend(grid.cells().filter_map(|(r, c, v)| match v {
        Value::Text(t) => vocab.meaning(t).map(|m| ((r, c), m)),
        _ => None,
    }));
    let labels = values_are_not_labels(grid, labels);
    // Each form is anchored by its 项目名称 label.
    let anchors: Vec<(u32, u16)> = grid
        .cells()
        .filter(|(r, c, _)| {
            matches!(labels.get(&(*r, *c)), Some(Meaning::Field(f)) if f.iter().any(|(k, _)| *k == Field::ProjectName))
        })
        .map(|(r, c, _)| (r, c))
        .collect();
    let mut ctx = Ctx {
        grid,
        labels,
        sheet,
        // Most of a form's cells end up used: room for those of a few forms at once (not
        // for a sheet of millions of cells, which may hold no form).
        used: HashSet::with_capacity_and_hasher(grid.len().min(4096), Default::default()),
    };
    let mut out = SheetForms::default();
    let mut prev_end: Option<u32> = None;
    for (k, &(row, col)) in anchors.iter().enumerate() {
        if prev_end.is_some_and(|e| row <= e) {
            continue;
        }
        // The next form starts at the next 项目名称 label not right of this one: a
        // `项目名称` further right, below, is a value in this form's indicator table.
        let next_anchor = anchors
            .get(k + 1..)
            .unwrap_or_default()
            .iter()
            .find(|a| a.0 > row && a.1 <= col)
            .map(|a| a.0);
        let limit = next_anchor.map_or(u32::MAX, |n| n.saturating_sub(1));
        match read_form(&mut ctx, row, col, prev_end, limit, &mut out) {
            Ok(Some(end)) => prev_end = Some(end),
            Ok(None) => {}
            // A bad form does not take its neighbours: the next one starts at its own
            // 项目名称, below this one's limit.
            Err(e) => out.errors.push(e),
        }
    }
    Ok(out)
}

/// Takes out of the label map every cell that stands in a value position: the cell just
/// past a label whose value stands to its right, or just below one whose value stands
/// below. A project named `项目名称` or a goal reading like a label is a value there, never
/// a label (cells are taken top to bottom, left to right, so a label's value is decided
/// before that value could act as a label).
fn values_are_not_labels(
    grid: &Grid,
    mut labels: HashMap<(u32, u16), &'static Meaning>,
) -> HashMap<(u32, u16), &'static Meaning> {
    let mut cells: Vec<(u32, u16)> = labels.keys().copied().collect();
    cells.sort_unstable();
    let header_rows: HashSet<u32> = labels
        .iter()
        .filter(|(_, m)| matches!(m, Meaning::IndicatorColumn(Field::Level1)))
        .map(|((r, _), _)| *r)
        .collect();
    for (r, c) in cells {
        let Some(Meaning::Field(fields)) = labels.get(&(r, c)) else {
            continue;
        };
        let value_at = if fields.iter().all(|(_, d)| *d == Direction::Right) {
            grid.last_col_of(r, c).checked_add(1).map(|next| (r, next))
        } else if fields.iter().all(|(_, d)| *d == Direction::Below) {
            // Below a goal's label, an indicator table's header row (where the goal is
            // empty) is still the header.
            grid.last_row_of(r, c)
                .checked_add(1)
                .map(|next| (next, c))
                .filter(|at| !header_rows.contains(&at.0))
        } else {
            None
        };
        if let Some(at) = value_at
            && grid.get(at.0, at.1).is_some()
        {
            labels.remove(&at);
        }
    }
    labels
}

fn read_form(
    ctx: &mut Ctx<'_>,
    anchor_row: u32,
    anchor_col: u16,
    prev_end: Option<u32>,
    limit: u32,
    out: &mut SheetForms,
) -> Result<Option<u32>> {
    let grid = ctx.grid;
    let first_free = prev_end.map_or(0, |e| e + 1);
    // The indicator header closes the header block; without one this is no form.
    let search_end = limit.min(anchor_row.saturating_add(HEADER_SEARCH_ROWS));
    let Some(header_row) = grid
        .rows_in(anchor_row.saturating_add(1)..=search_end)
        .find(|&r| {
            grid.row(r).any(|(c, _)| {
                matches!(
                    ctx.meaning_at(r, c),
                    Some(Meaning::IndicatorColumn(Field::Level1))
                )
            })
        })
    else {
        return Ok(None);
    };

    let mut form = Form::default();
    let above = read_above(ctx, &mut form, anchor_row, first_free)?;
    let mut cells = FormCells::default();
    for (label, at) in above.extra {
        cells.extra.insert(label, at);
    }
    read_header(
        ctx,
        &mut form,
        &mut cells,
        (anchor_row, header_row.saturating_sub(1)),
        above.unit_line,
        &mut out.notices,
    )?;
    let last_row = read_indicators(ctx, &mut form, &mut cells, header_row, limit)?;

    report_leftovers(
        ctx,
        (above.top, last_row),
        anchor_col,
        header_row,
        &mut out.notices,
    );
    if let Some((spot, c)) = crate::xmlchar::first_illegal(&form) {
        let at = cell_of_spot(&cells, spot)
            .map_or_else(|| ctx.loc(anchor_row, anchor_col), |(r, c)| ctx.loc(r, c));
        return Err(Error::new(
            ErrorKind::BadText,
            at,
            format!(
                "含有工作簿中不允许的字符 {}（XML 1.0 不允许），写出后工作簿将无法打开；请在单元格中删去该字符后再试",
                crate::xmlchar::name(c)
            ),
        ));
    }
    let (src_row, src_col) = above.title_cell.unwrap_or((anchor_row, anchor_col));
    form.source = Some(Source {
        cells: Some(cells),
        ..Source::at(Location::default().sheet(ctx.sheet).cell(src_row, src_col))
    });
    out.forms.push(form);
    Ok(Some(last_row))
}

/// What stands above a form's 项目名称 row and belongs to it.
struct Above {
    /// The form's first row.
    top: u32,
    /// The title's cell, where the form has a title.
    title_cell: Option<(u32, u16)>,
    /// The unit line (`金额单位：万元`) nearest the grid: its unit, cell and text.
    unit_line: Option<(Unit, (u32, u16), String)>,
    /// Each `label：value` line's label and cell, the one above the title first.
    extra: Vec<(String, (u32, u16))>,
}

/// Reads the title, year line, unit line and `label：value` lines above the 项目名称 row
/// `anchor_row` (no higher than `first_free`) into `form`.
fn read_above(
    ctx: &mut Ctx<'_>,
    form: &mut Form,
    anchor_row: u32,
    first_free: u32,
) -> Result<Above> {
    let grid = ctx.grid;
    let above_from = anchor_row.saturating_sub(TITLE_SEARCH_ROWS).max(first_free);
    let mut top = anchor_row;
    let mut title_cell = None;
    let mut extra_above: Option<(String, (u32, u16))> = None;
    let mut extra_between: Vec<(String, (u32, u16))> = Vec::new();
    let vocab = Vocabulary::get();
    // A unit line (`金额单位：万元`) above the form says the amounts' unit; the one
    // nearest the grid wins.
    let mut unit_line: Option<(Unit, (u32, u16), String)> = None;
    let mut title_year = None;
    let mut pairs_between: Vec<(String, String, (u32, u16))> = Vec::new();
    for r in (above_from..anchor_row).rev() {
        for (c, v) in grid.row(r) {
            let text = v.text_ref();
            let titled = match ctx.meaning_at(r, c) {
                Some(Meaning::Title) => true,
                None => vocab.is_title_like(&text),
                Some(_) => false,
            };
            if titled {
                title_cell.get_or_insert((r, c));
                title_year = title_year.or_else(|| year_in_title(&text));
                top = top.min(r);
                ctx.used.insert((r, c));
            } else if let Some(u) = vocab.unit_line(&text) {
                let u = u.map_err(|t| unknown_unit(ctx.loc(r, c), &text, &t))?;
                unit_line.get_or_insert((u, (r, c), text.to_string()));
                top = top.min(r);
                ctx.used.insert((r, c));
            } else if form.year.is_none()
                && let Some(y) = year_of(&text)
            {
                // Scanning upwards, the year line nearest 项目名称 wins.
                form.year = Some(y);
                top = top.min(r);
                ctx.used.insert((r, c));
            } else if ctx.meaning_at(r, c).is_none()
                && let Some((label, value)) = text.split_once([':', '：'])
                && !label.trim().is_empty()
            {
                // A `label：value` line between the title and the grid (填报单位：…).
                pairs_between.push((label.trim().to_string(), value.trim().to_string(), (r, c)));
            }
        }
        if title_cell.is_some() {
            break;
        }
    }
    if form.year.is_none() {
        form.year = title_year;
    }
    // Those pairs belong to the form when they stand below its title.
    for (label, value, (r, c)) in pairs_between.into_iter().rev() {
        if title_cell.is_some_and(|(tr, _)| r > tr) {
            form.extra.insert(label.clone(), value);
            extra_between.push((label, (r, c)));
            ctx.used.insert((r, c));
        }
    }
    // A `label：value` line just above the title belongs to the form; a unit line there
    // says the amounts' unit.
    if let Some(r) = top.checked_sub(1).filter(|&r| r >= first_free) {
        let cells: Vec<(u16, String)> = grid.row(r).map(|(c, v)| (c, v.text())).collect();
        for (c, text) in &cells {
            if let Some(u) = vocab.unit_line(text) {
                let u = u.map_err(|t| unknown_unit(ctx.loc(r, *c), text, &t))?;
                unit_line.get_or_insert((u, (r, *c), text.clone()));
                ctx.used.insert((r, *c));
                top = r;
            }
        }
        if let Some((c, text)) = cells
            .iter()
            .find(|(c, t)| t.contains([':', '：']) && !ctx.used.contains(&(r, *c)))
            && let Some((label, value)) = text.split_once([':', '：'])
        {
            form.extra
                .insert(label.trim().to_string(), value.trim().to_string());
            extra_above = Some((label.trim().to_string(), (r, *c)));
            ctx.used.insert((r, *c));
            top = r;
        }
    }
    let mut extra: Vec<(String, (u32, u16))> = extra_above.into_iter().collect();
    extra.extend(extra_between);
    Ok(Above {
        top,
        title_cell,
        unit_line,
        extra,
    })
}

/// Reports what stands in the form's rows `first..=last` (from the form's left edge:
/// the 项目名称 label's or the indicator header's) that nothing took, and formulas
/// without a value: never dropped silently.
fn report_leftovers(
    ctx: &Ctx<'_>,
    (first, last): (u32, u32),
    anchor_col: u16,
    header_row: u32,
    notices: &mut Vec<Notice>,
) {
    let grid = ctx.grid;
    let left = anchor_col.min(
        grid.row(header_row)
            .map(|(c, _)| c)
            .min()
            .unwrap_or(anchor_col),
    );
    for r in grid.rows_in(first..=last) {
        for (c, v) in grid.row(r) {
            if let Value::Uncalculated(f) = v {
                notices.push(Notice {
                    location: ctx.loc(r, c),
                    message: format!("公式 ={f} {UNCALCULATED}（已按空白读取）"),
                });
                continue;
            }
            if c < left || ctx.used.contains(&(r, c)) || ctx.meaning_at(r, c).is_some() {
                continue;
            }
            notices.push(Notice {
                location: ctx.loc(r, c),
                message: format!("单元格内容“{}”不属于申报表的任何栏目，已忽略", v.text()),
            });
        }
    }
}

/// The error for a unit line or label naming a unit the reader does not know.
fn unknown_unit(loc: Location, text: &str, unit: &str) -> Error {
    Error::new(
        ErrorKind::BadUnit,
        loc,
        format!(
            "“{text}”中的金额单位“{unit}”无法识别；请写成 {}",
            Unit::KNOWN
        ),
    )
}

/// A unit read from `text` (at `loc`) and the units read before it, each with its cell and
/// text: an error naming both cells where one differs.
fn agree<'a>(
    unit: Unit,
    text: &str,
    loc: impl Fn() -> Location,
    earlier: impl IntoIterator<Item = &'a Option<(Unit, (u32, u16), String)>>,
) -> Result<()> {
    for (other, at, other_text) in earlier.into_iter().flatten() {
        if *other != unit {
            return Err(Error::new(
                ErrorKind::BadUnit,
                loc(),
                format!(
                    "“{text}”的金额单位是{unit}，而 {} 的“{other_text}”是{other}，无法确定金额单位；请改为一致后再试",
                    a1(at.0, at.1)
                ),
            ));
        }
    }
    Ok(())
}

/// The year of a year line such as `(2024年度)` or `（2026 年度）`.
/// The cell a text of a form stood in.
fn cell_of_spot(cells: &FormCells, spot: crate::xmlchar::Spot<'_>) -> Option<(u32, u16)> {
    use crate::xmlchar::Spot;
    match spot {
        Spot::Header(f) => cells.fields.get(&f).copied(),
        Spot::Indicator(i, f) => Some((
            *cells.indicator_rows.get(i)?,
            *cells.indicator_cols.get(f.indicator_index()?)?,
        )),
        Spot::Extra(k) => cells.extra.get(k).copied(),
        Spot::IndicatorExtra(i, k) => Some((
            *cells.indicator_rows.get(i)?,
            *cells.indicator_extra_cols.get(k)?,
        )),
    }
}

fn year_of(text: &str) -> Option<i32> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let i = t.find("年度")?;
    let digits: String = t
        .get(..i)?
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    let rest = t.get(..i)?.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits.len() != 4 || rest.chars().any(|c| !matches!(c, '(' | '（' | '[' | '【')) {
        return None;
    }
    digits.chars().rev().collect::<String>().parse().ok()
}

/// The year at the start of a title such as `2020年省级部门预算项目绩效目标表`.
fn year_in_title(text: &str) -> Option<i32> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = t.get(digits.len()..)?;
    (digits.len() == 4 && rest.starts_with('年'))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The label of the first amount of the side of the funds block an amount belongs to
/// (项目资金总额 for the project side, 年度资金申请总额 for the annual side).
fn side_of(field: Field) -> Option<Field> {
    let i = field.amount_index()?;
    Field::AMOUNTS.get(if i < 3 { 0 } else { 3 }).copied()
}

fn read_header(
    ctx: &mut Ctx<'_>,
    form: &mut Form,
    cells: &mut FormCells,
    (first, last): (u32, u32),
    unit_line: Option<(Unit, (u32, u16), String)>,
    notices: &mut Vec<Notice>,
) -> Result<()> {
    let grid = ctx.grid;
    let vocab = Vocabulary::get();
    let (found, label_unit) = header_fields(ctx, cells, (first, last), &unit_line, notices)?;
    // A unit note inside the block (`（单位：万元）` beside the amounts) counts as a unit
    // line; it must agree with the others.
    let mut note_unit: Option<(Unit, (u32, u16), String)> = None;
    for r in grid.rows_in(first..=last) {
        for (c, v) in grid.row(r) {
            if ctx.used.contains(&(r, c)) {
                continue;
            }
            let text = v.text_ref();
            let Some(u) = vocab.unit_line(&text) else {
                continue;
            };
            let u = u.map_err(|t| unknown_unit(ctx.loc(r, c), &text, &t))?;
            agree(
                u,
                &text,
                || ctx.loc(r, c),
                [&unit_line, &label_unit, &note_unit],
            )?;
            ctx.used.insert((r, c));
            note_unit.get_or_insert((u, (r, c), text.into_owned()));
        }
    }
    let unit = label_unit
        .or(note_unit)
        .or(unit_line)
        .map_or(Unit::Yuan, |(u, _, _)| u);
    for (key, at) in found {
        if let Some(value) = header_value(ctx, key, at, unit, notices)? {
            form.set(key, value);
        }
    }
    read_extra_pairs(ctx, form, cells, (first, last));
    Ok(())
}

/// The header block's fields with their value cells, and the unit a label of the
/// amounts block names, with its cell and text.
type HeaderFields = (
    Vec<(Field, Option<(u32, u16)>)>,
    Option<(Unit, (u32, u16), String)>,
);

/// Finds the header block's labels (rows `first..=last`), each field's value cell (noted
/// in `cells`), and the unit a label of the amounts block names, which must agree with
/// `unit_line`.
fn header_fields(
    ctx: &mut Ctx<'_>,
    cells: &mut FormCells,
    (first, last): (u32, u32),
    unit_line: &Option<(Unit, (u32, u16), String)>,
    notices: &mut Vec<Notice>,
) -> Result<HeaderFields> {
    let grid = ctx.grid;
    let vocab = Vocabulary::get();
    // The unit a label of the amounts block names (`项目资金（万元）`), with its cell.
    let mut label_unit: Option<(Unit, (u32, u16), String)> = None;
    let mut assigned: HashSet<Field> = HashSet::default();
    // The column of each single-field label, for labels that could mean two fields.
    let mut label_cols: HashMap<Field, u16> = HashMap::default();
    for r in grid.rows_in(first..=last) {
        for (c, _) in grid.row(r) {
            if let Some(Meaning::Field(fields)) = ctx.meaning_at(r, c)
                && let [(f, _)] = fields.as_slice()
            {
                label_cols.entry(*f).or_insert(c);
            }
        }
    }
    // (field, value cell)
    let mut found: Vec<(Field, Option<(u32, u16)>)> = Vec::new();
    for r in grid.rows_in(first..=last) {
        for (c, _) in grid.row(r) {
            let Some(meaning) = ctx.meaning_at(r, c) else {
                continue;
            };
            let label = ctx.text_at(r, c).unwrap_or_default();
            ctx.used.insert((r, c));
            let of_amounts = match meaning {
                Meaning::Section { funds_unit } => *funds_unit,
                Meaning::Field(fields) => fields.iter().any(|(k, _)| k.kind() == FieldKind::Amount),
                _ => false,
            };
            if of_amounts && let Some(u) = vocab.label_unit(&label) {
                let u = u.map_err(|t| unknown_unit(ctx.loc(r, c), &label, &t))?;
                agree(u, &label, || ctx.loc(r, c), [unit_line, &label_unit])?;
                label_unit.get_or_insert((u, (r, c), label.clone()));
            }
            if let Meaning::Field(fields) = meaning {
                let free: Vec<&(Field, Direction)> = fields
                    .iter()
                    .filter(|(k, _)| !assigned.contains(k))
                    .collect();
                let Some(&first) = free.first() else {
                    continue;
                };
                let first_free = first.0;
                // A label that could mean two fields (其他资金): the one whose side of
                // the block stands in the label's column, as the layout's geometry has it.
                let by_geometry = (free.len() > 1)
                    .then(|| {
                        free.iter()
                            .find(|(k, _)| side_of(*k).and_then(|s| label_cols.get(&s)) == Some(&c))
                    })
                    .flatten();
                let &(key, dir) = by_geometry.copied().unwrap_or(first);
                if key != first_free {
                    let side = side_of(key).map(Field::label).unwrap_or_default();
                    notices.push(Notice {
                        location: ctx.loc(r, c),
                        message: format!("“{label}”与“{side}”在同一列，按{}读取", key.header()),
                    });
                }
                assigned.insert(key);
                let at = match dir {
                    Direction::Right => ctx.right_of(r, c),
                    // A goal's text below its label, or beside it where nothing is below:
                    // the reader says so, since the geometry chose it.
                    Direction::Below => ctx.below(r, c).or_else(|| {
                        let right = ctx.right_of(r, c);
                        if right.is_some_and(|(rr, rc)| grid.get(rr, rc).is_some()) {
                            notices.push(Notice {
                                location: ctx.loc(r, c),
                                message: format!(
                                    "“{label}”下方没有内容，按其右侧的单元格读取{}",
                                    key.header()
                                ),
                            });
                        }
                        right
                    }),
                };
                if let Some(cell) = at {
                    ctx.used.insert(cell);
                }
                let expected = at.unwrap_or(match dir {
                    Direction::Right => (r, grid.last_col_of(r, c).saturating_add(1)),
                    Direction::Below => (grid.last_row_of(r, c).saturating_add(1), c),
                });
                cells.fields.insert(key, expected);
                found.push((key, at));
            }
        }
    }
    Ok((found, label_unit))
}

/// The value of the header field `key` at its value cell `at` (none where the layout
/// had no cell for it), amounts in `unit`; `None` for a field the header does not hold.
fn header_value(
    ctx: &Ctx<'_>,
    key: Field,
    at: Option<(u32, u16)>,
    unit: Unit,
    notices: &mut Vec<Notice>,
) -> Result<Option<FieldValue>> {
    let grid = ctx.grid;
    let kind = key.kind();
    let value = match at.and_then(|(r, c)| grid.get(r, c).map(|v| (r, c, v))) {
        None => match kind {
            FieldKind::Text => FieldValue::Text(None),
            FieldKind::Amount => FieldValue::Amount(None),
            FieldKind::Date => FieldValue::Date(None),
            FieldKind::Year | FieldKind::Indicator => return Ok(None),
        },
        Some((r, c, v)) => {
            let loc = || ctx.loc(r, c).field(key);
            match kind {
                // A formula without its result in 项目名称, 主管部门 or any other field
                // is an error, as in an amount: read as blank it would pass unnoticed.
                FieldKind::Text => match v {
                    Value::Uncalculated(f) => return Err(uncalculated(f, loc())),
                    _ => FieldValue::Text(Some(v.text())),
                },
                FieldKind::Amount => FieldValue::Amount(amount_of(v, unit, loc)?),
                FieldKind::Date => {
                    let d = date_of(v, loc)?;
                    if let (Some(d), Value::Number(_) | Value::Int(_)) = (d, v) {
                        notices.push(Notice {
                            location: ctx.loc(r, c).field(key),
                            message: format!(
                                "数字 {} 按日期序号读作 {}；如不对请写成 2024-01-01 这样的日期，或把单元格设为日期格式",
                                v.text(),
                                d.format("%Y-%m-%d")
                            ),
                        });
                    }
                    FieldValue::Date(d)
                }
                FieldKind::Year | FieldKind::Indicator => return Ok(None),
            }
        }
    };
    Ok(Some(value))
}

/// Reads the header block's leftover cells (rows `first..=last`) as label/value pairs
/// the layout does not know, into the form's `extra`.
fn read_extra_pairs(
    ctx: &mut Ctx<'_>,
    form: &mut Form,
    cells: &mut FormCells,
    (first, last): (u32, u32),
) {
    let grid = ctx.grid;
    for r in grid.rows_in(first..=last) {
        for (c, _) in grid.row(r) {
            if ctx.used.contains(&(r, c)) {
                continue;
            }
            let label = ctx.text_at(r, c).unwrap_or_default();
            ctx.used.insert((r, c));
            let value_cell = ctx.right_of(r, c).filter(|cell| !ctx.used.contains(cell));
            let value = match value_cell {
                Some(cell) => {
                    ctx.used.insert(cell);
                    grid.get(cell.0, cell.1)
                        .map(Value::text)
                        .unwrap_or_default()
                }
                None => match label.split_once([':', '：']) {
                    Some((l, v)) => {
                        form.extra
                            .insert(l.trim().to_string(), v.trim().to_string());
                        cells.extra.insert(l.trim().to_string(), (r, c));
                        continue;
                    }
                    None => String::new(),
                },
            };
            cells
                .extra
                .insert(label.clone(), value_cell.unwrap_or((r, c)));
            form.extra.insert(label, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_lines() {
        assert_eq!(year_of("(2024年度)"), Some(2024));
        assert_eq!(year_of("（2026 年度）"), Some(2026));
        assert_eq!(year_of("2025年度"), Some(2025));
        assert_eq!(year_of("年度总目标"), None);
        assert_eq!(year_of("截至2024年度末完成"), None);
        assert_eq!(
            year_in_title("2020年省级部门预算项目绩效目标表"),
            Some(2020)
        );
        assert_eq!(year_in_title("财政项目支出绩效目标申报表"), None);
        assert_eq!(year_in_title("20201年表"), None);
    }
}
