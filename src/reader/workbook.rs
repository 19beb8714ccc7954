//! Workbooks from their bytes: zip and OLE containers checked before any parser sees
//! them (inflated size, loops, encryption with Excel's default key), xlsx, xlsb and xls
//! read through calamine into a [`Grid`] per sheet, ODS through [`ods`], Word through
//! [`docx`]; each grid then goes to the form recogniser like any other sheet's.

use super::grid::{Fault, Grid, MAX_CELLS, Merge, Value};
use super::sniff::{OLE_MAGIC, ZipKind, is_early_biff, zip_kind};
use super::{
    Notice, Read, ReadOptions, crypt, docx, finish, guard, ods, read_grids, read_sheet,
    utf16_parts, xls_fix, xlsx_merges,
};
use crate::error::{Error, ErrorKind, Limit, Location, Result};
use calamine::{Data, DataRef, Reader, Sheets};
use std::collections::HashMap;
use std::io::Cursor;

/// Opens a zip archive and checks its declared inflated sizes against the limit; the
/// archive, for the checks and readers that follow. The actual sizes need no second pass:
/// the zip crate (which calamine reads through) stops any part that inflates past its
/// declared size with an error, so the declared total bounds the work.
fn check_zip(bytes: &[u8], limit: u64) -> Result<zip::ZipArchive<Cursor<&[u8]>>> {
    let corrupt = |e: zip::result::ZipError| {
        Error::new(
            ErrorKind::Corrupt,
            Location::default(),
            "工作簿已损坏，无法打开（压缩包结构有误或不完整）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试",
        )
        .with_cause(e)
    };
    let too_large = |size: u64, what: &str| {
        Error::new(
            ErrorKind::TooLarge,
            Location::default(),
            format!(
                "{what}解压后超过 {} MiB（至少 {} MiB），可能是压缩炸弹，已拒绝",
                limit / (1024 * 1024),
                size.div_ceil(1024 * 1024)
            ),
        )
        .with_limit(Limit::InflatedBytes)
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(corrupt)?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limit {
        let what = if docx::is_docx(&mut zip) {
            "文档"
        } else {
            "工作簿"
        };
        return Err(too_large(declared, what));
    }
    Ok(zip)
}

/// The workbook formats by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Xls,
}

/// Reads a workbook from its bytes; the format is taken from the content, the name's
/// extension `ext` (lowercase, without the dot) only breaks ties.
pub(super) fn read_workbook(bytes: Vec<u8>, ext: &str, opts: &ReadOptions) -> Result<Read> {
    let not_workbook = || {
        Error::new(
            ErrorKind::NotAWorkbook,
            Location::default(),
            "不是 Excel 或 WPS 表格文件（支持 .xlsx .xlsm .xlsb .xls .ods）；请确认文件没有损坏、扩展名正确",
        )
    };
    let mut xls_fixed = xls_fix::Fixed::default();
    let mut default_key = false;
    // A package with UTF-16 parts, rebuilt; else the package's archive, opened once for
    // the checks and the merges, with its sheet parts (not yet checked for UTF-16).
    let mut rebuilt: Option<Vec<u8>> = None;
    let mut archive: Option<Opened<'_>> = None;
    let candidates: &[Format] = if bytes.starts_with(b"PK\x03\x04") {
        let mut zip = check_zip(&bytes, opts.max_inflated_bytes)?;
        match zip_kind(&mut zip) {
            ZipKind::Ods => return read_ods(ods::read_zip(&bytes), ext),
            ZipKind::Docx => return docx::read(docx::read_zip(&bytes)),
            ZipKind::Numbers => {
                return Err(Error::new(
                    ErrorKind::NotAWorkbook,
                    Location::default(),
                    "这是 Apple Numbers 文件（.numbers），无法直接读取；请在 Numbers 中选择“文件 > 导出为 > Excel”存为 .xlsx 后再试",
                ));
            }
            ZipKind::OtherOdf => return Err(not_workbook()),
            ZipKind::Excel => {
                // The sheets are looked at when they are read (their merges are read from
                // their first bytes on anyway); the other parts now, before calamine
                // reads them.
                let sheets = xlsx_merges::sheet_parts(&mut zip).unwrap_or_default();
                let later = |name: &str| sheets.values().any(|p| p == name);
                match utf16_parts::rebuild_zip(&mut zip, &later) {
                    Some(package) => rebuilt = Some(package),
                    None => archive = Some((zip, sheets)),
                }
            }
        }
        match ext {
            "xlsb" => &[Format::Xlsb, Format::Xlsx],
            _ => &[Format::Xlsx, Format::Xlsb],
        }
    } else if bytes.starts_with(&OLE_MAGIC) {
        match check_ole(&bytes, ext)? {
            Ole::Package(plain) => {
                let read = read_workbook(plain, ext, opts)?;
                return Ok(with_default_key_notice(read));
            }
            Ole::Xls(fixed, decrypted) => {
                (xls_fixed, default_key) = (fixed, decrypted);
                &[Format::Xls]
            }
        }
    } else if ods::is_flat_ods(&bytes) {
        return read_ods(ods::read_flat(&bytes), ext);
    } else if is_early_biff(&bytes) {
        return Err(Error::new(
            ErrorKind::NotAWorkbook,
            Location::default(),
            "这是 Excel 2.x–4.0（1997 年以前）格式的 .xls 文件，无法读取；请在 Excel、WPS 或 LibreOffice 中打开并另存为 .xlsx 后再试",
        ));
    } else {
        return Err(not_workbook());
    };
    let mut first_error = None;
    for &format in candidates {
        let source: &[u8] = rebuilt
            .as_deref()
            .or(xls_fixed.file.as_deref())
            .unwrap_or(&bytes);
        let opened = guard::guarded(|| open(source, format))
            .unwrap_or_else(|| Err(calamine::Error::Msg(CONTAINED_PANIC)));
        match opened {
            Ok(sheets) => {
                let merges =
                    (format == Format::Xlsx).then(|| XlsxMerges::new(source, archive.take()));
                let read = match read_sheets(sheets, merges, &xls_fixed.sheets)? {
                    Some(read) => read,
                    // A sheet in UTF-16: read as if that had been known from the start.
                    None => read_rebuilt(&bytes, candidates, ext)?,
                };
                return Ok(if default_key {
                    with_default_key_notice(read)
                } else {
                    read
                });
            }
            Err(e) => {
                if is_password(&e) {
                    return Err(encrypted(ext));
                }
                first_error.get_or_insert(e);
            }
        }
    }
    Err(unopened(first_error))
}

