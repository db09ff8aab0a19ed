/*!
Reader and writer for LCLS-II XTC2 raw data files.

This crate stands alone: it knows the XTC2 byte layout and nothing of calibration.
*/

use std::path::PathBuf;

/// An error reading or writing XTC2 data; it names the file and byte offset where known.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error on a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
