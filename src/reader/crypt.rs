//! Workbooks encrypted with Excel's built-in default key, "VelvetSweatshop".
//!
//! Excel encrypts a workbook that has a password to modify (修改权限密码) or a protected
//! structure, but no password to open, with this fixed key, and opens it without asking.
//! Such a file is decrypted here in memory and read as usual; a file whose key is another
//! password stays refused.
//!
//! - An OOXML package (xlsx, xlsm, xlsb) in an OLE container (ECMA-376 Standard or Agile
//!   encryption, MS-OFFCRYPTO 2.3.4): decrypted by the `office-crypto` crate.
//! - A BIFF8 workbook stream (xls) with a FILEPASS record of RC4 (MS-OFFCRYPTO 2.3.6) or RC4
//!   CryptoAPI (2.3.5) encryption: decrypted record by record, following MS-XLS 2.2.10,
//!   with the RustCrypto primitives.

use std::io::{Cursor, Read, Write};

/// The password Excel uses when the user gave none to open the workbook.
pub(crate) const DEFAULT_PASSWORD: &str = "VelvetSweatshop";

/// The notice added to a workbook read with the default key.
pub(crate) const NOTICE: &str =
    "此工作簿以 Excel 默认密钥加密（设有修改权限密码或工作簿保护，打开时无需密码），已照常读取";

/// The decrypted package of an encrypted OOXML compound file, when its key is the default
/// one; `None` when it is another password (or an encryption this crate cannot undo).
pub(crate) fn ooxml(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut stream = |name: &str| -> Option<Vec<u8>> {
        let mut data = Vec::new();
        file.open_stream(name).ok()?.read_to_end(&mut data).ok()?;
        Some(data)
    };
    let info = stream("/EncryptionInfo")?;
    let package = stream("/EncryptedPackage")?;
    // office-crypto parses the container itself: it is given a fresh, well-formed one
    // holding only the two streams it reads (the cfb crate has validated the original).
    let clean = (|| -> std::io::Result<Vec<u8>> {
        let mut out =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        out.create_stream("/EncryptionInfo")?.write_all(&info)?;
        out.create_stream("/EncryptedPackage")?
            .write_all(&package)?;
        out.flush()?;
        Ok(out.into_inner().into_inner())
    })()
    .ok()?;
    drop(package);
    let plain =
        super::guard::guarded(|| office_crypto::decrypt_from_bytes(clean, DEFAULT_PASSWORD))?
            .ok()?;
    // office-crypto does not check the key against the file's verifier: a wrong key gives
    // noise, which is no zip archive.
    let is_zip = plain.starts_with(b"PK\x03\x04")
        && zip::ZipArchive::new(Cursor::new(plain.as_slice())).is_ok();
    is_zip.then_some(plain)
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const BOUNDSHEET: u16 = 0x0085;
/// Records that are never encrypted (MS-XLS 2.2.10): BOF, FILEPASS, UsrExcl, FileLock,
/// InterfaceHdr, RRDInfo, RRDHead.
const PLAIN: [u16; 7] = [BOF, FILEPASS, 0x0194, 0x0195, 0x00E1, 0x0196, 0x0138];
/// The RC4 key changes every this many bytes of the stream (MS-XLS 2.2.10).
const XLS_BLOCK: usize = 1024;

/// How a BIFF8 workbook stream is encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Biff {
    /// No FILEPASS record before the globals' EOF.
    Plain,
    /// Encrypted with the default key: the decrypted stream, FILEPASS neutralised.
    Decrypted(Vec<u8>),
    /// Encrypted or obfuscated with another password, or by a method not undone here.
    Password,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// The records from the start: (type, offset of the record, body length).
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, usize, usize)> + '_ {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let kind = u16_at(stream, at)?;
        let len = usize::from(u16_at(stream, at + 2)?);
        stream.get(at + 4..at + 4 + len)?;
        let here = at;
        at += 4 + len;
        Some((kind, here, len))
    })
}

