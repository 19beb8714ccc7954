//! The model to workbooks in the official layout, with rust_xlsxwriter: each form on a sheet
//! of its own, laid out from the layout description in `templates/`.

use super::columns::grid_widths;
use crate::write::measure::{Measured, Wrap, span_points_into};
use crate::write::workbook;
use crate::write::workbook::{amount_format, date_format};

use crate::amount::Amount;
use crate::error::Result;
use crate::field::Field;
use crate::layout::{Area, Cols, IndicatorColumn, Layout, LayoutKind, Style, TargetPart};
use crate::model::{FieldValue, Form, Indicator};
use crate::sheetname::SheetNames;
use crate::target;
use crate::write::cells::{CellValue, Cells};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

mod unwritable;
pub(crate) use unwritable::{indicator_extra_keys, refuse_unwritable};

/// The layout a form is written in: `layout` when given; otherwise a form with 项目性质
/// gets the 2026 grid, others 2024.
pub(crate) fn layout_for(form: &Form, layout: Option<LayoutKind>) -> LayoutKind {
    layout.unwrap_or(if form.project_nature.is_some() {
        LayoutKind::Y2026
    } else {
        LayoutKind::Y2024
    })
}

/// The formats of the grid, made once per workbook.
#[derive(Debug, Clone)]
pub(crate) struct Formats {
    title: Format,
    year: Format,
    label: Format,
    /// A label that wraps: left-aligned, indented one to four levels (keeping its first
    /// line off the borders and no character alone on its last), its words unchanged.
    label_indented: [Format; 4],
    /// Left-aligned input text, indented one to four levels (the writer indents further a
    /// text whose last line would hold one character).
    text: [Format; 4],
    centered: Format,
    date: Format,
    amount_text: Format,
    amount: Format,
}

impl Default for Formats {
    fn default() -> Self {
        let style = Style::get();
        let base = Format::new()
            .set_font_name(&style.font)
            .set_font_size(style.font_size)
            .set_align(FormatAlign::VerticalCenter);
        let cell = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
        let input = cell.clone().set_unlocked();
        Formats {
            title: base
                .clone()
                .set_font_size(style.title_font_size)
                .set_bold()
                .set_align(FormatAlign::Center),
            year: base.clone().set_align(FormatAlign::Center),
            label: cell.clone().set_align(FormatAlign::Center),
            label_indented: [1, 2, 3, 4]
                .map(|i| cell.clone().set_align(FormatAlign::Left).set_indent(i)),
            text: [1, 2, 3, 4].map(|i| input.clone().set_align(FormatAlign::Left).set_indent(i)),
            centered: input.clone().set_align(FormatAlign::Center),
            date: input
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format(date_format()),
            amount_text: input.clone().set_align(FormatAlign::Right).set_indent(1),
            amount: input
                .set_align(FormatAlign::Right)
                .set_indent(1)
                .set_num_format(amount_format(2)),
        }
    }
}

impl Formats {
    /// Every format a form sheet may use, in a fixed order: the merged workbook registers
    /// them first so that every form sheet, written on its own, has the same style indices
    /// (`merge::FormSheet`). A format used by the grid must be listed here.
    pub(crate) fn every(&self) -> Vec<Format> {
        let mut all = vec![self.title.clone(), self.year.clone(), self.label.clone()];
        all.extend(self.text.iter().cloned());
        all.extend(self.label_indented.iter().cloned());
        all.extend([
            self.centered.clone(),
            self.date.clone(),
            self.amount_text.clone(),
            self.amount.clone(),
        ]);
        // Amounts keep up to 28 decimals (rust_decimal's largest scale).
        all.extend((3..=28).map(|scale| self.amount_with_scale(scale).into_owned()));
        all
    }

    /// Left-aligned input text at an indent level (1 to 4).
    fn text(&self, indent: u8) -> &Format {
        let i = usize::from(indent.clamp(1, 4) - 1);
        self.text.get(i).unwrap_or(&self.centered)
    }

    /// A left-aligned label at an indent level (1 to 4).
    fn label_at(&self, indent: u8) -> &Format {
        let i = usize::from(indent.clamp(1, 4) - 1);
        self.label_indented.get(i).unwrap_or(&self.label)
    }

