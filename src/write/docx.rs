//! Forms as a Word document (.docx): each form a Word table in the official grid, one form
//! a page, A4 portrait.
//!
//! The grid is the workbook's: [`lay_out`] places the same labels, values and merges from
//! the layout description in `templates/` (`layout-*.json`), and [`grid_widths`] gives the
//! same columns, here in proportion across the text width of the page. What lies above the
//! grid (the title, the year line) becomes centred paragraphs above the table, as Word forms
//! have them; every other write becomes a table cell, merged with `w:gridSpan` across and
//! `w:vMerge` down. Amounts are text as a workbook shows them (`1,850,000.00`, right-aligned),
//! dates too (`2024-01-01`). Fonts, sizes and margins are `templates/style.json`'s: 宋体 (with
//! its `w:eastAsia` attribute) at 10.5 pt, the title bold at 18 pt.
//!
//! A document is a zip of XML parts: `[Content_Types].xml`, `_rels/.rels`,
//! `word/document.xml`, `word/styles.xml`, `word/settings.xml`, `word/fontTable.xml`,
//! `word/_rels/document.xml.rels` and `docProps/`; every part carries a fixed time, so the
//! same forms give the same bytes. The Word reader (`reader/docx.rs`) reads it back exactly.

use super::columns::grid_widths;
use super::form::{Content, Marks, Op, Role, lay_out, layout_for, refuse_unwritable};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::field::Field;
use crate::layout::{Layout, LayoutKind, Style, TemplateSpec};
use crate::model::Form;
use crate::write::measure;
use chrono::Datelike;
use quick_xml::escape::escape;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// Twentieths of a point (twips), Word's unit of length.
const TWIPS_PER_POINT: f64 = 20.0;
/// Twips per inch.
const TWIPS_PER_INCH: f64 = 1440.0;
/// Room between a cell's text and its left and right borders, in twips (2.25 pt).
const CELL_SIDE: u32 = 45;
/// Room between a cell's text and its top and bottom borders, in twips (1.5 pt).
const CELL_TOP: u32 = 30;

/// The forms as the bytes of a Word document, each in the grid of `layout` (by default, as
/// for workbooks, 2026 for forms with 项目性质, 2024 for others).
pub(crate) fn document(forms: &[Form], layout: Option<LayoutKind>) -> Result<Vec<u8>> {
    for (i, form) in forms.iter().enumerate() {
        refuse_unwritable(form, i)?;
    }
    let mut body = String::new();
    for (i, form) in forms.iter().enumerate() {
        let kind = layout_for(form, layout);
        form_table(&mut body, form, Layout::get(kind), i > 0, |_| {
            BTreeMap::new()
        });
    }
    package(&body, &Layout::get(LayoutKind::Y2024).title.text)
}

/// The blank template (`declform template -o x.docx`): the form `template` writes in a
/// workbook, without its drop-downs and validation, the goal cells kept
/// `templates/template.json`'s lines high for writing in by hand.
pub(crate) fn template(layout: LayoutKind, year: i32) -> Result<Vec<u8>> {
    let spec = TemplateSpec::get();
    let form = Form::blank(
        Some(year),
        layout == LayoutKind::Y2026,
        spec.rows_per_level2,
    );
    let style = Style::get();
    let goal = spec.goal_lines * style.line_height + 2.0 * style.measure.vertical_padding_points;
    let mut body = String::new();
    form_table(&mut body, &form, Layout::get(layout), false, |placement| {
        [Field::OverallGoal, Field::AnnualGoal]
            .iter()
            .filter_map(|f| placement.fields.get(f).map(|at| (at.0, goal)))
            .collect()
    });
    package(&body, &Layout::get(layout).title.text)
}

/// One cell of the grid, as the layout placed it, its value as text.
struct Cell {
    row: u32,
    last_row: u32,
    first: u16,
    last: u16,
    text: String,
    role: Role,
    fill: Option<u32>,
}

impl Cell {
    fn of(op: &Op<'_>) -> Cell {
        let text = match &op.content {
            Content::Text(t) => t.to_string(),
            Content::Date(d) => d.map(date_text).unwrap_or_default(),
            Content::Amount(a) => a.map(|a| a.grouped()).unwrap_or_default(),
        };
        Cell {
            row: op.row,
            last_row: op.last_row,
            first: op.first,
            last: op.last,
            text,
            role: op.role,
            fill: op.fill,
        }
    }
}

