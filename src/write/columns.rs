//! The column widths of a form's grid: the layout's, widened for indicator `extra` columns
//! and narrowed to the printed page without breaking words or amounts.

use super::form::indicator_extra_keys;
use crate::amount::Amount;
use crate::layout::TargetPart;
use crate::layout::{Layout, Style};
use crate::model::FieldValue;
use crate::model::Form;
use crate::target;
use crate::write::measure;

/// The column widths of a form's grid: the layout's, then one per indicator `extra` key,
/// narrowed together where they print wider than `grid_width` (templates/style.json), the
/// width of A4 portrait at 100% less the margins and some room (layout.md "Print"). No column is narrowed below
/// `min_column_width` (templates/style.json), and a column holding an amount alone is kept
/// (or made) wide enough for it: numbers do not wrap. The second value says whether the
/// grid fits the page that way; where it does not, the sheet prints scaled to the page's
/// width.
pub(crate) fn grid_widths(form: &Form, layout: &Layout) -> (Vec<f64>, bool) {
    let extra = indicator_extra_keys(form).len();
    let style = Style::get();
    let mut widths = layout.column_widths.clone();
    let columns = widths.len() + extra;
    let page = style.grid_width - columns as f64 * measure::column_padding();
    let mut mins: Vec<f64> = widths
        .iter()
        .map(|w| w.min(style.min_column_width))
        .collect();
    for cell in &layout.fields {
        let (Some(field), Some(at)) = (cell.field, cell.at) else {
            continue;
        };
        let Some(FieldValue::Amount(Some(a))) = form.get(field) else {
            continue;
        };
        // Over several columns, each keeps its share of the amount's width (less the
        // padding between them, which the amount may use).
        let cols = usize::from(at.col)..=usize::from(at.last_col);
        let span: f64 = widths.get(cols.clone()).map_or(0.0, |w| w.iter().sum());
        let gaps = (cols.clone().count() - 1) as f64 * measure::column_padding();
        let need = amount_units(&a) - gaps;
        for c in cols {
            if let (Some(w), Some(min)) = (widths.get_mut(c), mins.get_mut(c)) {
                let share = need * *w / span;
                *min = min.max(share);
                *w = w.max(share);
            }
        }
    }
    widths.extend(std::iter::repeat_n(style.extra_column_width, extra));
    mins.extend(std::iter::repeat_n(style.min_column_width, extra));
    if widths.iter().sum::<f64>() > page {
        keep_words_whole(form, layout, &widths, &mut mins);
    }
    let fits = fit_widths(&mut widths, &mins, page);
    (widths, fits)
}

/// Raises the least widths of the indicator table's one-column cells (and the `extra`
/// columns) to their longest unbroken run, up to the column's own width: a narrowed column
/// wraps between characters, never inside a number such as `1000.00`.
fn keep_words_whole(form: &Form, layout: &Layout, widths: &[f64], mins: &mut [f64]) {
    let mut raise = |col: usize, text: &str| {
        let need =
            measure::units_for_points(measure::longest_word_points(text, Style::get().font_size));
        if let (Some(min), Some(w)) = (mins.get_mut(col), widths.get(col)) {
            *min = min.max(need.min(*w));
        }
    };
    let split = layout.indicators.columns.iter().any(|c| c.part.is_some());
    for ind in &form.indicators {
        let parts = split.then(|| target::split(&ind.target));
        for c in layout
            .indicators
            .columns
            .iter()
            .filter(|c| c.at.first == c.at.last)
        {
            let text = match (c.part, &parts) {
                (Some(TargetPart::Sign), Some(p)) => p.0.as_str(),
                (Some(TargetPart::Value), Some(p)) => p.1.as_str(),
                (Some(TargetPart::Unit), Some(p)) => p.2.as_str(),
                _ => ind.get(c.field).unwrap_or_default(),
            };
            raise(usize::from(c.at.first), text);
        }
    }
    let first = usize::from(layout.columns());
    for (x, key) in indicator_extra_keys(form).iter().enumerate() {
        for ind in &form.indicators {
            raise(first + x, ind.extra.get(*key).map_or("", String::as_str));
        }
    }
}

/// The width an amount needs on one line as the forms print it (`#,##0.00_ `, indented
/// once), in Excel's units, in the program that needs the most.
fn amount_units(a: &Amount) -> f64 {
    let digits = a.value().abs().trunc().to_string().chars().count();
    // Digits, group separators, the point and decimals, the sign, the format's space.
    let chars = digits
        + digits.saturating_sub(1) / 3
        + a.value().scale() as usize
        + usize::from(a.value().scale() > 0)
        + usize::from(a.value().is_sign_negative())
        + 1;
    let style = Style::get();
    measure::units_for_points(chars as f64 * style.measure.digit_em * style.font_size)
}

