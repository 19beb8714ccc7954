//! Rewrites a BIFF8 workbook stream, record lengths unchanged, so that calamine reads it
//! in memory that follows the cells present and with the right number formats.
//!
//! - calamine builds every xls sheet as a dense rectangle (and reserves room for the
//!   rectangle its DIMENSIONS record declares), so one cell at IV65536 costs about 1 GB per
//!   sheet. A sheet whose rectangle is large is *compacted*: its cell records are renumbered
//!   to the rows and columns that hold something (in order), its DIMENSIONS shrunk to
//!   match, and the reader maps the cells back through [`Compact`].
//! - calamine accepts custom number formats only under the numbers Excel uses (164 and up,
//!   and a few currency formats); Gnumeric numbers its own from 50, which calamine then
//!   takes for the built-in CJK date formats 50–58, reading amounts as dates. Such
//!   formats are renumbered to free numbers from 164, in the FORMAT and XF records alike
//!   (BIFF8, and BIFF5 as Gnumeric writes it for "Excel 95", where both records keep the
//!   format number at the same place).
//!
//! The rewritten stream goes into a new compound file (the `cfb` crate) for calamine.

use super::grid::Merge;
use std::collections::{BTreeSet, HashMap};
use std::io::{Cursor, Write};

/// A sheet's rectangle (rows × columns) from which it is compacted.
pub(crate) const COMPACT_FROM: u64 = 1 << 18;

/// The largest rectangle calamine is given even after compacting (cells scattered on a
/// diagonal do not compact).
pub(crate) const MAX_COMPACT_CELLS: u64 = 4_000_000;

/// How a compacted sheet's cells map back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Compact {
    /// The original row of each compacted row.
    pub rows: Vec<u32>,
    /// The original column of each compacted column.
    pub cols: Vec<u16>,
    /// The sheet's merges, in original coordinates.
    pub merges: Vec<Merge>,
}

/// What the rewrite gave.
#[derive(Debug, Default)]
pub(crate) struct Fixed {
    /// A new compound file holding the rewritten stream, when anything was rewritten.
    pub file: Option<Vec<u8>>,
    /// Per sheet, in the order of the workbook's sheet records: how to map it back, when
    /// compacted.
    pub sheets: Vec<Option<Compact>>,
}