/// The error for a workbook that no candidate format opens, from the first one's error.
fn unopened(first_error: Option<calamine::Error>) -> Error {
    if let Some(calamine::Error::Xlsx(calamine::XlsxError::Unrecognized { typ, val })) =
        &first_error
        && *typ == "sheet:type"
        && val.contains("acrosheet")
    {
        return Error::new(
            ErrorKind::Corrupt,
            Location::default(),
            "工作簿含有 Excel 4.0 宏表，无法读取；请在 Excel 中删除宏表，或将申报表复制到新工作簿另存为 .xlsx 后再试",
        );
    }
    let detail = first_error.as_ref().map_or("内容无法解析", describe);
    let err = Error::new(
        ErrorKind::Corrupt,
        Location::default(),
        format!(
            "工作簿已损坏，无法打开（{detail}）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试"
        ),
    );
    match first_error {
        Some(e) => err.with_cause(e),
        None => err,
    }
}

/// The message for a panic contained inside calamine.
const CONTAINED_PANIC: &str = "解析时遇到无法处理的数据";

/// What went wrong, in Chinese, for a message; the library's own (English) text stays in
/// the error's cause ([`std::error::Error::source`]).
fn describe(e: &calamine::Error) -> &'static str {
    use calamine::{Error as E, XlsError, XlsbError, XlsxError};
    match e {
        E::Xlsx(XlsxError::Zip(_)) | E::Xlsb(XlsbError::Zip(_)) => "压缩包结构有误或不完整",
        E::Xlsx(
            XlsxError::Xml(_)
            | XlsxError::XmlAttr(_)
            | XlsxError::XmlEof(_)
            | XlsxError::Encoding(_)
            | XlsxError::UnexpectedNode(_),
        )
        | E::Xlsb(XlsbError::Xml(_) | XlsbError::XmlAttr(_) | XlsbError::Encoding(_)) => {
            "工作簿内的 XML 无法解析"
        }
        E::Xlsx(
            XlsxError::FileNotFound(_)
            | XlsxError::RelationshipNotFound
            | XlsxError::WorksheetNotFound(_),
        )
        | E::Xlsb(XlsbError::FileNotFound(_) | XlsbError::WorksheetNotFound(_)) => {
            "缺少工作表等组成部分"
        }
        E::Xls(XlsError::Cfb(_)) => "文件容器结构有误",
        E::Xls(_) => ".xls 数据记录无法解析",
        E::Xlsb(_) => ".xlsb 数据记录无法解析",
        E::Xlsx(_) => "工作簿内容无法解析",
        E::Io(_) => "读取时出错",
        E::Msg(m) if *m == CONTAINED_PANIC => CONTAINED_PANIC,
        _ => "内容无法解析",
    }
}