    /// The format of a write: its role's, filled where it is marked.
    fn of(&self, op: &Op<'_>) -> Cow<'_, Format> {
        let fmt = match op.role {
            Role::Title => Cow::Borrowed(&self.title),
            Role::Year => Cow::Borrowed(&self.year),
            Role::Label => Cow::Borrowed(&self.label),
            Role::LabelIndented(indent) => Cow::Borrowed(self.label_at(indent)),
            Role::Text(indent) => Cow::Borrowed(self.text(indent)),
            Role::Centered => Cow::Borrowed(&self.centered),
            Role::Date => Cow::Borrowed(&self.date),
            Role::Amount => {
                let scale = match op.content {
                    Content::Amount(Some(a)) => a.value().scale(),
                    _ => 2,
                };
                self.amount_with_scale(scale)
            }
        };
        match op.fill {
            Some(color) => Cow::Owned(fmt.into_owned().set_background_color(color)),
            None => fmt,
        }
    }

    /// The style index of [`Formats::of`]`(op)` among the primed formats (the order of
    /// [`Formats::every`], from 1), or 0 for a marked cell's format, which is not one.
    fn index_of(&self, op: &Op<'_>) -> u32 {
        if op.fill.is_some() {
            return 0;
        }
        let level = |indent: u8| u32::from(indent.clamp(1, 4));
        match op.role {
            Role::Title => 1,
            Role::Year => 2,
            Role::Label => 3,
            Role::Text(indent) => 3 + level(indent),
            Role::LabelIndented(indent) => 7 + level(indent),
            Role::Centered => 12,
            Role::Date => 13,
            Role::Amount => match op.content {
                Content::Amount(Some(a)) if a.value().scale() > 2 => {
                    // Scales 3..=28 follow amount_text (14) and amount (15).
                    13 + a.value().scale().min(28)
                }
                _ => 15,
            },
        }
    }

    fn amount_with_scale(&self, scale: u32) -> Cow<'_, Format> {
        if scale <= 2 {
            Cow::Borrowed(&self.amount)
        } else {
            Cow::Owned(self.amount.clone().set_num_format(amount_format(scale)))
        }
    }
}

/// Where a written form's parts landed on its sheet (zero-based).
#[derive(Debug, Clone, Default)]
pub(crate) struct Placement {
    /// Field → (row, first column, last column) of its value.
    pub(crate) fields: HashMap<Field, (u32, u16, u16)>,
    /// The indicator rows, first and last.
    pub(crate) indicator_rows: (u32, u32),
    /// Indicator field → its first column (a split target: its 指标值 column).
    pub(crate) indicator_columns: HashMap<Field, u16>,
    /// A split target's parts → their columns (empty where the target is one column).
    pub(crate) target_parts: HashMap<TargetPart, u16>,
    /// `extra` key → its value cell.
    pub(crate) extra: HashMap<String, (u32, u16)>,
    /// Indicator `extra` key → its column.
    pub(crate) indicator_extra_columns: HashMap<String, u16>,
}

/// Cells to fill with a colour (RGB) as a form is written, by what they hold: a header
/// field, an `extra` entry, or an indicator row's column (index into [`Field::INDICATOR`]).
/// A merged 一级/二级 cell is filled when every row it spans is marked alike.
#[derive(Debug, Clone, Default)]
pub(crate) struct Marks {
    pub(crate) fields: HashMap<Field, u32>,
    pub(crate) extra: HashMap<String, u32>,
    pub(crate) indicators: HashMap<(usize, usize), u32>,
    /// An indicator row's `extra` cell, by row and key.
    pub(crate) indicator_extra: HashMap<(usize, String), u32>,
}