/// Narrows `widths` to add up to `total` (when they are wider): every column gives up the
/// same share of what it has above its least width in `mins`. Whether the sum is now
/// within `total` (false: every column is at its least, and that is still wider). Widths
/// are rounded down to whole pixels (1/7 of a unit, as a workbook stores them; a least
/// width up), so that the grid is not wider than `total` as printed by more than a pixel
/// a column at its least, nor the bytes subject to float noise.
fn fit_widths(widths: &mut [f64], mins: &[f64], total: f64) -> bool {
    let sum: f64 = widths.iter().sum();
    if sum <= total + 1e-9 {
        return true;
    }
    let floor: f64 = mins.iter().sum();
    let above = sum - floor;
    let share = if above > 0.0 {
        ((total - floor) / above).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let px = Style::get().pixels_per_unit;
    for (w, min) in widths.iter_mut().zip(mins) {
        // Down to a whole pixel, but never below the least width.
        *w = (((min + (*w - min) * share) * px).floor() / px).max((min * px).ceil() / px);
    }
    floor <= total + 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::LayoutKind;
    use crate::model::Indicator;

    #[test]
    fn grids_print_no_wider_than_the_page_allows() {
        let style = Style::get();
        let printed =
            |w: &[f64]| w.iter().sum::<f64>() + w.len() as f64 * measure::column_padding();
        // The official grids as they are; the split grid's seven columns narrowed a little.
        let mut form = Form::default();
        for kind in [LayoutKind::Y2024, LayoutKind::Y2026] {
            let layout = Layout::get(kind);
            assert_eq!(
                grid_widths(&form, layout),
                (layout.column_widths.clone(), true)
            );
        }
        let split = grid_widths(&form, Layout::get(LayoutKind::Split)).0;
        assert!(printed(&split) <= style.grid_width, "{split:?}");
        // Indicator extras: one column each, all narrowed to the same printed width, to a
        // pixel per column; every column at least the least width.
        let mut ind = Indicator::default();
        ind.extra.insert("指标值设定依据".into(), "上年实际".into());
        ind.extra.insert("权重".into(), "10".into());
        form.indicators.push(ind);
        let (widths, fits) = grid_widths(&form, Layout::get(LayoutKind::Y2024));
        assert!(fits);
        assert_eq!(widths.len(), 7);
        let got = printed(&widths);
        assert!(
            got <= style.grid_width && got > style.grid_width - 1.0,
            "{widths:?}"
        );
        assert!(widths.iter().all(|w| *w >= style.min_column_width));
    }

    #[test]
    fn numbers_stay_whole_in_narrowed_columns() {
        // Four extra columns in the split grid: narrowed to the least widths and scaled to
        // the page, but 指标值 keeps room for 1000.00 on one line.
        let layout = Layout::get(LayoutKind::Split);
        let mut form = Form::default();
        form.funds.total = Some("2646000.00".parse().unwrap());
        let mut ind = Indicator::new("产出指标", "数量指标", "处理件数", "≥1000.00(件)");
        for key in ["指标值设定依据", "计算公式", "权重", "备注"] {
            ind.extra.insert(key.into(), "依据".into());
        }
        form.indicators.push(ind);
        let (widths, fits) = grid_widths(&form, layout);
        assert!(!fits, "{widths:?}");
        let need = measure::units_for_points(measure::longest_word_points("1000.00", 10.5));
        assert!(
            widths[5] >= need && need > Style::get().min_column_width,
            "{widths:?}"
        );
        assert!(
            (widths[6] - Style::get().min_column_width).abs() < 0.15,
            "{widths:?}"
        );
    }

    #[test]
    fn an_amount_keeps_its_column_wide_enough() {
        let layout = Layout::get(LayoutKind::Y2026);
        let mut form = Form::default();
        form.funds.total = Some("99999999.99".parse().unwrap());
        let (widths, fits) = grid_widths(&form, layout);
        assert!(fits);
        // 项目资金总额 stands in C alone: wider than the layout's 14.5, others narrower.
        let need = amount_units(&"99999999.99".parse().unwrap());
        assert!(widths[2] > need - 1.0 / 7.0 && need > 14.5, "{widths:?}");
        assert!(widths.iter().sum::<f64>() <= layout.column_widths.iter().sum::<f64>());
    }
}
