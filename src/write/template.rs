//! The blank template (`declform template`): one official form with the standard indicator
//! rows, drop-down lists, amount and date validation and input messages, all as described in
//! `templates/template.json` and `templates/taxonomy.json`.

use crate::write::form::{Formats, Placement, add_form_sheet};
use crate::write::workbook;

use crate::field::Field;
use crate::layout::{LayoutKind, Style, Taxonomy, TemplateSpec, ValidationSpec};
use crate::model::Form;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeSet;

/// The blank form's workbook.
pub(crate) fn template_workbook(
    layout: LayoutKind,
    year: i32,
    protect: bool,
) -> Result<Workbook, XlsxError> {
    let spec = TemplateSpec::get();
    let form = Form::blank(
        Some(year),
        layout == LayoutKind::Y2026,
        spec.rows_per_level2,
    );
    let mut wb = workbook::new_workbook();
    let ws = wb.add_worksheet();
    let placement = add_form_sheet(ws, &spec.sheet, &form, layout, &Formats::default())?;
    // Room to write the goals in.
    let style = Style::get();
    let goal_rows: BTreeSet<u32> = [Field::OverallGoal, Field::AnnualGoal]
        .iter()
        .filter_map(|k| placement.fields.get(k).map(|f| f.0))
        .collect();
    for row in goal_rows {
        ws.set_row_height(
            row,
            spec.goal_lines * style.line_height + 2.0 * style.measure.vertical_padding_points,
        )?;
    }
    add_validations(ws, &placement, year, spec)?;
    if protect {
        ws.protect_with_options(&ProtectionOptions {
            insert_rows: true,
            format_rows: true,
            format_columns: true,
            ..ProtectionOptions::default()
        });
    }
    Ok(wb)
}

/// The data validation a spec describes.
fn validation(spec: &ValidationSpec, year: i32) -> Result<DataValidation, XlsxError> {
    let template = TemplateSpec::get();
    let mut dv = DataValidation::new();
    if let Some(list) = spec.list {
        let items = Taxonomy::get().list(list);
        dv = dv
            .allow_list_strings(&items)?
            .set_error_title(&template.list_error.title)?
            .set_error_message(
                template
                    .list_error
                    .message
                    .replace("{items}", &items.join("、")),
            )?;
    } else if let Some(min) = spec.min {
        dv = dv.allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(min));
    } else if let (Some(from), Some(to)) = (spec.from, spec.to) {
        let (Some(first), Some(last)) = (workbook::excel_date(from), workbook::excel_date(to))
        else {
            return Err(XlsxError::ParameterError(
                "templates/template.json: date range out of Excel's range".into(),
            ));
        };
        dv = dv.allow_date(DataValidationRule::Between(first, last));
    } else {
        dv = dv.allow_any_value();
    }
    dv = dv
        .set_input_title(&spec.title)?
        .set_input_message(spec.message.replace("{year}", &year.to_string()))?;
    if let Some(t) = &spec.error_title {
        dv = dv.set_error_title(t)?;
    }
    if let Some(m) = &spec.error_message {
        dv = dv.set_error_message(m)?;
    }
    Ok(dv)
}

/// Adds the template's validations in the order `templates/template.json` lists them; one
/// that applies to a kind of field covers every such field, in model-key order.
fn add_validations(
    ws: &mut Worksheet,
    p: &Placement,
    year: i32,
    spec: &TemplateSpec,
) -> Result<(), XlsxError> {
    let mut fields: Vec<(&Field, &(u32, u16, u16))> = p.fields.iter().collect();
    fields.sort_by_key(|(f, _)| f.key());
    let (first_row, last_row) = p.indicator_rows;
    for v in &spec.validations {
        let dv = validation(v, year)?;
        match (v.field, v.kind) {
            // A target split over columns takes the validations of its parts; one written
            // for the whole target (its joined form) applies only where it is one column.
            (Some(_), _) if v.part.is_some() => {
                if let Some(&c) = v.part.and_then(|part| p.target_parts.get(&part)) {
                    ws.add_data_validation(first_row, c, last_row, c, &dv)?;
                }
            }
            (Some(Field::Target), _) if !p.target_parts.is_empty() => {}
            (Some(field), _) if field.indicator_index().is_some() => {
                if let Some(&c) = p.indicator_columns.get(&field) {
                    ws.add_data_validation(first_row, c, last_row, c, &dv)?;
                }
            }
            (Some(field), _) => {
                if let Some(&(r, c, lc)) = p.fields.get(&field) {
                    ws.add_data_validation(r, c, r, lc, &dv)?;
                }
            }
            (None, Some(kind)) => {
                for &(field, &(r, c, lc)) in &fields {
                    if kind.matches(field.kind()) {
                        ws.add_data_validation(r, c, r, lc, &dv)?;
                    }
                }
            }
            (None, None) => {}
        }
    }
    Ok(())
}
