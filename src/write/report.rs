//! The diff's review report: the new forms in the official grid, each changed cell filled,
//! and a listing sheet of every change (described in `templates/tables.json`).

use crate::cellref::a1;
use crate::diff::{Change, ChangeKind, ChangedField};
use crate::error::Result;
use crate::field::Field;
use crate::layout::{DiffSpec, DiffValue, Style, Tables};
use crate::model::Form;
use crate::sheetname::SheetNames;
use crate::write::form::{
    Formats, Marks, Placement, add_marked_form_sheet, layout_for, refuse_unwritable,
};
use crate::write::measure::Widths;
use crate::write::workbook;
use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, FormatUnderline, Note, Url, Workbook, Worksheet, XlsxError,
};

/// Where a change's new value landed in the report's copy of its form, and whether the
/// cell gets the old value as a note.
fn report_cell(c: &Change, p: &Placement) -> Option<((u32, u16), bool)> {
    let (_, row) = c.at?;
    let indicator = |i: usize, f: Field| {
        let col = *p.indicator_columns.get(&f)?;
        Some((p.indicator_rows.0 + u32::try_from(i).ok()?, col))
    };
    match (c.kind, &c.field, row) {
        (ChangeKind::FormAdded, _, _) => Some(((0, 0), false)),
        (ChangeKind::FieldChanged, Some(ChangedField::Field(f)), _) => {
            p.fields.get(f).map(|&(r, col, _)| ((r, col), true))
        }
        (ChangeKind::FieldChanged, Some(ChangedField::Extra(k)), _) if c.new.is_some() => {
            p.extra.get(k).map(|&at| (at, true))
        }
        (ChangeKind::TargetChanged, _, Some(i)) => indicator(i, Field::Target).map(|at| (at, true)),
        (ChangeKind::IndicatorExtraChanged, Some(ChangedField::Extra(k)), Some(i))
            if c.new.is_some() =>
        {
            let col = *p.indicator_extra_columns.get(k)?;
            Some(((p.indicator_rows.0 + u32::try_from(i).ok()?, col), true))
        }
        (ChangeKind::IndicatorAdded, _, Some(i)) => {
            indicator(i, Field::Level3).map(|at| (at, false))
        }
        _ => None,
    }
}

/// The cells each new form's copy fills: changed ones in one colour, added rows in another.
fn marks_of(changes: &[Change], forms: usize, spec: &DiffSpec) -> Vec<Marks> {
    let (changed, added) = (spec.changed_fill(), spec.added_fill());
    let mut marks = vec![Marks::default(); forms];
    for c in changes {
        let Some((j, row)) = c.at else {
            continue;
        };
        let Some(m) = marks.get_mut(j) else {
            continue;
        };
        match (c.kind, &c.field, row) {
            (ChangeKind::FieldChanged, Some(ChangedField::Field(f)), _) => {
                m.fields.insert(*f, changed);
            }
            (ChangeKind::FieldChanged, Some(ChangedField::Extra(k)), _) if c.new.is_some() => {
                m.extra.insert(k.clone(), changed);
            }
            (ChangeKind::IndicatorExtraChanged, Some(ChangedField::Extra(k)), Some(i))
                if c.new.is_some() =>
            {
                m.indicator_extra.insert((i, k.clone()), changed);
            }
            (ChangeKind::TargetChanged, _, Some(i)) => {
                if let Some(k) = Field::Target.indicator_index() {
                    m.indicators.insert((i, k), changed);
                }
            }
            (ChangeKind::IndicatorAdded, _, Some(i)) => {
                for k in 0..Field::INDICATOR.len() {
                    m.indicators.insert((i, k), added);
                }
            }
            _ => {}
        }
    }
    marks
}

/// The review report: a first sheet 变更清单 listing every change (with a link to its cell),
/// then every new form in the official layout, changed cells filled and noted with their
/// old values, added indicator rows filled in a colour of their own.
pub(crate) fn report_workbook(new: &[Form], changes: &[Change]) -> Result<Workbook> {
    for (i, form) in new.iter().enumerate() {
        refuse_unwritable(form, i)?;
    }
    let spec = &Tables::get().diff;
    let err = |e| workbook::xlsx_error(&spec.sheet, e);
    let mut wb = workbook::new_workbook();
    wb.add_worksheet().set_name(&spec.sheet).map_err(err)?;
    let formats = Formats::default();
    let mut names = SheetNames::default();
    names.reserve(&spec.sheet);
    let marks = marks_of(changes, new.len(), spec);
    let mut sheets: Vec<(String, Placement)> = Vec::new();
    for (j, form) in new.iter().enumerate() {
        let ws = wb.add_worksheet();
        let name = names.claim(&form.project_name);
        let no_marks = Marks::default();
        let placed = add_marked_form_sheet(
            ws,
            &name,
            form,
            layout_for(form, None),
            &formats,
            marks.get(j).unwrap_or(&no_marks),
        )
        .map_err(|e| workbook::xlsx_error(&form.project_name, e))?;
        for c in changes.iter().filter(|c| c.at.is_some_and(|(k, _)| k == j)) {
            if let Some(((r, col), true)) = report_cell(c, &placed) {
                let text = spec
                    .old_value_note
                    .replace("{old}", &c.render(c.old.as_deref(), false));
                ws.insert_note(r, col, &Note::new(text).add_author_prefix(false))
                    .map_err(|e| workbook::xlsx_error(&form.project_name, e))?;
            }
        }
        sheets.push((name, placed));
    }
    let ws = wb.worksheet_from_index(0).map_err(err)?;
    write_listing(ws, spec, changes, &sheets).map_err(err)?;
    Ok(wb)
}