/// The forms of an ODS workbook read by [`ods`], or its error.
fn read_ods(sheets: Result<Vec<ods::Sheet>, Fault>, ext: &str) -> Result<Read> {
    match sheets {
        Ok(sheets) => read_grids(sheets),
        Err(Fault::Encrypted) => Err(encrypted(ext)),
        Err(Fault::TooManyCells) => Err(Error::new(
            ErrorKind::TooLarge,
            Location::default(),
            format!(
                "工作簿中的单元格过多（重复的单元格展开后超过 {} 万个），无法读取；请删除多余的行列后再试",
                MAX_CELLS / 10_000
            ),
        )),
        Err(e @ Fault::Broken(_)) => Err(Error::new(
            ErrorKind::Corrupt,
            Location::default(),
            "工作簿已损坏，无法打开（ODS 表格内容无法解析）；请在 LibreOffice、Excel 或 WPS 中打开并另存为 .xlsx 后再试",
        )
        .with_cause(e)),
    }
}

/// The error for a file with a password to open. The container does not say what it
/// holds: a Word document is told by its name's extension `ext`.
fn encrypted(ext: &str) -> Error {
    let word = matches!(
        ext,
        "docx" | "docm" | "dotx" | "dotm" | "doc" | "dot" | "wps" | "wpt"
    );
    Error::new(
        ErrorKind::Encrypted,
        Location::default(),
        if word {
            "文档设有打开密码，无法读取；请在 Word 或 WPS 中取消密码后另存再试"
        } else {
            "工作簿设有打开密码，无法读取；请在 Excel 或 WPS 中取消密码后另存再试"
        },
    )
}

/// The notice for a workbook read with Excel's default key, first among the file's.
fn with_default_key_notice(mut read: Read) -> Read {
    read.notices
        .insert(0, Notice::new(Location::default(), crypt::NOTICE));
    read
}

/// What an OLE compound file holds, once checked.
enum Ole {
    /// An OOXML package encrypted with Excel's default key, decrypted.
    Package(Vec<u8>),
    /// An xls workbook, rewritten where needed; whether it was decrypted with the default key.
    Xls(xls_fix::Fixed, bool),
}

/// Validates an OLE compound file (xls, or an encrypted OOXML package) with the `cfb`
/// crate before calamine sees it: calamine follows sector chains without checking for
/// loops, so a malformed 8 KB file can make it allocate without bound (found by cargo fuzz).
fn check_ole(bytes: &[u8], ext: &str) -> Result<Ole> {
    let mut file = match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(file) => file,
        // An encrypted OOXML package whose container the cfb crate refuses still names its
        // EncryptionInfo stream in the directory.
        Err(_) if memchr::memmem::find(bytes, &utf16le("EncryptionInfo")).is_some() => {
            return Err(encrypted(ext));
        }
        Err(e) => {
            return Err(Error::new(
                ErrorKind::Corrupt,
                Location::default(),
                "工作簿已损坏，无法打开（文件容器结构有误）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试",
            )
            .with_cause(e));
        }
    };
    if file.exists("/EncryptionInfo") {
        return crypt::ooxml(bytes)
            .map(Ole::Package)
            .ok_or_else(|| encrypted(ext));
    }
    if let Some(e) = docx::word_97(&file, ext) {
        return Err(e);
    }
    let stream = ["/Workbook", "/Book"]
        .into_iter()
        .find(|s| file.is_stream(s));
    let Some(stream) = stream else {
        return Ok(Ole::Xls(xls_fix::Fixed::default(), false));
    };
    let mut data = Vec::new();
    file.open_stream(stream)
        .and_then(|mut s| std::io::Read::read_to_end(&mut s, &mut data))
        .map_err(|e| {
            Error::new(
                ErrorKind::Corrupt,
                Location::default(),
                "工作簿已损坏，无法打开（工作簿数据流无法读出）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试",
            )
            .with_cause(e)
        })?;
    let decrypted = match crypt::biff8(&data) {
        crypt::Biff::Plain => false,
        crypt::Biff::Password => return Err(encrypted(ext)),
        crypt::Biff::Decrypted(plain) => {
            data = plain;
            true
        }
    };
    if let Some(fault) = xls_extent_fault(&data) {
        return Err(Error::new(
            ErrorKind::Corrupt,
            Location::default(),
            format!("工作簿已损坏：{fault}；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试"),
        ));
    }
    let mut fixed = xls_fix::fix(&data).map_err(|r| match r {
        xls_fix::Refusal::Encrypted => encrypted(ext),
        xls_fix::Refusal::Scattered { rows, cols } => Error::new(
            ErrorKind::TooLarge,
            Location::default(),
            format!(
                "工作表的单元格分布过散（{rows} 行 × {cols} 列中都有内容），无法读取；请删除多余的单元格，或另存为 .xlsx 后再试"
            ),
        ),
    })?;
    if decrypted && fixed.file.is_none() {
        // calamine reads the decrypted stream from a compound file of its own.
        fixed.file = xls_fix::compound_file(&data).ok();
    }
    Ok(Ole::Xls(fixed, decrypted))
}

