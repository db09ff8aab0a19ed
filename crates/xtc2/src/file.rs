/*!
An XTC2 file held in memory: memory-mapped from disk (the main path) or owned bytes, with an
iterator over its datagrams whose errors name the file.
*/

use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::dgram::{Dgram, Dgrams};
use crate::error::Error;

enum Backing {
    Mmap(Mmap),
    Owned(Vec<u8>),
}

/// An XTC2 file: its path and its bytes.
pub struct XtcFile {
    path: PathBuf,
    backing: Backing,
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
            Backing::Mmap(map)
        };
        Ok(Self {
            path: path.to_path_buf(),
            backing,
        })
    }

    /// A file held in memory; `path` is only used to name it in errors.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> Self {
        Self {
            path: path.into(),
            backing: Backing::Owned(bytes),
        }
    }

    /// The path given when opening.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All bytes of the file.
    pub fn bytes(&self) -> &[u8] {
        match &self.backing {
            Backing::Mmap(m) => m,
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
            Backing::Mmap(m) => Some(m),
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
            if at + RELEASE_STEP / 2 >= self.populated && self.populated < map.len() {
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