/// 变更清单: a header row, then one row per change.
fn write_listing(
    ws: &mut Worksheet,
    spec: &DiffSpec,
    changes: &[Change],
    sheets: &[(String, Placement)],
) -> std::result::Result<(), XlsxError> {
    let page = &Tables::get().summary_page;
    let base = Format::new()
        .set_font_name(&Style::get().font)
        .set_font_size(page.font_size)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let header = base
        .clone()
        .set_bold()
        .set_background_color(page.header_fill())
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = base.clone().set_text_wrap();
    // The difference with its sign, as the text line shows it: +53,000.00.
    let a = workbook::amount_format(2);
    let amount = base.clone().set_num_format(format!("+{a};-{a};{a}"));
    let amount_text = base.clone().set_align(FormatAlign::Right);
    let link = base
        .clone()
        .set_font_color(page.link_color())
        .set_underline(FormatUnderline::Single)
        .set_text_wrap();
    let number = base.set_align(FormatAlign::Center);
    let mut widths = Widths::new(spec.columns.len(), spec.width_min, spec.width_max);
    let col = |c: usize| u16::try_from(c).unwrap_or(u16::MAX);
    for (c, column) in spec.columns.iter().enumerate() {
        let title = column.header();
        ws.write_string_with_format(0, col(c), &title, &header)?;
        widths.see(col(c), &title);
    }
    for (i, ch) in changes.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (c, column) in spec.columns.iter().enumerate() {
            let c = col(c);
            let cell_text = match column.value {
                DiffValue::Index => {
                    ws.write_number_with_format(row, c, (i + 1) as f64, &number)?;
                    continue;
                }
                DiffValue::Delta => {
                    match ch.delta {
                        Some(d) => workbook::write_amount(ws, row, c, d, &amount, &amount_text)?,
                        None => {
                            ws.write_blank(row, c, &text)?;
                        }
                    }
                    widths.see(c, &ch.delta_shown().unwrap_or_default());
                    continue;
                }
                DiffValue::Place => {
                    let target = ch.at.and_then(|(j, _)| {
                        let (name, placed) = sheets.get(j)?;
                        let ((r, cc), _) = report_cell(ch, placed)?;
                        Some(format!(
                            "internal:'{}'!{}",
                            name.replace('\'', "''"),
                            a1(r, cc)
                        ))
                    });
                    let shown = ch.place.to_string();
                    match target {
                        Some(t) => {
                            ws.write_url_with_format(row, c, Url::new(t).set_text(&shown), &link)?;
                        }
                        None => {
                            ws.write_string_with_format(row, c, &shown, &text)?;
                        }
                    }
                    widths.see(c, &shown);
                    continue;
                }
                DiffValue::Kind => ch.kind.description().to_string(),
                DiffValue::Project => ch.project.clone(),
                DiffValue::Department => ch.department.clone(),
                DiffValue::Field => ch
                    .field
                    .as_ref()
                    .map(ChangedField::label)
                    .unwrap_or_default(),
                DiffValue::Indicator => ch
                    .indicator
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                DiffValue::Old if ch.field.is_some() || ch.kind == ChangeKind::TargetChanged => {
                    ch.render(ch.old.as_deref(), false)
                }
                DiffValue::New if ch.field.is_some() || ch.kind == ChangeKind::TargetChanged => {
                    ch.render(ch.new.as_deref(), false)
                }
                DiffValue::Old => ch.old.clone().unwrap_or_default(),
                DiffValue::New => ch.new.clone().unwrap_or_default(),
            };
            ws.write_string_with_format(row, c, &cell_text, &text)?;
            widths.see(c, &cell_text);
        }
    }
    widths.apply(ws)?;
    ws.set_row_height(0, page.header_row_height)?;
    workbook::page_setup(ws, page.paper_size, page.landscape, &page.margins);
    ws.set_repeat_rows(0, 0)?;
    ws.set_freeze_panes(1, 0)?;
    if !changes.is_empty() {
        let last = col(spec.columns.len().saturating_sub(1));
        ws.autofilter(0, 0, u32::try_from(changes.len()).unwrap_or(u32::MAX), last)?;
    }
    Ok(())
}
