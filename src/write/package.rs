//! A merged workbook's package: each form's sheet written on its own and kept deflated
//! ([`FormSheet`]), then spliced after the summary sheets into one xlsx ([`Merged`]).

use crate::error::Result;
use crate::layout::Tables;
use crate::model::Form;
#[cfg(test)]
use crate::write::form::add_form_sheet;
use crate::write::form::{Formats, form_sheet_xml, layout_for};
use crate::write::sheet_xml::escape_data;
use crate::write::summary::SummaryRow;
use crate::write::workbook;
use rust_xlsxwriter::{Workbook, XlsxError};
use std::io::Write;

/// The summary sheets come first: form sheet `i` (zero-based) is the workbook's sheet
/// `i + FIRST_FORM_SHEET`, its part `xl/worksheets/sheet{i + FIRST_FORM_SHEET + 1}.xml`.
pub(crate) const FIRST_FORM_SHEET: usize = 2;

/// The formats of every form sheet, made once.
pub(crate) fn formats() -> &'static Formats {
    static FORMATS: std::sync::OnceLock<Formats> = std::sync::OnceLock::new();
    FORMATS.get_or_init(Formats::default)
}

/// Registers the form sheets' formats in `wb` in their fixed order, on a sheet of blank
/// cells, so that they take the style indices 1, 2, … (0 is the default format).
pub(crate) fn prime(wb: &mut Workbook) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    for (c, format) in formats().every().iter().enumerate() {
        ws.write_blank(0, u16::try_from(c).unwrap_or(u16::MAX), format)?;
    }
    Ok(())
}

/// One form's sheet for a merged workbook, its XML written directly (the bytes
/// rust_xlsxwriter would write: strings inline, style indices those of every merged
/// workbook) and kept deflated (a few KiB). Building one takes most of a merge's time and
/// needs nothing but the form, so it can be done on any thread
/// ([`Merger::add_all_built`](crate::Merger::add_all_built)); [`FormSheet::all`] builds
/// many at once, sharing one compressor.
///
/// ```
/// let form = declform::Form { project_name: "甲".into(), ..Default::default() };
/// let sheet = declform::merge::FormSheet::new(&form)?;
/// assert!(sheet.compressed_len() > 0);
/// # Ok::<(), declform::Error>(())
/// ```
#[derive(Clone)]
pub struct FormSheet {
    /// A zip archive of deflated sheet XMLs (those of one [`FormSheet::all`], which share
    /// a compressor and so its set-up), shared by their `FormSheet`s: entry `index` is this
    /// sheet's, copied as it is into the merged workbook.
    zip: std::sync::Arc<Vec<u8>>,
    index: usize,
    /// Where the entry's deflated bytes are in `zip`.
    data: std::ops::Range<usize>,
}

/// Two sheets are the same when their deflated XML is (whichever archives hold them).
impl PartialEq for FormSheet {
    fn eq(&self, other: &FormSheet) -> bool {
        self.zip.get(self.data.clone()) == other.zip.get(other.data.clone())
    }
}

impl Eq for FormSheet {}

