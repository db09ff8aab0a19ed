/*!
Errors: [`Error`] for everything that touches a file or a dataset, and [`FormatError`] for bytes
that do not follow the XTC2 layout (a byte offset and a [`FormatErrorKind`]).

Every error renders as one line. A [`FormatError`] names the byte offset; wrapped into an
[`Error`] it also names the file: `run.xtc2: byte 26882: Xtc extent 8 is smaller than its
12-byte header`.
*/

use std::fmt;
use std::path::{Path, PathBuf};

use crate::data_type::DataType;

/// An error reading or writing XTC2 data; it names the file and byte offset where known.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error on a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Bytes of a file that do not follow the XTC2 layout.
    #[error("{}: {error}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        #[source]
        error: FormatError,
    },
    /// A dataset string (`exp=...:run=...`) that cannot be understood.
    #[error("invalid dataset `{}`: {reason}", dataset.escape_debug())]
    InvalidDataset {
        /// The dataset as given.
        dataset: String,
        /// Why it is refused.
        reason: String,
    },
    /// A run whose data files are not where the dataset says.
    #[error("no files for run {run} of experiment {exp}: nothing matches {pattern} in {}", dir.display())]
    NoRunFiles {
        /// The experiment.
        exp: String,
        /// The run number.
        run: u32,
        /// The directory searched.
        dir: PathBuf,
        /// The file-name pattern looked for.
        pattern: String,
    },
    /// A run whose files are readable but whose contents do not make a usable run.
    #[error("{}: {}", path.display(), reason.escape_debug())]
    Run {
        /// The file (or first file) of the run.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A detector alias that the run does not have.
    #[error("{}: no detector `{}` in this run (detectors: {})", path.display(), alias.escape_debug(), available.escape_debug())]
    NoSuchDetector {
        /// The first file of the run.
        path: PathBuf,
        /// The alias asked for.
        alias: String,
        /// The aliases the run has, comma separated.
        available: String,
    },
    /// Values that the writer cannot encode.
    #[error("cannot write XTC2: {}", .0.escape_debug())]
    Write(String),
    /// An I/O error of a writer's destination.
    #[error("cannot write XTC2: {0}")]
    WriteIo(#[source] std::io::Error),
    /// Timing data (the `timing` detector) that cannot be decoded.
    #[error("{}: byte {offset}: {source}", path.display())]
    Timing {
        /// The file.
        path: PathBuf,
        /// File offset of the timing ShapesData.
        offset: u64,
        /// What is wrong.
        #[source]
        source: crate::timing::TimingError,
    },
}

impl Error {
    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// The byte offset in the file, for errors that have one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            Self::Format { error, .. } => Some(error.offset),
            Self::Timing { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// The format error, for errors about bytes that do not follow the layout.
    pub fn format_error(&self) -> Option<&FormatError> {
        match self {
            Self::Format { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Bytes that do not follow the XTC2 layout, at an absolute byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The byte offset (from the start of the file) of the offending structure or field.
    pub offset: u64,
    /// What is wrong.
    pub kind: FormatErrorKind,
}

impl FormatError {
    /// A format error at `offset`.
    pub fn new(offset: u64, kind: FormatErrorKind) -> Self {
        Self { offset, kind }
    }

    /// Names the file this error was found in.
    pub fn in_file(self, path: &Path) -> Error {
        Error::Format {
            path: path.to_path_buf(),
            error: self,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.kind)
    }
}

impl std::error::Error for FormatError {}

/// What is wrong with bytes that do not follow the XTC2 layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatErrorKind {
    /// Fewer bytes are left than a structure needs.
    #[error("truncated {what}: needs {need} bytes, {have} left")]
    Truncated {
        /// The structure or field being read.
        what: &'static str,
        /// Bytes needed.
        need: u64,
        /// Bytes left.
        have: u64,
    },
    /// An Xtc whose extent cannot even hold its own header.
    #[error("Xtc extent {extent} is smaller than its 12-byte header")]
    ExtentTooSmall {
        /// The extent read.
        extent: u32,
    },
    /// An Xtc whose extent runs past the end of its container (or of the file).
    #[error("Xtc extent {extent} runs past its container ({room} bytes left)")]
    ExtentPastContainer {
        /// The extent read.
        extent: u32,
        /// Bytes left in the container from the start of this Xtc.
        room: u64,
    },
    /// An Xtc marked Corrupted, which is not descended into.
    #[error("Xtc has damage {damage:#06x} (Corrupted); its contents are not read")]
    Corrupted {
        /// The damage word.
        damage: u16,
    },
    /// A Names entry or field with a data-type code outside 0..=12.
    #[error("unknown data type {0}")]
    UnknownDataType(u32),
    /// A field rank above 5.
    #[error("rank {0} exceeds the maximum of 5")]
    BadRank(u32),
    /// A Names Xtc whose size is not a header plus whole Name entries.
    #[error("Names payload of {len} bytes is not 1036 + a multiple of 524")]
    BadNamesSize {
        /// Payload bytes.
        len: u64,
    },
    /// A Names whose `numArrays` disagrees with its entries.
    #[error("Names says {declared} arrays but {counted} of its fields have rank > 0")]
    NumArraysMismatch {
        /// The `numArrays` field.
        declared: u32,
        /// Fields with rank > 0.
        counted: u32,
    },
    /// A ShapesData without a Data child.
    #[error("ShapesData has no Data child")]
    MissingData,
    /// A ShapesData without Shapes although its Names has arrays.
    #[error("ShapesData has no Shapes child but its Names has {0} arrays")]
    MissingShapes(u32),
    /// A ShapesData with two Shapes or two Data children.
    #[error("ShapesData has a second {0} child")]
    DuplicateChild(&'static str),
    /// A ShapesData child that is neither Shapes nor Data.
    #[error("ShapesData child has type id {0}, expected Shapes (2) or Data (3)")]
    UnexpectedChild(u16),
    /// A Shapes child too small for the Names' arrays.
    #[error("Shapes holds {have} bytes but {arrays} arrays need {need}")]
    ShapesTooShort {
        /// Arrays in the Names.
        arrays: u32,
        /// Bytes needed.
        need: u64,
        /// Bytes present.
        have: u64,
    },
    /// A field that runs past the end of its Data payload.
    #[error("field `{}` needs bytes {start}..{end} of Data but Data holds {have}", field.escape_debug())]
    DataTooShort {
        /// The field name.
        field: String,
        /// Offset in the Data payload where the field starts.
        start: u64,
        /// Offset where it ends.
        end: u64,
        /// Data payload bytes.
        have: u64,
    },
    /// A size computed from the file that overflows.
    #[error("size of `{}` overflows", .0.escape_debug())]
    SizeOverflow(String),
    /// A ShapesData whose NamesId has no Names.
    #[error("ShapesData refers to NamesId {0:#x}, which no Names defines")]
    UnknownNamesId(u32),
    /// Two Names with the same NamesId in one Configure.
    #[error("NamesId {0:#x} is defined twice")]
    DuplicateNamesId(u32),
    /// A field of another type than the caller needs.
    #[error("field `{}` is {found}, expected {expected}", field.escape_debug())]
    FieldType {
        /// The field name.
        field: String,
        /// What the caller needs.
        expected: String,
        /// What the Names says.
        found: DataType,
    },
}

impl FormatErrorKind {
    /// This kind at `offset`.
    pub fn at(self, offset: u64) -> FormatError {
        FormatError::new(offset, self)
    }
}
