//! PDF forms, as spreadsheets and word processors print them: the table is rebuilt from the
//! drawn rules and the positioned text, and handed to the same form recogniser as a sheet.
//!
//! `pdf-extract` (on `lopdf`) parses the file, runs each page's content stream and decodes
//! the text through the fonts' encodings and ToUnicode maps; it hands over every glyph with
//! its text rendering matrix, and every stroked or filled path with its transform. Here:
//!
//! - ruling lines are stroked segments and rectangles, and filled rectangles thinner than
//!   [`THIN`] (Calc and Word draw borders so); their x positions make the column
//!   boundaries, their y positions the row boundaries, each clustered within [`SNAP`];
//! - a cell whose boundary with its neighbour has no rule is merged with it;
//! - text inside the table goes to the cell it stands in, its lines joined (CJK without a
//!   space, Latin with one); text outside the rules (the title, the year line) makes rows of
//!   its own, one a printed line, in the first column;
//! - a page whose table does not start with 项目名称 continues the previous page's form: its
//!   rows are stacked below, a first row repeating the previous page's header row skipped.
//!
//! Each run of pages read as one sheet is named `第2页`, or `第2-3页` when a form runs on,
//! and its cells are counted from the top of its first page, so that messages say
//! `x.pdf!第2页!C6`.

use super::grid::{Grid, Merge, Value};
use super::{Notice, Read};
use crate::error::{Error, ErrorKind, Location, Result};
use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// Positions closer than this (in points) are one rule line.
const SNAP: f64 = 2.0;
/// A filled rectangle this thin (in points) or thinner is a rule.
const THIN: f64 = 2.5;

/// Whether the bytes are a PDF file: `%PDF-` starts it (after a byte order mark or white
/// space), or, for a file named `.pdf`, stands within its first kilobyte (as PDF readers
/// accept); a JSON or CSV file that mentions `%PDF-` is not one.
pub(crate) fn is_pdf(bytes: &[u8], named_pdf: bool) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0)
        .unwrap_or(body.len());
    if body.get(start..).is_some_and(|b| b.starts_with(b"%PDF-")) {
        return true;
    }
    let head = bytes.get(..1024).unwrap_or(bytes);
    named_pdf && memchr::memmem::find(head, b"%PDF-").is_some()
}

/// The most operators a page's content may run (form XObjects it draws counted in).
const MAX_PAGE_OPS: u64 = 200_000;
/// The most operators the whole document may run.
const MAX_DOC_OPS: u64 = 2_000_000;
/// The most bytes of shown text (glyph codes) a page may have.
const MAX_PAGE_GLYPHS: u64 = 100_000;
/// The most bytes of shown text the whole document may have.
const MAX_DOC_GLYPHS: u64 = 2_000_000;
/// The most path operators (segments, rectangles) a page may draw.
const MAX_PAGE_PATHS: u64 = 50_000;
/// The most path operators the whole document may draw.
const MAX_DOC_PATHS: u64 = 1_000_000;
/// The most bytes a page's content (or a form XObject's) may have; printed forms have some
/// ten kilobytes a page.
const MAX_CONTENT_BYTES: usize = 1 << 20;
/// The deepest graphics state nesting (`q` … `Q`) a content stream may have.
const MAX_DEPTH: u64 = 1_000;

/// A glyph: where its baseline starts, how wide and tall it is, and its text.
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    w: f64,
    size: f64,
    text: String,
}

/// A horizontal (`y`, from `a` to `b` in x) or vertical (`x`, from `a` to `b` in y) rule.
#[derive(Debug, Clone, Copy)]
struct Rule {
    at: f64,
    a: f64,
    b: f64,
}

#[derive(Debug, Default)]
struct Page {
    glyphs: Vec<Glyph>,
    horizontal: Vec<Rule>,
    vertical: Vec<Rule>,
}

/// Collects each page's glyphs and rules from `pdf-extract`.
#[derive(Default)]
struct Collector {
    pages: Vec<Page>,
}