/// Writes forms into one sheet each and returns the workbook.
pub(crate) fn workbook_of(forms: &[Form], layout: Option<LayoutKind>) -> Result<Workbook> {
    for (i, form) in forms.iter().enumerate() {
        refuse_unwritable(form, i)?;
    }
    let mut wb = workbook::new_workbook();
    let formats = Formats::default();
    let mut names = SheetNames::default();
    for form in forms {
        let ws = wb.add_worksheet();
        let name = names.claim(&form.project_name);
        add_form_sheet(ws, &name, form, layout_for(form, layout), &formats)
            .map_err(|e| workbook::xlsx_error(&form.project_name, e))?;
    }
    if forms.is_empty() {
        wb.add_worksheet();
    }
    Ok(wb)
}

/// Names a sheet, sets up the page and writes one form at its top.
pub(crate) fn add_form_sheet(
    ws: &mut Worksheet,
    name: &str,
    form: &Form,
    kind: LayoutKind,
    formats: &Formats,
) -> Result<Placement, XlsxError> {
    add_marked_form_sheet(ws, name, form, kind, formats, &Marks::default())
}

/// [`add_form_sheet`] with cells filled as `marks` says.
pub(crate) fn add_marked_form_sheet(
    ws: &mut Worksheet,
    name: &str,
    form: &Form,
    kind: LayoutKind,
    formats: &Formats,
    marks: &Marks,
) -> Result<Placement, XlsxError> {
    ws.set_name(name)?;
    let layout = Layout::get(kind);
    let (widths, _fits) = grid_widths(form, layout);
    for (col, width) in widths.iter().enumerate() {
        ws.set_column_width(u16::try_from(col).unwrap_or(u16::MAX), *width)?;
    }
    let style = Style::get();
    workbook::page_setup(ws, style.paper_size, false, &style.margins);
    // One page wide, any number tall: a grid that fits prints at 100% (no program enlarges
    // to fit), one whose fonts measure wider than planned (another program, a missing font)
    // or with more indicator extra columns than the page holds at their least width
    // (see `grid_widths`) is scaled to the page's width rather than split sideways.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    write_form(ws, form, layout, &widths, formats, 0, marks)
}

/// What one write of the grid puts in its cell or merged area.
pub(crate) enum Content<'a> {
    Text(Cow<'a, str>),
    Date(Option<chrono::NaiveDate>),
    Amount(Option<Amount>),
}

/// What a write of the grid is, which decides how it looks: a workbook gives each role a
/// format of [`Formats`], a Word document paragraph and cell properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The title, above the grid.
    Title,
    /// The year line, above the grid.
    Year,
    /// A label of the layout, centred on one line.
    Label,
    /// A label that wraps: left-aligned, indented one to four levels, its words unchanged.
    LabelIndented(u8),
    /// A left-aligned input text, indented one to four levels.
    Text(u8),
    /// A centred value (一级指标, 二级指标, 指标性质, 度量单位).
    Centered,
    /// A date, centred.
    Date,
    /// An amount, right-aligned.
    Amount,
}

/// One write, held until the whole form is laid out: the sheet is then written row by row
/// (as constant-memory worksheets require) with every row height known first; a Word
/// document is written from the same writes.
pub(crate) struct Op<'a> {
    pub(crate) row: u32,
    pub(crate) last_row: u32,
    pub(crate) first: u16,
    pub(crate) last: u16,
    pub(crate) content: Content<'a>,
    pub(crate) role: Role,
    /// The background colour (RGB) where the cells are marked.
    pub(crate) fill: Option<u32>,
}

pub(crate) struct Grid<'a> {
    widths: &'a [f64],
    /// row → the tallest height its cells need, in points.
    heights: BTreeMap<u32, f64>,
    pub(crate) ops: Vec<Op<'a>>,
    /// The text being placed, cut into pieces once for all the widths and indents tried.
    measured: Measured,
    /// The printed widths of the columns it spans, in each program measured.
    spans: Vec<f64>,
}

impl<'a> Grid<'a> {
    /// Measures `text` in columns `cols` for [`Grid::wrapped`] and [`Grid::indent_for`]:
    /// cuts it into pieces at the body font, and the columns' printed widths, in points,
    /// in each program measured.
    fn measure(&mut self, cols: (u16, u16), text: &str) {
        let (first, last) = cols;
        let units = (first..=last)
            .map(|c| {
                self.widths
                    .get(usize::from(c))
                    .copied()
                    .unwrap_or(Style::get().default_column_width)
            })
            .sum();
        let columns = usize::from(last.saturating_sub(first)) + 1;
        span_points_into(units, columns, &mut self.spans);
        self.measured.set(text, Style::get().font_size);
    }