/// A text as UTF-16LE bytes, as compound-file directories name their streams.
fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// What in a BIFF workbook stream reaches past the xls format's 65,536 rows × 256 columns.
/// calamine sizes its cell buffers from these records when it opens an xls file (a sheet's
/// DIMENSIONS, with 32-bit rows, and every cell's column), so one such record asks for
/// hundreds of gigabytes and aborts the process (both found by cargo fuzz).
fn xls_extent_fault(stream: &[u8]) -> Option<String> {
    const FILEPASS: u16 = 0x002F;
    const DIMENSIONS: u16 = 0x0200;
    // Cell records: FORMULA, LABELSST, NUMBER, RK, BLANK, LABEL, BOOLERR, RSTRING; and the
    // two that span columns, MULRK and MULBLANK (last column in their final two bytes).
    const CELLS: [u16; 8] = [
        0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0204, 0x0205, 0x00D6,
    ];
    const SPANS: [u16; 2] = [0x00BD, 0x00BE];
    const MAX_ROWS: u32 = 65_536;
    const MAX_COLS: u32 = 256;
    let u16_at = |b: &[u8], i: usize| {
        b.get(i..i + 2)
            .and_then(|x| <[u8; 2]>::try_from(x).ok())
            .map(u16::from_le_bytes)
    };
    let u32_at = |b: &[u8], i: usize| {
        b.get(i..i + 4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .map(u32::from_le_bytes)
    };
    let mut at = 0usize;
    while let (Some(kind), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let body = stream.get(at + 4..at + 4 + usize::from(len)).unwrap_or(&[]);
        if kind == FILEPASS {
            return None; // encrypted from here on: calamine reports the password
        }
        if kind == DIMENSIONS {
            // First row, row past the last, first column, column past the last.
            let dims = match body.len() {
                10 => (0..4)
                    .map(|i| u16_at(body, 2 * i).map(u32::from))
                    .collect::<Option<Vec<u32>>>(),
                14 | 16 => [
                    u32_at(body, 0),
                    u32_at(body, 4),
                    u16_at(body, 8).map(u32::from),
                    u16_at(body, 10).map(u32::from),
                ]
                .into_iter()
                .collect(),
                _ => None,
            };
            if let Some([first_row, end_row, _, end_col]) =
                dims.as_deref().and_then(|d| <[u32; 4]>::try_from(d).ok())
                && (end_row > MAX_ROWS || end_col > MAX_COLS || first_row > end_row)
            {
                return Some(format!(
                    "工作表声明的范围（第 {} 至 {} 行，共 {end_col} 列）超出 .xls 格式的 65536 行 × 256 列",
                    u64::from(first_row) + 1,
                    end_row
                ));
            }
        }
        let mut cols = Vec::new();
        if CELLS.contains(&kind) {
            cols.extend(u16_at(body, 2));
        } else if SPANS.contains(&kind) {
            cols.extend(u16_at(body, 2));
            cols.extend(body.len().checked_sub(2).and_then(|i| u16_at(body, i)));
        }
        if let Some(&col) = cols.iter().find(|&&c| u32::from(c) >= MAX_COLS) {
            return Some(format!(
                "有单元格位于第 {} 列，超出 .xls 格式的 256 列",
                u32::from(col) + 1
            ));
        }
        at += 4 + usize::from(len);
    }
    None
}

fn is_password(e: &calamine::Error) -> bool {
    use calamine::{Error as E, OdsError, XlsError, XlsbError, XlsxError};
    matches!(
        e,
        E::Xlsx(XlsxError::Password)
            | E::Xls(XlsError::Password)
            | E::Xlsb(XlsbError::Password)
            | E::Ods(OdsError::Password)
    )
}

type Rs<'a> = Cursor<&'a [u8]>;

fn open(bytes: &[u8], format: Format) -> Result<Sheets<Rs<'_>>, calamine::Error> {
    let rs = Cursor::new(bytes);
    Ok(match format {
        Format::Xlsx => Sheets::Xlsx(calamine::Xlsx::new(rs)?),
        Format::Xlsb => Sheets::Xlsb(calamine::Xlsb::new(rs)?),
        Format::Xls => Sheets::Xls(calamine::Xls::new(rs)?),
    })
}

