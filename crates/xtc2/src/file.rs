/*!
An XTC2 file held in memory: memory-mapped from disk (the main path) or owned bytes, with an
iterator over its datagrams whose errors name the file.
*/

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use memmap2::Mmap;

use crate::dgram::{Dgram, Dgrams};
use crate::error::Error;

enum Backing {
    /// The map, and the file opened again on the first positioned read (so that open runs
    /// hold no file descriptors until they are read that way).
    Mmap(Mmap, std::sync::OnceLock<File>),
    Owned(Vec<u8>),
}

/// An XTC2 file: its path and its bytes.
pub struct XtcFile {
    path: PathBuf,
    backing: Backing,
    /// Whether reading maps the next 64 MiB ahead (see [`XtcFile::set_populate_ahead`]).
    populate: AtomicBool,
}

impl std::fmt::Debug for XtcFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XtcFile")
            .field("path", &self.path)
            .field("len", &self.len())
            .finish()
    }
}

impl XtcFile {
    /// Memory-maps the file at `path`.
    ///
    /// As with any memory map, the file must not be truncated or rewritten while it is open:
    /// XTC2 files are written once by the DAQ and then only read.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let backing = if len == 0 {
            Backing::Owned(Vec::new())
        } else {
            // SAFETY: the map is read-only; XTC2 files are not modified after they are written,
            // and every read of the mapped bytes is bounds-checked like any slice.
            let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Sequential);
            Backing::Mmap(map, std::sync::OnceLock::new())
        };
        Ok(Self {
            path: path.to_path_buf(),
            backing,
            populate: AtomicBool::new(true),
        })
    }

    /// Whether iterating the datagrams maps the next 64 MiB of the file ahead in one call (the
    /// default). A reader that takes large payloads with [`XtcFile::read_exact_at`] instead of
    /// through the map turns it off, so that only the pages holding headers are mapped.
    pub fn set_populate_ahead(&self, on: bool) {
        self.populate.store(on, Ordering::Relaxed);
    }

    /// The file offset of `bytes`, if they lie in this file's bytes.
    pub fn offset_of(&self, bytes: &[u8]) -> Option<u64> {
        let all = self.bytes();
        let (base, p) = (all.as_ptr() as usize, bytes.as_ptr() as usize);
        (p >= base && p - base + bytes.len() <= all.len()).then(|| (p - base) as u64)
    }

    /// Reads `buf.len()` bytes at `offset` with a positioned read of the file (for a mapped
    /// file: straight from the page cache into `buf`, without mapping the pages).
    pub fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        let start = usize::try_from(offset).ok();
        let end = start.and_then(|s| s.checked_add(buf.len()));
        let Some((start, end)) = start.zip(end).filter(|&(_, e)| e <= self.bytes().len()) else {
            return Err(Error::io(
                &self.path,
                std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("{} bytes at offset {offset}: past the end", buf.len()),
                ),
            ));
        };
        match &self.backing {
            #[cfg(unix)]
            Backing::Mmap(_, file) => {
                use std::os::unix::fs::FileExt;
                let file = match file.get() {
                    Some(f) => f,
                    None => {
                        let f = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                        file.get_or_init(|| f)
                    }
                };
                file.read_exact_at(buf, offset)
                    .map_err(|e| Error::io(&self.path, e))
            }
            #[cfg(not(unix))]
            Backing::Mmap(m, _) => {
                buf.copy_from_slice(&m[start..end]);
                Ok(())
            }
            Backing::Owned(v) => {
                buf.copy_from_slice(&v[start..end]);
                Ok(())
            }
        }
    }

    /// A file held in memory; `path` is only used to name it in errors.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Self {
        Self {
            path: path.into(),
            backing: Backing::Owned(bytes),
            populate: AtomicBool::new(true),
        }
    }

    /// The path given when opening.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All bytes of the file.
    pub fn bytes(&self) -> &[u8] {
        match &self.backing {
            Backing::Mmap(m, _) => m,
            Backing::Owned(v) => v,
        }
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.bytes().len() as u64
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// The datagrams, in file order; stops after the first error.
    pub fn dgrams(&self) -> FileDgrams<'_> {
        self.dgrams_from(0)
    }

    fn map(&self) -> Option<&Mmap> {
        match &self.backing {
            Backing::Mmap(m, _) => Some(m),
            Backing::Owned(_) => None,
        }
    }

    /// The datagrams from byte `offset` on (which must be a datagram boundary).
    pub fn dgrams_from(&self, offset: u64) -> FileDgrams<'_> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let rest = self.bytes().get(start..).unwrap_or(&[]);
        FileDgrams {
            path: &self.path,
            inner: Dgrams::new(rest, offset),
            map: self.map(),
            released: start.min(self.bytes().len()) & !(RELEASE_ALIGN - 1),
            populated: start.min(self.bytes().len()) & !(RELEASE_ALIGN - 1),
            populate: self.populate.load(Ordering::Relaxed),
        }
    }
}