    /// Makes row `row` tall enough for `lines` lines of body text.
    fn need_lines(&mut self, row: u32, lines: usize) {
        let style = Style::get();
        let h = lines as f64 * style.line_height + 2.0 * style.measure.vertical_padding_points;
        let slot = self.heights.entry(row).or_insert(style.min_row_height);
        *slot = slot.max(h);
    }

    fn push(
        &mut self,
        row: u32,
        last_row: u32,
        cols: (u16, u16),
        content: Content<'a>,
        role: Role,
    ) {
        self.ops.push(Op {
            row,
            last_row,
            first: cols.0,
            last: cols.1,
            content,
            role,
            fill: None,
        });
    }

    /// A text in a format without indent (the title, the year line).
    fn text(
        &mut self,
        row: u32,
        last_row: u32,
        cols: (u16, u16),
        text: impl Into<Cow<'a, str>>,
        role: Role,
    ) {
        let text = text.into();
        self.measure(cols, &text);
        let (w, _) = self.wrapped();
        self.place(row, last_row, cols, text, role, w.lines);
    }

    /// One of the layout's labels (or an indicator `extra` key heading its column), in
    /// its exact words (a program that matches header text finds them): centred on one line;
    /// where it wraps, left-aligned and indented, so that its first line keeps off the
    /// borders, as far as keeps a last character company (as `input_text` does for values).
    fn label(&mut self, row: u32, last_row: u32, cols: (u16, u16), text: impl Into<Cow<'a, str>>) {
        let text = text.into();
        self.measure(cols, &text);
        match self.wrapped() {
            (w, false) if w.lines == 1 => self.place(row, last_row, cols, text, Role::Label, 1),
            _ => {
                let (indent, lines) = self.indent_for();
                self.place(
                    row,
                    last_row,
                    cols,
                    text,
                    Role::LabelIndented(indent),
                    lines,
                );
            }
        }
    }

    /// A centered value (一级指标, 二级指标, 指标性质): where it would wrap with one
    /// character alone on its last line, it is written as an input text instead (left,
    /// indented as far as keeps the character company); values are never altered.
    fn centered(
        &mut self,
        row: u32,
        last_row: u32,
        cols: (u16, u16),
        text: impl Into<Cow<'a, str>>,
    ) {
        let text = text.into();
        self.measure(cols, &text);
        match self.wrapped() {
            (_, true) => self.place_indented(row, last_row, cols, text),
            (w, false) => self.place(row, last_row, cols, text, Role::Centered, w.lines),
        }
    }

    /// How the text measured last ([`Grid::measure`]) wraps unindented in its columns: the
    /// most lines in any program, and whether a last line holds one character alone in any.
    fn wrapped(&self) -> (Wrap, bool) {
        let (w, orphan, _) = self.measured.wrap_all(&self.spans, 0);
        (w, orphan)
    }

    /// Writes a text of `lines` printed lines, making a one-row cell that tall.
    fn place(
        &mut self,
        row: u32,
        last_row: u32,
        cols: (u16, u16),
        text: impl Into<Cow<'a, str>>,
        role: Role,
        lines: usize,
    ) {
        if row == last_row {
            self.need_lines(row, lines);
        }
        let content = Content::Text(text.into());
        self.push(row, last_row, cols, content, role);
    }

    /// A left-aligned input text, indented so that it keeps off the border. A text whose
    /// last line would hold one character alone is indented further (up to four levels),
    /// which moves a character down to keep it company: the first level that avoids it in
    /// every program measured, or else in Excel's (the narrowest), or else one level.
    fn input_text(
        &mut self,
        row: u32,
        last_row: u32,
        cols: (u16, u16),
        text: impl Into<Cow<'a, str>>,
    ) {
        let text = text.into();
        self.measure(cols, &text);
        self.place_indented(row, last_row, cols, text);
    }

