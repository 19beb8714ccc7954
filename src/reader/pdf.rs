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
use draw::{Glyph, Page, Rule, collect, has_images, xobject_cycle};
use limits::check_limits;

mod draw;
mod limits;

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

/// A page's rows, top to bottom, and whether a boundary had to be guessed.
struct PageRows {
    rows: Vec<Row>,
    guessed: Vec<String>,
    /// The column boundaries (x, left to right) that the cells' columns count.
    xs: Vec<f64>,
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
    let bands = table_bands(page, &ys, &xs);
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
    let boxes = cell_boxes(page, &bands, &xs);
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
    rows.extend(free_rows(free));
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    PageRows {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        guessed,
        xs,
    }
}

/// A band between neighbouring horizontal rules that vertical rules cross: a table row.
struct Band {
    top: f64,
    bottom: f64,
    /// Which column boundaries (indexes into xs) are ruled at the band's middle.
    ruled: Vec<bool>,
}

/// The page's table bands: between neighbouring horizontal rules at `ys` (top first),
/// those whose middle at least two of the vertical rules at `xs` cross.
fn table_bands(page: &Page, ys: &[f64], xs: &[f64]) -> Vec<Band> {
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
    bands
}

/// A cell's first band, first column, last band, last column, and how many band cells
/// it joins, by its set's root.
type Boxes = std::collections::BTreeMap<usize, (usize, usize, usize, usize, usize)>;

/// The table's cells: neighbouring band cells without a rule between them are one.
fn cell_boxes(page: &Page, bands: &[Band], xs: &[f64]) -> Boxes {
    let ncols = xs.len().saturating_sub(1);
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
    let mut boxes = Boxes::default();
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
    boxes
}

/// The free text's rows, one a printed line, each with its height on the page.
fn free_rows(mut free: Vec<&Glyph>) -> Vec<(f64, Row)> {
    let mut rows = Vec::new();
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
    rows
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

/// Reads the forms of a PDF file; its streams may inflate to `max_inflated` bytes in all.
pub(crate) fn read_pdf(bytes: &[u8], max_inflated: u64) -> Result<Read> {
    let at = || Location::default();
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
        super::read_sheet(&mut result, &mut grid, &name, None)?;
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
    super::finish(result)
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