/// Why a stream was not rewritten but refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The workbook is encrypted or obfuscated (a FILEPASS record).
    Encrypted,
    /// A sheet whose cells are so scattered that even compacted it exceeds
    /// [`MAX_COMPACT_CELLS`]: its rows and columns holding something.
    Scattered { rows: usize, cols: usize },
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const FORMAT: u16 = 0x041E;
const XF: u16 = 0x00E0;
const BOUNDSHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MERGEDCELLS: u16 = 0x00E5;
const MULRK: u16 = 0x00BD;
/// The one-cell records calamine reads: FORMULA, NUMBER, LABEL, RSTRING, BOOLERR, RK,
/// LABELSST (row, then column, in the first four bytes).
const CELLS: [u16; 7] = [0x0006, 0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD];

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn put_u16(b: &mut [u8], i: usize, v: u16) {
    if let Some(s) = b.get_mut(i..i + 2) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

fn put_u32(b: &mut [u8], i: usize, v: u32) {
    if let Some(s) = b.get_mut(i..i + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

/// The records from `at`: (type, offset of the body, body length).
fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, usize, usize)> + '_ {
    std::iter::from_fn(move || {
        let kind = u16_at(stream, at)?;
        let len = usize::from(u16_at(stream, at + 2)?);
        let body = at + 4;
        stream.get(body..body + len)?;
        at = body + len;
        Some((kind, body, len))
    })
}

/// Whether calamine reads a custom number format under this number.
fn calamine_takes_format(ifmt: u16) -> bool {
    matches!(ifmt, 5..=8 | 23..=26 | 41..=44 | 63..=66 | 164..=382)
}

/// Rewrites a BIFF8 `Workbook` stream where needed; a BIFF5 stream has only its number
/// formats renumbered.
pub(crate) fn fix(stream: &[u8]) -> Result<Fixed, Refusal> {
    fix_with(stream, COMPACT_FROM)
}

fn fix_with(stream: &[u8], compact_from: u64) -> Result<Fixed, Refusal> {
    let mut out = Fixed::default();
    let biff8 = records(stream, 0)
        .next()
        .is_some_and(|(k, body, _)| k == BOF && u16_at(stream, body) == Some(0x0600));
    // The globals.
    let mut formats: Vec<(usize, u16)> = Vec::new();
    let mut xfs: Vec<usize> = Vec::new();
    let mut sheets: Vec<(usize, u8)> = Vec::new();
    for (kind, body, len) in records(stream, 0) {
        match kind {
            FILEPASS => return Err(Refusal::Encrypted),
            FORMAT if len >= 2 => formats.extend(u16_at(stream, body).map(|f| (body, f))),
            XF if len >= 4 => xfs.push(body),
            BOUNDSHEET if len >= 6 => {
                if let (Some(pos), Some(&dt)) = (u32_at(stream, body), stream.get(body + 5)) {
                    sheets.push((usize::try_from(pos).unwrap_or(usize::MAX), dt));
                }
            }
            EOF => break,
            _ => {}
        }
    }
    let mut patched: Option<Vec<u8>> = None;
    // Number formats calamine would not take.
    let used: BTreeSet<u16> = formats.iter().map(|f| f.1).collect();
    let mut free = (164..=382u16).filter(|f| !used.contains(f));
    let mut renumber: HashMap<u16, u16> = HashMap::new();
    for &(body, ifmt) in &formats {
        if calamine_takes_format(ifmt) || renumber.contains_key(&ifmt) {
            continue;
        }
        let Some(to) = free.next() else { break };
        renumber.insert(ifmt, to);
        put_u16(patched.get_or_insert_with(|| stream.to_vec()), body, to);
    }
    if !renumber.is_empty() {
        let p = patched.get_or_insert_with(|| stream.to_vec());
        for &body in &xfs {
            if let Some(to) = u16_at(stream, body + 2).and_then(|f| renumber.get(&f)) {
                put_u16(p, body + 2, *to);
            }
        }
    }
    // Sheets with a large rectangle (BIFF8 only: BIFF5 records sizes differ).
    for &(pos, dt) in &sheets {
        let compact = if dt == 0 && biff8 {
            compact_sheet(stream, pos, compact_from, &mut patched)?
        } else {
            None
        };
        out.sheets.push(compact);
    }
    if let Some(p) = patched {
        out.file = compound_file(&p).ok();
        if out.file.is_none() {
            out.sheets = vec![None; sheets.len()];
        }
    }
    Ok(out)
}

/// The cell records of the sheet substream at `pos` (nested substreams, such as embedded
/// charts, skipped as calamine skips them): (type, body).
fn sheet_records(stream: &[u8], pos: usize) -> Vec<(u16, usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut seen_bof = false;
    for (kind, body, len) in records(stream, pos) {
        if depth > 0 {
            match kind {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match kind {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            _ => out.push((kind, body, len)),
        }
    }
    out
}

/// The cells (row, first column, last column) of a cell record.
fn cell_span(stream: &[u8], kind: u16, body: usize, len: usize) -> Option<(u16, u16, u16)> {
    let row = u16_at(stream, body)?;
    let col = u16_at(stream, body + 2)?;
    if CELLS.contains(&kind) {
        Some((row, col, col))
    } else if kind == MULRK && len >= 6 {
        Some((row, col, u16_at(stream, body + len - 2)?.max(col)))
    } else {
        None
    }
}

fn compact_sheet(
    stream: &[u8],
    pos: usize,
    compact_from: u64,
    patched: &mut Option<Vec<u8>>,
) -> Result<Option<Compact>, Refusal> {
    let recs = sheet_records(stream, pos);
    let mut rows = BTreeSet::new();
    let mut cols = BTreeSet::new();
    let mut merges = Vec::new();
    let mut dims = Vec::new();
    for &(kind, body, len) in &recs {
        if let Some((r, c0, c1)) = cell_span(stream, kind, body, len) {
            rows.insert(r);
            cols.extend(c0..=c1);
        } else if kind == DIMENSIONS && len >= 14 {
            dims.push(body);
        } else if kind == MERGEDCELLS {
            let n = usize::from(u16_at(stream, body).unwrap_or(0));
            for i in 0..n {
                let at = body + 2 + 8 * i;
                if let (Some(r0), Some(r1), Some(c0), Some(c1)) = (
                    u16_at(stream, at),
                    u16_at(stream, at + 2),
                    u16_at(stream, at + 4),
                    u16_at(stream, at + 6),
                ) && r0 <= r1
                    && c0 <= c1
                {
                    merges.push(Merge {
                        row: u32::from(r0),
                        col: c0,
                        last_row: u32::from(r1),
                        last_col: c1,
                    });
                }
            }
        }
    }
    let area = |rows: &BTreeSet<u16>, cols: &BTreeSet<u16>| -> u64 {
        match (rows.first(), rows.last(), cols.first(), cols.last()) {
            (Some(r0), Some(r1), Some(c0), Some(c1)) => {
                // Widened first: a sheet may span rows 0 to 65535.
                (u64::from(*r1) - u64::from(*r0) + 1) * (u64::from(*c1) - u64::from(*c0) + 1)
            }
            _ => 0,
        }
    };
    let declared = dims
        .iter()
        .filter_map(|&b| {
            let (r0, r1) = (u32_at(stream, b)?, u32_at(stream, b + 4)?);
            let (c0, c1) = (u16_at(stream, b + 8)?, u16_at(stream, b + 10)?);
            Some(u64::from(r1.saturating_sub(r0)) * u64::from(c1.saturating_sub(c0)))
        })
        .max()
        .unwrap_or(0);
    if area(&rows, &cols) < compact_from && declared < compact_from {
        return Ok(None);
    }
    let dense = u64::try_from(rows.len()).unwrap_or(u64::MAX)
        * u64::try_from(cols.len()).unwrap_or(u64::MAX);
    if dense > MAX_COMPACT_CELLS {
        return Err(Refusal::Scattered {
            rows: rows.len(),
            cols: cols.len(),
        });
    }
    let row_rank: HashMap<u16, u16> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, &r)| Some((r, u16::try_from(i).ok()?)))
        .collect();
    let col_rank: HashMap<u16, u16> = cols
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| Some((c, u16::try_from(i).ok()?)))
        .collect();
    let p = patched.get_or_insert_with(|| stream.to_vec());
    for &(kind, body, len) in &recs {
        if let Some((r, c0, c1)) = cell_span(stream, kind, body, len) {
            let (Some(&r), Some(&c0), Some(&c1)) =
                (row_rank.get(&r), col_rank.get(&c0), col_rank.get(&c1))
            else {
                continue;
            };
            put_u16(p, body, r);
            put_u16(p, body + 2, c0);
            if kind == MULRK {
                put_u16(p, body + len - 2, c1);
            }
        }
    }
    for &b in &dims {
        put_u32(p, b, 0);
        put_u32(p, b + 4, u32::try_from(rows.len()).unwrap_or(0));
        put_u16(p, b + 8, 0);
        put_u16(p, b + 10, u16::try_from(cols.len()).unwrap_or(0));
    }
    Ok(Some(Compact {
        rows: rows.into_iter().map(u32::from).collect(),
        cols: cols.into_iter().collect(),
        merges,
    }))
}