/// An xlsx package with a sheet in UTF-16, found while reading it: rebuilt (or as it is
/// when it cannot be) and read again from the start, its sheets checked up front as any
/// other part, as if the UTF-16 sheet had been known before reading.
fn read_rebuilt(bytes: &[u8], candidates: &[Format], ext: &str) -> Result<Read> {
    let package = utf16_parts::rebuild(bytes);
    let source = package.as_deref().unwrap_or(bytes);
    let mut first_error = None;
    for &format in candidates {
        match guard::guarded(|| open(source, format))
            .unwrap_or_else(|| Err(calamine::Error::Msg(CONTAINED_PANIC)))
        {
            Ok(sheets) => {
                let merges = (format == Format::Xlsx).then(|| XlsxMerges::new(source, None));
                // No sheet is found in UTF-16 here: only an archive opened up front looks.
                return read_sheets(sheets, merges, &[])?.ok_or_else(|| {
                    Error::new(
                        ErrorKind::Corrupt,
                        Location::default(),
                        "工作簿已损坏，无法打开（工作簿内的 XML 无法解析）；请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试",
                    )
                });
            }
            Err(e) => {
                if is_password(&e) {
                    return Err(encrypted(ext));
                }
                first_error.get_or_insert(e);
            }
        }
    }
    Err(unopened(first_error))
}

/// An xlsx package's archive, opened, and its sheets' parts by sheet name.
type Opened<'a> = (zip::ZipArchive<Cursor<&'a [u8]>>, HashMap<String, String>);

/// The merges of an xlsx workbook's sheets, read by [`xlsx_merges`] from the same bytes.
struct XlsxMerges<'a> {
    zip: Option<zip::ZipArchive<Cursor<&'a [u8]>>>,
    parts: HashMap<String, String>,
    /// Whether the sheets' parts are still to be checked for UTF-16 (see
    /// [`XlsxMerges::is_utf16`]).
    unchecked: bool,
    /// The first bytes of the part whose merges were read last, and its path.
    start: (String, Vec<u8>),
}

impl<'a> XlsxMerges<'a> {
    /// The merges of the workbook `bytes`, whose archive may be `opened` already with its
    /// sheet parts, not yet checked for UTF-16.
    fn new(bytes: &'a [u8], opened: Option<Opened<'a>>) -> XlsxMerges<'a> {
        let unchecked = opened.is_some();
        let (zip, parts) = match opened {
            Some((zip, parts)) => (Some(zip), parts),
            None => {
                let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok();
                let parts = zip
                    .as_mut()
                    .and_then(xlsx_merges::sheet_parts)
                    .unwrap_or_default();
                (zip, parts)
            }
        };
        XlsxMerges {
            zip,
            parts,
            unchecked,
            start: Default::default(),
        }
    }

    /// The sheet's merges that `keep` wants, or `None` when calamine must find them.
    fn of(&mut self, sheet: &str, keep: &dyn Fn(&Merge) -> bool) -> Option<Vec<Merge>> {
        let path = self.parts.get(sheet)?;
        self.start = (path.clone(), Vec::new());
        xlsx_merges::merges(self.zip.as_mut()?, path, keep, &mut self.start.1)
    }

    /// Whether the sheet's part is UTF-16 XML, where the package's sheets were not checked
    /// before reading (its first bytes as [`XlsxMerges::of`] found them, or read now).
    fn is_utf16(&mut self, sheet: &str) -> bool {
        let Some(path) = self.parts.get(sheet).filter(|p| utf16_parts::checked(p)) else {
            return false;
        };
        if !self.unchecked {
            return false;
        }
        if self.start.0 == *path && self.start.1.len() >= 4 {
            return utf16_parts::is_utf16(&self.start.1);
        }
        let Some(mut part) = self.zip.as_mut().and_then(|z| z.by_name(path).ok()) else {
            return false;
        };
        let mut start = Vec::new();
        match std::io::Read::read_to_end(&mut std::io::Read::take(&mut part, 4), &mut start) {
            Ok(_) => utf16_parts::is_utf16(&start),
            Err(_) => false,
        }
    }
}

