//! What a PDF asks of the content interpreter, measured before it runs: streams inflated
//! into nothing against the inflated-bytes limit, and each page's operators, text, paths
//! and `q` nesting counted (form XObjects included) against per-page and per-document caps.

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
pub(super) fn check_limits(
    doc: &pdf_extract::Document,
    max_inflated: u64,
) -> std::result::Result<(), String> {
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