/// A compound file holding one `Workbook` stream.
pub(crate) fn compound_file(stream: &[u8]) -> std::io::Result<Vec<u8>> {
    // Version 3 (512-byte sectors): calamine refuses a version-4 file whose root entry has
    // no mini stream.
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    file.create_stream("/Workbook")?.write_all(stream)?;
    file.flush()?;
    Ok(file.into_inner().into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record.
    fn rec(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut v = kind.to_le_bytes().to_vec();
        v.extend((body.len() as u16).to_le_bytes());
        v.extend(body);
        v
    }

    #[test]
    fn a_far_cell_is_compacted_and_maps_back() {
        let bof = rec(BOF, &[0, 6, 0x10, 0, 0, 0, 0, 0]);
        let eof = rec(EOF, &[]);
        let number = |r: u16, c: u16| {
            let mut b = r.to_le_bytes().to_vec();
            b.extend(c.to_le_bytes());
            b.extend([0, 0]);
            b.extend(1.5f64.to_le_bytes());
            rec(0x0203, &b)
        };
        let mut globals = bof.clone();
        let sheet_at = globals.len() + 4 + 9 + eof.len();
        let mut bs = (sheet_at as u32).to_le_bytes().to_vec();
        bs.extend([0, 0, 1, 0, b'S']);
        globals.extend(rec(BOUNDSHEET, &bs));
        globals.extend(&eof);
        let mut stream = globals;
        stream.extend(&bof);
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend(65_536u32.to_le_bytes());
        dims.extend([0, 0, 0, 1, 0, 0]);
        stream.extend(rec(DIMENSIONS, &dims));
        stream.extend(number(0, 0));
        stream.extend(number(65_535, 255));
        stream.extend(&eof);
        let fixed = fix(&stream).unwrap();
        let compact = fixed.sheets[0].clone().unwrap();
        assert_eq!(compact.rows, [0, 65_535]);
        assert_eq!(compact.cols, [0, 255]);
        assert!(fixed.file.is_some());
        // Not compacted below the threshold.
        assert_eq!(fix_with(&stream, u64::MAX).unwrap().sheets, [None]);
    }
}