fn read_sheets(
    mut sheets: Sheets<Rs<'_>>,
    mut merges: Option<XlsxMerges<'_>>,
    compacted: &[Option<xls_fix::Compact>],
) -> Result<Option<Read>> {
    let mut result = Read::default();
    let kinds: HashMap<String, (calamine::SheetType, calamine::SheetVisible)> = sheets
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), (s.typ, s.visible)))
        .collect();
    let names = sheets.sheet_names();
    for (i, name) in names.iter().enumerate() {
        if let Some(what) = kinds.get(name).and_then(|&(t, _)| not_a_worksheet(t)) {
            result.notices.push(Notice {
                location: Location::default().sheet(name.as_str()),
                message: format!("此工作表是{what}，不是普通工作表，已跳过"),
            });
            continue;
        }
        let corrupt = |e: &calamine::Error| {
            Error::new(
                ErrorKind::Corrupt,
                Location::default().sheet(name.as_str()),
                format!(
                    "工作表无法读取（{}）；请在 Excel 或 WPS 中打开并另存后再试",
                    describe(e)
                ),
            )
        };
        let compact = compacted.get(i).and_then(Option::as_ref);
        let grid = guard::guarded(|| load_grid(&mut sheets, name, merges.as_mut(), compact))
            .unwrap_or(Err(calamine::Error::Msg(CONTAINED_PANIC)));
        // A sheet in UTF-16 (which calamine does not read) calls for the package rebuilt.
        if merges.as_mut().is_some_and(|m| m.is_utf16(name)) {
            return Ok(None);
        }
        let mut grid = grid.map_err(|e| corrupt(&e).with_cause(e))?;
        let hidden = kinds.get(name).and_then(|&(_, v)| hidden_notice(v));
        read_sheet(&mut result, &mut grid, name, hidden)?;
    }
    finish(result).map(Some)
}

/// The notice for forms read from a hidden sheet, or `None` for a visible one.
pub(super) fn hidden_notice(visible: calamine::SheetVisible) -> Option<&'static str> {
    use calamine::SheetVisible as V;
    match visible {
        V::Visible => None,
        V::Hidden => Some(
            "此工作表是隐藏的，其中的申报表已照常读取；如不应上报，请删除该工作表或移出其中的申报表",
        ),
        V::VeryHidden => Some(
            "此工作表被设为“深度隐藏”（veryHidden，在 Excel 中无法直接取消隐藏），其中的申报表已照常读取；如不应上报，请删除该工作表或移出其中的申报表",
        ),
    }
}

/// What a sheet that holds no cells is called, or `None` for a worksheet.
fn not_a_worksheet(kind: calamine::SheetType) -> Option<&'static str> {
    use calamine::SheetType as T;
    match kind {
        T::WorkSheet => None,
        T::ChartSheet => Some("图表工作表"),
        T::DialogSheet => Some("对话框工作表"),
        T::MacroSheet => Some("宏表（Excel 4.0 宏）"),
        T::Vba => Some("VBA 模块"),
    }
}

/// Text without NUL characters: programs that pad fixed-width strings leave them (an xls
/// whose labels end in NULs is valid, and Excel shows nothing for them).
fn without_nul(s: String) -> String {
    if memchr::memchr(0, s.as_bytes()).is_some() {
        s.replace('\0', "")
    } else {
        s
    }
}

pub(super) fn value_of(d: DataRef<'_>) -> Option<Value> {
    Some(match d {
        DataRef::Empty => return None,
        DataRef::String(s) => Value::Text(without_nul(s)),
        DataRef::SharedString(s) => Value::Text(without_nul(s.to_string())),
        DataRef::Float(f) => Value::Number(f),
        DataRef::Int(i) => Value::Int(i),
        DataRef::Bool(b) => Value::Bool(b),
        // A date outside 1900..9999 stays a number, which no date reading accepts.
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(d) if dt.is_datetime() && crate::date::in_range(d.date()) => Value::Date(d.date()),
            _ => Value::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => match crate::date::parse_date_text(&s) {
            Some(d) => Value::Date(d),
            None => Value::Text(s),
        },
        DataRef::DurationIso(s) => Value::Text(s),
        DataRef::Error(e) => Value::Error(e.to_string()),
    })
}

pub(super) fn value_of_data(d: &Data) -> Option<Value> {
    value_of(match d {
        Data::Empty => DataRef::Empty,
        Data::String(s) => DataRef::SharedString(s),
        Data::Float(f) => DataRef::Float(*f),
        Data::Int(i) => DataRef::Int(*i),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(dt) => DataRef::DateTime(*dt),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
    })
}

