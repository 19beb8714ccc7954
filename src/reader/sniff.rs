//! What an input is, from its first bytes: a workbook or Word document (zip or OLE
//! container, flat ODS), a PDF, a declform JSON document or a flat CSV table. The name's
//! extension only breaks ties.

use super::{docx, ods, pdf};
use crate::flat;
use std::io::Cursor;

/// What an input is, by its content; the name's extension only breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Input {
    Workbook,
    Pdf,
    Json,
    Csv,
}

pub(super) fn extension(name: &str) -> String {
    std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(super) fn sniff(bytes: &[u8], name: &str) -> Input {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&OLE_MAGIC) {
        return Input::Workbook;
    }
    if pdf::is_pdf(bytes, extension(name) == "pdf") {
        return Input::Pdf;
    }
    match extension(name).as_str() {
        "json" => return Input::Json,
        "csv" => return Input::Csv,
        _ => {}
    }
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return Input::Json;
    }
    let line = text.split(|&b| b == b'\n').next().unwrap_or(&[]);
    if let Ok(line) = std::str::from_utf8(line) {
        let header: Vec<String> = line
            .trim_end()
            .split(',')
            .map(|h| h.trim_matches('"').to_string())
            .collect();
        if flat::is_flat_header(&header) {
            return Input::Csv;
        }
    }
    Input::Workbook
}

pub(super) const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What a zip archive holds, by its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ZipKind {
    /// An Excel workbook (xlsx, xlsm, xlsb), or something calamine is to judge.
    Excel,
    /// An OpenDocument spreadsheet.
    Ods,
    /// A Word document (.docx, .docm).
    Docx,
    /// Another OpenDocument file (text, presentation).
    OtherOdf,
    /// An Apple Numbers document.
    Numbers,
}

pub(super) fn zip_kind(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> ZipKind {
    if ods::is_ods(zip) {
        return ZipKind::Ods;
    }
    if zip.index_for_name("xl/workbook.xml").is_some()
        || zip.index_for_name("xl/workbook.bin").is_some()
    {
        return ZipKind::Excel;
    }
    if docx::is_docx(zip) {
        return ZipKind::Docx;
    }
    if let Ok(mut m) = zip.by_name("mimetype") {
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut std::io::Read::take(&mut m, 200), &mut text).is_ok()
            && text.starts_with("application/vnd.oasis.opendocument.")
        {
            return ZipKind::OtherOdf;
        }
    }
    let numbers = zip
        .file_names()
        .flatten()
        .any(|n| n.starts_with("Index/") && n.ends_with(".iwa") || n == "index.xml");
    if numbers {
        ZipKind::Numbers
    } else {
        ZipKind::Excel
    }
}

/// Whether bytes begin with the BOF record of a BIFF2, BIFF3 or BIFF4 workbook (Excel 2.x
/// to 4.0): a bare record stream, without the compound-file container of later xls.
pub(super) fn is_early_biff(bytes: &[u8]) -> bool {
    matches!(bytes.get(..4), Some([0x09, 0x00 | 0x02 | 0x04, 4..=16, 0]))
}