impl std::fmt::Debug for FormSheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormSheet")
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl FormSheet {
    /// Writes `form`'s sheet in the official layout (as [`Merger::add`](crate::Merger::add)) and deflates it.
    ///
    /// # Errors
    ///
    /// When the sheet cannot be written (a text longer than a cell holds, for one); an
    /// unwritable `extra` is caught by [`Merger::add_all_built`](crate::Merger::add_all_built), not here.
    pub fn new(form: &Form) -> Result<FormSheet> {
        let mut sheets = FormSheet::all(std::slice::from_ref(form))?;
        sheets.pop().ok_or_else(|| {
            workbook::xlsx_error(
                &form.project_name,
                XlsxError::ParameterError("合并用工作表缺失（请报告此问题）".into()),
            )
        })
    }

    /// The sheets of `forms`, in order, each the same bytes as [`FormSheet::new`] gives
    /// it, but deflated [`BATCH`] at a time into one archive (one compressor set up for
    /// them all), which saves about a tenth of the time for many forms.
    ///
    /// ```
    /// use declform::merge::FormSheet;
    /// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
    /// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
    /// let sheets = FormSheet::all(&forms)?;
    /// assert_eq!(sheets.len(), forms.len());
    /// assert_eq!(sheets[3], FormSheet::new(&forms[3])?);
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`FormSheet::new`], for the first form whose sheet cannot be written.
    pub fn all<'a>(forms: impl IntoIterator<Item = &'a Form>) -> Result<Vec<FormSheet>> {
        let forms: Vec<&Form> = forms.into_iter().collect();
        FormSheet::in_batches(&forms, BATCH)
    }

    /// [`FormSheet::all`] with up to `batch` forms (at least one) to an archive.
    fn in_batches(forms: &[&Form], batch: usize) -> Result<Vec<FormSheet>> {
        let mut out = Vec::with_capacity(forms.len());
        for chunk in forms.chunks(batch.max(1)) {
            out.extend(FormSheet::archive(chunk)?);
        }
        Ok(out)
    }

    /// The sheets of `forms`, their XML deflated into one archive.
    fn archive(forms: &[&Form]) -> Result<Vec<FormSheet>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (i, form) in forms.iter().enumerate() {
            let xml = form_sheet_xml(form, layout_for(form, None), formats())
                .map_err(|e| workbook::xlsx_error(&form.project_name, e))?;
            let deflated = zip
                .start_file(format!("{i}.xml"), entry_options())
                .and_then(|()| zip.write_all(&xml).map_err(Into::into));
            deflated.map_err(|e| workbook::xlsx_error(&form.project_name, e.into()))?;
        }
        let what = |e: zip::result::ZipError| {
            let name = forms.first().map_or("", |f| f.project_name.as_str());
            workbook::xlsx_error(name, e.into())
        };
        let bytes = zip.finish().map_err(what)?.into_inner();
        let mut read =
            zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).map_err(what)?;
        let mut data = Vec::with_capacity(forms.len());
        for index in 0..read.len() {
            let entry = read.by_index_raw(index).map_err(what)?;
            let start = usize::try_from(entry.data_start().unwrap_or(0)).unwrap_or(usize::MAX);
            let len = usize::try_from(entry.compressed_size()).unwrap_or(usize::MAX);
            data.push(start..start.saturating_add(len));
        }
        drop(read);
        let zip = std::sync::Arc::new(bytes);
        Ok(data
            .into_iter()
            .enumerate()
            .map(|(index, data)| FormSheet {
                zip: zip.clone(),
                index,
                data,
            })
            .collect())
    }

    /// The size of the sheet as it is kept, in bytes.
    ///
    /// ```
    /// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
    /// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
    /// let sheet = declform::merge::FormSheet::new(&forms[0])?;
    /// assert!((1_000..20_000).contains(&sheet.compressed_len()));
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn compressed_len(&self) -> usize {
        self.data.len()
    }
}

/// How many form sheets [`FormSheet::all`] deflates into one archive: they share its
/// compressor, whose set-up costs about a tenth of a sheet; the sheets' bytes do not depend
/// on it. A caller that builds sheets on several threads hands each thread about this many
/// forms at a time.
///
/// ```
/// use declform::merge::{BATCH, FormSheet};
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let sheets: Vec<FormSheet> = forms
///     .chunks(BATCH)
///     .map(FormSheet::all)
///     .collect::<Result<Vec<_>, _>>()?
///     .concat();
/// assert_eq!(sheets, FormSheet::all(&forms)?);
/// # Ok::<(), declform::Error>(())
/// ```
pub const BATCH: usize = 64;

#[cfg(test)]
/// The XML of the sheets of `forms` with inline strings and the primed style indices:
/// written as the second and later sheets of a workbook of their own (the first, priming
/// the formats, keeps the form sheets from being the selected one), then the shared
/// strings put inline. On error, the index in `forms` of the form it is about (0 when it
/// is about the save).
fn sheet_xmls(forms: &[&Form]) -> std::result::Result<Vec<Vec<u8>>, (usize, XlsxError)> {
    let mut wb = workbook::bare_workbook();
    wb.set_zip_compression_level(1);
    prime(&mut wb).map_err(|e| (0, e))?;
    for (i, form) in forms.iter().enumerate() {
        add_form_sheet(
            wb.add_worksheet(),
            &format!("表{}", i + 1),
            form,
            layout_for(form, None),
            formats(),
        )
        .map_err(|e| (i, e))?;
    }
    extract(&mut wb, forms.len()).map_err(|e| (0, e))
}