fn to_merge(d: &calamine::Dimensions) -> Option<Merge> {
    Some(Merge {
        row: d.start.0,
        col: u16::try_from(d.start.1).ok()?,
        last_row: d.end.0,
        last_col: u16::try_from(d.end.1).ok()?,
    })
}

fn col16(c: u32) -> Option<u16> {
    u16::try_from(c).ok().filter(|&c| c < 16_384)
}

/// Loads one sheet's non-empty cells (streaming for xlsx and xlsb), then its merges, of
/// which only those that reach the cells' area are kept
/// ([`Grid::add_merges_in_used_area`]): memory follows the cells and the merges among them,
/// not the sheet's formatted or merged expanse.
fn load_grid(
    sheets: &mut Sheets<Rs<'_>>,
    name: &str,
    known: Option<&mut XlsxMerges<'_>>,
    compact: Option<&xls_fix::Compact>,
) -> Result<Grid, calamine::Error> {
    match sheets {
        Sheets::Xlsx(x) => {
            let mut grid = Grid::new(true);
            let mut cells = x.worksheet_cells_reader(name)?;
            while let Some(cell) = cells.next_cell_with_formula()? {
                let (r, c) = cell.pos;
                let Some(c) = col16(c) else { continue };
                match (value_of(cell.value), cell.formula) {
                    (Some(v), _) => grid.set(r, c, v),
                    (None, Some(f)) if !f.is_empty() => grid.set(r, c, Value::Uncalculated(f)),
                    (None, _) => {}
                }
            }
            drop(cells);
            let Some(area) = grid.used_area() else {
                return Ok(grid);
            };
            let keep = |m: &Merge| m.overlaps(&area);
            match known.and_then(|k| k.of(name, &keep)) {
                Some(merges) => grid.add_merges_in_used_area(merges),
                None => grid.add_merges_in_used_area(
                    x.merge_cells_by_sheet_name(name)?
                        .iter()
                        .filter_map(to_merge),
                ),
            }
            Ok(grid)
        }
        Sheets::Xlsb(x) => {
            let mut grid = Grid::new(false);
            let mut cells = x.worksheet_cells_reader(name)?;
            while let Some(cell) = cells.next_cell()? {
                let (r, c) = cell.get_position();
                if let (Some(c), Some(v)) = (col16(c), value_of(cell.get_value().clone())) {
                    grid.set(r, c, v);
                }
            }
            Ok(grid)
        }
        Sheets::Xls(x) => {
            if let Some(compact) = compact {
                // Cells renumbered by `xls_fix`: map them back, merges as found there.
                let mut grid = Grid::new(true);
                let range = x.worksheet_range(name)?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, d) in range.used_cells() {
                    let row = u32::try_from(r).ok().and_then(|r| r.checked_add(r0));
                    let col = u32::try_from(c).ok().and_then(|c| c.checked_add(c0));
                    let row = row.and_then(|r| compact.rows.get(usize::try_from(r).ok()?));
                    let col = col.and_then(|c| compact.cols.get(usize::try_from(c).ok()?));
                    if let (Some(&row), Some(&col), Some(v)) = (row, col, value_of_data(d)) {
                        grid.set(row, col, v);
                    }
                }
                grid.add_merges_in_used_area(compact.merges.iter().copied());
                return Ok(grid);
            }
            let mut grid = Grid::new(true);
            let range = x.worksheet_range(name)?;
            fill_from_range(&mut grid, &range);
            grid.add_merges_in_used_area(
                x.merge_cells_by_sheet_name(name)?
                    .iter()
                    .filter_map(to_merge),
            );
            Ok(grid)
        }
        // ODS is read by the `ods` module, never through calamine.
        Sheets::Ods(_) => Err(calamine::Error::Msg("ODS")),
    }
}

