//! A stream: the chunk files of one DAQ stream, read in order as one sequence of datagrams.

use std::path::Path;

use crate::dgram::Dgram;
use crate::error::Error;
use crate::file::{FileDgrams, XtcFile};

/// The chunk files of one stream, in chunk order.
#[derive(Debug)]
pub struct Stream {
    pub(crate) number: Option<u32>,
    pub(crate) chunks: Vec<XtcFile>,
}

impl Stream {
    /// The stream number from the file names (`-s<NN>-`), if they have one.
    pub fn number(&self) -> Option<u32> {
        self.number
    }

    /// The chunk files, in order.
    pub fn chunks(&self) -> &[XtcFile] {
        &self.chunks
    }

    /// The first chunk's path (used to name the stream in errors).
    pub fn path(&self) -> &Path {
        self.chunks.first().map_or(Path::new(""), |c| c.path())
    }

    /// All datagrams of all chunks, in order.
    pub fn dgrams(&self) -> StreamDgrams<'_> {
        StreamDgrams {
            stream: self,
            next_chunk: 0,
            current: None,
        }
    }
}

/// The datagrams of a [`Stream`], across its chunks; stops after the first error.
#[derive(Debug)]
pub struct StreamDgrams<'r> {
    stream: &'r Stream,
    next_chunk: usize,
    current: Option<FileDgrams<'r>>,
}

impl<'r> StreamDgrams<'r> {
    /// The file of the datagram last returned.
    pub fn path(&self) -> &'r Path {
        self.current
            .as_ref()
            .map_or(self.stream.path(), |c| c.path())
    }
}

impl<'r> Iterator for StreamDgrams<'r> {
    type Item = Result<Dgram<'r>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(cur) = self.current.as_mut() {
                match cur.next() {
                    Some(Ok(d)) => return Some(Ok(d)),
                    Some(Err(e)) => {
                        self.next_chunk = usize::MAX;
                        self.current = None;
                        return Some(Err(e));
                    }
                    None => self.current = None,
                }
            }
            let chunk = self.stream.chunks.get(self.next_chunk)?;
            self.next_chunk += 1;
            self.current = Some(chunk.dgrams());
        }
    }
}