#[cfg(test)]
/// The XML of the `n` sheets after the priming one of `wb`, saved, with inline strings.
fn extract(wb: &mut Workbook, n: usize) -> Result<Vec<Vec<u8>>, XlsxError> {
    let bytes = wb.save_to_buffer()?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let unexpected = |what: &str| {
        XlsxError::ParameterError(format!("合并用工作表的{what}与预期不符（请报告此问题）"))
    };
    let part = |zip: &mut zip::ZipArchive<_>, name: &str| -> Result<Vec<u8>, XlsxError> {
        let mut out = Vec::new();
        match zip.by_name(name) {
            Ok(mut f) => {
                std::io::Read::read_to_end(&mut f, &mut out)?;
            }
            Err(zip::result::ZipError::FileNotFound) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(out)
    };
    // Every format the sheets use must be one of those primed, or their indices would not
    // be those of the merged workbook.
    let styles = part(&mut zip, "xl/styles.xml")?;
    if memchr::memmem::find(&styles, primed_xfs().as_bytes()).is_none() {
        return Err(unexpected("格式"));
    }
    let strings = part(&mut zip, "xl/sharedStrings.xml")?;
    let table = string_table(&strings).ok_or_else(|| unexpected("字符串"))?;
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        // The priming sheet is sheet1.
        if zip
            .index_for_name(&format!("xl/worksheets/_rels/sheet{}.xml.rels", k + 2))
            .is_some()
        {
            return Err(unexpected("关联部件"));
        }
        let sheet = part(&mut zip, &format!("xl/worksheets/sheet{}.xml", k + 2))?;
        out.push(inline_strings(&sheet, &table).ok_or_else(|| unexpected("字符串"))?);
    }
    Ok(out)
}

#[cfg(test)]
/// The start of `styles.xml`'s cell formats when every form format is primed and the
/// sheets add none: the default format and the primed ones.
fn primed_xfs() -> &'static str {
    static XFS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    XFS.get_or_init(|| format!("<cellXfs count=\"{}\"", formats().every().len() + 1))
}

#[cfg(test)]
/// The `<si>` contents of `sharedStrings.xml`, in order (none when it is empty).
fn string_table(strings: &[u8]) -> Option<Vec<&[u8]>> {
    use memchr::memmem;
    let mut table: Vec<&[u8]> = Vec::new();
    let mut rest = strings;
    while let Some(open) = memmem::find(rest, b"<si>") {
        let after = rest.get(open + 4..)?;
        let close = memmem::find(after, b"</si>")?;
        table.push(after.get(..close)?);
        rest = after.get(close + 5..)?;
    }
    Some(table)
}

#[cfg(test)]
/// `sheet` with its shared-string cells (`t="s"><v>N</v>`) made inline strings
/// (`t="inlineStr"><is>…</is>`), with the `<si>` content of `table[N]` as it is.
fn inline_strings(sheet: &[u8], table: &[&[u8]]) -> Option<Vec<u8>> {
    use memchr::memmem;
    let start = memmem::find(sheet, b"<sheetData")?;
    let end = memmem::find(sheet, b"</sheetData>").unwrap_or(start);
    let (head, tail) = sheet.split_at(end);
    let mut out = Vec::with_capacity(sheet.len() + sheet.len() / 2);
    const CELL: &[u8] = b"t=\"s\"><v>";
    let mut at = 0;
    for hit in memmem::find_iter(head, CELL) {
        if hit < at {
            continue;
        }
        out.extend_from_slice(head.get(at..hit)?);
        let digits = head.get(hit + CELL.len()..)?;
        let close = memmem::find(digits, b"</v>")?;
        let n: usize = std::str::from_utf8(digits.get(..close)?)
            .ok()?
            .parse()
            .ok()?;
        out.extend_from_slice(b"t=\"inlineStr\"><is>");
        out.extend_from_slice(table.get(n)?);
        out.extend_from_slice(b"</is>");
        at = hit + CELL.len() + close + 4;
    }
    out.extend_from_slice(head.get(at..)?);
    out.extend_from_slice(tail);
    Some(out)
}

/// The options of every entry of a merged workbook: those rust_xlsxwriter writes with at
/// deflate level 1.
fn entry_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default())
}

/// A finished merged workbook and its summary rows.
///
/// ```
/// let seed = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/seed-forms-2024.json")).to_vec();
/// let forms = declform::read(seed, "seed.json", &Default::default())?.forms;
/// let mut merged = declform::merge(&forms)?;
/// assert_eq!(merged.rows().len(), forms.len());
/// assert!(merged.to_bytes()?.starts_with(b"PK"));
/// # Ok::<(), declform::Error>(())
/// ```
pub struct Merged {
    pub(crate) wb: Workbook,
    pub(crate) sheets: Vec<FormSheet>,
    pub(crate) rows: Vec<SummaryRow>,
}