impl Collector {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        self.pages.last_mut().unwrap_or_else(|| unreachable!())
    }

    fn segment(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64)) {
        let page = self.page();
        if (y0 - y1).abs() <= SNAP / 2.0 && (x0 - x1).abs() > SNAP / 2.0 {
            page.horizontal.push(Rule {
                at: (y0 + y1) / 2.0,
                a: x0.min(x1),
                b: x0.max(x1),
            });
        } else if (x0 - x1).abs() <= SNAP / 2.0 && (y0 - y1).abs() > SNAP / 2.0 {
            page.vertical.push(Rule {
                at: (x0 + x1) / 2.0,
                a: y0.min(y1),
                b: y0.max(y1),
            });
        }
    }

    fn path(&mut self, ctm: &Transform, path: &Path, filled: bool) {
        let at = |x: f64, y: f64| {
            (
                ctm.m11 * x + ctm.m21 * y + ctm.m31,
                ctm.m12 * x + ctm.m22 * y + ctm.m32,
            )
        };
        let mut current = None;
        let mut start = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    current = Some(at(x, y));
                    start = current;
                }
                PathOp::LineTo(x, y) => {
                    let p = at(x, y);
                    if let Some(c) = current
                        && !filled
                    {
                        self.segment(c, p);
                    }
                    current = Some(p);
                }
                PathOp::CurveTo(.., x, y) => current = Some(at(x, y)),
                PathOp::Close => {
                    if let (Some(c), Some(s)) = (current, start)
                        && !filled
                    {
                        self.segment(c, s);
                    }
                    current = start;
                }
                PathOp::Rect(x, y, w, h) => {
                    let corners = [at(x, y), at(x + w, y), at(x + w, y + h), at(x, y + h)];
                    let (xs, ys) = (corners.map(|c| c.0), corners.map(|c| c.1));
                    let (x0, x1) = (min(&xs), max(&xs));
                    let (y0, y1) = (min(&ys), max(&ys));
                    if filled {
                        // A thin filled rectangle is a rule; a larger one is shading.
                        if y1 - y0 <= THIN && x1 - x0 > THIN {
                            self.segment((x0, (y0 + y1) / 2.0), (x1, (y0 + y1) / 2.0));
                        } else if x1 - x0 <= THIN && y1 - y0 > THIN {
                            self.segment(((x0 + x1) / 2.0, y0), ((x0 + x1) / 2.0, y1));
                        }
                    } else {
                        let [a, b, c, d] = corners;
                        for (from, to) in [(a, b), (b, c), (c, d), (d, a)] {
                            self.segment(from, to);
                        }
                    }
                }
            }
        }
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> std::result::Result<(), OutputError> {
        self.pages.push(Page::default());
        Ok(())
    }
    fn end_page(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> std::result::Result<(), OutputError> {
        // The glyph's size on the page: the font size through the rendering matrix.
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = (font_size * scale).abs();
        if char.is_empty() || !size.is_finite() {
            return Ok(());
        }
        let glyph = Glyph {
            x: trm.m31,
            y: trm.m32,
            w: (width * font_size * trm.m11).abs(),
            size,
            text: char.to_string(),
        };
        self.page().glyphs.push(glyph);
        Ok(())
    }
    fn begin_word(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> std::result::Result<(), OutputError> {
        Ok(())
    }
    fn stroke(
        &mut self,
        ctm: &Transform,
        _colorspace: &ColorSpace,
        _color: &[f64],
        path: &Path,
    ) -> std::result::Result<(), OutputError> {
        self.path(ctm, path, false);
        Ok(())
    }
    fn fill(
        &mut self,
        ctm: &Transform,
        colorspace: &ColorSpace,
        color: &[f64],
        path: &Path,
    ) -> std::result::Result<(), OutputError> {
        // A white fill is a cell's background, never a rule (white is all ones in gray and
        // RGB, all zeros in CMYK).
        let white = match colorspace {
            ColorSpace::DeviceCMYK => !color.is_empty() && color.iter().all(|&c| c <= 0.01),
            _ => !color.is_empty() && color.iter().all(|&c| c >= 0.99),
        };
        if white {
            return Ok(());
        }
        self.path(ctm, path, true);
        Ok(())
    }
}

/// Clusters positions within [`SNAP`] of each other; the mean of each cluster, sorted.
fn cluster(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((sum, n)) if x - *sum / *n as f64 <= SNAP => {
                *sum += x;
                *n += 1;
            }
            _ => out.push((x, 1)),
        }
    }
    out.into_iter().map(|(s, n)| s / n as f64).collect()
}

/// Whether some rule at `at` covers `point` along its length.
fn ruled(rules: &[Rule], at: f64, point: f64) -> bool {
    rules
        .iter()
        .any(|r| (r.at - at).abs() <= SNAP && r.a - SNAP <= point && point <= r.b + SNAP)
}

/// One printed row of a page: a band of the table between two horizontal rules, or a line
/// of text outside the table.
enum Row {
    /// The table's cells that start in this band.
    Band(Vec<Cell>),
    /// A line of text outside the rules.
    Free(String),
}

/// A cell of the table: its columns, how many bands it spans down, and its text.
#[derive(Debug, Clone)]
struct Cell {
    col: u16,
    last_col: u16,
    rows: u32,
    text: String,
    /// No rule draws its top edge (a cell continued from the previous page).
    open_top: bool,
    /// No rule draws its bottom edge (a cell continued on the next page).
    open_bottom: bool,
}

/// A page's rows, top to bottom, and whether a boundary had to be guessed.
struct PageRows {
    rows: Vec<Row>,
    guessed: Vec<String>,
    /// The column boundaries (x, left to right) that the cells' columns count.
    xs: Vec<f64>,
}