/// A date as the workbooks show it (`templates/style.json`'s date format, `yyyy-mm-dd`).
fn date_text(d: chrono::NaiveDate) -> String {
    Style::get()
        .number_formats
        .date
        .replace("yyyy", &format!("{:04}", d.year()))
        .replace("mm", &format!("{:02}", d.month()))
        .replace("dd", &format!("{:02}", d.day()))
}

/// The page's width between its margins, in twips.
fn text_width() -> u32 {
    let style = Style::get();
    let page = style.paper_points.0 * TWIPS_PER_POINT;
    let margins = (style.margins.left + style.margins.right) * TWIPS_PER_INCH;
    (page - margins).round() as u32
}

/// The grid's columns in twips: the workbook's widths as they print (each with its
/// padding), in proportion across the text width, adding up to it exactly.
fn column_twips(widths: &[f64]) -> Vec<u32> {
    let total = text_width();
    let printed: Vec<f64> = widths
        .iter()
        .map(|w| w + measure::column_padding())
        .collect();
    let sum: f64 = printed.iter().sum();
    let mut out: Vec<u32> = printed
        .iter()
        .map(|w| (f64::from(total) * w / sum).floor() as u32)
        .collect();
    let given: u32 = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += total.saturating_sub(given);
    }
    out
}

/// Writes one form: the title and year paragraphs (the title on a new page after the
/// first form), then its table. `heights` gives rows (by the grid's row) a least height in
/// points, from where the form's parts landed.
fn form_table(
    out: &mut String,
    form: &Form,
    layout: &Layout,
    new_page: bool,
    heights: impl FnOnce(&super::form::Placement) -> BTreeMap<u32, f64>,
) {
    let (widths, _) = grid_widths(form, layout);
    let marks = Marks::default();
    let (mut cells, placement) = lay_out(form, layout, &widths, 0, &marks, |g| {
        g.ops.iter().map(Cell::of).collect::<Vec<_>>()
    });
    let heights = heights(&placement);
    cells.sort_by_key(|c| (c.row, c.first));
    let (above, grid): (Vec<Cell>, Vec<Cell>) = cells
        .into_iter()
        .partition(|c| matches!(c.role, Role::Title | Role::Year));
    let style = Style::get();
    for (i, c) in above.iter().enumerate() {
        let title = c.role == Role::Title;
        out.push_str("<w:p><w:pPr><w:keepNext/>");
        if new_page && i == 0 {
            out.push_str("<w:pageBreakBefore/>");
        }
        out.push_str(if title {
            "<w:spacing w:after=\"120\"/>"
        } else {
            "<w:spacing w:after=\"60\"/>"
        });
        out.push_str("<w:jc w:val=\"center\"/></w:pPr>");
        let rpr = if title {
            let half = (style.title_font_size * 2.0).round();
            format!(
                "<w:rPr><w:b/><w:bCs/><w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/></w:rPr>"
            )
        } else {
            String::new()
        };
        runs(out, &c.text, &rpr);
        out.push_str("</w:p>");
    }
    let cols = column_twips(&widths);
    table(out, &grid, &cols, &heights);
}

