//! A minimal, deterministic zip writer (deflate, no directory entries, fixed timestamps,
//! entries in sorted order): enough for a Chrome .zip and a Firefox .xpi.

use anyhow::{bail, Context, Result};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use std::io::Write;
use std::path::Path;

/// DOS date of 1980-01-01 (the zip epoch), time 00:00: reproducible archives.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;

struct Entry {
    name: String,
    crc: u32,
    method: u16,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// Zips every file under `dir` (recursively) into `out`, paths relative to `dir` with `/`.
pub fn zip_dir(dir: &Path, out: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let mut buf: Vec<u8> = Vec::new();
    let mut entries = Vec::new();
    for rel in files {
        let data = std::fs::read(dir.join(&rel)).with_context(|| format!("reading {rel}"))?;
        let mut crc = Crc::new();
        crc.update(&data);
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&data)?;
        let deflated = enc.finish()?;
        let (method, body) = if deflated.len() < data.len() {
            (8u16, deflated)
        } else {
            (0u16, data.clone())
        };
        if body.len() > u32::MAX as usize || buf.len() > u32::MAX as usize {
            bail!("{rel}: too large for a zip without zip64");
        }
        let e = Entry {
            name: rel,
            crc: crc.sum(),
            method,
            compressed: body.len() as u64,
            size: data.len() as u64,
            offset: buf.len() as u64,
        };
        // Local file header.
        put32(&mut buf, 0x0403_4b50);
        put_entry_fields(&mut buf, &e);
        put16(&mut buf, 0); // extra length
        buf.extend_from_slice(e.name.as_bytes());
        buf.extend_from_slice(&body);
        entries.push(e);
    }
    let cd_start = buf.len() as u64;
    for e in &entries {
        put32(&mut buf, 0x0201_4b50);
        put16(&mut buf, (3 << 8) | 20); // made by: unix, 2.0
        put_entry_fields(&mut buf, e);
        put16(&mut buf, 0); // extra
        put16(&mut buf, 0); // comment
        put16(&mut buf, 0); // disk
        put16(&mut buf, 0); // internal attributes
        put32(&mut buf, 0o100644 << 16); // external: regular file rw-r--r--
        put32(&mut buf, e.offset as u32);
        buf.extend_from_slice(e.name.as_bytes());
    }
    let cd_size = buf.len() as u64 - cd_start;
    if entries.len() > u16::MAX as usize {
        bail!("too many files for a zip without zip64");
    }
    put32(&mut buf, 0x0605_4b50);
    put16(&mut buf, 0);
    put16(&mut buf, 0);
    put16(&mut buf, entries.len() as u16);
    put16(&mut buf, entries.len() as u16);
    put32(&mut buf, cd_size as u32);
    put32(&mut buf, cd_start as u32);
    put16(&mut buf, 0);
    std::fs::write(out, buf).with_context(|| format!("writing {}", out.display()))
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(base, &path, out)?;
        } else {
            let rel = path.strip_prefix(base)?;
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// The fields the local header and the central directory entry share, from "version needed"
/// to the name length.
fn put_entry_fields(buf: &mut Vec<u8>, e: &Entry) {
    put16(buf, 20); // version needed
    put16(buf, 0x0800); // flags: UTF-8 names
    put16(buf, e.method);
    put16(buf, DOS_TIME);
    put16(buf, DOS_DATE);
    put32(buf, e.crc);
    put32(buf, e.compressed as u32);
    put32(buf, e.size as u32);
    put16(buf, e.name.len() as u16);
}

fn put16(b: &mut Vec<u8>, v: u16) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn put32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_is_readable_by_unzip_layout() {
        let dir = std::env::temp_dir().join(format!("xtask-zip-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src/sub")).unwrap();
        std::fs::write(dir.join("src/manifest.json"), "{\"a\": 1}\n".repeat(50)).unwrap();
        std::fs::write(dir.join("src/sub/x.js"), "x").unwrap();
        std::fs::write(dir.join("src/empty.txt"), "").unwrap();
        let out = dir.join("out.zip");
        zip_dir(&dir.join("src"), &out).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        // Local header of the first (sorted) entry at offset 0, EOCD at the end with 3 entries.
        assert_eq!(&bytes[0..4], &[0x50, 0x4b, 0x03, 0x04]);
        let eocd = bytes.len() - 22;
        assert_eq!(&bytes[eocd..eocd + 4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([bytes[eocd + 10], bytes[eocd + 11]]), 3);
        let name_len = u16::from_le_bytes([bytes[26], bytes[27]]) as usize;
        assert_eq!(&bytes[30..30 + name_len], b"empty.txt");
        // Deterministic.
        let out2 = dir.join("out2.zip");
        zip_dir(&dir.join("src"), &out2).unwrap();
        assert_eq!(bytes, std::fs::read(&out2).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
