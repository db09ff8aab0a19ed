//! Building datagrams and appending them to a `Write` (mirror of `dgram.rs` and `xtc.rs`).

use std::io::Write;

use crate::damage::Damage;
use crate::error::Error;
use crate::names::Names;
use crate::time_stamp::TimeStamp;
use crate::transition::Env;
use crate::type_id::TypeId;
use crate::write::names::encode_payload;
use crate::write::shapes_data::{ShapesDataOptions, Value, encode};

/// One datagram being built: its root Parent Xtc is open until it is written.
#[derive(Debug)]
pub struct DgramBuilder {
    buf: Vec<u8>,
    open: Vec<usize>,
    shapes: Vec<u8>,
    data: Vec<u8>,
}

impl DgramBuilder {
    /// A datagram with this time stamp, `env`, and a root Parent with this `src`.
    pub fn new(time: TimeStamp, env: Env, root_src: u32) -> Self {
        let mut d = Self {
            buf: Vec::new(),
            open: Vec::new(),
            shapes: Vec::new(),
            data: Vec::new(),
        };
        d.reset(time, env, root_src);
        d
    }

    fn reset(&mut self, time: TimeStamp, env: Env, root_src: u32) {
        self.buf.clear();
        self.open.clear();
        self.buf.extend_from_slice(&time.nsec.to_le_bytes());
        self.buf.extend_from_slice(&time.sec.to_le_bytes());
        self.buf.extend_from_slice(&env.0.to_le_bytes());
        self.begin(root_src, Damage(0), TypeId::Parent);
    }

    fn begin(&mut self, src: u32, damage: Damage, type_id: TypeId) {
        self.open.push(self.buf.len());
        self.buf.extend_from_slice(&src.to_le_bytes());
        self.buf.extend_from_slice(&damage.0.to_le_bytes());
        self.buf
            .extend_from_slice(&type_id.contains(0).to_le_bytes());
        self.buf.extend_from_slice(&0u32.to_le_bytes()); // extent, patched by `end`
    }

    fn end(&mut self) -> Result<(), Error> {
        let start = self
            .open
            .pop()
            .ok_or_else(|| Error::Write("no open Xtc to end".into()))?;
        let extent = u32::try_from(self.buf.len() - start).map_err(|_| {
            Error::Write(format!(
                "Xtc of {} bytes exceeds the 4 GiB extent limit",
                self.buf.len() - start
            ))
        })?;
        let at = start + 8;
        if let Some(dst) = self.buf.get_mut(at..at + 4) {
            dst.copy_from_slice(&extent.to_le_bytes());
        }
        Ok(())
    }

    /// Opens a nested Parent Xtc; close it with [`DgramBuilder::end_parent`].
    pub fn begin_parent(&mut self, src: u32) {
        self.begin(src, Damage(0), TypeId::Parent);
    }

    /// Closes the innermost nested Parent.
    pub fn end_parent(&mut self) -> Result<(), Error> {
        if self.open.len() < 2 {
            return Err(Error::Write("end_parent without begin_parent".into()));
        }
        self.end()
    }

    /// Adds a Names Xtc (its `src` is the Names' NamesId).
    pub fn names(&mut self, names: &Names) -> Result<(), Error> {
        self.begin(names.names_id.0, Damage(0), TypeId::Names);
        encode_payload(names, &mut self.buf)?;
        self.end()
    }

    /// Adds a ShapesData (Shapes then Data) with the values of `names`, in field order.
    pub fn shapes_data(&mut self, names: &Names, values: &[Value<'_>]) -> Result<(), Error> {
        self.shapes_data_with(names, values, ShapesDataOptions::default())
    }

    /// Adds a ShapesData with options (damage, Data before Shapes).
    pub fn shapes_data_with(
        &mut self,
        names: &Names,
        values: &[Value<'_>],
        options: ShapesDataOptions,
    ) -> Result<(), Error> {
        self.shapes.clear();
        self.data.clear();
        encode(names, values, &mut self.shapes, &mut self.data)?;
        self.begin(names.names_id.0, options.damage, TypeId::ShapesData);
        let (shapes, data) = (
            std::mem::take(&mut self.shapes),
            std::mem::take(&mut self.data),
        );
        let children: [(TypeId, &[u8]); 2] = if options.data_first {
            [(TypeId::Data, &data), (TypeId::Shapes, &shapes)]
        } else {
            [(TypeId::Shapes, &shapes), (TypeId::Data, &data)]
        };
        let mut result = Ok(());
        for (ty, payload) in children {
            // The DAQ leaves `src` of the Shapes and Data children 0.
            self.begin(0, Damage(0), ty);
            self.buf.extend_from_slice(payload);
            result = result.and(self.end());
        }
        (self.shapes, self.data) = (shapes, data);
        result.and(self.end())
    }

    /// Adds an Xtc of any type with a raw payload (for tests of unusual layouts).
    pub fn raw_xtc(
        &mut self,
        src: u32,
        damage: Damage,
        type_id: TypeId,
        payload: &[u8],
    ) -> Result<(), Error> {
        self.begin(src, damage, type_id);
        self.buf.extend_from_slice(payload);
        self.end()
    }

    /// Closes the root and returns the datagram's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        self.close_root()?;
        Ok(self.buf)
    }

    fn close_root(&mut self) -> Result<(), Error> {
        if self.open.len() != 1 {
            return Err(Error::Write(format!(
                "{} nested Parent(s) left open",
                self.open.len() - 1
            )));
        }
        self.end()
    }

    /// Bytes so far (headers included).
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether only the headers have been written.
    pub fn is_empty(&self) -> bool {
        self.buf.len() <= crate::dgram::DGRAM_HEADER_SIZE
    }
}

/// Appends datagrams to a `Write`, keeping track of the file offset.
#[derive(Debug)]
pub struct Writer<W> {
    inner: W,
    offset: u64,
    spare: Option<DgramBuilder>,
}

impl<W: Write> Writer<W> {
    /// A writer at offset 0.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            offset: 0,
            spare: None,
        }
    }

    /// Starts a datagram, reusing the buffer of the last one written.
    pub fn dgram(&mut self, time: TimeStamp, env: Env, root_src: u32) -> DgramBuilder {
        match self.spare.take() {
            Some(mut d) => {
                d.reset(time, env, root_src);
                d
            }
            None => DgramBuilder::new(time, env, root_src),
        }
    }

    /// Closes and appends a datagram; returns its file offset.
    pub fn write(&mut self, mut dgram: DgramBuilder) -> Result<u64, Error> {
        dgram.close_root()?;
        let at = self.offset;
        self.inner.write_all(&dgram.buf).map_err(Error::WriteIo)?;
        self.offset += dgram.buf.len() as u64;
        self.spare = Some(dgram);
        Ok(at)
    }

    /// Appends bytes as they are (e.g. a datagram copied from another file).
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<u64, Error> {
        let at = self.offset;
        self.inner.write_all(bytes).map_err(Error::WriteIo)?;
        self.offset += bytes.len() as u64;
        Ok(at)
    }

    /// Bytes written so far (the offset of the next datagram).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Flushes the destination.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.inner.flush().map_err(Error::WriteIo)
    }

    /// The destination.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The destination, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The destination, giving up the writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}