impl std::fmt::Debug for Merged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merged")
            .field("forms", &self.rows.len())
            .finish()
    }
}

impl Merged {
    /// The summary rows, in form order.
    ///
    /// ```
    /// let forms = [declform::Form { department: "司法局".into(), ..Default::default() }];
    /// let merged = declform::merge(&forms)?;
    /// assert_eq!(merged.rows()[0].department, "司法局");
    /// # Ok::<(), declform::Error>(())
    /// ```
    pub fn rows(&self) -> &[SummaryRow] {
        &self.rows
    }

    /// The workbook's bytes.
    ///
    /// ```
    /// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
    /// let bytes = declform::merge(&forms)?.to_bytes()?;
    /// let back = declform::read(bytes, "合并.xlsx", &Default::default())?;
    /// assert_eq!(back.forms[0].project_name, "甲");
    /// # Ok::<(), declform::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the workbook cannot be written.
    pub fn to_bytes(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.assemble(&mut out)
            .map_err(|e| workbook::xlsx_error(&Tables::get().summary.sheet, e))?;
        Ok(out)
    }

    /// Writes the workbook to `w`, the same bytes as [`Merged::to_bytes`], holding no more
    /// than the workbook without its form sheets and the deflated form sheets in memory.
    ///
    /// ```
    /// let forms = [declform::Form { project_name: "甲".into(), ..Default::default() }];
    /// let mut merged = declform::merge(&forms)?;
    /// let mut out = Vec::new();
    /// merged.write_to(&mut out)?;
    /// assert_eq!(out, merged.to_bytes()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The writer's I/O error (a full disk keeps its kind).
    pub fn write_to<W: Write + Send>(&mut self, w: W) -> std::io::Result<()> {
        self.assemble(w).map_err(|e| match e {
            XlsxError::IoError(io) => io,
            XlsxError::ZipError(zip::result::ZipError::Io(io)) => io,
            other => std::io::Error::other(other.to_string()),
        })
    }

    /// Saves the workbook of the two summaries and copies its parts to `w`, with the form
    /// sheets' deflated XML after the summaries' and the four parts that list the sheets
    /// (content types, the workbook's relations, the workbook, the document's properties)
    /// extended as rust_xlsxwriter writes them for a workbook of every sheet.
    fn assemble<W: Write>(&mut self, w: W) -> Result<(), XlsxError> {
        let mut skeleton = Vec::new();
        self.wb.save_to_writer(&mut skeleton)?;
        let mut parts = zip::ZipArchive::new(std::io::Cursor::new(skeleton.as_slice()))?;
        let names: Vec<&str> = self.rows.iter().map(|r| r.sheet.as_str()).collect();
        let last_summary = format!("xl/worksheets/sheet{FIRST_FORM_SHEET}.xml");
        let mut out = zip::ZipWriter::new_stream(w);
        for i in 0..parts.len() {
            let name = parts
                .name_for_index(i)
                .transpose()?
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            let patch: Option<Patch> = match name.as_str() {
                "[Content_Types].xml" => Some(content_types),
                "xl/_rels/workbook.xml.rels" => Some(workbook_rels),
                "xl/workbook.xml" => Some(workbook_xml),
                "docProps/app.xml" => Some(app_xml),
                _ => None,
            };
            match patch {
                Some(patch) if !names.is_empty() => {
                    let mut xml = String::new();
                    std::io::Read::read_to_string(&mut parts.by_index(i)?, &mut xml)?;
                    let xml = patch(&xml, &names).ok_or_else(|| {
                        XlsxError::ParameterError(format!(
                            "{name} 与预期不符，无法加入各表（请报告此问题）"
                        ))
                    })?;
                    out.start_file(name.as_str(), entry_options())?;
                    out.write_all(xml.as_bytes())?;
                }
                _ => out.raw_copy_file(parts.by_index_raw(i)?)?,
            }
            if name == last_summary {
                // Consecutive sheets mostly share an archive, which is opened once for them.
                let mut open: Option<(&std::sync::Arc<Vec<u8>>, zip::ZipArchive<_>)> = None;
                for (k, sheet) in self.sheets.iter().enumerate() {
                    let archive = match open.take() {
                        Some((zip, archive)) if std::sync::Arc::ptr_eq(zip, &sheet.zip) => archive,
                        _ => zip::ZipArchive::new(std::io::Cursor::new(sheet.zip.as_slice()))?,
                    };
                    let (_, archive) = open.insert((&sheet.zip, archive));
                    let part = format!("xl/worksheets/sheet{}.xml", k + FIRST_FORM_SHEET + 1);
                    out.raw_copy_file_rename(archive.by_index_raw(sheet.index)?, part)?;
                }
            }
        }
        out.finish()?;
        Ok(())
    }
}