    /// [`Grid::input_text`] for the text measured last.
    fn place_indented(&mut self, row: u32, last_row: u32, cols: (u16, u16), text: Cow<'a, str>) {
        let (indent, lines) = self.indent_for();
        self.place(row, last_row, cols, text, Role::Text(indent), lines);
    }

    /// The indent level (1 to 4) at which the text measured last keeps off the border with
    /// no character alone on its last line: the first level that avoids it in every
    /// program measured, or else in Excel's (the narrowest), or else one level; and its
    /// printed lines.
    fn indent_for(&self) -> (u8, usize) {
        // Most texts need no search: the first level that avoids a lone last character in
        // every program ends it; the first that avoids it in Excel's is kept as a fallback.
        let mut fallback: Option<(u8, Wrap)> = None;
        let mut level_one: Option<Wrap> = None;
        for indent in 1..=4u8 {
            let (w, anywhere, in_narrowest) = self.measured.wrap_all(&self.spans, indent);
            if !anywhere {
                return (indent, w.lines);
            }
            if indent == 1 {
                level_one = Some(w);
            }
            if !in_narrowest && fallback.is_none() {
                fallback = Some((indent, w));
            }
        }
        match fallback {
            Some((indent, w)) => (indent, w.lines),
            None => (1, level_one.map_or(1, |w| w.lines)),
        }
    }

    fn value(&mut self, row: u32, last_row: u32, cols: (u16, u16), value: FieldValue) {
        match value {
            FieldValue::Text(t) => self.input_text(row, last_row, cols, t.unwrap_or_default()),
            FieldValue::Year(y) => {
                let text = y.map(|y| y.to_string()).unwrap_or_default();
                self.input_text(row, last_row, cols, text)
            }
            FieldValue::Date(d) => self.push(row, last_row, cols, Content::Date(d), Role::Date),
            FieldValue::Amount(a) => {
                self.push(row, last_row, cols, Content::Amount(a), Role::Amount);
            }
        }
    }

    /// Fills the last write's cells with a colour.
    fn mark_last(&mut self, color: Option<u32>) {
        if let (Some(color), Some(op)) = (color, self.ops.last_mut()) {
            op.fill = Some(color);
        }
    }

    /// Writes the row heights, then every write in row order.
    fn finish<C: Cells>(mut self, ws: &mut C, f: &Formats) -> Result<(), XlsxError> {
        // Rows of the default height need no row record of their own.
        let min = Style::get().min_row_height;
        ws.set_default_row_height(min);
        for (row, h) in &self.heights {
            if *h > min {
                ws.set_row_height(*row, *h)?;
            }
        }
        self.ops.sort_by_key(|op| (op.row, op.first));
        for op in &self.ops {
            let fmt = f.of(op);
            let fmt = fmt.as_ref();
            let xf = f.index_of(op);
            let merged = op.row != op.last_row || op.first != op.last;
            if merged {
                let text = match &op.content {
                    Content::Text(t) => t.as_ref(),
                    _ => "",
                };
                ws.merge_range((op.row, op.first, op.last_row, op.last), text, fmt, xf)?;
            }
            match &op.content {
                Content::Text(_) if merged => {}
                Content::Text(t) if t.is_empty() => {
                    ws.write(op.row, op.first, CellValue::Blank, fmt, xf)?;
                }
                Content::Text(t) => {
                    ws.write(op.row, op.first, CellValue::Text(t), fmt, xf)?;
                }
                Content::Date(d) => match d.and_then(workbook::excel_date) {
                    Some(dt) => {
                        ws.write(op.row, op.first, CellValue::Date(&dt), fmt, xf)?;
                    }
                    None if !merged => {
                        ws.write(op.row, op.first, CellValue::Blank, fmt, xf)?;
                    }
                    None => {}
                },
                Content::Amount(a) => match a {
                    // As `workbook::write_amount`: a number, or text when a float cannot
                    // carry the amount exactly.
                    Some(a) => match a.to_f64_exact() {
                        Some(n) => ws.write(op.row, op.first, CellValue::Number(n), fmt, xf)?,
                        None => ws.write(
                            op.row,
                            op.first,
                            CellValue::Text(&a.to_string()),
                            &f.amount_text,
                            AMOUNT_TEXT_XF,
                        )?,
                    },
                    None if !merged => {
                        ws.write(op.row, op.first, CellValue::Blank, fmt, xf)?;
                    }
                    None => {}
                },
            }
        }
        Ok(())
    }
}

