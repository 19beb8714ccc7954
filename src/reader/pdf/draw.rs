//! What a PDF's pages draw, collected through `pdf-extract`: each glyph with its position
//! and size, and each ruling line (stroked segments and rectangles, filled rectangles
//! thinner than [`THIN`](super::THIN)); and the checks made before a page is run (images
//! on a page without text, form XObjects that draw themselves).

use super::{SNAP, THIN};
use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// A glyph: where its baseline starts, how wide and tall it is, and its text.
#[derive(Debug, Clone)]
pub(super) struct Glyph {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) size: f64,
    pub(super) text: String,
}

/// A horizontal (`y`, from `a` to `b` in x) or vertical (`x`, from `a` to `b` in y) rule.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rule {
    pub(super) at: f64,
    pub(super) a: f64,
    pub(super) b: f64,
}

#[derive(Debug, Default)]
pub(super) struct Page {
    pub(super) glyphs: Vec<Glyph>,
    pub(super) horizontal: Vec<Rule>,
    pub(super) vertical: Vec<Rule>,
}

/// Collects each page's glyphs and rules from `pdf-extract`.
#[derive(Default)]
pub(super) struct Collector {
    pub(super) pages: Vec<Page>,
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

pub(super) fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

pub(super) fn max(v: &[f64]) -> f64 {
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

/// The pages' content as `pdf-extract` sees it.
pub(super) fn collect(doc: &pdf_extract::Document) -> std::result::Result<Collector, OutputError> {
    let mut out = Collector::default();
    pdf_extract::output_doc(doc, &mut out)?;
    Ok(out)
}

/// Whether any page draws an image (a scan).
pub(super) fn has_images(doc: &pdf_extract::Document) -> bool {
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
pub(super) fn xobject_cycle(doc: &pdf_extract::Document) -> bool {
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
