//! Test support: the members of a NumPy `.npz` archive (a zip of `.npy` files, stored or
//! deflated) and gzip'd text files, for the parity folders of `shared/data/parity`.

use std::io::Read;
use std::path::Path;

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

fn u64_at(b: &[u8], at: usize) -> usize {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap()) as usize
}

/// The bytes of member `name` (e.g. `pedestals.npy`) of the zip archive at `path`.
pub fn member(path: &Path, name: &str) -> Vec<u8> {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let eocd = (0..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .unwrap_or_else(|| panic!("{}: not a zip archive", path.display()));
    let entries = u16_at(&b, eocd + 10);
    let mut at = u32_at(&b, eocd + 16);
    if at == 0xffff_ffff {
        // zip64: the locator just before the end record points at the zip64 end record.
        let rec = u64_at(&b, eocd - 20 + 8);
        at = u64_at(&b, rec + 48);
    }
    for _ in 0..entries {
        assert_eq!(b[at..at + 4], [0x50, 0x4b, 0x01, 0x02], "central directory");
        let method = u16_at(&b, at + 10);
        let mut csize = u32_at(&b, at + 20);
        let mut usize_ = u32_at(&b, at + 24);
        let nlen = u16_at(&b, at + 28);
        let elen = u16_at(&b, at + 30);
        let clen = u16_at(&b, at + 32);
        let mut local = u32_at(&b, at + 42);
        let fname = std::str::from_utf8(&b[at + 46..at + 46 + nlen]).unwrap();
        // zip64 extra field: the values that are 0xffffffff above, in order.
        let mut e = at + 46 + nlen;
        let end = e + elen;
        while e + 4 <= end {
            let (id, len) = (u16_at(&b, e), u16_at(&b, e + 2));
            if id == 1 {
                let mut v = e + 4;
                for x in [&mut usize_, &mut csize, &mut local] {
                    if *x == 0xffff_ffff {
                        *x = u64_at(&b, v);
                        v += 8;
                    }
                }
            }
            e += 4 + len;
        }
        if fname == name {
            let data = local + 30 + u16_at(&b, local + 26) + u16_at(&b, local + 28);
            let raw = &b[data..data + csize];
            return match method {
                0 => raw.to_vec(),
                8 => {
                    let mut out = Vec::with_capacity(usize_);
                    flate2::read::DeflateDecoder::new(raw)
                        .read_to_end(&mut out)
                        .unwrap();
                    out
                }
                m => panic!("{}: compression method {m}", path.display()),
            };
        }
        at += 46 + nlen + elen + clen;
    }
    panic!("{}: no member {name}", path.display())
}

/// The text of a gzip'd file.
pub fn gunzip(path: &Path) -> String {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = String::new();
    flate2::read::GzDecoder::new(&b[..])
        .read_to_string(&mut s)
        .unwrap();
    s
}