fn fill_from_range(grid: &mut Grid, range: &calamine::Range<Data>) {
    for (r, c, d) in range.used_cells() {
        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
            continue;
        };
        let row = range.start().map_or(0, |s| s.0) + r;
        let col = range.start().map_or(0, |s| s.1) + c;
        if let (Some(col), Some(v)) = (col16(col), value_of_data(d)) {
            grid.set(row, col, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};

    /// One form as declform writes it, then the same workbook with `extra` merges of two
    /// cells each, eight a row, from row 1,000 down: far from the form and from any text.
    fn form_with_far_merges(extra: u32) -> (Vec<u8>, Vec<u8>) {
        let seed = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/seed-forms-2024.json"
        ));
        let read = crate::read(seed.to_vec(), "seed.json", &ReadOptions::default()).unwrap();
        let plain = crate::write_workbook(&read.forms[..1], None).unwrap();
        let mut zin = zip::ZipArchive::new(Cursor::new(&plain[..])).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut entry = zin.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut xml = String::new();
            entry.read_to_string(&mut xml).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                let at = xml.find("</mergeCells>").expect("the form has merges");
                let far: String = (0..extra)
                    .map(|i| {
                        let (r, c) = (1_000 + i / 8, (i % 8) as u16 * 2);
                        let m = Merge {
                            row: r,
                            col: c,
                            last_row: r,
                            last_col: c + 1,
                        };
                        format!("<mergeCell ref=\"{}\"/>", m.a1())
                    })
                    .collect();
                xml.insert_str(at, &far);
            }
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(xml.as_bytes()).unwrap();
        }
        (plain, out.finish().unwrap().into_inner())
    }

    /// The workbook with the parts named in `utf16` in UTF-16 (a byte-order mark, the
    /// declaration saying so), the others as they were.
    fn with_utf16_parts(plain: &[u8], utf16: &[&str]) -> Vec<u8> {
        let mut zin = zip::ZipArchive::new(Cursor::new(plain)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut entry = zin.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            if utf16.contains(&name.as_str()) {
                let text = String::from_utf8(data)
                    .unwrap()
                    .replacen("UTF-8", "UTF-16", 1);
                data = format!("\u{feff}{text}")
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect();
            }
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_sheet_in_utf16_reads_as_in_utf8() {
        // A sheet alone is found while reading (then the package is rebuilt and read
        // again); the workbook's own parts are found before.
        let (plain, _) = form_with_far_merges(0);
        let opts = ReadOptions::default();
        let want = super::super::read(plain.clone(), "a.xlsx", &opts).unwrap();
        assert_eq!(want.forms.len(), 1);
        for parts in [
            &["xl/worksheets/sheet1.xml"][..],
            &["xl/workbook.xml"],
            &["xl/styles.xml", "xl/worksheets/sheet1.xml"],
        ] {
            let utf16 = with_utf16_parts(&plain, parts);
            let mut zip = zip::ZipArchive::new(Cursor::new(&utf16[..])).unwrap();
            let mut start = [0u8; 2];
            zip.by_name(parts[0])
                .unwrap()
                .read_exact(&mut start)
                .unwrap();
            assert_eq!(start, [0xFF, 0xFE], "{parts:?}");
            let got = super::super::read(utf16, "a.xlsx", &opts).unwrap();
            assert_eq!(got, want, "{parts:?}");
        }
    }

    #[test]
    fn far_merges_cost_nothing_and_change_nothing() {
        let (plain, hostile) = form_with_far_merges(200_000);
        // The merge list (5 MB of XML) is longer than the tail kept in memory: it is read
        // again as a stream, and every merge is found, as calamine finds them.
        let mut cal = calamine::Xlsx::new(Cursor::new(&hostile[..])).unwrap();
        let sheet = cal.sheet_names()[0].clone();
        let want = cal.merge_cells_by_sheet_name(&sheet).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(&hostile[..])).unwrap();
        let parts = xlsx_merges::sheet_parts(&mut zip).unwrap();
        let all =
            xlsx_merges::merges(&mut zip, &parts[&sheet], &|_| true, &mut Vec::new()).unwrap();
        assert_eq!(all.len(), want.len());
        assert!(all.len() > 200_000, "{}", all.len());
        assert!(all.iter().zip(&want).all(|(m, d)| Some(*m) == to_merge(d)));

        // Only the form's merges reach the grid.
        let grid_of = |bytes: &[u8]| {
            let mut sheets = open(bytes, Format::Xlsx).unwrap();
            let mut merges = XlsxMerges::new(bytes, None);
            load_grid(&mut sheets, &sheet, Some(&mut merges), None).unwrap()
        };
        let (small, large) = (grid_of(&plain), grid_of(&hostile));
        assert!(small.merge_entries() > 10, "{}", small.merge_entries());
        assert_eq!(large.merge_entries(), small.merge_entries());

        // The same form, notices and all.
        let opts = ReadOptions::default();
        let a = super::super::read(plain, "a.xlsx", &opts).unwrap();
        let b = super::super::read(hostile, "a.xlsx", &opts).unwrap();
        assert_eq!(a, b);
        assert_eq!(b.forms.len(), 1);
    }
}