/// The key of one 1024-byte block.
#[derive(Debug, Clone)]
enum KeyMaker {
    /// RC4 (MS-OFFCRYPTO 2.3.6.2): the first five bytes of MD5 over the password's and the
    /// salt's hash.
    Rc4 { truncated: [u8; 5] },
    /// RC4 CryptoAPI (2.3.5.2): SHA-1 over the salted password, truncated to the key size.
    CryptoApi { h0: [u8; 20], key_bytes: usize },
}

impl KeyMaker {
    fn key(&self, block: u32) -> Vec<u8> {
        use md5::{Digest, Md5};
        match self {
            KeyMaker::Rc4 { truncated } => {
                let mut h = Md5::new();
                h.update(truncated);
                h.update(block.to_le_bytes());
                h.finalize().to_vec()
            }
            KeyMaker::CryptoApi { h0, key_bytes } => {
                let mut h = sha1::Sha1::new();
                h.update(h0);
                h.update(block.to_le_bytes());
                let hash = h.finalize();
                let mut key: Vec<u8> = hash.iter().take(*key_bytes).copied().collect();
                if *key_bytes == 5 {
                    // A 40-bit key is used as 128 bits, zero-padded (2.3.5.2).
                    key.resize(16, 0);
                }
                key
            }
        }
    }
}

/// Applies RC4 with a key of 5 to 16 bytes (the cipher carries its key length in its type).
fn rc4(key: &[u8], data: &mut [u8]) {
    use rc4::consts::{U5, U6, U7, U8, U9, U10, U11, U12, U13, U14, U15, U16};
    use rc4::{KeyInit, Rc4, StreamCipher};
    macro_rules! by_length {
        ($($n:literal => $t:ty),+) => {
            match key.len() {
                $($n => Rc4::<$t>::new(key.into()).apply_keystream(data),)+
                _ => {}
            }
        };
    }
    by_length!(5 => U5, 6 => U6, 7 => U7, 8 => U8, 9 => U9, 10 => U10, 11 => U11,
        12 => U12, 13 => U13, 14 => U14, 15 => U15, 16 => U16);
}

/// The key maker for the default password from a FILEPASS body, when the default password
/// is the file's; `None` otherwise.
fn default_key(body: &[u8]) -> Option<KeyMaker> {
    use md5::{Digest, Md5};
    let password: Vec<u8> = DEFAULT_PASSWORD
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    // wEncryptionType 1 (RC4); 0 is XOR obfuscation.
    if u16_at(body, 0)? != 1 {
        return None;
    }
    let (major, minor) = (u16_at(body, 2)?, u16_at(body, 4)?);
    let (maker, verifier, hash) = match (major, minor) {
        (1, 1) => {
            let salt = body.get(6..22)?;
            let h0 = Md5::digest(&password);
            let mut h = Md5::new();
            for _ in 0..16 {
                h.update(h0.get(..5)?);
                h.update(salt);
            }
            let truncated = <[u8; 5]>::try_from(h.finalize().get(..5)?).ok()?;
            (
                KeyMaker::Rc4 { truncated },
                body.get(22..38)?,
                body.get(38..54)?,
            )
        }
        (2..=4, 2) => {
            let header_size = usize::try_from(u32_at(body, 10)?).ok()?;
            let header = body.get(14..14usize.checked_add(header_size)?)?;
            let key_bits = u32_at(header, 16)?;
            let key_bits = if key_bits == 0 { 40 } else { key_bits };
            if !(40..=128).contains(&key_bits) || key_bits % 8 != 0 {
                return None;
            }
            let v = 14 + header_size;
            if u32_at(body, v)? != 16 {
                return None; // salt size
            }
            let salt = body.get(v + 4..v + 20)?;
            let mut h = sha1::Sha1::new();
            h.update(salt);
            h.update(&password);
            let mut h0 = [0u8; 20];
            h0.copy_from_slice(&h.finalize());
            let hash_size = usize::try_from(u32_at(body, v + 36)?).ok()?;
            (
                KeyMaker::CryptoApi {
                    h0,
                    key_bytes: usize::try_from(key_bits / 8).ok()?,
                },
                body.get(v + 20..v + 36)?,
                body.get(v + 40..v + 40 + hash_size.min(20))?,
            )
        }
        _ => return None,
    };
    // The verifier and its hash are encrypted as one run of the block-0 key.
    let mut both = [verifier, hash].concat();
    rc4(&maker.key(0), &mut both);
    let (verifier, hash) = both.split_at(verifier.len());
    let expected = match maker {
        KeyMaker::Rc4 { .. } => Md5::digest(verifier).to_vec(),
        KeyMaker::CryptoApi { .. } => sha1::Sha1::digest(verifier).to_vec(),
    };
    (expected.get(..hash.len()) == Some(hash) && !hash.is_empty()).then_some(maker)
}

