//! The printed page, measured: workbooks rendered to PDF by LibreOffice, the PDF's words and
//! their boxes read back with poppler's `pdftotext -bbox`, and its grid lines found in a
//! `pdftoppm` raster. `.ci/run` installs LibreOffice, poppler-utils and the fonts (Noto CJK
//! for Chinese; Liberation Sans, the metric twin of Arial, comes with LibreOffice and sizes
//! the columns); without them these tests say so and are skipped, except under CI (`CI`
//! set), where they fail.

mod common;

use common::{PRINTING, declform, root, stderr, writer_met};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A4 in points.
const A4: (f64, f64) = (595.28, 841.89);
/// The forms' left and right margins in points (templates/style.json: 0.7 in).
const FORM_MARGINS: f64 = 2.0 * 0.7 * 72.0;
/// Body text and its printed line pitch in LibreOffice (Noto Sans CJK), in points.
const BODY: f64 = 10.5;
const LINE: f64 = 15.2;

#[derive(Debug, Clone)]
struct Word {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

impl Word {
    /// The font size of a word of two or more CJK ideographs (each one em wide).
    fn cjk_size(&self) -> Option<f64> {
        let n = self.text.chars().count();
        (n >= 2 && self.text.chars().all(is_ideograph)).then(|| (self.x1 - self.x0) / n as f64)
    }
}

fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF)
}

/// A page: its size, its words and its raster (`SCALE` pixels per point, 0 black).
struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
    raster: Raster,
}

struct Raster {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

const SCALE: f64 = 2.0;

impl Raster {
    fn dark(&self, x: usize, y: usize) -> bool {
        x < self.w && y < self.h && self.px[y * self.w + x] < 200
    }

    /// Whether the vertical segment at `x` from `y0` to `y1` (points), reaching beyond the
    /// text's own box where no glyph goes, is one unbroken dark run: a grid line crossing
    /// the band, never the stroke of a character.
    fn vertical_line(&self, x: usize, y0: f64, y1: f64) -> bool {
        let (a, b) = (((y0 - 1.5) * SCALE) as usize, ((y1 + 1.5) * SCALE) as usize);
        (a..b).all(|y| self.dark(x, y))
    }

    /// Whether the horizontal segment at `y` from `x0` to `x1` (points) and a little beyond
    /// is one unbroken dark run (characters have gaps between them).
    fn horizontal_line(&self, y: usize, x0: f64, x1: f64) -> bool {
        let (a, b) = (((x0 - 1.0) * SCALE) as usize, ((x1 + 1.0) * SCALE) as usize);
        (a..b).all(|x| self.dark(x, y))
    }
}

/// The distances in points from a word to the nearest grid line left, right, above and
/// below it, within `reach` points (None: no line that near).
fn gaps(p: &Page, w: &Word, reach: f64) -> [Option<f64>; 4] {
    let r = &p.raster;
    let steps = (reach * SCALE) as usize;
    let (x0, x1) = ((w.x0 * SCALE) as usize, (w.x1 * SCALE) as usize);
    let (y0, y1) = ((w.y0 * SCALE) as usize, (w.y1 * SCALE) as usize);
    let left = (1..steps)
        .take_while(|d| *d <= x0)
        .find(|d| r.vertical_line(x0 - d, w.y0, w.y1))
        .map(|d| d as f64 / SCALE);
    let right = (1..steps)
        .find(|d| r.vertical_line(x1 + d, w.y0, w.y1))
        .map(|d| d as f64 / SCALE);
    let above = (1..steps)
        .take_while(|d| *d <= y0)
        .find(|d| r.horizontal_line(y0 - d, w.x0, w.x1))
        .map(|d| d as f64 / SCALE);
    let below = (1..steps)
        .find(|d| r.horizontal_line(y1 + d, w.x0, w.x1))
        .map(|d| d as f64 / SCALE);
    [left, right, above, below]
}

fn tool(name: &str) -> Command {
    let mut c = Command::new(name);
    c.env("LC_ALL", "C.UTF-8");
    c
}

fn run(mut c: Command, what: &str) -> Vec<u8> {
    let out = c.output().unwrap_or_else(|e| {
        panic!("{what} must be installed for the print tests (`bash .ci/run` installs it): {e}")
    });
    assert!(out.status.success(), "{what} failed: {}", stderr(&out));
    out.stdout
}

/// Renders a workbook to PDF with LibreOffice and measures its pages.
fn render(xlsx: &Path) -> Vec<Page> {
    render_with(xlsx, None)
}

/// [`render`], with LibreOffice seeing the fonts that the fontconfig file `fonts` allows
/// (see [`fonts_without`]).
fn render_with(xlsx: &Path, fonts: Option<&Path>) -> Vec<Page> {
    let dir = xlsx.parent().unwrap();
    let profile = dir.join("lo-profile");
    let mut c = tool("soffice");
    if let Some(fonts) = fonts {
        c.env("FONTCONFIG_FILE", fonts);
    }
    c.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.display()
    ))
    .args(["--headless", "--convert-to", "pdf", "--outdir"])
    .arg(dir)
    .arg(xlsx);
    run(c, "soffice (LibreOffice)");
    let pdf = xlsx.with_extension("pdf");
    assert!(pdf.exists(), "LibreOffice wrote no {}", pdf.display());

    let mut c = tool("pdftotext");
    c.arg("-bbox").arg(&pdf).arg("-");
    let html = String::from_utf8(run(c, "pdftotext (poppler-utils)")).unwrap();
    let prefix = dir.join("page");
    let mut c = tool("pdftoppm");
    c.args(["-r", &(72.0 * SCALE).to_string(), "-gray"])
        .arg(&pdf)
        .arg(&prefix);
    run(c, "pdftoppm (poppler-utils)");
    let mut rasters: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    rasters.sort_by_key(|p| {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        stem.rsplit('-').next().unwrap().parse::<usize>().unwrap()
    });
    let pages = parse_bbox(&html);
    assert_eq!(pages.len(), rasters.len(), "one raster per page");
    let out = pages
        .into_iter()
        .zip(&rasters)
        .map(|((width, height, words), raster)| Page {
            width,
            height,
            words,
            raster: read_pgm(raster),
        })
        .collect();
    for r in rasters {
        std::fs::remove_file(r).unwrap();
    }
    out
}

