/*!
The errors of reading and writing array files.

Each error names the file and, where there is one, the line, and renders as one line.
*/

use std::io;
use std::path::{Path, PathBuf};

/// A result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong reading, parsing or writing an array file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error on a file.
    #[error("{path}: cannot {op}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done ("read", "write", ...).
        op: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A text file with a bad line.
    #[error("{path}:{line}: {msg}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A file whose content is wrong as a whole (bad header, wrong size, too large a shape).
    #[error("{path}: {msg}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// A name that is not acceptable (dtype, number format, file format).
    #[error("invalid {kind} {name:?}: {reason}")]
    BadName {
        /// What kind of name.
        kind: &'static str,
        /// The name as given.
        name: String,
        /// Why it is rejected.
        reason: String,
    },
    /// An array that does not fit what is asked of it (shape, rank, value).
    #[error("{0}")]
    Shape(String),
}

impl Error {
    /// An I/O error on `path` while doing `op`.
    pub fn io(path: impl AsRef<Path>, op: &'static str, source: io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            op,
            source,
        }
    }

    /// A file `path` whose content is wrong.
    pub fn content(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Malformed {
            path: path.as_ref().to_path_buf(),
            msg: msg.into(),
        }
    }

    /// A parse error at `line` (1-based) of `path`.
    pub fn parse(path: impl AsRef<Path>, line: usize, msg: impl Into<String>) -> Self {
        Error::Parse {
            path: path.as_ref().to_path_buf(),
            line,
            msg: msg.into(),
        }
    }

    /// An array of the wrong shape or rank, or a value that cannot be written.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Shape(msg.into())
    }
}

/// Adds a path and an operation to `io::Result`s.
pub(crate) trait IoContext<T> {
    /// Turns an I/O error into [`Error::Io`] naming `path` and `op`.
    fn at(self, path: impl AsRef<Path>, op: &'static str) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn at(self, path: impl AsRef<Path>, op: &'static str) -> Result<T> {
        self.map_err(|e| Error::io(path, op, e))
    }
}