/// The table of a form's grid cells, on `cols` grid columns (twips each).
fn table(out: &mut String, cells: &[Cell], cols: &[u32], heights: &BTreeMap<u32, f64>) {
    let (Some(top), Some(bottom)) = (
        cells.iter().map(|c| c.row).min(),
        cells.iter().map(|c| c.last_row).max(),
    ) else {
        return;
    };
    let n = cols.len();
    // Which cell covers each place of the grid.
    let rows = (bottom - top + 1) as usize;
    let mut cover: Vec<Option<usize>> = vec![None; rows * n];
    for (i, c) in cells.iter().enumerate() {
        for r in c.row..=c.last_row {
            for col in c.first..=c.last {
                let at = (r - top) as usize * n + usize::from(col);
                if let Some(slot) = cover.get_mut(at).filter(|_| usize::from(col) < n) {
                    *slot = Some(i);
                }
            }
        }
    }
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let _ = write!(
        out,
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{}{}{}{}{}{}</w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"{CELL_TOP}\" w:type=\"dxa\"/><w:left w:w=\"{CELL_SIDE}\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"{CELL_TOP}\" w:type=\"dxa\"/><w:right w:w=\"{CELL_SIDE}\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
        cols.iter().sum::<u32>(),
        border("top"),
        border("left"),
        border("bottom"),
        border("right"),
        border("insideH"),
        border("insideV"),
    );
    for w in cols {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    for r in top..=bottom {
        out.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if let Some(h) = heights.get(&r) {
            let twips = (h * TWIPS_PER_POINT).round();
            let _ = write!(out, "<w:trHeight w:val=\"{twips}\" w:hRule=\"atLeast\"/>");
        }
        out.push_str("</w:trPr>");
        let mut col = 0usize;
        while col < n {
            let at = (r - top) as usize * n + col;
            match cover.get(at).copied().flatten().and_then(|i| cells.get(i)) {
                Some(c) => {
                    let span = usize::from(c.last - c.first) + 1;
                    let width = cols.iter().skip(col).take(span).sum::<u32>();
                    let merge = match (c.row == c.last_row, r == c.row) {
                        (true, _) => "",
                        (false, true) => "<w:vMerge w:val=\"restart\"/>",
                        (false, false) => "<w:vMerge/>",
                    };
                    let text = if r == c.row { c.text.as_str() } else { "" };
                    cell(out, width, span, merge, c.fill, c.role, text);
                    col += span;
                }
                None => {
                    let width = cols.get(col).copied().unwrap_or(0);
                    cell(out, width, 1, "", None, Role::Label, "");
                    col += 1;
                }
            }
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// One table cell.
fn cell(
    out: &mut String,
    width: u32,
    span: usize,
    merge: &str,
    fill: Option<u32>,
    role: Role,
    text: &str,
) {
    let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
    if span > 1 {
        let _ = write!(out, "<w:gridSpan w:val=\"{span}\"/>");
    }
    out.push_str(merge);
    if let Some(rgb) = fill {
        let _ = write!(
            out,
            "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{rgb:06X}\"/>"
        );
    }
    out.push_str("<w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr>");
    let inner = f64::from(width.saturating_sub(2 * CELL_SIDE)) / TWIPS_PER_POINT;
    let indent = match role {
        Role::Amount => 0,
        _ => indent_levels(text, inner),
    };
    if role == Role::Amount && !text.is_empty() {
        // Amounts keep half an indent off the right border, as a workbook's do.
        let room = Style::get().measure.indent_points * TWIPS_PER_POINT / 2.0;
        let _ = write!(out, "<w:ind w:right=\"{}\"/>", room.round());
    }
    if indent > 0 {
        let room = f64::from(indent) * Style::get().measure.indent_points * TWIPS_PER_POINT;
        // A left-aligned text gives the room up at the right, a centred one on both sides.
        let _ = match role {
            Role::Text(_) => write!(out, "<w:ind w:right=\"{}\"/>", room.round()),
            _ => write!(
                out,
                "<w:ind w:left=\"{0}\" w:right=\"{0}\"/>",
                (room / 2.0).round()
            ),
        };
    }
    let jc = match role {
        Role::Text(_) => "left",
        Role::Amount => "right",
        _ => "center",
    };
    let _ = write!(out, "<w:jc w:val=\"{jc}\"/></w:pPr>");
    runs(out, text, "");
    out.push_str("</w:p></w:tc>");
}

/// How many indent levels (0 to 4) narrow a text `inner` points wide so that, wrapped,
/// its last line does not hold one character alone (which moves a character down to keep
/// it company), as the workbook writer indents its cells; 0 where none helps.
fn indent_levels(text: &str, inner: f64) -> u8 {
    if text.is_empty() {
        return 0;
    }
    let style = Style::get();
    // Wrapping takes the room a workbook cell keeps off its borders: added back here,
    // where the cell's margins keep it.
    let width = inner + 2.0 * style.measure.padding_points;
    let measured = measure::Measured::new(text, style.font_size);
    (0..=4u8)
        .find(|&k| !measured.wrap_all(&[width], k).1)
        .unwrap_or(0)
}

/// The runs of a text in one paragraph: its lines separated by `w:br`, tabs as `w:tab`.
fn runs(out: &mut String, text: &str, rpr: &str) {
    if text.is_empty() {
        return;
    }
    let _ = write!(out, "<w:r>{rpr}");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                // A carriage return is kept as a character reference (a literal one would
                // be read as a line feed by any XML parser).
                let escaped = escape(piece).replace('\r', "&#13;");
                let _ = write!(out, "<w:t xml:space=\"preserve\">{escaped}</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// The document's main part around a body.
fn document_xml(body: &str) -> String {
    let style = Style::get();
    let m = &style.margins;
    let tw = |inches: f64| (inches * TWIPS_PER_INCH).round() as u32;
    let (w, h) = (
        (style.paper_points.0 * TWIPS_PER_POINT).round() as u32,
        (style.paper_points.1 * TWIPS_PER_POINT).round() as u32,
    );
    format!(
        "{DECL}<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{body}\
         <w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"20\" w:lineRule=\"exact\"/><w:rPr><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr></w:pPr></w:p>\
         <w:sectPr><w:pgSz w:w=\"{w}\" w:h=\"{h}\"/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"{}\" w:footer=\"{}\" w:gutter=\"0\"/>\
         <w:cols w:space=\"425\"/></w:sectPr></w:body></w:document>",
        tw(m.top),
        tw(m.right),
        tw(m.bottom),
        tw(m.left),
        tw(m.header),
        tw(m.footer),
    )
}

/// The styles: every run in the forms' font (宋体, for East Asian text too) at the body size.
fn styles_xml() -> String {
    let style = Style::get();
    let font = escape(style.font.as_str());
    let half = (style.font_size * 2.0).round();
    format!(
        "{DECL}<w:styles xmlns:w=\"{W_NS}\"><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/>\
         <w:kern w:val=\"2\"/><w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/>\
         <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/>\
         <w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>"
    )
}

/// The font table: 宋体 is SimSun, for programs that know it by that name.
fn font_table_xml() -> String {
    let font = escape(Style::get().font.as_str());
    format!(
        "{DECL}<w:fonts xmlns:w=\"{W_NS}\"><w:font w:name=\"{font}\"><w:altName w:val=\"SimSun\"/>\
         <w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font></w:fonts>"
    )
}

/// Zips the parts of a document with `body` as its content.
fn package(body: &str, title: &str) -> Result<Vec<u8>> {
    let title = escape(title);
    let parts: [(&str, String); 9] = [
        (
            "[Content_Types].xml",
            format!(
                "{DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
                 <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
                 <Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
                 <Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
                 <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
                 <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/></Types>"
            ),
        ),
        (
            "_rels/.rels",
            format!(
                "{DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
                 <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>"
            ),
        ),
        (
            "docProps/core.xml",
            format!(
                "{DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
                 xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
                 xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{title}</dc:title><dc:creator>declform</dc:creator>\
                 <dcterms:created xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z</dcterms:created>\
                 <dcterms:modified xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>"
            ),
        ),
        (
            "docProps/app.xml",
            format!(
                "{DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
                 <Application>declform</Application></Properties>"
            ),
        ),
        (
            "word/_rels/document.xml.rels",
            format!(
                "{DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
                 <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/></Relationships>"
            ),
        ),
        ("word/document.xml", document_xml(body)),
        ("word/styles.xml", styles_xml()),
        (
            "word/settings.xml",
            format!(
                "{DECL}<w:settings xmlns:w=\"{W_NS}\"><w:defaultTabStop w:val=\"420\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/>\
                 <w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>"
            ),
        ),
        ("word/fontTable.xml", font_table_xml()),
    ];
    let fail = |e: String| {
        Error::new(
            ErrorKind::Write,
            Location::file("Word 文档"),
            format!("无法写出 Word 文档（{e}）"),
        )
    };
    let time =
        zip::DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).map_err(|e| fail(e.to_string()))?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, xml) in parts {
        zip.start_file(name, options)
            .map_err(|e| fail(e.to_string()))?;
        zip.write_all(xml.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
    }
    let cursor = zip.finish().map_err(|e| fail(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_text_width_in_the_grids_proportions() {
        let layout = Layout::get(LayoutKind::Y2024);
        let cols = column_twips(&layout.column_widths);
        assert_eq!(cols.iter().sum::<u32>(), text_width());
        assert_eq!(text_width(), 11906 - 2 * 1008);
        // The widest column of the grid is the widest in the table.
        let widest = |v: &[u32]| {
            v.iter()
                .enumerate()
                .max_by_key(|(_, w)| **w)
                .map(|(i, _)| i)
        };
        let units: Vec<u32> = layout
            .column_widths
            .iter()
            .map(|w| (w * 100.0) as u32)
            .collect();
        assert_eq!(widest(&cols), widest(&units));
    }

    #[test]
    fn texts_become_runs_with_breaks_and_tabs_escaped() {
        let mut out = String::new();
        runs(&mut out, "a<b\n\tc\r", "");
        assert_eq!(
            out,
            "<w:r><w:t xml:space=\"preserve\">a&lt;b</w:t><w:br/><w:tab/><w:t xml:space=\"preserve\">c&#13;</w:t></w:r>"
        );
        let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
        assert_eq!(date_text(d), "2024-01-05");
    }
}