/// Looks for a FILEPASS record in a BIFF8 workbook stream's globals and, where the key is
/// the default one, decrypts the stream.
pub(crate) fn biff8(stream: &[u8]) -> Biff {
    let Some((at, len)) = records(stream)
        .take_while(|&(kind, _, _)| kind != EOF)
        .find(|&(kind, _, _)| kind == FILEPASS)
        .map(|(_, at, len)| (at, len))
    else {
        return Biff::Plain;
    };
    let Some(maker) = stream.get(at + 4..at + 4 + len).and_then(default_key) else {
        return Biff::Password;
    };
    // Every byte after FILEPASS is encrypted by its position in the stream, record headers
    // included in the count; then the bytes that are never encrypted are put back.
    let mut out = stream.to_vec();
    let start = at + 4 + len;
    for (i, chunk) in out.chunks_mut(XLS_BLOCK).enumerate() {
        let first = i * XLS_BLOCK;
        if first + chunk.len() <= start {
            continue;
        }
        let Ok(block) = u32::try_from(i) else {
            return Biff::Password;
        };
        let mut plain = chunk.to_vec();
        rc4(&maker.key(block), &mut plain);
        let skip = start.saturating_sub(first);
        for (c, p) in chunk.iter_mut().zip(plain).skip(skip) {
            *c = p;
        }
    }
    let restore = |out: &mut [u8], span: std::ops::Range<usize>| {
        if let (Some(to), Some(from)) = (out.get_mut(span.clone()), stream.get(span)) {
            to.copy_from_slice(from);
        }
    };
    for (kind, rec, len) in records(stream) {
        if rec < start {
            continue;
        }
        // The header, never encrypted.
        restore(&mut out, rec..rec + 4);
        if PLAIN.contains(&kind) {
            restore(&mut out, rec + 4..rec + 4 + len);
        } else if kind == BOUNDSHEET && len >= 4 {
            // lbPlyPos, the sheet's offset, is never encrypted.
            restore(&mut out, rec + 4..rec + 8);
        }
    }
    // FILEPASS becomes a record of no known type, its length kept so that no offset moves.
    if let Some(filepass) = out.get_mut(at..start) {
        filepass.fill(0);
        if let Some(kind) = filepass.get_mut(2..4) {
            kind.copy_from_slice(&u16::try_from(len).unwrap_or(0).to_le_bytes());
        }
    }
    Biff::Decrypted(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_without_filepass_is_plain_and_an_unknown_method_a_password() {
        let bof = [0x09, 0x08, 2, 0, 0, 6];
        assert_eq!(biff8(&bof), Biff::Plain);
        let mut xor = bof.to_vec();
        xor.extend([0x2F, 0, 6, 0, 0, 0, 0x34, 0x12, 0x78, 0x56]);
        assert_eq!(biff8(&xor), Biff::Password);
        let mut truncated = bof.to_vec();
        truncated.extend([0x2F, 0, 6, 0, 1, 0, 1, 0, 1, 0]);
        assert_eq!(biff8(&truncated), Biff::Password);
    }

    #[test]
    fn rc4_of_rc4_is_the_identity_for_every_key_length() {
        for n in 5..=16 {
            let key: Vec<u8> = (1..=n).collect();
            let mut data = *b"declform";
            rc4(&key, &mut data);
            assert_ne!(&data, b"declform", "key of {n} bytes");
            rc4(&key, &mut data);
            assert_eq!(&data, b"declform");
        }
    }
}