/// The style index of `Formats::amount_text` among the primed formats.
const AMOUNT_TEXT_XF: u32 = 14;

/// The pairs written in the extra rows: model fields this layout has no cell for (with
/// their field), then `extra` (without).
fn extra_pairs(form: &Form, layout: &Layout) -> Vec<(Option<Field>, String, String)> {
    let mut pairs = Vec::new();
    for f in &layout.extra.fields {
        if let Some(FieldValue::Text(Some(v))) = form.get(f.field) {
            pairs.push((Some(f.field), f.label.clone(), v));
        }
    }
    pairs.extend(form.extra.iter().map(|(k, v)| (None, k.clone(), v.clone())));
    pairs
}

/// Where the layout's areas land for one form: shifted down by the origin and, below the
/// layout's `extra.after_row`, by the extra rows; cells of the header block that end at the
/// layout's last column widened over the indicator `extra` columns, so the grid stays a
/// rectangle.
struct Frame {
    origin_row: u32,
    /// The extra rows inserted, and the pairs each holds.
    extra_rows: u32,
    slots: usize,
    after: u32,
    /// The layout's last column, and the indicator `extra` columns right of it.
    base_last: u16,
    added: u16,
}

impl Frame {
    fn new(layout: &Layout, origin_row: u32, pairs: usize, indicator_keys: usize) -> Frame {
        let slots = layout.extra.pairs.len().max(1);
        Frame {
            origin_row,
            extra_rows: u32::try_from(pairs.div_ceil(slots)).unwrap_or(u32::MAX),
            slots,
            after: layout.extra.after_row,
            base_last: layout.columns().saturating_sub(1),
            added: u16::try_from(indicator_keys).unwrap_or(u16::MAX),
        }
    }

    fn row(&self, r: u32) -> u32 {
        self.origin_row + r + if r >= self.after { self.extra_rows } else { 0 }
    }

    fn widen(&self, (first, last): (u16, u16)) -> (u16, u16) {
        if last == self.base_last {
            (first, last.saturating_add(self.added))
        } else {
            (first, last)
        }
    }

    fn area(&self, a: &Area) -> (u32, u32, (u16, u16)) {
        (
            self.row(a.row),
            self.row(a.last_row),
            self.widen((a.col, a.last_col)),
        )
    }
}

/// One form being laid out: the grid's writes, where its parts land, and what to fill.
struct FormWrite<'a> {
    g: Grid<'a>,
    frame: Frame,
    layout: &'a Layout,
    marks: &'a Marks,
    placement: Placement,
}

/// A form's sheet for a merged workbook, as XML: the bytes rust_xlsxwriter writes for
/// [`add_form_sheet`] (with the formats primed, strings inline), written directly.
pub(crate) fn form_sheet_xml(
    form: &Form,
    kind: LayoutKind,
    formats: &Formats,
) -> Result<Vec<u8>, XlsxError> {
    let layout = Layout::get(kind);
    let (widths, _fits) = grid_widths(form, layout);
    let mut sheet = super::sheet_xml::SheetXml::default();
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(u16::try_from(col).unwrap_or(u16::MAX), *width)?;
    }
    write_form(
        &mut sheet,
        form,
        layout,
        &widths,
        formats,
        0,
        &Marks::default(),
    )?;
    Ok(sheet.xml())
}

/// Writes one form with its top-left cell at `origin_row`, column A, filling the cells
/// `marks` names.
pub(crate) fn write_form<C: Cells>(
    ws: &mut C,
    form: &Form,
    layout: &Layout,
    widths: &[f64],
    f: &Formats,
    origin_row: u32,
    marks: &Marks,
) -> Result<Placement, XlsxError> {
    let (written, placement) = lay_out(form, layout, widths, origin_row, marks, |grid| {
        grid.finish(ws, f)
    });
    written?;
    Ok(placement)
}

