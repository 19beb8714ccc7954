//! xlsx parts written in UTF-16.
//!
//! XML may be stored in UTF-16 (with a byte-order mark, or recognisable by its `<?xml`
//! declaration), and Excel and LibreOffice open such a package; calamine parses only UTF-8
//! and calls the workbook's XML unreadable. The package is rebuilt in memory with those
//! parts in UTF-8 (their declaration saying so), every other part copied as it is.

use std::io::{Cursor, Read, Write};

/// How a part's XML is encoded, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf16 {
    Le,
    Be,
}

fn utf16_of(start: &[u8]) -> Option<Utf16> {
    match start {
        [0xFF, 0xFE, ..] | [b'<', 0, b'?', 0, ..] => Some(Utf16::Le),
        [0xFE, 0xFF, ..] | [0, b'<', 0, b'?', ..] => Some(Utf16::Be),
        _ => None,
    }
}

/// The text of UTF-16 bytes, its byte-order mark dropped and its XML declaration made to
/// say UTF-8; `None` when the bytes are not valid UTF-16.
fn to_utf8(data: &[u8], order: Utf16) -> Option<String> {
    if !data.len().is_multiple_of(2) {
        return None;
    }
    let units = data.chunks_exact(2).map(|p| {
        let pair = <[u8; 2]>::try_from(p).unwrap_or_default();
        match order {
            Utf16::Le => u16::from_le_bytes(pair),
            Utf16::Be => u16::from_be_bytes(pair),
        }
    });
    let mut text = char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()?;
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    if text.starts_with("<?xml")
        && let Some(end) = text.find("?>")
    {
        let declaration = text[..end].to_ascii_lowercase();
        if let Some(at) = declaration.find("utf-16") {
            let tail = if declaration[at + 6..].starts_with("le")
                || declaration[at + 6..].starts_with("be")
            {
                8
            } else {
                6
            };
            text.replace_range(at..at + tail, "UTF-8");
        }
    }
    Some(text)
}

/// Whether a part is one that nothing reads: the package's content types and its
/// document properties (calamine reads those only when asked for the workbook's
/// properties, which the reader never asks). A UTF-16 one does not call for a rebuild.
fn unread(name: &str) -> bool {
    name == "[Content_Types].xml" || name.starts_with("docProps/")
}

/// Whether a part is one whose encoding counts: XML that something reads.
pub(crate) fn checked(name: &str) -> bool {
    (name.ends_with(".xml") || name.ends_with(".rels")) && !unread(name)
}

/// Whether a part's first bytes are those of UTF-16 XML.
pub(crate) fn is_utf16(start: &[u8]) -> bool {
    utf16_of(start).is_some()
}

/// The package rebuilt with its UTF-16 XML parts in UTF-8, or `None` when it has none (or
/// cannot be rebuilt: then calamine reports it as before). Only the parts that are read
/// are looked at: finding the first bytes of a part means setting up an inflater and
/// decoding the part's first block (a tenth of reading a one-form workbook in the page).
pub(crate) fn rebuild(bytes: &[u8]) -> Option<Vec<u8>> {
    rebuild_zip(&mut zip::ZipArchive::new(Cursor::new(bytes)).ok()?, &|_| {
        false
    })
}

/// [`rebuild`] for a package whose archive is open already; the parts that `later` names
/// are not looked at (their reader looks at their first bytes with [`is_utf16`]).
pub(crate) fn rebuild_zip(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    later: &dyn Fn(&str) -> bool,
) -> Option<Vec<u8>> {
    let mut any = false;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).ok()?;
        let name = part.name().ok()?;
        if !checked(&name) || later(&name) {
            continue;
        }
        let mut start = [0u8; 4];
        let n = part.read(&mut start).ok()?;
        if utf16_of(start.get(..n)?).is_some() {
            any = true;
            break;
        }
    }
    if !any {
        return None;
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).ok()?;
        let name = part.name().ok()?.to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).ok()?;
        if (name.ends_with(".xml") || name.ends_with(".rels"))
            && let Some(order) = utf16_of(&data)
        {
            data = to_utf8(&data, order)?.into_bytes();
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, options).ok()?;
        out.write_all(&data).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_text_becomes_utf8_with_its_declaration() {
        let text = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>项目名称</a>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>项目名称</a>";
        assert_eq!(utf16_of(&le), Some(Utf16::Le));
        assert_eq!(utf16_of(&be), Some(Utf16::Be));
        assert_eq!(to_utf8(&le, Utf16::Le).as_deref(), Some(want));
        assert_eq!(to_utf8(&be, Utf16::Be).as_deref(), Some(want));
        assert_eq!(utf16_of(b"<?xml"), None);
        // A lone surrogate is not UTF-16.
        assert_eq!(to_utf8(&[0xFF, 0xFE, 0x00, 0xD8], Utf16::Le), None);
    }
}
