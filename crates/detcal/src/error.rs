/*!
The library's error type.

Every error renders as one line that names the input (file, line, byte offset, name) and says
what is wrong with it, so the command line can print it as it is.
*/

use std::io;
use std::path::{Path, PathBuf};

/// A result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in detcal's library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error on a file or directory.
    #[error("{path}: cannot {op}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done ("read", "create directory", ...).
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
    /// A file whose content is wrong as a whole (bad header, wrong size, ...).
    #[error("{path}: {msg}")]
    Content {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// A name given by the user that is not acceptable (path separators, `..`, malformed).
    #[error("invalid {kind} {name:?}: {reason}")]
    BadName {
        /// What kind of name (source, ctype, panel id, ...).
        kind: &'static str,
        /// The name as given.
        name: String,
        /// Why it is rejected.
        reason: String,
    },
    /// An argument or array that does not fit what is asked of it (shape, dtype, value).
    #[error("{0}")]
    Invalid(String),
    /// Something that was looked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A required setting is missing (an environment variable and its command-line override).
    #[error("{0}")]
    Config(String),
    /// An error reading, parsing or writing an array file.
    #[error(transparent)]
    Format(#[from] detcal_formats::Error),
    /// An error reading XTC2 raw data.
    #[error(transparent)]
    Xtc(#[from] xtc2::Error),
    /// An error while doing `what`: rendered `<what>: <error>`.
    #[error("{what}: {source}")]
    Context {
        /// What was being done.
        what: String,
        /// The error it met.
        #[source]
        source: Box<Error>,
    },
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

    /// A content error in `path`.
    pub fn content(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Content {
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

    /// An invalid argument.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}

/// Says what was being done when an error happened.
pub trait Context<T> {
    /// Wraps an error into [`Error::Context`] with `what`.
    fn context(self, what: impl Into<String>) -> Result<T>;
    /// Like [`Context::context`], with the text made only on error.
    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::Context {
            what: what.into(),
            source: Box::new(e.into()),
        })
    }

    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| Error::Context {
            what: what().into(),
            source: Box::new(e.into()),
        })
    }
}

/// Adds a path and an operation to `io::Result`s.
pub trait IoContext<T> {
    /// Turns an I/O error into [`Error::Io`] naming `path` and `op`.
    fn at(self, path: impl AsRef<Path>, op: &'static str) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn at(self, path: impl AsRef<Path>, op: &'static str) -> Result<T> {
        self.map_err(|e| Error::io(path, op, e))
    }
}
