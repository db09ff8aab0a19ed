/*!
The library's error type.

Every error renders as one line that names the input (file, line, byte offset, name) and says
what is wrong with it, so the command line can print it as it is. The variants carry what a
caller matches on (the array, the argument, the kind of thing not found, ...); those whose
messages vary in form also carry the whole message (`msg`), which is what they render.
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
    /// An array (or buffer) whose shape or size does not fit what is asked of it.
    #[error("{msg}")]
    Shape {
        /// The array ("pedestals", "user mask", "raw frame", ...).
        what: String,
        /// The shape (or size) that would fit, as the message says it.
        expected: String,
        /// The shape (or size) found.
        found: Vec<usize>,
        /// The whole message.
        msg: String,
    },
    /// A value of an argument, option or parameter that is out of range, or a missing
    /// combination of them.
    #[error("{msg}")]
    BadArgument {
        /// The flag, option or parameter ("--segind", "nrecs", ...).
        arg: &'static str,
        /// The whole message.
        msg: String,
    },
    /// A detector type or feature that is not supported.
    #[error("{msg}")]
    Unsupported {
        /// The detector type or feature.
        what: String,
        /// The whole message.
        msg: String,
    },
    /// A file or directory that exists and must not be overwritten or used as it is.
    #[error("{msg}")]
    Conflict {
        /// The file or directory.
        path: PathBuf,
        /// The whole message.
        msg: String,
    },
    /// Something that was looked for does not exist.
    #[error("{msg}")]
    NotFound {
        /// What kind of thing was looked for.
        kind: Missing,
        /// What was looked for ("pedestals", a detector name, a run, a file, ...).
        what: String,
        /// Where it was looked for (a directory, a dataset, a run).
        place: String,
        /// The whole message.
        msg: String,
    },
    /// A required setting is missing (an environment variable and its command-line override).
    #[error("{msg}")]
    Config {
        /// The environment variable.
        var: String,
        /// The command-line flag that replaces it.
        flag: String,
        /// The whole message.
        msg: String,
    },
    /// An error in processing one calibration step of a run.
    #[error("{exp} run {run} step {step}: {source}")]
    Step {
        /// The experiment.
        exp: String,
        /// The run number.
        run: u32,
        /// The step index.
        step: u32,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// A failure inside detcal rather than in its input (a worker thread stopped, a value that
    /// could not be serialised, an error of a caller's callback).
    #[error("{msg}")]
    Internal {
        /// The whole message.
        msg: String,
    },
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

    /// An array `what` of shape `found` that does not fit `expected`; `msg` is the message.
    pub fn shape(
        what: impl Into<String>,
        expected: impl Into<String>,
        found: &[usize],
        msg: impl Into<String>,
    ) -> Self {
        Error::Shape {
            what: what.into(),
            expected: expected.into(),
            found: found.to_vec(),
            msg: msg.into(),
        }
    }

    /// A bad value of the argument `arg`.
    pub fn bad_arg(arg: &'static str, msg: impl Into<String>) -> Self {
        Error::BadArgument {
            arg,
            msg: msg.into(),
        }
    }

    /// An unsupported detector type or feature `what`.
    pub fn unsupported(what: impl ToString, msg: impl Into<String>) -> Self {
        Error::Unsupported {
            what: what.to_string(),
            msg: msg.into(),
        }
    }

    /// `what` of kind `kind` not found in `place`.
    pub fn not_found(
        kind: Missing,
        what: impl ToString,
        place: impl ToString,
        msg: impl Into<String>,
    ) -> Self {
        Error::NotFound {
            kind,
            what: what.to_string(),
            place: place.to_string(),
            msg: msg.into(),
        }
    }

    /// A missing setting: the environment variable `var`, replaced by `flag`.
    pub fn config(var: impl Into<String>, flag: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Config {
            var: var.into(),
            flag: flag.into(),
            msg: msg.into(),
        }
    }

    /// A failure inside detcal.
    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal { msg: msg.into() }
    }
}

/// What kind of thing an [`Error::NotFound`] looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Missing {
    /// Calibration constants (pedestals, gains, status maps) of a run or a panel.
    Constants,
    /// A detector of a run.
    Detector,
    /// A run of a dataset or an experiment.
    Run,
    /// A file or directory of a repository.
    File,
    /// Data to process (a calibration step, frames).
    Data,
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