/// A part of the workbook extended with the form sheets, by their names.
type Patch = fn(&str, &[&str]) -> Option<String>;

/// `xml` with `insert` put in after the end of the first `after`.
fn insert_after(xml: &str, after: &str, insert: &str) -> Option<String> {
    let at = xml.find(after)? + after.len();
    let (head, tail) = xml.split_at(at);
    Some(format!("{head}{insert}{tail}"))
}

/// A text as an XML attribute value, escaped as rust_xlsxwriter does.
fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "&#xA;")
}

/// `[Content_Types].xml` with a worksheet override for each form sheet.
fn content_types(xml: &str, names: &[&str]) -> Option<String> {
    let last = format!(
        "<Override PartName=\"/xl/worksheets/sheet{FIRST_FORM_SHEET}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    );
    let insert: String = (0..names.len())
        .map(|k| {
            last.replace(
                &format!("sheet{FIRST_FORM_SHEET}.xml"),
                &format!("sheet{}.xml", k + FIRST_FORM_SHEET + 1),
            )
        })
        .collect();
    insert_after(xml, &last, &insert)
}

/// `xl/_rels/workbook.xml.rels` with a relation for each form sheet, numbered after the
/// summaries', and the other relations (theme, styles, strings) numbered after them.
fn workbook_rels(xml: &str, names: &[&str]) -> Option<String> {
    let n = names.len();
    let mut out = String::with_capacity(xml.len() + n * 160);
    let mut rest = xml;
    while let Some(at) = rest.find("Id=\"rId") {
        let (head, tail) = rest.split_at(at + 7);
        out.push_str(head);
        let end = tail.find('"')?;
        let id: usize = tail.get(..end)?.parse().ok()?;
        let id = if id > FIRST_FORM_SHEET { id + n } else { id };
        out.push_str(&id.to_string());
        rest = tail.get(end..)?;
    }
    out.push_str(rest);
    let last = format!(
        "<Relationship Id=\"rId{FIRST_FORM_SHEET}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{FIRST_FORM_SHEET}.xml\"/>"
    );
    let insert: String = (FIRST_FORM_SHEET + 1..=FIRST_FORM_SHEET + n)
        .map(|id| format!("<Relationship Id=\"rId{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{id}.xml\"/>"))
        .collect();
    insert_after(&out, &last, &insert)
}

/// `xl/workbook.xml` with each form sheet in its `<sheets>`.
fn workbook_xml(xml: &str, names: &[&str]) -> Option<String> {
    let at = xml.find("</sheets>")?;
    let insert: String = names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let id = k + FIRST_FORM_SHEET + 1;
            format!(
                "<sheet name=\"{}\" sheetId=\"{id}\" r:id=\"rId{id}\"/>",
                attribute(name)
            )
        })
        .collect();
    let (head, tail) = xml.split_at(at);
    Some(format!("{head}{insert}{tail}"))
}