/// How far reading moves on before the mapped pages behind it are released.
const RELEASE_STEP: usize = 64 << 20;
/// Alignment of released ranges (a multiple of every page size in use).
const RELEASE_ALIGN: usize = 64 << 10;

/// The datagrams of an [`XtcFile`]; errors name the file.
///
/// Reading a memory-mapped file moves forward, so the pages behind the next datagram are released
/// from the process every 64 MiB: memory does not grow with the length of the run. (The file
/// stays in the page cache; a datagram read again later is mapped again.) The next 64 MiB are
/// mapped ahead in one call where the kernel can (Linux 5.14+), instead of a page fault for
/// every few pages.
#[derive(Clone)]
pub struct FileDgrams<'a> {
    path: &'a Path,
    inner: Dgrams<'a>,
    map: Option<&'a Mmap>,
    released: usize,
    populated: usize,
    populate: bool,
}

impl std::fmt::Debug for FileDgrams<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDgrams")
            .field("path", &self.path)
            .field("offset", &self.inner.offset())
            .finish()
    }
}

impl<'a> FileDgrams<'a> {
    /// File offset of the next datagram.
    pub fn offset(&self) -> u64 {
        self.inner.offset()
    }

    /// The file.
    pub fn path(&self) -> &'a Path {
        self.path
    }
}

impl<'a> Iterator for FileDgrams<'a> {
    type Item = Result<Dgram<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(map) = self.map {
            let at = usize::try_from(self.inner.offset())
                .unwrap_or(usize::MAX)
                .min(map.len());
            if at >= self.released + RELEASE_STEP {
                let end = at & !(RELEASE_ALIGN - 1);
                // SAFETY: the map is a read-only file mapping: MADV_DONTNEED only drops the
                // process's mapping of these pages, and any later access maps the same file
                // bytes again. The range lies inside the map and starts on a page boundary.
                #[cfg(unix)]
                let _ = unsafe {
                    map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        self.released,
                        end - self.released,
                    )
                };
                self.released = end;
            }
            #[cfg(target_os = "linux")]
            if self.populate
                && at + RELEASE_STEP / 2 >= self.populated
                && self.populated < map.len()
            {
                let len = RELEASE_STEP.min(map.len() - self.populated);
                // Advice only: a kernel without MADV_POPULATE_READ leaves pages to be faulted in.
                let _ = map.advise_range(memmap2::Advice::PopulateRead, self.populated, len);
                self.populated += len;
            }
        }
        self.inner
            .next()
            .map(|r| r.map_err(|e| e.in_file(self.path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positioned_reads_equal_the_mapped_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.xtc2");
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        for f in [
            XtcFile::open(&path).unwrap(),
            XtcFile::from_bytes(&path, data.clone()),
        ] {
            f.set_populate_ahead(false);
            let slice = &f.bytes()[12_345..54_321];
            let off = f.offset_of(slice).unwrap();
            assert_eq!(off, 12_345);
            let mut buf = vec![0u8; slice.len()];
            f.read_exact_at(off, &mut buf).unwrap();
            assert_eq!(buf, slice);
            // Bytes elsewhere are not in the file; reads past the end fail with the path.
            assert_eq!(f.offset_of(&data[..10]), None);
            let err = f
                .read_exact_at(99_990, &mut [0u8; 20])
                .unwrap_err()
                .to_string();
            assert!(err.contains("f.xtc2"), "{err}");
            assert_eq!(
                f.dgrams().count(),
                1,
                "one (bad) datagram header, then stop"
            );
        }
    }
}