/// Joins lines of glyphs into text: glyphs of one line by x (a space where a gap is wider
/// than a third of the glyph size), lines top to bottom, CJK without a space between lines,
/// Latin (or a line ending with ASCII `,;:!?`) with one.
fn join_text(glyphs: &mut [&Glyph]) -> String {
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in glyphs.iter() {
        match lines.last_mut() {
            Some(line) if same_line(line, g) => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    let mut out = String::new();
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut text = String::new();
        let mut end: Option<f64> = None;
        for g in line {
            if let Some(e) = end
                && g.x - e > g.size / 3.0
                && !text.ends_with(' ')
                && g.text != " "
            {
                text.push(' ');
            }
            text.push_str(&g.text);
            end = Some(g.x + g.w);
        }
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        // Between lines: a space between Latin letters, and after ASCII punctuation that
        // text follows with a space (", " before a line break in the seeds' CJK text).
        if let (Some(a), Some(b)) = (out.chars().last(), text.chars().next())
            && ((!is_cjk(a) && !is_cjk(b)) || matches!(a, ',' | ';' | ':' | '!' | '?'))
        {
            out.push(' ');
        }
        out.push_str(text);
    }
    out
}

/// Whether a glyph stands on the line begun by the first glyph of `line`.
fn same_line(line: &[&Glyph], g: &Glyph) -> bool {
    line.first()
        .is_some_and(|f| (f.y - g.y).abs() <= f.size.max(g.size) * 0.5)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// Rebuilds a page's table: bands between horizontal rules, cells between vertical ones,
/// merges where a rule is missing.
fn page_rows(page: &Page) -> PageRows {
    let mut guessed = Vec::new();
    let ys = {
        let mut y = cluster(page.horizontal.iter().map(|r| r.at).collect());
        y.reverse(); // top first
        y
    };
    let xs = cluster(page.vertical.iter().map(|r| r.at).collect());
    // A band is a table band when vertical rules cross its middle.
    struct Band {
        top: f64,
        bottom: f64,
        /// Which column boundaries (indexes into xs) are ruled at the band's middle.
        ruled: Vec<bool>,
    }
    let mut bands: Vec<Band> = Vec::new();
    for (&top, &bottom) in ys.iter().zip(ys.iter().skip(1)) {
        let mid = (top + bottom) / 2.0;
        let ruled_at: Vec<bool> = xs.iter().map(|&x| ruled(&page.vertical, x, mid)).collect();
        if ruled_at.iter().filter(|&&r| r).count() >= 2 && top - bottom > SNAP {
            bands.push(Band {
                top,
                bottom,
                ruled: ruled_at,
            });
        }
    }
    // Glyphs by band and cell; the others are free text.
    let ncols = xs.len().saturating_sub(1);
    let mut in_cell: Vec<Vec<Vec<&Glyph>>> =
        bands.iter().map(|_| vec![Vec::new(); ncols]).collect();
    let mut free: Vec<&Glyph> = Vec::new();
    for g in &page.glyphs {
        let (cx, cy) = (g.x + g.w / 2.0, g.y + g.size * 0.3);
        let band = bands.iter().position(|b| b.bottom <= cy && cy <= b.top);
        let col = xs
            .iter()
            .zip(xs.iter().skip(1))
            .position(|(&l, &r)| l <= cx && cx <= r);
        match band
            .zip(col)
            .and_then(|(b, c)| in_cell.get_mut(b)?.get_mut(c))
        {
            Some(cell) => cell.push(g),
            None => free.push(g),
        }
    }
    // Cells: union of neighbours without a rule between them.
    let nb = bands.len();
    let id = |b: usize, c: usize| b * ncols + c;
    let mut parent: Vec<usize> = (0..nb * ncols).collect();
    /// The root of `i`'s set (an index out of range is its own).
    fn find(p: &[usize], mut i: usize) -> usize {
        while let Some(&up) = p.get(i).filter(|&&up| up != i) {
            i = up;
        }
        i
    }
    fn union(p: &mut [usize], a: usize, b: usize) {
        let (a, b) = (find(p, a), find(p, b));
        if let Some(slot) = p.get_mut(a) {
            *slot = b;
        }
    }
    // Columns outside a band's outermost rules are not part of the table there.
    let inside = |b: &Band, c: usize| {
        let first = b.ruled.iter().position(|&r| r).unwrap_or(0);
        let last = b.ruled.iter().rposition(|&r| r).unwrap_or(0);
        first <= c && c < last
    };
    for (bi, b) in bands.iter().enumerate() {
        for c in 0..ncols.saturating_sub(1) {
            if inside(b, c) && inside(b, c + 1) && b.ruled.get(c + 1) == Some(&false) {
                union(&mut parent, id(bi, c), id(bi, c + 1));
            }
        }
        if let Some(next) = bands.get(bi + 1)
            && (next.top - b.bottom).abs() <= SNAP
        {
            for (c, (&l, &r)) in xs.iter().zip(xs.iter().skip(1)).enumerate() {
                let mid = (l + r) / 2.0;
                if inside(b, c) && inside(next, c) && !ruled(&page.horizontal, b.bottom, mid) {
                    union(&mut parent, id(bi, c), id(bi + 1, c));
                }
            }
        }
    }
    // Each cell's rectangle.
    let mut boxes: std::collections::BTreeMap<usize, (usize, usize, usize, usize, usize)> =
        Default::default();
    for (bi, b) in bands.iter().enumerate() {
        for c in 0..ncols {
            if !inside(b, c) {
                continue;
            }
            let root = find(&parent, id(bi, c));
            let e = boxes.entry(root).or_insert((bi, c, bi, c, 0));
            e.0 = e.0.min(bi);
            e.1 = e.1.min(c);
            e.2 = e.2.max(bi);
            e.3 = e.3.max(c);
            e.4 += 1;
        }
    }
    let mut rows: Vec<(f64, Row)> = bands
        .iter()
        .map(|b| (b.top, Row::Band(Vec::new())))
        .collect();
    for (b0, c0, b1, c1, n) in boxes.into_values() {
        if n != (b1 - b0 + 1) * (c1 - c0 + 1) {
            guessed.push(format!(
                "第 {} 行起的表格线不成矩形，已按其外框读作一个单元格",
                b0 + 1
            ));
        }
        let mut glyphs: Vec<&Glyph> = Vec::new();
        for cells in in_cell.iter().take(b1 + 1).skip(b0) {
            for g in cells.iter().take(c1 + 1).skip(c0) {
                glyphs.extend(g.iter().copied());
            }
        }
        let text = join_text(&mut glyphs);
        // An edge is open when no rule crosses any of its columns' middles.
        let open = |y: Option<f64>| {
            y.is_some_and(|y| {
                (c0..=c1).all(|c| match (xs.get(c), xs.get(c + 1)) {
                    (Some(l), Some(r)) => !ruled(&page.horizontal, y, (l + r) / 2.0),
                    _ => false,
                })
            })
        };
        let open_top = open(bands.get(b0).map(|b| b.top));
        let open_bottom = open(bands.get(b1).map(|b| b.bottom));
        if let Some((_, Row::Band(cells))) = rows.get_mut(b0) {
            cells.push(Cell {
                col: u16::try_from(c0).unwrap_or(u16::MAX),
                last_col: u16::try_from(c1).unwrap_or(u16::MAX),
                rows: u32::try_from(b1 - b0 + 1).unwrap_or(1),
                text,
                open_top,
                open_bottom,
            });
        }
    }
    // Free text: one row a printed line.
    free.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in free {
        match lines.last_mut() {
            Some(line) if same_line(line, g) => line.push(g),
            _ => lines.push(vec![g]),
        }
    }
    for mut line in lines {
        let y = line.first().map_or(0.0, |g| g.y);
        let text = join_text(&mut line);
        if !text.is_empty() {
            rows.push((y, Row::Free(text)));
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    PageRows {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        guessed,
        xs,
    }
}

/// The text of a band's cells, to compare a repeated header row.
fn band_texts(row: &Row) -> Option<Vec<&str>> {
    match row {
        Row::Band(cells) => Some(cells.iter().map(|c| c.text.as_str()).collect()),
        Row::Free(_) => None,
    }
}

fn starts_form(rows: &[Row]) -> bool {
    let first = rows.iter().find_map(|r| match r {
        Row::Band(cells) => Some(cells),
        Row::Free(_) => None,
    });
    match first {
        Some(cells) => cells
            .iter()
            .any(|c| c.text.split_whitespace().collect::<String>() == "项目名称"),
        None => true,
    }
}

/// Counts a continued page's columns by the boundaries `xs` of its form's first page;
/// false when a boundary of a cell has no counterpart there.
fn remap_columns(page: &mut PageRows, xs: &[f64]) -> bool {
    let map: Vec<Option<usize>> = page
        .xs
        .iter()
        .map(|x| xs.iter().position(|s| (s - x).abs() <= SNAP))
        .collect();
    for row in &mut page.rows {
        let Row::Band(cells) = row else { continue };
        for c in cells {
            let left = map.get(usize::from(c.col)).copied().flatten();
            let right = map.get(usize::from(c.last_col) + 1).copied().flatten();
            match (left, right) {
                (Some(l), Some(r)) if r > l => {
                    c.col = u16::try_from(l).unwrap_or(u16::MAX);
                    c.last_col = u16::try_from(r - 1).unwrap_or(u16::MAX);
                }
                _ => return false,
            }
        }
    }
    true
}

/// The texts of the cells at a page's table edge: those of its first band (`top`), or
/// those reaching its last band.
fn edge_texts(rows: &[Row], top: bool) -> Vec<&str> {
    let bands: Vec<&Vec<Cell>> = rows
        .iter()
        .filter_map(|r| match r {
            Row::Band(cells) => Some(cells),
            Row::Free(_) => None,
        })
        .collect();
    let n = bands.len();
    let mut out = Vec::new();
    for (i, cells) in bands.into_iter().enumerate() {
        for c in cells {
            let reaches = if top {
                i == 0
            } else {
                i + usize::try_from(c.rows).unwrap_or(1) >= n
            };
            if reaches && !c.text.is_empty() {
                out.push(c.text.as_str());
            }
        }
    }
    out
}

/// Drops the lines outside the table at a page break that repeat the text of a cell split
/// by the break: a merged cell's label drawn again on the other page, outside its clip
/// (below the previous page's table, or above or within the next page's).
fn drop_clipped_copies(pages: &mut [PageRows]) {
    for i in 1..pages.len() {
        let (before, after) = pages.split_at_mut(i);
        let (Some(prev), Some(next)) = (before.last_mut(), after.first_mut()) else {
            continue;
        };
        if next.rows.is_empty() || starts_form(&next.rows) {
            continue;
        }
        let texts: Vec<String> = edge_texts(&prev.rows, false)
            .into_iter()
            .chain(edge_texts(&next.rows, true))
            .map(str::to_string)
            .collect();
        let copy = |r: &Row| matches!(r, Row::Free(t) if texts.contains(t));
        while prev.rows.last().is_some_and(copy) {
            prev.rows.pop();
        }
        // Before the page's last band: a label drawn centred on the whole merged cell can
        // stand a little above the table or between its bands.
        let last_band = next
            .rows
            .iter()
            .rposition(|r| matches!(r, Row::Band(_)))
            .unwrap_or(0);
        let mut i = 0;
        next.rows.retain(|r| {
            i += 1;
            i > last_band || !copy(r)
        });
    }
}

/// Moves a form's title and year lines printed at the bottom of a page, below the previous
/// form's table, to the top of the next page whose table starts a form without a title.
fn carry_titles(pages: &mut [PageRows]) {
    for i in 1..pages.len() {
        let (before, after) = pages.split_at_mut(i);
        let (Some(prev), Some(next)) = (before.last_mut(), after.first_mut()) else {
            continue;
        };
        if !matches!(next.rows.first(), Some(Row::Band(_))) || !starts_form(&next.rows) {
            continue;
        }
        let tail = prev
            .rows
            .iter()
            .rposition(|r| matches!(r, Row::Band(_)))
            .map_or(0, |b| b + 1);
        let title =
            prev.rows.iter().skip(tail).position(
                |r| matches!(r, Row::Free(t) if t.contains("申报表") || t.contains("年度")),
            );
        if let Some(at) = title {
            let moved: Vec<Row> = prev.rows.drain(tail + at..).collect();
            next.rows.splice(0..0, moved);
        }
    }
}

/// One run of pages read as a sheet.
struct Sheet {
    first: usize,
    last: usize,
    grid: Grid,
    next_row: u32,
    /// The texts of the last page's first band, to skip a header row repeated on the next.
    header: Option<Vec<String>>,
    guessed: Vec<String>,
    /// Merges, added to the grid at the end: a cell split by a page break grows.
    merges: Vec<Merge>,
    /// The cells that reach the bottom of the last page's table: first row, first and last
    /// column, rows spanned, whether its text is empty.
    bottom: Vec<(u32, u16, u16, u32, bool, bool)>,
    /// The column boundaries of the first page, which later pages' columns are counted by.
    xs: Vec<f64>,
    /// The table's first column on the last page.
    first_col: u16,
    /// How many cells split by a page break were joined.
    joined: usize,
}

impl Sheet {
    fn name(&self) -> String {
        if self.first == self.last {
            format!("第{}页", self.first + 1)
        } else {
            format!("第{}-{}页", self.first + 1, self.last + 1)
        }
    }

    fn add(&mut self, page: PageRows, continued: bool) {
        let mut first_band = true;
        let mut header = None;
        // The cells that reach the page's last band: first row, first and last column, rows.
        let mut bottom: Vec<(u32, u16, u16, u32, bool, bool)> = Vec::new();
        let mut last_band_row = None;
        let above = std::mem::take(&mut self.bottom);
        for row in &page.rows {
            let mut top = false;
            if let Some(texts) = band_texts(row)
                && first_band
            {
                first_band = false;
                top = continued;
                let owned: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
                let repeated = continued
                    && self.header.as_ref() == Some(&owned)
                    && owned.iter().filter(|t| !t.is_empty()).count() >= 2;
                header = Some(owned);
                if repeated {
                    continue;
                }
            }
            let r = self.next_row;
            self.next_row += 1;
            match row {
                Row::Free(text) => self.grid.set(r, 0, Value::Text(text.clone())),
                Row::Band(cells) => {
                    last_band_row = Some(r);
                    for c in cells {
                        let last_row = r + c.rows - 1;
                        // A cell split by the page break: the top of a cell that spans
                        // rows (or stands in the table's first column) above, one of the
                        // two parts empty (the label prints on one page only).
                        let split = if top {
                            above
                                .iter()
                                .find(|&&(_, col, last_col, spans, empty, open)| {
                                    col == c.col
                                        && last_col == c.last_col
                                        && (empty || c.text.is_empty())
                                        && (spans > 1
                                            || col == self.first_col
                                            || (open && c.open_top))
                                })
                        } else {
                            None
                        };
                        if let Some(&(from, col, last_col, _, was_empty, _)) = split {
                            self.joined += 1;
                            if !c.text.is_empty() {
                                self.grid.set(from, col, Value::Text(c.text.clone()));
                            }
                            match self
                                .merges
                                .iter_mut()
                                .find(|m| m.row == from && m.col == col)
                            {
                                Some(m) => m.last_row = last_row,
                                None => self.merges.push(Merge {
                                    row: from,
                                    col,
                                    last_row,
                                    last_col,
                                }),
                            }
                            bottom.push((
                                from,
                                col,
                                last_col,
                                last_row - from + 1,
                                was_empty && c.text.is_empty(),
                                c.open_bottom,
                            ));
                            continue;
                        }
                        self.grid.set(r, c.col, Value::Text(c.text.clone()));
                        if c.rows > 1 || c.last_col > c.col {
                            self.merges.push(Merge {
                                row: r,
                                col: c.col,
                                last_row,
                                last_col: c.last_col,
                            });
                        }
                        bottom.push((
                            r,
                            c.col,
                            c.last_col,
                            c.rows,
                            c.text.is_empty(),
                            c.open_bottom,
                        ));
                    }
                }
            }
        }
        if let Some(last) = last_band_row {
            // Keep the cells that reach the last band.
            bottom.retain(|&(from, _, _, spans, _, _)| from + spans - 1 == last);
            self.first_col = bottom.iter().map(|b| b.1).min().unwrap_or(0);
            self.bottom = bottom;
        }
        if header.is_some() {
            self.header = header;
        }
        self.guessed.extend(page.guessed);
    }

    /// The grid, its merges added, and the notices about guesses.
    fn finish(mut self) -> (String, Grid, Vec<String>) {
        let name = self.name();
        for m in std::mem::take(&mut self.merges) {
            self.grid.add_merge(m);
        }
        if self.joined > 0 {
            self.guessed.push(format!(
                "表格跨页，{} 个单元格在换页处被分开，已按跨行的合并单元格接续读取（据表格线推断）",
                self.joined
            ));
        }
        (name, self.grid, self.guessed)
    }
}

/// The pages' content as `pdf-extract` sees it.
fn collect(doc: &pdf_extract::Document) -> std::result::Result<Collector, OutputError> {
    let mut out = Collector::default();
    pdf_extract::output_doc(doc, &mut out)?;
    Ok(out)
}

/// Whether any page draws an image (a scan).
fn has_images(doc: &pdf_extract::Document) -> bool {
    doc.objects.values().any(|o| {
        o.as_stream()
            .ok()
            .and_then(|s| s.dict.get(b"Subtype").ok())
            .and_then(|s| s.as_name().ok())
            == Some(b"Image".as_slice())
    })
}

/// Whether form XObjects draw each other in a cycle, which would make the content stream
/// interpreter recurse without end. Conservative: a form without resources of its own that
/// draws any XObject is taken to draw every form.
fn xobject_cycle(doc: &pdf_extract::Document) -> bool {
    use pdf_extract::{Object, ObjectId};
    use std::collections::{BTreeMap, BTreeSet};
    let is_form = |o: &Object| {
        o.as_stream()
            .ok()
            .and_then(|s| s.dict.get(b"Subtype").ok())
            .and_then(|s| s.as_name().ok())
            == Some(b"Form".as_slice())
    };
    let forms: BTreeSet<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| is_form(o))
        .map(|(id, _)| *id)
        .collect();
    let mut edges: BTreeMap<ObjectId, Vec<ObjectId>> = BTreeMap::new();
    for &id in &forms {
        let Some(stream) = doc.objects.get(&id).and_then(|o| o.as_stream().ok()) else {
            continue;
        };
        let own = stream
            .dict
            .get_deref(b"Resources", doc)
            .and_then(Object::as_dict)
            .ok();
        let to: Vec<ObjectId> = match own {
            Some(resources) => resources
                .get_deref(b"XObject", doc)
                .and_then(Object::as_dict)
                .map(|x| {
                    x.iter()
                        .filter_map(|(_, v)| v.as_reference().ok())
                        .filter(|r| forms.contains(r))
                        .collect()
                })
                .unwrap_or_default(),
            None => {
                let content = stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone());
                if memchr::memmem::find(&content, b"Do").is_some() {
                    forms.iter().copied().collect()
                } else {
                    Vec::new()
                }
            }
        };
        edges.insert(id, to);
    }
    // Depth-first search for a back edge, without recursion.
    let mut state: BTreeMap<ObjectId, u8> = BTreeMap::new(); // 1 on the path, 2 done
    for &start in &forms {
        if state.contains_key(&start) {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state.insert(start, 1);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let to = edges.get(&node).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(&child) = to.get(*next) {
                *next += 1;
                match state.get(&child) {
                    Some(1) => return true,
                    Some(_) => {}
                    None => {
                        state.insert(child, 1);
                        stack.push((child, 0));
                    }
                }
            } else {
                state.insert(node, 2);
                stack.pop();
            }
        }
    }
    false
}

/// How much a content stream asks of the interpreter.
#[derive(Debug, Default, Clone, Copy)]
struct Cost {
    ops: u64,
    glyphs: u64,
    paths: u64,
    depth: u64,
    draws: u64,
}

/// Counts a content stream's operators, shown text bytes, path operators, `Do`s and its
/// deepest `q` nesting.
fn cost_of(content: &[u8]) -> std::result::Result<Cost, ()> {
    // Bounded before parsing: a parsed operator takes some hundred bytes.
    if content.len() > MAX_CONTENT_BYTES
        || content
            .split(u8::is_ascii_whitespace)
            .filter(|t| !t.is_empty())
            .count()
            > MAX_PAGE_OPS as usize
    {
        return Ok(Cost {
            ops: u64::MAX,
            ..Cost::default()
        });
    }
    let ops = pdf_extract::content::Content::decode(content).map_err(|_| ())?;
    let mut cost = Cost::default();
    let mut depth: u64 = 0;
    for op in &ops.operations {
        cost.ops += 1;
        match op.operator.as_str() {
            "q" => {
                depth += 1;
                cost.depth = cost.depth.max(depth);
            }
            "Q" => depth = depth.saturating_sub(1),
            "Tj" | "TJ" | "'" | "\"" => {
                for o in &op.operands {
                    cost.glyphs += match o {
                        pdf_extract::Object::String(s, _) => s.len() as u64,
                        pdf_extract::Object::Array(a) => a
                            .iter()
                            .map(|o| o.as_str().map_or(0, |s| s.len() as u64))
                            .sum(),
                        _ => 0,
                    };
                }
            }
            "m" | "l" | "c" | "v" | "y" | "re" | "h" => cost.paths += 1,
            "Do" => cost.draws += 1,
            _ => {}
        }
    }
    Ok(cost)
}

/// The decoded size of a stream, decoding no more than `limit` bytes of it (a Flate
/// stream is inflated into nothing; other filters count their encoded size).
fn decoded_size(stream: &pdf_extract::Stream, limit: u64) -> u64 {
    use std::io::Read as _;
    let flate = stream
        .filters()
        .is_ok_and(|f| f.first().is_some_and(|f| *f == b"FlateDecode".as_slice()));
    if !flate {
        return stream.content.len() as u64;
    }
    let mut inflater =
        flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(limit.saturating_add(1));
    std::io::copy(&mut inflater, &mut std::io::sink()).unwrap_or(0)
}

/// Refuses a document whose streams inflate beyond `max_inflated` bytes in all, or whose
/// pages ask more of the content interpreter than the limits allow; the message says what.
fn check_limits(doc: &pdf_extract::Document, max_inflated: u64) -> std::result::Result<(), String> {
    let mut total: u64 = 0;
    for object in doc.objects.values() {
        if let Ok(stream) = object.as_stream() {
            total = total.saturating_add(decoded_size(stream, max_inflated.saturating_sub(total)));
            if total > max_inflated {
                return Err(format!("PDF 解压后超过 {} MiB 的上限", max_inflated >> 20));
            }
        }
    }
    // Form XObjects: the costliest one is counted for each `Do`.
    let mut form = Cost::default();
    for object in doc.objects.values() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let is_form = stream
            .dict
            .get(b"Subtype")
            .and_then(|s| s.as_name())
            .is_ok_and(|n| n == b"Form".as_slice());
        if !is_form {
            continue;
        }
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let c = cost_of(&content).unwrap_or_default();
        form.ops = form.ops.max(c.ops);
        form.glyphs = form.glyphs.max(c.glyphs);
        form.paths = form.paths.max(c.paths);
        form.depth = form.depth.max(c.depth);
    }
    let complex =
        |page: u32, what: &str| format!("PDF 内容过于复杂（第{page}页{what}），不像是打印的申报表");
    let mut doc_cost = Cost::default();
    for (number, id) in doc.get_pages() {
        let content = doc.get_page_content(id).unwrap_or_default();
        let mut c = cost_of(&content).unwrap_or_default();
        c.ops = c.ops.saturating_add(c.draws.saturating_mul(form.ops));
        c.glyphs = c.glyphs.saturating_add(c.draws.saturating_mul(form.glyphs));
        c.paths = c.paths.saturating_add(c.draws.saturating_mul(form.paths));
        if c.draws > 0 {
            c.depth = c.depth.saturating_add(form.depth);
        }
        if c.depth > MAX_DEPTH {
            return Err(complex(number, &format!("图形状态嵌套超过 {MAX_DEPTH} 层")));
        }
        if c.ops > MAX_PAGE_OPS {
            return Err(complex(
                number,
                &format!("绘制指令超过 {MAX_PAGE_OPS} 个，或内容超过 1 MiB"),
            ));
        }
        if c.glyphs > MAX_PAGE_GLYPHS {
            return Err(complex(number, &format!("超过 {MAX_PAGE_GLYPHS} 个字符")));
        }
        if c.paths > MAX_PAGE_PATHS {
            return Err(complex(number, &format!("超过 {MAX_PAGE_PATHS} 条线段")));
        }
        doc_cost.ops = doc_cost.ops.saturating_add(c.ops);
        doc_cost.glyphs = doc_cost.glyphs.saturating_add(c.glyphs);
        doc_cost.paths = doc_cost.paths.saturating_add(c.paths);
        if doc_cost.ops > MAX_DOC_OPS
            || doc_cost.glyphs > MAX_DOC_GLYPHS
            || doc_cost.paths > MAX_DOC_PATHS
        {
            return Err(format!(
                "PDF 内容过于复杂（到第{number}页为止的绘制指令、字符或线段已超过全文件的上限），不像是打印的申报表"
            ));
        }
    }
    Ok(())
}

/// Reads the forms of a PDF file; its streams may inflate to `max_inflated` bytes in all.
pub(crate) fn read_pdf(bytes: &[u8], shown: &str, max_inflated: u64) -> Result<Read> {
    let at = || Location::file(shown);
    let corrupt = |detail: &str| {
        Error::new(
            ErrorKind::Corrupt,
            at(),
            format!("PDF 文件已损坏或无法解析（{detail}）；请使用申报表的 Excel 或 Word 原文件"),
        )
    };
    let mut doc = super::guard::guarded(|| pdf_extract::Document::load_mem(bytes))
        .ok_or_else(|| corrupt("解析时遇到无法处理的数据"))?
        .map_err(|e| corrupt("结构有误").with_cause(e))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(Error::new(
            ErrorKind::Encrypted,
            at(),
            "PDF 文件设有打开密码，无法读取；请使用未加密的 PDF，或申报表的 Excel 或 Word 原文件",
        ));
    }
    if xobject_cycle(&doc) {
        return Err(corrupt("页面内容循环引用自身"));
    }
    if let Some(Err(message)) = super::guard::guarded(|| check_limits(&doc, max_inflated)) {
        return Err(Error::new(
            ErrorKind::TooLarge,
            at(),
            format!("{message}；请使用申报表的 Excel 或 Word 原文件"),
        ));
    }
    let collected = super::guard::guarded(|| collect(&doc))
        .ok_or_else(|| corrupt("页面内容无法处理"))?
        .map_err(|e| corrupt("页面内容有误").with_cause(e))?;
    let has_text = collected
        .pages
        .iter()
        .any(|p| p.glyphs.iter().any(|g| !g.text.trim().is_empty()));
    if !has_text {
        return Err(if has_images(&doc) {
            Error::new(
                ErrorKind::NoForm,
                at(),
                "这是扫描件（页面是图片，没有文字），无法读取；请使用申报表的 Excel 或 Word 原文件",
            )
        } else {
            Error::new(
                ErrorKind::NoForm,
                at(),
                "PDF 中没有文字，无法读取；请使用申报表的 Excel 或 Word 原文件",
            )
        });
    }
    let mut pages: Vec<PageRows> = collected.pages.iter().map(page_rows).collect();
    drop_clipped_copies(&mut pages);
    carry_titles(&mut pages);
    let mut sheets: Vec<Sheet> = Vec::new();
    for (i, mut rows) in pages.into_iter().enumerate() {
        if rows.rows.is_empty() {
            continue;
        }
        let continued = !starts_form(&rows.rows) && sheets.last().is_some_and(|s| s.last + 1 == i);
        if let Some(sheet) = sheets.last().filter(|_| continued)
            && !remap_columns(&mut rows, &sheet.xs)
        {
            return Err(Error::new(
                ErrorKind::NoForm,
                at(),
                format!(
                    "PDF 第{}页的表格接续第{}页，但两页的列线位置不一致，无法确定各列如何对应；请使用申报表的 Excel 或 Word 原文件",
                    i + 1,
                    i
                ),
            ));
        }
        if !continued {
            sheets.push(Sheet {
                first: i,
                last: i,
                grid: Grid::new(true),
                next_row: 0,
                header: None,
                guessed: Vec::new(),
                merges: Vec::new(),
                bottom: Vec::new(),
                xs: rows.xs.clone(),
                first_col: 0,
                joined: 0,
            });
        }
        if let Some(sheet) = sheets.last_mut() {
            sheet.last = i;
            sheet.add(rows, continued);
        }
    }
    let mut result = Read::default();
    for sheet in sheets {
        let (name, mut grid, guessed) = sheet.finish();
        for g in guessed {
            result
                .notices
                .push(Notice::new(at().sheet(name.as_str()), g));
        }
        super::read_sheet(&mut result, &mut grid, shown, &name, None)?;
    }
    // A PDF's pages without a form are not worth a notice each.
    result
        .notices
        .retain(|n| n.message() != "此工作表中没有申报表，已跳过");
    if result.forms.is_empty() && result.skipped.is_empty() {
        return Err(Error::new(
            ErrorKind::NoForm,
            at(),
            "PDF 中没有找到申报表：没有“项目名称”标签下方带“一级指标/二级指标/三级指标”表头的表格",
        ));
    }
    super::finish(result, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(x: f64, y: f64, text: &str) -> Glyph {
        Glyph {
            x,
            y,
            w: 10.0,
            size: 10.0,
            text: text.into(),
        }
    }

    #[test]
    fn wrapped_lines_join_cjk_without_a_space_and_latin_with_one() {
        let g = [
            glyph(0.0, 100.0, "项"),
            glyph(10.0, 100.0, "目"),
            glyph(0.0, 88.0, "名"),
        ];
        assert_eq!(join_text(&mut g.iter().collect::<Vec<_>>()), "项目名");
        let g = [glyph(0.0, 100.0, "a"), glyph(0.0, 88.0, "b")];
        assert_eq!(join_text(&mut g.iter().collect::<Vec<_>>()), "a b");
        // A line that ends with an ASCII comma: the space the break replaced comes back.
        let g = [
            glyph(0.0, 100.0, "势"),
            glyph(10.0, 100.0, ","),
            glyph(0.0, 88.0, "开"),
        ];
        assert_eq!(join_text(&mut g.iter().collect::<Vec<_>>()), "势, 开");
        // A gap wider than a third of the size is a space within a line.
        let g = [glyph(0.0, 100.0, "a"), glyph(30.0, 100.0, "b")];
        assert_eq!(join_text(&mut g.iter().collect::<Vec<_>>()), "a b");
    }

    #[test]
    fn rules_make_cells_and_a_missing_rule_a_merge() {
        // Two bands, three columns; the rule between the first band's first two cells is
        // missing, so they are one cell.
        let h = |y| Rule {
            at: y,
            a: 0.0,
            b: 300.0,
        };
        let v = |x, a, b| Rule { at: x, a, b };
        let page = Page {
            glyphs: vec![glyph(20.0, 85.0, "甲"), glyph(220.0, 65.0, "乙")],
            horizontal: vec![h(100.0), h(80.0), h(60.0)],
            vertical: vec![
                v(0.0, 60.0, 100.0),
                v(100.0, 60.0, 80.0),
                v(200.0, 60.0, 100.0),
                v(300.0, 60.0, 100.0),
            ],
        };
        let rows = page_rows(&page);
        let cells: Vec<Vec<(u16, u16, u32, String)>> = rows
            .rows
            .iter()
            .map(|r| match r {
                Row::Band(c) => c
                    .iter()
                    .map(|c| (c.col, c.last_col, c.rows, c.text.clone()))
                    .collect(),
                Row::Free(_) => Vec::new(),
            })
            .collect();
        assert_eq!(
            cells,
            [
                vec![(0, 1, 1, "甲".to_string()), (2, 2, 1, String::new())],
                vec![
                    (0, 0, 1, String::new()),
                    (1, 1, 1, String::new()),
                    (2, 2, 1, "乙".to_string())
                ],
            ]
        );
    }

    #[test]
    fn a_continued_pages_columns_count_by_the_first_pages_or_are_refused() {
        let cell = |col, last_col| Cell {
            col,
            last_col,
            rows: 1,
            text: String::new(),
            open_top: false,
            open_bottom: false,
        };
        let page = |xs: Vec<f64>| PageRows {
            rows: vec![Row::Band(vec![cell(0, 0), cell(1, 1)])],
            guessed: Vec::new(),
            xs,
        };
        // The first page has a boundary (at 150) this page lacks: its second column is
        // the first page's third.
        let first = [0.0, 100.0, 150.0, 200.0];
        let mut p = page(vec![0.0, 100.5, 200.0]);
        assert!(remap_columns(&mut p, &first));
        let Some(Row::Band(cells)) = p.rows.first() else {
            panic!("a band")
        };
        let cols: Vec<(u16, u16)> = cells.iter().map(|c| (c.col, c.last_col)).collect();
        assert_eq!(cols, [(0, 0), (1, 2)]);
        // A boundary the first page does not have: refused.
        assert!(!remap_columns(&mut page(vec![0.0, 120.0, 200.0]), &first));
    }

    #[test]
    fn only_a_file_that_starts_with_the_pdf_header_or_is_named_pdf_is_sniffed_as_pdf() {
        assert!(is_pdf(b"%PDF-1.7\n", false));
        assert!(is_pdf(b"\xEF\xBB\xBF \r\n%PDF-1.4", false));
        let json = br#"{"forms": [], "note": "%PDF-1.7"}"#;
        assert!(!is_pdf(json, false));
        assert!(is_pdf(json, true));
    }
}
