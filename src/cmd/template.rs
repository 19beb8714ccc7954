//! `declform template`: a blank official form with drop-downs and validation.

use crate::error::Result;
use crate::layout::{LayoutKind, Taxonomy};
use crate::model::{FieldKind, Form, field_kind};
use crate::writer::{self, Formats, Placement};
use chrono::Datelike;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, ProtectionOptions, Workbook, XlsxError,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// 生成空白申报表模板（带下拉选项与数据验证）。Write a blank form, ready for a unit to fill in.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输出文件 / output workbook
    #[arg(short, long, default_value = "申报表模板.xlsx")]
    pub output: PathBuf,
    /// 版式 / layout of the grid
    #[arg(long, value_enum, default_value_t = LayoutKind::Y2024)]
    pub layout: LayoutKind,
    /// 年度（默认为明年）/ the budget year (default: next year)
    #[arg(long)]
    pub year: Option<i32>,
    /// 保护工作表：标签锁定，只能在填写单元格中输入 / protect the sheet, leaving input cells editable
    #[arg(long)]
    pub protect: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<ExitCode> {
    let year = args.year.unwrap_or_else(|| chrono::Local::now().year() + 1);
    let mut wb = template_workbook(args.layout, year, args.protect)
        .map_err(|e| writer::xlsx_error(&args.output.display().to_string(), &e))?;
    writer::save(&mut wb, &args.output)?;
    eprintln!("已生成空白申报表：{}", args.output.display());
    Ok(ExitCode::SUCCESS)
}

/// The blank form's workbook.
pub fn template_workbook(
    layout: LayoutKind,
    year: i32,
    protect: bool,
) -> Result<Workbook, XlsxError> {
    let taxonomy = Taxonomy::get();
    let form = Form::blank(
        Some(year),
        &taxonomy.skeleton_indicators(),
        layout == LayoutKind::Y2026,
    );
    let mut wb = writer::new_workbook();
    let ws = wb.add_worksheet();
    let placement = writer::add_form_sheet(ws, "申报表", &form, layout, &Formats::default())?;
    // Room to write the goals in: five lines of text.
    let style = crate::layout::Style::get();
    let goal_rows: std::collections::BTreeSet<u32> = ["overall_goal", "annual_goal"]
        .iter()
        .filter_map(|k| placement.fields.get(*k).map(|f| f.0))
        .collect();
    for row in goal_rows {
        ws.set_row_height(row, 5.0 * style.line_height + 6.0)?;
    }
    add_validations(ws, &placement, year)?;
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

fn list(title: &str, message: &str, items: &[String]) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(items)?
        .set_input_title(title)?
        .set_input_message(message)?
        .set_error_title("输入无效")?
        .set_error_message(format!("请从下拉列表中选择：{}", items.join("、")))
}

/// Adds the template's drop-downs, decimal and date validation and input messages.
pub fn add_validations(
    ws: &mut rust_xlsxwriter::Worksheet,
    p: &Placement,
    year: i32,
) -> Result<(), XlsxError> {
    let taxonomy = Taxonomy::get();
    let at = |key: &str| p.fields.get(key).copied();
    if let Some((r, c, lc)) = at("project_category") {
        let dv = list(
            "项目类别",
            "请从下拉列表选择项目类别。",
            &taxonomy.project_categories,
        )?;
        ws.add_data_validation(r, c, r, lc, &dv)?;
    }
    if let Some((r, c, lc)) = at("project_nature") {
        let dv = list(
            "项目性质",
            "请从下拉列表选择项目性质。",
            &taxonomy.project_natures,
        )?;
        ws.add_data_validation(r, c, r, lc, &dv)?;
    }
    let money = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_input_title("金额（元）")?
        .set_input_message("请填写以元为单位的金额，不小于 0，最多两位小数即可，如 2646000.00。")?
        .set_error_title("金额无效")?
        .set_error_message("金额须为不小于 0 的数字（单位：元）。")?;
    let first = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let last = ExcelDateTime::from_ymd(2100, 12, 31)?;
    let date = DataValidation::new()
        .allow_date(DataValidationRule::Between(first, last))
        .set_input_title("日期")?
        .set_input_message(format!("请填写日期，如 {year}-01-01。"))?
        .set_error_title("日期无效")?
        .set_error_message("请填写有效日期，格式如 2024-01-01。")?;
    let mut keys: Vec<_> = p.fields.keys().collect();
    keys.sort();
    for key in keys {
        let Some((r, c, lc)) = at(key) else { continue };
        match field_kind(key) {
            Some(FieldKind::Amount) => ws.add_data_validation(r, c, r, lc, &money)?,
            Some(FieldKind::Date) => ws.add_data_validation(r, c, r, lc, &date)?,
            _ => ws,
        };
    }
    let (first_row, last_row) = p.indicator_rows;
    let levels1: Vec<String> = taxonomy.levels.iter().map(|l| l.level1.clone()).collect();
    let levels2: Vec<String> = taxonomy
        .levels
        .iter()
        .flat_map(|l| l.level2.clone())
        .collect();
    let columns = [
        ("level1", list("一级指标", "请选择一级指标：产出、成本、效益或满意度指标。", &levels1)?),
        ("level2", list("二级指标", "请选择与一级指标对应的二级指标；成本指标可不填。", &levels2)?),
        (
            "level3",
            DataValidation::new()
                .allow_any_value()
                .set_input_title("三级指标")?
                .set_input_message("填写具体指标名称，如“维持调解员人数”。")?,
        ),
        (
            "target",
            DataValidation::new()
                .allow_any_value()
                .set_input_title("指标值")?
                .set_input_message("定量指标写 符号+数值+(单位)，如 ≥85.00(%)、=721.00(平方米)、≤2.00(小时)；定性指标直接写，如 一致、及时。")?,
        ),
    ];
    for (field, dv) in &columns {
        if let Some(&c) = p.indicator_columns.get(*field) {
            ws.add_data_validation(first_row, c, last_row, c, dv)?;
        }
    }
    Ok(())
}