/// Lays one form out in the grid of `layout` with columns `widths` (Excel's units), its
/// top-left cell at `origin_row`, column A: every write the grid holds (labels, values,
/// merges, what each is), and where the form's parts landed. The workbook writer writes
/// these to a sheet (`to`), the Word writer to a table.
pub(crate) fn lay_out<R>(
    form: &Form,
    layout: &Layout,
    widths: &[f64],
    origin_row: u32,
    marks: &Marks,
    to: impl FnOnce(Grid<'_>) -> R,
) -> (R, Placement) {
    let pairs = extra_pairs(form, layout);
    // Indicator `extra` keys get columns right of the layout's.
    let ind_keys = indicator_extra_keys(form);
    let empty_row = [Indicator::default()];
    let indicators: &[Indicator] = if form.indicators.is_empty() {
        &empty_row
    } else {
        &form.indicators
    };
    let mut w = FormWrite {
        g: Grid {
            widths,
            heights: BTreeMap::new(),
            ops: Vec::new(),
            measured: Measured::default(),
            spans: Vec::new(),
        },
        frame: Frame::new(layout, origin_row, pairs.len(), ind_keys.len()),
        layout,
        marks,
        placement: Placement::default(),
    };
    w.header(form);
    w.extra_rows(&pairs);
    w.indicators(indicators, &ind_keys);
    (to(w.g), w.placement)
}

impl<'a> FormWrite<'a> {
    /// The title, the year and the header fields, labels and values.
    fn header(&mut self, form: &'a Form) {
        let layout = self.layout;
        let (r, lr, cols) = self.frame.area(&layout.title.at);
        self.g
            .text(r, lr, cols, layout.title.text.as_str(), Role::Title);
        self.g.heights.insert(r, Style::get().title_row_height);
        let (r, lr, cols) = self.frame.area(&layout.year.at);
        let year = form
            .year
            .map(|y| layout.year.text.replace("{year}", &y.to_string()))
            .unwrap_or_default();
        self.g.text(r, lr, cols, year, Role::Year);

        let period = form.period().unwrap_or_default();
        for cell in &layout.fields {
            let (r, lr, cols) = self.frame.area(&cell.label_at);
            let label = cell.label.replace("{period}", &period);
            self.g.label(r, lr, cols, label);
            if let (Some(field), Some(at)) = (cell.field, &cell.at) {
                let (r, lr, cols) = self.frame.area(at);
                let value = form.get(field).unwrap_or(FieldValue::Text(None));
                self.g.value(r, lr, cols, value);
                self.g.mark_last(self.marks.fields.get(&field).copied());
                self.placement.fields.insert(field, (r, cols.0, cols.1));
            }
        }
    }

    /// The extra rows: model fields the layout has no cell for, then `extra`, `slots` pairs
    /// to a row.
    fn extra_rows(&mut self, pairs: &'a [(Option<Field>, String, String)]) {
        let frame = &self.frame;
        let slots = frame.slots;
        for i in 0..(frame.extra_rows as usize * slots) {
            let row = frame.origin_row + frame.after + u32::try_from(i / slots).unwrap_or(0);
            let Some(slot) = self.layout.extra.pairs.get(i % slots) else {
                continue;
            };
            let (field, label, value) = pairs
                .get(i)
                .map_or((None, "", ""), |(fd, l, v)| (*fd, l.as_str(), v.as_str()));
            self.g.text(
                row,
                row,
                frame.widen(span(slot.label_at)),
                label,
                Role::Label,
            );
            self.g
                .input_text(row, row, frame.widen(span(slot.at)), value);
            let at = (row, slot.at.first);
            let mark = match field {
                Some(field) => {
                    self.placement
                        .fields
                        .insert(field, (row, slot.at.first, slot.at.last));
                    self.marks.fields.get(&field)
                }
                None if pairs.get(i).is_some() => {
                    self.placement.extra.insert(label.to_string(), at);
                    self.marks.extra.get(label)
                }
                None => None,
            };
            self.g.mark_last(mark.copied());
        }
    }

    /// The indicator table: its section label and headers, a column at a time its rows
    /// (一级 and 二级 merged over equal rows), then the indicator `extra` columns.
    fn indicators(&mut self, indicators: &'a [Indicator], ind_keys: &[&'a str]) {
        let spec = &self.layout.indicators;
        let header = self.frame.row(spec.header_row - 1);
        let n = u32::try_from(indicators.len()).unwrap_or(u32::MAX);
        let label_cols = span(spec.label.column);
        self.g
            .label(header, header + n, label_cols, spec.label.text.as_str());
        for c in &spec.columns {
            self.g.label(header, header, span(c.at), c.label.as_str());
            if matches!(c.part, None | Some(TargetPart::Value)) {
                self.placement.indicator_columns.insert(c.field, c.at.first);
            }
            if let Some(part) = c.part {
                self.placement.target_parts.insert(part, c.at.first);
            }
        }
        self.placement.indicator_rows = (header + 1, header + n);
        let rows: Vec<[&str; 4]> = indicators.iter().map(Indicator::texts).collect();
        // A target split over columns: each row's 指标性质, 指标值 and 度量单位.
        let parts: Vec<(String, String, String)> = if spec.columns.iter().any(|c| c.part.is_some())
        {
            indicators
                .iter()
                .map(|i| target::split(&i.target))
                .collect()
        } else {
            Vec::new()
        };
        for c in &spec.columns {
            self.indicator_column(c, header, &rows, &parts);
        }
        for (x, key) in ind_keys.iter().enumerate() {
            let col = self.frame.base_last + 1 + u16::try_from(x).unwrap_or(u16::MAX);
            self.g.label(header, header, (col, col), *key);
            self.placement
                .indicator_extra_columns
                .insert(key.to_string(), col);
            for (i, ind) in indicators.iter().enumerate() {
                let r = header + 1 + u32::try_from(i).unwrap_or(0);
                let text = ind.extra.get(*key).map_or("", String::as_str);
                self.g.input_text(r, r, (col, col), text);
                let mark = self.marks.indicator_extra.get(&(i, key.to_string()));
                self.g.mark_last(mark.copied());
            }
        }
    }

    /// One column of the indicator rows below `header`: 一级 merged over equal 一级, 二级
    /// over equal (一级, 二级); a merged cell filled when every row it spans is marked alike.
    fn indicator_column(
        &mut self,
        c: &IndicatorColumn,
        header: u32,
        rows: &[[&'a str; 4]],
        parts: &[(String, String, String)],
    ) {
        let k = c.field.indicator_index().unwrap_or(3);
        let centered = k < 2 || matches!(c.part, Some(TargetPart::Sign | TargetPart::Unit));
        let same = |a: &[&str; 4], b: &[&str; 4]| k < 2 && a[0] == b[0] && (k == 0 || a[1] == b[1]);
        let mut i = 0;
        while i < rows.len() {
            let mut j = i + 1;
            while j < rows.len()
                && rows
                    .get(i)
                    .zip(rows.get(j))
                    .is_some_and(|(a, b)| same(a, b))
            {
                j += 1;
            }
            let r = header + 1 + u32::try_from(i).unwrap_or(0);
            let lr = header + u32::try_from(j).unwrap_or(0);
            let part = parts.get(i);
            let text: Cow<'a, str> = match (c.part, part) {
                (Some(TargetPart::Sign), Some(p)) => p.0.clone().into(),
                (Some(TargetPart::Value), Some(p)) => p.1.clone().into(),
                (Some(TargetPart::Unit), Some(p)) => p.2.clone().into(),
                _ => rows
                    .get(i)
                    .and_then(|row| row.get(k).copied())
                    .unwrap_or("")
                    .into(),
            };
            if centered {
                self.g.centered(r, lr, span(c.at), text);
            } else {
                self.g.input_text(r, lr, span(c.at), text);
            }
            let mark = self.marks.indicators.get(&(i, k)).copied();
            if (i..j).all(|row| self.marks.indicators.get(&(row, k)).copied() == mark) {
                self.g.mark_last(mark);
            }
            i = j;
        }
    }
}

fn span(c: Cols) -> (u16, u16) {
    (c.first, c.last)
}