/// `docProps/app.xml` with the form sheets counted and named after the summaries.
fn app_xml(xml: &str, names: &[&str]) -> Option<String> {
    let n = names.len();
    let count = format!(
        "<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{FIRST_FORM_SHEET}</vt:i4>"
    );
    let xml = xml.replacen(
        &count,
        &count.replace(
            &format!("<vt:i4>{FIRST_FORM_SHEET}</vt:i4>"),
            &format!("<vt:i4>{}</vt:i4>", FIRST_FORM_SHEET + n),
        ),
        1,
    );
    let titles = xml.find("<TitlesOfParts><vt:vector size=\"")? + 32;
    let (head, tail) = xml.split_at(titles);
    let end = tail.find('"')?;
    let size: usize = tail.get(..end)?.parse().ok()?;
    let tail = tail.get(end..)?;
    // After the summaries' names.
    let mut at = 0;
    for _ in 0..FIRST_FORM_SHEET {
        at += tail.get(at..)?.find("</vt:lpstr>")? + 11;
    }
    let insert: String = names
        .iter()
        .map(|name| {
            let mut x = String::from("<vt:lpstr>");
            escape_data(&mut x, name);
            x + "</vt:lpstr>"
        })
        .collect();
    Some(format!(
        "{head}{}{}{insert}{}",
        size + n,
        tail.get(..at)?,
        tail.get(at..)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed forms, and one of them with a text longer than a cell holds.
    fn forms() -> (Vec<Form>, Form) {
        let seed = include_bytes!("../../samples/seed-forms-2024.json").to_vec();
        let forms = crate::read(seed, "seed.json", &Default::default())
            .unwrap()
            .forms;
        let mut long = forms[2].clone();
        long.project_name = "太长".into();
        long.annual_goal = "字".repeat(40_000);
        (forms, long)
    }

    /// The sheet XML of `forms` the old way: written to a scratch workbook by
    /// rust_xlsxwriter, saved, unzipped, its shared strings put inline.
    fn scratch_xmls(forms: &[Form]) -> Vec<Vec<u8>> {
        let refs: Vec<&Form> = forms.iter().collect();
        sheet_xmls(&refs).map_err(|(_, e)| e).unwrap()
    }

    #[test]
    fn sheet_xml_is_what_rust_xlsxwriter_writes() {
        let (seed, _) = forms();
        let mut forms = seed.clone();
        // Every seed form in the 2026 grid too (项目性质 chooses it).
        for f in &seed {
            let mut f = f.clone();
            f.project_nature = Some("新增项目".into());
            forms.push(f);
        }
        // Texts that need escaping or keeping their spaces, amounts of every scale and one
        // a float cannot carry, extra rows, empty values.
        let mut odd = seed[1].clone();
        odd.project_name = " 前后空格\t ".into();
        odd.annual_goal = "a&b <c> \"d\" _x0041_ _x00zz_ 换行\n末".into();
        odd.extra.insert("备注".into(), "_x005F_ & 其他".into());
        odd.extra.insert("空".into(), String::new());
        if let Some(ind) = odd.indicators.first_mut() {
            ind.level3 = "  缩进".into();
        }
        forms.push(odd);
        let mut amounts = seed[2].clone();
        amounts.funds.total = Some("1234.5678".parse().unwrap());
        amounts.funds.total_fiscal = Some("12345678901234567.891".parse().unwrap());
        amounts.funds.annual_other = Some("0.1234567890123456789012345678".parse().unwrap());
        forms.push(amounts);
        forms.push(Form::default());
        let mut long = seed[3].clone();
        for k in 0..40 {
            let mut i = long.indicators[k % long.indicators.len()].clone();
            i.level3 = format!("指标{k}");
            long.indicators.push(i);
        }
        forms.push(long);
        let old = scratch_xmls(&forms);
        for (k, form) in forms.iter().enumerate() {
            let new = form_sheet_xml(form, layout_for(form, None), formats()).unwrap();
            assert!(
                new == old[k],
                "form {k}:\nnew {}\nold {}",
                String::from_utf8_lossy(&new),
                String::from_utf8_lossy(&old[k])
            );
        }
    }

    #[test]
    fn form_sheets_do_not_depend_on_the_batch_size() {
        let (forms, _) = forms();
        let refs: Vec<&Form> = forms.iter().chain(&forms).chain(&forms).collect();
        let one = FormSheet::in_batches(&refs, 1).unwrap();
        assert_eq!(one.len(), 30);
        for batch in [2, 7, 30, BATCH] {
            assert!(
                FormSheet::in_batches(&refs, batch).unwrap() == one,
                "batch {batch}"
            );
        }
        assert!(FormSheet::all(&forms).unwrap()[..] == one[..10]);
    }

    #[test]
    fn a_sheet_that_cannot_be_written_is_named_in_any_batch() {
        let (forms, long) = forms();
        let alone = FormSheet::new(&long).unwrap_err().to_string();
        assert!(alone.contains("太长"), "{alone}");
        let mut refs: Vec<&Form> = forms.iter().collect();
        refs.insert(4, &long);
        for batch in [1, 3, BATCH] {
            let e = FormSheet::in_batches(&refs, batch).unwrap_err();
            assert_eq!(e.to_string(), alone, "batch {batch}");
        }
    }
}