/// A fontconfig file in `dir` under which the machine's fonts whose file names match any of
/// `globs` do not exist, as on a computer without them.
fn fonts_without(dir: &Path, globs: &[&str]) -> PathBuf {
    let rejects: String = globs
        .iter()
        .map(|g| format!("<glob>*{g}*</glob>"))
        .collect();
    let conf = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n\
         <include ignore_missing=\"no\">/etc/fonts/fonts.conf</include>\n\
         <selectfont><rejectfont>{rejects}</rejectfont></selectfont>\n</fontconfig>\n"
    );
    let path = dir.join("fonts.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

/// Runs declform with `args` and `-o output` in `dir` and measures the printed pages of
/// what it wrote.
fn pages_of(dir: &Path, args: &[&str], output: &str) -> Vec<Page> {
    let mut all = args.to_vec();
    all.extend(["-o", output]);
    let out = declform(dir, &all);
    assert!(out.status.success(), "{}", stderr(&out));
    render(&dir.join(output))
}

/// The first page of each form: those with the title.
fn first_pages(pages: &[Page]) -> Vec<&Page> {
    pages
        .iter()
        .filter(|p| {
            p.words
                .iter()
                .any(|w| w.text == "财政项目支出绩效目标申报表")
        })
        .collect()
}

/// The pages of `pdftotext -bbox` output: size and words.
fn parse_bbox(html: &str) -> Vec<(f64, f64, Vec<Word>)> {
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let rest = &tag[at..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    let mut pages = Vec::new();
    for chunk in html.split("<page ").skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let mut words = Vec::new();
        for w in chunk.split("<word ").skip(1) {
            let tag = &w[..w.find('>').unwrap()];
            let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
            words.push(Word {
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            });
        }
        pages.push((attr(head, "width"), attr(head, "height"), words));
    }
    pages
}

/// A binary PGM (P5) as pdftoppm writes it.
fn read_pgm(path: &Path) -> Raster {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let px = bytes[i + 1..].to_vec();
    assert_eq!(px.len(), w * h);
    Raster { w, h, px }
}

/// A word and its gaps to the grid lines left, right, above and below.
type Placed = (Word, [Option<f64>; 4]);

/// The words of a page grouped by the table cell they print in: words whose nearest grid
/// lines left, above-or-below and right are the same. Each group's words in reading order.
fn cells(p: &Page) -> Vec<Vec<Placed>> {
    let mut groups: Vec<((f64, f64), Vec<Placed>)> = Vec::new();
    for w in &p.words {
        let g = gaps(p, w, 400.0);
        let (Some(left), Some(_)) = (g[0], g[1]) else {
            continue;
        };
        let Some(below) = g[3] else { continue };
        // A cell: its left line and its bottom line (measured to half a point or so).
        let key = (w.x0 - left, w.y1 + below);
        let near = |k: &(f64, f64)| (k.0 - key.0).abs() < 1.5 && (k.1 - key.1).abs() < 1.5;
        match groups.iter_mut().find(|(k, _)| near(k)) {
            Some((_, v)) => v.push((w.clone(), g)),
            None => groups.push((key, vec![(w.clone(), g)])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut v)| {
            v.sort_by(|a, b| (a.0.y0, a.0.x0).partial_cmp(&(b.0.y0, b.0.x0)).unwrap());
            v
        })
        .collect()
}

/// The lines of a cell's words: words at the same height joined.
fn lines(cell: &[Placed]) -> Vec<String> {
    let mut out: Vec<(f64, String)> = Vec::new();
    for (w, _) in cell {
        match out.iter_mut().find(|(y, _)| (y - w.y0).abs() < 2.0) {
            Some((_, t)) => t.push_str(&w.text),
            None => out.push((w.y0, w.text.clone())),
        }
    }
    out.into_iter().map(|(_, t)| t).collect()
}

/// What every form page must show: A4 portrait at 100% (body 10.5 pt, title 16 pt or
/// more), the grid across at least 90% of the printable width, no text against a border,
/// no wrapped text leaving one character alone on its last line, and rows as tall as their
/// text with no empty band.
fn assert_form_page(p: &Page, what: &str) {
    check_form_page(p, what, true);
}

/// [`assert_form_page`]; `strict` false skips the rules on a lone last character and on
/// rows as tall as their text, for grids narrowed by indicator extra columns: there a text
/// can wrap with a lone character at every indent, and Excel's narrower columns hold a
/// character less per line than LibreOffice's, so rows sized for Excel have room to spare.
fn check_form_page(p: &Page, what: &str, strict: bool) {
    assert!(
        (p.width - A4.0).abs() < 1.0 && (p.height - A4.1).abs() < 1.0,
        "{what}: A4 portrait, got {} x {}",
        p.width,
        p.height
    );
    let title = p
        .words
        .iter()
        .find(|w| w.text == "财政项目支出绩效目标申报表")
        .unwrap_or_else(|| panic!("{what}: no title"));
    assert!(title.cjk_size().unwrap() >= 16.0, "{what}: title {title:?}");
    for w in p.words.iter().filter(|w| !std::ptr::eq(*w, title)) {
        if let Some(size) = w.cjk_size() {
            assert!(
                (size - BODY).abs() < 0.25,
                "{what}: {} printed at {size:.2} pt",
                w.text
            );
        }
    }
    // The grid: the left and right borders on the row of 项目名称 (in a narrow column,
    // its first line 项目).
    let label = p
        .words
        .iter()
        .find(|w| w.text == "项目名称" || w.text == "项目")
        .unwrap_or_else(|| panic!("{what}: no 项目名称"));
    let y = (((label.y0 + label.y1) / 2.0) * SCALE) as usize;
    let dark: Vec<usize> = (0..p.raster.w).filter(|&x| p.raster.dark(x, y)).collect();
    let grid = (dark.last().unwrap() - dark.first().unwrap()) as f64 / SCALE;
    let printable = A4.0 - FORM_MARGINS;
    assert!(
        grid >= 0.9 * printable && grid <= printable + 1.0,
        "{what}: the grid spans {grid:.0} of {printable:.0} points"
    );
    assert!(
        !p.words.iter().any(|w| w.text.contains('#')),
        "{what}: a column too narrow for its amount (###)"
    );
    let cells = cells(p);
    // A cell's top and bottom lines and its number of lines: the row is as tall as its
    // tallest text, so shorter texts beside it have room to spare.
    let extent = |cell: &[Placed]| {
        let (first, last) = (&cell[0], &cell[cell.len() - 1]);
        (
            first.0.y0 - first.1[2].unwrap_or(0.0),
            last.0.y1 + last.1[3].unwrap_or(0.0),
            lines(cell).len(),
        )
    };
    let tallest = |top: f64, bottom: f64| {
        cells
            .iter()
            .map(|c| extent(c))
            .filter(|(t, b, _)| (t - top).abs() < 1.5 && (b - bottom).abs() < 1.5)
            .map(|(_, _, n)| n)
            .max()
            .unwrap_or(0)
    };
    for cell in &cells {
        let text = lines(cell);
        let (top_line, bottom_line, n) = extent(cell);
        // A wrapped line runs up to the program's own margin at the right (about a point in
        // LibreOffice), which no workbook setting moves; everything else keeps its distance.
        let right_min = if n > 1 { 0.5 } else { 1.5 };
        for (w, g) in cell {
            let [left, right, above, below] = g.map(|d| d.unwrap_or(f64::MAX));
            assert!(
                left >= 1.5 && right >= right_min && above >= 1.0 && below >= 1.0,
                "{what}: “{}” touches a border (gaps {g:?})",
                w.text
            );
        }
        if strict && text.len() > 1 {
            assert!(
                text.last().unwrap().chars().count() > 1,
                "{what}: one character alone on the last line of {text:?}"
            );
        }
        // A cell merged over several rows is as tall as those rows' other cells need: a
        // row line of another cell inside its height tells it.
        let inside = |y: f64| y > top_line + 1.5 && y < bottom_line - 1.5;
        let merged_rows = cells
            .iter()
            .map(|c| extent(c))
            .any(|(t, b, _)| inside(t) || inside(b));
        if strict && n >= 3 && n == tallest(top_line, bottom_line) && !merged_rows {
            // A wrapped text fills its cell. Rows are sized for the narrower of Excel's and
            // LibreOffice's column widths (LibreOffice prints columns about 6% wider), so a
            // long text may have up to one line of room here, never more.
            let top = cell.first().unwrap().1[2].unwrap();
            let bottom = cell.last().unwrap().1[3].unwrap();
            assert!(
                top + bottom <= 1.5 * LINE,
                "{what}: an empty band in {text:?} ({top:.1} above, {bottom:.1} below)"
            );
        }
    }
}

fn words_text(p: &Page) -> String {
    p.words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn seed_forms_print_one_page_each_at_full_size() {
    if !PRINTING.met("the print tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join("samples/seed-forms-2024.json");
    let pages = pages_of(
        dir.path(),
        &["convert", seed.to_str().unwrap()],
        "seed.xlsx",
    );
    assert_eq!(pages.len(), 10, "each seed form on one page");
    for (i, p) in pages.iter().enumerate() {
        assert_form_page(p, &format!("seed form {}", i + 1));
    }
    // And in the split grid, its seven columns within the page.
    let pages = pages_of(
        dir.path(),
        &["convert", seed.to_str().unwrap(), "--layout", "split"],
        "split.xlsx",
    );
    // Its seven columns wrap more: the ninth form (goals of 125 characters in narrower
    // cells, 11 indicator rows) continues on a second page.
    assert_eq!(pages.len(), 11, "the seed forms in the split grid");
    let firsts = first_pages(&pages);
    assert_eq!(firsts.len(), 10);
    for (i, p) in firsts.iter().enumerate() {
        assert_form_page(p, &format!("seed form {} in the split grid", i + 1));
    }
}

/// A Chinese text of `n` characters.
fn chinese(n: usize) -> String {
    "社区矫正中心房屋租赁及配套设施维护保障项目专项资金补助经费支出计划调整方案实施细则"
        .chars()
        .cycle()
        .take(n)
        .collect()
}

#[test]
fn long_names_goals_and_tables_print_well_in_both_grids() {
    if !PRINTING.met("the print tests") {
        return;
    }
    // Project names of 1 to 40 characters in both grids, each form on one page; then in each
    // grid a form at the seed forms' limits (goals of 300 characters, 20 indicator rows),
    // which at 10.5 pt is longer than a page: it continues on a second.
    let seed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("samples/seed-forms-2024.json")).unwrap(),
    )
    .unwrap();
    let mut forms = Vec::new();
    let mut longest = Vec::new();
    for nature in [None, Some("经常性项目")] {
        for n in 1..=40 {
            let mut form = seed["forms"][1].clone();
            form["project_name"] = chinese(n).into();
            form["funds"]["total"] = "99999999.99".into();
            if let Some(nature) = nature {
                form["project_nature"] = nature.into();
            }
            forms.push(form);
        }
        let mut form = seed["forms"][0].clone();
        form["project_name"] = chinese(40).into();
        form["overall_goal"] = chinese(300).into();
        form["annual_goal"] = chinese(300).into();
        let level1 = ["产出指标", "效益指标", "满意度指标"];
        let level2 = ["数量指标", "社会效益指标", "服务对象满意度指标"];
        form["indicators"] = (0..20)
            .map(|i| {
                serde_json::json!({
                    "level1": level1[i % 3],
                    "level2": level2[i % 3],
                    "level3": chinese(4 + i % 8),
                    "target": "≥85.00(%)"
                })
            })
            .collect();
        if let Some(nature) = nature {
            form["project_nature"] = nature.into();
        }
        longest.push(form);
    }
    forms.extend(longest);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("forms.json");
    std::fs::write(&json, serde_json::json!({ "forms": forms }).to_string()).unwrap();
    let pages = pages_of(dir.path(), &["convert", "forms.json"], "forms.xlsx");
    assert_eq!(
        pages.len(),
        80 + 2 * 2,
        "one page per form, two for the longest"
    );
    for (i, p) in pages.iter().take(80).enumerate() {
        let grid = if i < 40 { 2024 } else { 2026 };
        assert_form_page(
            p,
            &format!("{grid} grid, name of {} characters", i % 40 + 1),
        );
    }
    for p in pages.iter().skip(80).step_by(2) {
        assert_form_page(p, "the longest form's first page");
    }
    // The names in the split grid too.
    std::fs::write(
        &json,
        serde_json::json!({ "forms": &forms[..40] }).to_string(),
    )
    .unwrap();
    let pages = pages_of(
        dir.path(),
        &["convert", "forms.json", "--layout", "split"],
        "split.xlsx",
    );
    assert_eq!(pages.len(), 40, "one page per form in the split grid");
    for (i, p) in pages.iter().enumerate() {
        assert_form_page(p, &format!("split grid, name of {} characters", i + 1));
    }
}

#[test]
fn indicator_extras_and_large_amounts_keep_every_grid_on_a4_portrait() {
    if !PRINTING.met("the print tests") {
        return;
    }
    // One to three indicator extra columns, with amounts of up to 99,999,999.99, in each
    // layout: the grid keeps the page's width at 100% (its columns narrowed together, an
    // amount's column kept wide enough, no ###), labels balanced off the borders, and a
    // form made longer by the narrower columns continues on the next page.
    let seed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("samples/seed-forms-2024.json")).unwrap(),
    )
    .unwrap();
    let keys = [
        ("指标值设定依据", "参照上年实际完成情况"),
        ("计算公式", "实际完成数/计划数"),
        ("权重", "10"),
        ("备注", "含社区"),
    ];
    let forms: Vec<serde_json::Value> = (1..=3)
        .map(|k| {
            let mut form = seed["forms"][1].clone();
            form["project_name"] = chinese(10 + 5 * k).into();
            if k == 1 {
                form["funds"]["total"] = "99999999.99".into();
                form["funds"]["total_fiscal"] = "99999999.99".into();
                form["funds"]["annual_total"] = "-1234567.89".into();
            }
            for (i, ind) in form["indicators"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .enumerate()
            {
                if i % 2 == 0 {
                    ind["extra"] = keys[..k]
                        .iter()
                        .map(|(key, v)| (key.to_string(), serde_json::Value::from(*v)))
                        .collect::<serde_json::Map<_, _>>()
                        .into();
                }
            }
            form
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("forms.json"),
        serde_json::json!({ "forms": forms }).to_string(),
    )
    .unwrap();
    for layout in ["2024", "2026", "split"] {
        let pages = pages_of(
            dir.path(),
            &["convert", "forms.json", "--layout", layout],
            &format!("{layout}.xlsx"),
        );
        let firsts = first_pages(&pages);
        assert_eq!(firsts.len(), 3, "{layout}: one title per form");
        for (k, p) in firsts.iter().enumerate() {
            // Columns narrowed to make room can leave a 25-character name one character
            // alone at every indent (25 = 6 × 4 + 1 = 8 × 3 + 1), and rows sized for
            // Excel's narrower columns roomy in LibreOffice: not asserted here.
            check_form_page(p, &format!("{layout} grid, {} extra columns", k + 1), false);
        }
        // No page holds a strip of columns cut off the right of the grid.
        let right = A4.0 - FORM_MARGINS / 2.0;
        for (i, p) in pages.iter().enumerate() {
            assert!(p.width < p.height, "{layout} page {}: portrait", i + 1);
            for w in &p.words {
                assert!(
                    w.x1 <= right,
                    "{layout} page {}: “{}” beyond the margin",
                    i + 1,
                    w.text
                );
            }
        }
    }
}

#[test]
fn summaries_print_landscape_with_title_unit_date_and_page_numbers() {
    if !PRINTING.met("the print tests") {
        return;
    }
    // The inputs lie under a long path, given whole: the summary names them relative to
    // their folder, so that its pages do not depend on where the files are.
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join(format!(
        "{}/{}",
        "各部门申报材料（第一轮）".repeat(4),
        "department-submissions-".repeat(3)
    ));
    std::fs::create_dir_all(&inputs).unwrap();
    assert!(inputs.display().to_string().chars().count() >= 120);
    let mut args = vec![
        "merge",
        "--date",
        "2024-12-31",
        "-o",
        "merged.xlsx",
        "--quiet",
    ];
    let samples: Vec<String> = ["人民调解科", "办公室", "社区矫正中心"]
        .iter()
        .map(|s| {
            let to = inputs.join(format!("{s}.xlsx"));
            std::fs::copy(root().join(format!("samples/{s}.xlsx")), &to).unwrap();
            to.display().to_string()
        })
        .collect();
    args.extend(samples.iter().map(String::as_str));
    let out = declform(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = render(&dir.path().join("merged.xlsx"));
    let total = pages.len();
    let landscape: Vec<&Page> = pages.iter().filter(|p| p.width > p.height).collect();
    // 汇总 over three pages of columns, 按部门汇总 on one, then the ten forms.
    assert_eq!((landscape.len(), total), (4, 14));
    for (i, p) in landscape.iter().enumerate() {
        let text = words_text(p);
        let what = format!("summary page {}", i + 1);
        assert!(
            (p.width - A4.1).abs() < 1.0 && (p.height - A4.0).abs() < 1.0,
            "{what}: A4 landscape"
        );
        let title = if i < 3 {
            "2024年度财政项目支出绩效目标汇总表"
        } else {
            "2024年度财政项目支出绩效目标按部门汇总表"
        };
        for needle in [
            title,
            "单位：元",
            "制表日期：2024-12-31",
            "序号",
            &format!("第 {} 页，共 {total} 页", i + 1),
        ] {
            assert!(text.contains(needle), "{what} lacks “{needle}”: {text}");
        }
        // The identifying columns and the 合计 row's label on every page of 汇总.
        if i < 3 {
            for needle in [
                "项目名称",
                "主管部门",
                "村(居)委专职调解岗位工作津贴",
                "合计",
            ] {
                assert!(text.contains(needle), "{what} lacks {needle}");
            }
        }
        let title_word = p
            .words
            .iter()
            .find(|w| title.ends_with(&w.text) && w.text.len() > 12);
        assert!(
            title_word.is_some_and(|w| (w.y1 - w.y0) > 14.0),
            "{what}: the title prints large"
        );
        for w in &p.words {
            if let Some(size) = w.cjk_size() {
                assert!(size >= 9.0, "{what}: {} printed at {size:.2} pt", w.text);
            }
        }
    }
    // The files by their names alone, on one line each.
    let third = words_text(landscape[2]);
    assert!(third.contains("来源文件") && third.contains("人民调解科.xlsx"));
    assert!(!third.contains("各部门申报材料"), "{third}");
    // Every row is as tall as the most lines any of its cells prints on any page: the rows
    // print at the same heights on each page of 汇总, so their cells gather by top and
    // bottom line.
    let mut rows: Vec<(f64, f64, usize)> = Vec::new();
    for p in &landscape[..3] {
        for cell in cells(p) {
            let (first, last) = (&cell[0], &cell[cell.len() - 1]);
            let (Some(above), Some(below)) = (first.1[2], last.1[3]) else {
                continue;
            };
            let (top, bottom, n) = (first.0.y0 - above, last.0.y1 + below, lines(&cell).len());
            match rows
                .iter_mut()
                .find(|r| (r.0 - top).abs() < 1.5 && (r.1 - bottom).abs() < 1.5)
            {
                Some(r) => r.2 = r.2.max(n),
                None => rows.push((top, bottom, n)),
            }
        }
    }
    // Below the header row (two lines high by design: headers wrap once).
    let header_top = rows.iter().map(|r| r.0).fold(f64::MAX, f64::min);
    rows.retain(|r| r.0 > header_top + 1.5);
    assert!(rows.len() >= 10, "the rows of 汇总: {rows:?}");
    for (top, bottom, n) in &rows {
        let height = bottom - top;
        assert!(
            height <= (*n as f64) * 14.5 + 10.0,
            "a row of 汇总 is {height:.0} pt high for {n} line(s) of text"
        );
    }
    let first = words_text(landscape[0]);
    assert!(first.contains("年度") && first.contains("合计"));
    assert!(!first.contains("项目性质"), "no form has 项目性质");
    for (i, p) in pages.iter().filter(|p| p.width < p.height).enumerate() {
        assert_form_page(p, &format!("merged form {}", i + 1));
    }
}

#[test]
fn blank_templates_print_on_a4_with_room_to_write() {
    if !PRINTING.met("the print tests") {
        return;
    }
    for layout in ["2024", "2026", "split"] {
        let dir = tempfile::tempdir().unwrap();
        let pages = pages_of(
            dir.path(),
            &["template", "--layout", layout, "--year", "2025"],
            "t.xlsx",
        );
        // Three empty rows under each 二级指标 take a second page.
        assert_eq!(pages.len(), 2, "{layout}");
        assert_form_page(&pages[0], &format!("{layout} template"));
        // The goal cell under its label is five lines high.
        let p = &pages[0];
        let label = p
            .words
            .iter()
            .find(|w| w.text.starts_with("年度总"))
            .unwrap();
        let below = gaps(p, label, 50.0)[3].unwrap();
        let y = label.y1 + below + 1.0;
        let probe = Word {
            y0: y,
            y1: y + 1.0,
            ..label.clone()
        };
        let height = gaps(p, &probe, 200.0)[3].unwrap();
        assert!(
            height >= 5.0 * LINE,
            "{layout}: the goal cell is {height:.0} points high"
        );
    }
}

/// Forms, summaries and templates printed where the fonts that size columns are missing:
/// without Carlito (Calibri's twin, which the workbooks no longer depend on) everything
/// prints exactly as with it; without any Arial twin either (Liberation Sans, Arimo: the
/// workbooks' Normal font, whose digit sets every column's width), LibreOffice measures
/// columns with DejaVu Sans, about 16% wider, and each form is scaled to one page wide
/// rather than split sideways (body about 9.2 pt instead of 10.5), the summaries to their
/// planned pages.
#[test]
fn forms_never_split_sideways_when_fonts_are_missing() {
    if !PRINTING.met("the print tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seed = root().join("samples/seed-forms-2024.json");
    let samples: Vec<String> = ["人民调解科", "办公室", "社区矫正中心"]
        .iter()
        .map(|s| {
            root()
                .join(format!("samples/{s}.xlsx"))
                .display()
                .to_string()
        })
        .collect();
    let mut merge = vec![
        "merge",
        "--date",
        "2024-12-31",
        "--quiet",
        "-o",
        "merged.xlsx",
    ];
    merge.extend(samples.iter().map(String::as_str));
    let made = [
        (
            vec!["convert", seed.to_str().unwrap(), "-o", "seed.xlsx"],
            "seed.xlsx",
        ),
        (
            vec![
                "convert",
                seed.to_str().unwrap(),
                "--layout",
                "split",
                "-o",
                "split.xlsx",
            ],
            "split.xlsx",
        ),
        (
            vec!["template", "--year", "2025", "-o", "template.xlsx"],
            "template.xlsx",
        ),
        (merge, "merged.xlsx"),
    ];
    for (args, _) in &made {
        let out = declform(d, args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Each workbook copied into a folder of its own per font set, so that LibreOffice's
    // outputs and profiles do not meet.
    let render_in = |name: &str, fonts: &Path, tag: &str| {
        let sub = d.join(format!("{tag}-{name}"));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::copy(d.join(name), sub.join(name)).unwrap();
        render_with(&sub.join(name), Some(fonts))
    };

    // Without Carlito: as with it, at full size.
    let no_carlito = fonts_without(d, &["Carlito"]);
    let pages = render_in("seed.xlsx", &no_carlito, "nocarlito");
    assert_eq!(
        pages.len(),
        10,
        "without Carlito, each seed form on one page"
    );
    for (i, p) in pages.iter().enumerate() {
        assert_form_page(p, &format!("seed form {} without Carlito", i + 1));
    }
    let pages = render_in("split.xlsx", &no_carlito, "nocarlito");
    assert_eq!(first_pages(&pages).len(), 10);
    assert_eq!(pages.len(), 11, "the split grid as with Carlito");
    let pages = render_in("template.xlsx", &no_carlito, "nocarlito");
    assert_eq!(pages.len(), 2);
    assert_form_page(&pages[0], "template without Carlito");
    let pages = render_in("merged.xlsx", &no_carlito, "nocarlito");
    let landscape = pages.iter().filter(|p| p.width > p.height).count();
    assert_eq!((landscape, pages.len()), (4, 14), "merged without Carlito");

    // Without any metric twin of Calibri or Arial: one page wide, scaled.
    let sub = d.join("bare");
    std::fs::create_dir_all(&sub).unwrap();
    let bare = fonts_without(&sub, &["Carlito", "Liberation", "Arimo"]);
    for (name, forms, total) in [
        ("seed.xlsx", 10, 10),
        ("split.xlsx", 10, 11),
        ("template.xlsx", 1, 2),
        ("merged.xlsx", 10, 14),
    ] {
        let pages = render_in(name, &bare, "bare");
        // Scaled, a form that continued on a second page may now fit on one: never more.
        assert!(
            pages.len() <= total,
            "{name} without Carlito and Arial's twins"
        );
        assert_eq!(first_pages(&pages).len(), forms, "{name}");
        for (i, p) in pages.iter().enumerate() {
            let what = format!("{name} page {} without Carlito and Arial's twins", i + 1);
            // Summaries print landscape with their columns planned per page, at 10 pt where
            // the fonts are there (scaled to about 8.7 here); forms at 10.5 (about 9.2 here).
            let (margin, least) = if p.width > p.height {
                (0.0, 8.5)
            } else {
                (FORM_MARGINS / 2.0, 9.0)
            };
            for w in &p.words {
                assert!(
                    w.x1 <= p.width - margin + 0.5,
                    "{what}: “{}” beyond the margin",
                    w.text
                );
                if let Some(size) = w.cjk_size() {
                    assert!(size >= least, "{what}: {} printed at {size:.2} pt", w.text);
                }
            }
        }
    }
}

#[test]
fn seed_forms_as_word_documents_print_one_form_a_page() {
    if !writer_met("the Word print test") {
        return;
    }
    // The seed forms written as .docx in each grid and printed by LibreOffice Writer: one
    // form a page (A4 portrait), the table across the text width, body 10.5 pt, title
    // 18 pt, nothing against a border, nothing beyond the margin, every value printed.
    let seed = root().join("samples/seed-forms-2024.json");
    let forms = declform::read(
        std::fs::read(&seed).unwrap(),
        "seed.json",
        &Default::default(),
    )
    .unwrap()
    .forms;
    for layout in ["2024", "2026", "split"] {
        let dir = tempfile::tempdir().unwrap();
        let pages = pages_of(
            dir.path(),
            &["convert", seed.to_str().unwrap(), "--layout", layout],
            &format!("seed-{layout}.docx"),
        );
        assert_eq!(pages.len(), 10, "{layout}: one page per seed form");
        for (i, (p, form)) in pages.iter().zip(&forms).enumerate() {
            let what = format!("seed form {} as .docx in the {layout} grid", i + 1);
            check_form_page(p, &what, true);
            let text: String = p.words.iter().map(|w| w.text.as_str()).collect();
            assert!(
                text.contains(&form.project_name.replace(' ', "")),
                "{what}: no project name"
            );
            // Amounts as the workbook shows them, right-aligned: each ends near the
            // cell's right border.
            let total = form.funds.total.unwrap().grouped();
            let w = p
                .words
                .iter()
                .find(|w| w.text == total)
                .unwrap_or_else(|| panic!("{what}: no {total}"));
            let right = gaps(p, w, 100.0)[1].unwrap();
            assert!(
                (3.0..8.0).contains(&right),
                "{what}: {total} {right:.1} pt off the border"
            );
            for w in &p.words {
                assert!(
                    w.x1 <= A4.0 - FORM_MARGINS / 2.0 + 0.5,
                    "{what}: “{}” beyond the margin",
                    w.text
                );
            }
        }
        // The blank template in Word: its form on the first page, goal cells five lines high.
        let pages = pages_of(
            dir.path(),
            &["template", "--layout", layout, "--year", "2025"],
            &format!("t-{layout}.docx"),
        );
        assert!(pages.len() <= 2, "{layout} template: {} pages", pages.len());
        check_form_page(&pages[0], &format!("{layout} template as .docx"), true);
        let p = &pages[0];
        let label = p
            .words
            .iter()
            .find(|w| w.text.starts_with("年度总"))
            .unwrap();
        let below = gaps(p, label, 50.0)[3].unwrap();
        let probe = Word {
            y0: label.y1 + below + 1.0,
            y1: label.y1 + below + 2.0,
            ..label.clone()
        };
        let height = gaps(p, &probe, 200.0)[3].unwrap();
        assert!(
            height >= 5.0 * LINE,
            "{layout}: the goal cell is {height:.0} points high"
        );
    }
}
