/*!
psana's text ndarray format (`PSCalib.NDArrIO`), read and written byte for byte.

A file is a header of `#` comment lines (host, working directory, file name, time, user, shape,
data type, then `# DTYPE`, `# NDIM` and one `# DIM:i` line per dimension) followed by the
values, one line per row of the array flattened to two dimensions, each value formatted with a
Python `%` format such as `%.3f` and separated by single spaces. A 1-D array is written on one
line that starts with a space, with a space after each value and no final newline.

The plain form ([`encode_plain`]) is numpy's `savetxt` without any header, as the per-panel
repository `.dat` files are written.

The reader follows psana's `load_txt`: the comment lines at the top give the dtype (float32 if
absent) and shape; without `# NDIM` and `# DIM:i` the array keeps the layout of the text (2-D,
or 1-D for a single line or column). Values are parsed generically, so integer values written
as floats (`3.000` in a `uint16` file) and integer-valued status written from float arrays read
back exactly.

Both directions run on all cores and take fast paths for the shapes constants files hold
(`1234.567`, `-0.000` and short integers parsed eight bytes at a time straight into the array;
`%.Nf` of floats and `%Wd` of integers formatted with integer arithmetic; with AVX-512, float32
`%.Nf` written and short decimals read eight values at a time, and lines of small integers read
64 bytes at a time); each fast path gives exactly what the general code gives, or leaves the
value (or the whole file, when its lines are not all the same length) to it.
*/

use std::io::Write;
use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;

use crate::array::{DType, Element, NdArray, checked_product, shape_str};
use crate::error::{Error, IoContext, Result};
use crate::fastnum::{self, FAST_ROOM, FastFmt, is_blank};
use crate::fixed8::Fixed8;
use crate::pyfmt::PyFormat;
use crate::short8::{self, Bounds};
use crate::with_array;

/// The values of the descriptive header lines of a text file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderInfo {
    /// `# HOST`.
    pub host: String,
    /// `# WORK_DIR`.
    pub work_dir: String,
    /// `# FILE_NAME`: the file name as the writer was given it.
    pub file_name: String,
    /// `# DATE_TIME`, local `YYYY-mm-ddTHH:MM:SS`.
    pub date_time: String,
    /// `# UID`: the login name.
    pub uid: String,
}

/// How to write an array as text.
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// The number format of every value.
    pub fmt: PyFormat,
    /// Comment lines written first, each as `# <comment>`.
    pub comments: Vec<String>,
    /// Whether to write `# DTYPE`, `# NDIM` and `# DIM:i` (psana omits them for CSPAD only).
    pub add_metadata: bool,
}

impl TextOptions {
    /// Options with the format `fmt` (e.g. `%.3f`), no comments, and the metadata lines.
    pub fn new(fmt: &str) -> Result<TextOptions> {
        Ok(TextOptions {
            fmt: PyFormat::parse(fmt)?,
            comments: Vec::new(),
            add_metadata: true,
        })
    }

    /// The options with comment lines added.
    pub fn with_comments<I, S>(mut self, comments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.comments.extend(comments.into_iter().map(Into::into));
        self
    }
}

/// psana's default number format for an array of `dtype` when none is given.
pub fn default_fmt(dtype: DType) -> &'static str {
    if dtype.is_integer() { "%d" } else { "%.6f" }
}

/// Formats one value with a Python format.
trait PyValue: Copy {
    fn py_write(self, fmt: &PyFormat, out: &mut Vec<u8>) -> Result<()>;
    /// Writes the value with the fast form of the format at `buf[pos..]` (at least
    /// [`FAST_ROOM`] bytes free) and returns the new end; `None` where the fast path does not
    /// apply (then `py_write` formats it).
    fn fast_write(self, fast: FastFmt, buf: &mut [u8], pos: usize) -> Option<usize>;
    /// Whether [`PyValue::write_groups`] writes anything (float32's `%.Nf`).
    const GROUPS: bool = false;
    /// Writes whole groups of eight at the start of `vals` with `layout` (as
    /// [`Fixed8::write`]); returns how many values were written and the new end.
    #[inline(always)]
    fn write_groups(vals: &[Self], layout: &Fixed8, buf: &mut [u8], pos: usize) -> (usize, usize) {
        let _ = (vals, layout, buf);
        (0, pos)
    }
}

macro_rules! py_int {
    ($($t:ty),*) => {$(
        impl PyValue for $t {
            #[inline]
            fn py_write(self, fmt: &PyFormat, out: &mut Vec<u8>) -> Result<()> {
                fmt.write_int(out, self as i128);
                Ok(())
            }

            #[inline(always)]
            fn fast_write(self, fast: FastFmt, buf: &mut [u8], pos: usize) -> Option<usize> {
                match fast {
                    FastFmt::Int { width } => {
                        let v = self as i128;
                        Some(fastnum::write_int(buf, pos, v < 0, v.unsigned_abs() as u64, width))
                    }
                    FastFmt::Fixed { .. } => None,
                }
            }
        }
    )*};
}
py_int!(u8, u16, u32, u64, i8, i16, i32, i64);

macro_rules! py_float {
    ($($t:ty $(=> $groups:expr)?),*) => {$(
        impl PyValue for $t {
            $(
                const GROUPS: bool = true;

                #[inline(always)]
                fn write_groups(vals: &[Self], layout: &Fixed8, buf: &mut [u8], pos: usize) -> (usize, usize) {
                    $groups(layout, vals, buf, pos)
                }
            )?

            #[inline]
            fn py_write(self, fmt: &PyFormat, out: &mut Vec<u8>) -> Result<()> {
                fmt.write_f64(out, self as f64)
            }

            #[inline(always)]
            fn fast_write(self, fast: FastFmt, buf: &mut [u8], pos: usize) -> Option<usize> {
                match fast {
                    FastFmt::Fixed { prec: 3, width } => fastnum::write_fixed3(buf, pos, self, width),
                    FastFmt::Fixed { prec, width } => fastnum::write_fixed(buf, pos, self, prec, width),
                    FastFmt::Int { .. } => None,
                }
            }
        }
    )*};
}
py_float!(f32 => Fixed8::write, f64);

/// Values formatted per parallel task, and tasks per batch written at once (bounds memory).
const VALUES_PER_TASK: usize = 1 << 14;
const TASKS_PER_BATCH: usize = 64;

/// A reusable output buffer: `bytes` is kept zero-filled to its capacity, `len` bytes are used.
#[derive(Default)]
struct OutBuf {
    bytes: Vec<u8>,
    len: usize,
}

impl OutBuf {
    /// Makes room for `n` more bytes after `len`.
    #[inline]
    fn room(&mut self, n: usize) {
        if self.len + n > self.bytes.len() {
            let want = (self.bytes.len() * 2).max(self.len + n).max(4096);
            self.bytes.resize(want, 0);
        }
    }

    #[inline]
    fn push_slice(&mut self, s: &[u8]) {
        self.room(s.len());
        self.bytes[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Values of a row whose output room is reserved at once.
const ROOM_BLOCK: usize = 256;

/// The most bytes a fast writer advances (a width of at most 32, or a `%.9f` of a u64 value).
const FAST_MAX: usize = 32;

/// Appends one row's values to `out`: whole groups of eight by `groups` where given (see
/// [`Fixed8::write`]), the others each by `fast` or, where it declines, by `slow`; values
/// separated as in [`write_rows`]. Room is reserved once per block of values, so the fast
/// writers need no check of their own.
#[inline(always)]
fn fast_row<T: Copy>(
    row: &[T],
    out: &mut OutBuf,
    value_end: Option<&[u8]>,
    groups: Option<impl Fn(&[T], &mut [u8], usize) -> (usize, usize)>,
    fast: impl Fn(T, &mut [u8], usize) -> Option<usize>,
    mut slow: impl FnMut(T, &mut OutBuf) -> Result<()>,
) -> Result<()> {
    // Each value is followed by its separator (a space where values are only separated); the
    // space after the row's last value is taken back at the end. An unconditional store is
    // cheaper than asking, for every value, whether it is the row's first.
    let sep = value_end.unwrap_or(b" ");
    let adv = FAST_MAX + sep.len();
    for block in row.chunks(ROOM_BLOCK) {
        out.room(block.len() * adv + FAST_ROOM);
        let mut i = 0;
        while i < block.len() {
            // The buffer and the length in locals while the fast writer goes on: the compiler
            // then keeps them in registers (stores of bytes into `out.bytes` could otherwise be
            // stores into `out` itself).
            let mut len = out.len;
            let buf = out.bytes.as_mut_slice();
            let mut stop = block.len();
            if let Some(groups) = &groups {
                let (n, end) = groups(&block[i..], buf, len);
                (i, len) = (i + n, end);
                // The group it left (or the last few values) one at a time, then groups again.
                stop = stop.min(i + 8);
            }
            let mut declined = None;
            for (k, &v) in block[i..stop].iter().enumerate() {
                match fast(v, buf, len) {
                    Some(end) => len = end,
                    None => {
                        declined = Some(i + k);
                        break;
                    }
                }
                if let [c] = sep {
                    buf[len] = *c;
                    len += 1;
                } else {
                    buf[len..len + sep.len()].copy_from_slice(sep);
                    len += sep.len();
                }
            }
            out.len = len;
            let Some(j) = declined else {
                i = stop;
                continue;
            };
            slow(block[j], out)?;
            // The general formatter may have written any length: reserve again.
            out.room((block.len() - j) * adv + FAST_ROOM);
            out.push_slice(sep);
            i = j + 1;
        }
    }
    if value_end.is_none() && !row.is_empty() {
        out.len -= 1;
    }
    Ok(())
}

/// Writes `data` as rows of `ncols` values: values separated by single spaces and each row
/// followed by `row_end`, or (with `value_end`) each value followed by `value_end`.
///
/// Batches of rows are formatted in parallel into reused buffers, each batch while the one
/// before is written out.
fn write_rows<T: PyValue + Sync, W: Write>(
    data: &[T],
    ncols: usize,
    fmt: &PyFormat,
    row_end: &[u8],
    value_end: Option<&[u8]>,
    w: &mut W,
    path: &Path,
) -> Result<()> {
    if ncols == 0 {
        return Ok(());
    }
    let nrows = data.len() / ncols;
    let fast = FastFmt::of(fmt);
    // Float32 `%.Nf` without a width, and one-byte separators: eight values at a time.
    let layout = match (fast, value_end.unwrap_or(b" ")) {
        (Some(FastFmt::Fixed { prec, width: 0 }), &[sep]) if T::GROUPS => Fixed8::new(prec, sep),
        _ => None,
    };
    let format_rows = |rows: std::ops::Range<usize>, out: &mut OutBuf| -> Result<()> {
        out.len = 0;
        out.room(rows.len() * ncols * 10 + FAST_ROOM);
        let mut slow = Vec::new();
        let mut slow_write = |v: T, out: &mut OutBuf| -> Result<()> {
            slow.clear();
            v.py_write(fmt, &mut slow)?;
            out.push_slice(&slow);
            Ok(())
        };
        // The fast form is chosen once, so that each value's writer is a direct inlined call
        // (with the common precision 3 a constant in it).
        for r in rows {
            let row = &data[r * ncols..(r + 1) * ncols];
            macro_rules! fast_row_with {
                ($f:expr) => {{
                    let f = $f;
                    let write = |v: T, b: &mut [u8], p: usize| v.fast_write(f, b, p);
                    let groups = layout.as_ref().map(|l| {
                        move |v: &[T], b: &mut [u8], p: usize| T::write_groups(v, l, b, p)
                    });
                    fast_row(row, out, value_end, groups, write, &mut slow_write)?
                }};
            }
            match fast {
                Some(FastFmt::Fixed { prec: 3, width }) => {
                    fast_row_with!(FastFmt::Fixed { prec: 3, width })
                }
                Some(FastFmt::Fixed { prec, width }) => {
                    fast_row_with!(FastFmt::Fixed { prec, width })
                }
                Some(FastFmt::Int { width }) => fast_row_with!(FastFmt::Int { width }),
                None => {
                    for (i, &v) in row.iter().enumerate() {
                        if value_end.is_none() && i > 0 {
                            out.push_slice(b" ");
                        }
                        slow_write(v, out)?;
                        if let Some(sep) = value_end {
                            out.push_slice(sep);
                        }
                    }
                }
            }
            out.push_slice(row_end);
        }
        Ok(())
    };
    let rows_per_task = (VALUES_PER_TASK / ncols).max(1);
    let rows_per_batch = rows_per_task * TASKS_PER_BATCH;
    let batches = nrows.div_ceil(rows_per_batch);
    let format_batch = |b: usize, pool: &mut Vec<OutBuf>| -> Result<()> {
        let start = b * rows_per_batch;
        let end = (start + rows_per_batch).min(nrows);
        pool.resize_with((end - start).div_ceil(rows_per_task), OutBuf::default);
        pool.par_iter_mut().enumerate().try_for_each(|(t, out)| {
            let s = start + t * rows_per_task;
            format_rows(s..(s + rows_per_task).min(end), out)
        })
    };
    if batches == 0 {
        return Ok(());
    }
    let (mut ready, mut next) = (Vec::new(), Vec::new());
    format_batch(0, &mut ready)?;
    for b in 1..=batches {
        let mut formatted = Ok(());
        let written = rayon::in_place_scope(|s| {
            if b < batches {
                s.spawn(|_| formatted = format_batch(b, &mut next));
            }
            ready
                .iter()
                .try_for_each(|c| w.write_all(c.as_slice()))
                .at(path, "write")
        });
        written?;
        formatted?;
        std::mem::swap(&mut ready, &mut next);
    }
    Ok(())
}

/// The array as a contiguous C-order slice (copying only when it is not one already).
fn c_order<T: Clone>(a: &ArrayD<T>) -> std::borrow::Cow<'_, [T]> {
    match a.as_slice() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(a.iter().cloned().collect()),
    }
}

/// Writes `arr` in psana's text format with header, as `save_txt` does.
pub fn encode_text<W: Write>(
    arr: &NdArray,
    opts: &TextOptions,
    info: &HeaderInfo,
    w: &mut W,
    path: &Path,
) -> Result<()> {
    let shape = arr.shape();
    if shape.is_empty() {
        return Err(Error::invalid("cannot write a 0-dimensional array as text"));
    }
    let mut recs: Vec<String> = opts.comments.iter().map(|c| format!("# {c}")).collect();
    recs.push(format!("\n# HOST        {}", info.host));
    recs.push(format!("# WORK_DIR    {}", info.work_dir));
    recs.push(format!("# FILE_NAME   {}", info.file_name));
    recs.push(format!("# DATE_TIME   {}", info.date_time));
    recs.push(format!("# UID         {}", info.uid));
    recs.push(format!("# SHAPE       {}", shape_str(shape)));
    recs.push(format!("# DATATYPE    {}", arr.dtype()));
    if opts.add_metadata {
        recs.push(format!("\n# DTYPE       {}", arr.dtype()));
        recs.push(format!("# NDIM        {}", shape.len()));
        for (i, d) in shape.iter().enumerate() {
            recs.push(format!("# DIM:{i}       {d}"));
        }
    }
    let one_d = shape.len() == 1;
    recs.push(if one_d {
        "\n".to_string()
    } else {
        String::new()
    });
    let mut head = recs.join("\n");
    head.push(if one_d { ' ' } else { '\n' });
    w.write_all(head.as_bytes()).at(path, "write")?;
    let ncols = *shape.last().expect("ndim >= 1");
    with_array!(arr, a => {
        let data = c_order(a);
        if one_d {
            write_rows(&data, ncols, &opts.fmt, b"", Some(b" "), w, path)
        } else {
            write_rows(&data, ncols, &opts.fmt, b"\n", None, w, path)
        }
    })
}

/// Writes `arr` as plain text without header, as numpy's `savetxt` does with `fmt`: one line per
/// row (arrays above 2-D are flattened to rows of their last dimension; a 1-D array is one value
/// per line).
pub fn encode_plain<W: Write>(arr: &NdArray, fmt: &PyFormat, w: &mut W, path: &Path) -> Result<()> {
    let shape = arr.shape();
    let ncols = match shape.len() {
        0 => return Err(Error::invalid("cannot write a 0-dimensional array as text")),
        1 => 1,
        _ => *shape.last().expect("ndim >= 2"),
    };
    with_array!(arr, a => write_rows(&c_order(a), ncols, fmt, b"\n", None, w, path))
}

/// The metadata found in the comment lines at the top of a text file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextMeta {
    /// `# DTYPE`, if present.
    pub dtype: Option<DType>,
    /// `# NDIM`, if present.
    pub ndim: Option<usize>,
    /// The `# DIM:i` values in file order.
    pub dims: Vec<usize>,
    /// Every comment line at the top, without the leading `#` and one space.
    pub comments: Vec<String>,
}

/// Reads an array from `path` in psana's text format (with or without header).
pub fn read_text(path: &Path) -> Result<NdArray> {
    if path.is_dir() {
        return Err(Error::content(path, "is a directory; expected a text file"));
    }
    // Errors say "read" as they did when every file was read whole.
    let file = std::fs::File::open(path).at(path, "read")?;
    let len = file.metadata().at(path, "read")?.len();
    if len < MAP_BYTES {
        let bytes = std::fs::read(path).at(path, "read")?;
        return parse_text(&bytes, path);
    }
    // Large files are mapped rather than copied into memory first.
    // SAFETY: the map is read-only; a file truncated by another process while mapped would
    // fault, as with any mapped input (the `.npy` reader maps its inputs the same way).
    let map = unsafe { memmap2::Mmap::map(&file) }.at(path, "read")?;
    parse_text(&map, path)
}

/// Files from this size on are read through a memory map.
const MAP_BYTES: u64 = 1 << 22;

/// Reads only the header metadata of a text file.
pub fn read_text_meta(path: &Path) -> Result<TextMeta> {
    let bytes = std::fs::read(path).at(path, "read")?;
    Ok(scan_header(&bytes, path)?.0)
}

/// Parses the comment lines at the top; returns the metadata, the byte offset where the data
/// starts and the 1-based line number there.
fn scan_header(bytes: &[u8], path: &Path) -> Result<(TextMeta, usize, usize)> {
    let mut meta = TextMeta::default();
    let mut pos = 0;
    let mut line_no = 1;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line = &bytes[pos..end];
        let trimmed = line.trim_ascii();
        if !trimmed.is_empty() && line.first() != Some(&b'#') {
            break;
        }
        if line.first() == Some(&b'#') {
            let text = std::str::from_utf8(line)
                .map_err(|_| Error::parse(path, line_no, "header line is not valid UTF-8"))?
                .trim_end_matches('\r');
            parse_meta_line(text, &mut meta, path, line_no)?;
            meta.comments
                .push(text.strip_prefix("# ").unwrap_or(&text[1..]).to_string());
        }
        pos = end + 1;
        line_no += 1;
    }
    Ok((meta, pos.min(bytes.len()), line_no))
}

fn parse_meta_line(text: &str, meta: &mut TextMeta, path: &Path, line_no: usize) -> Result<()> {
    // psana splits on single spaces into at most 3 parts: '#', keyword, rest.
    let mut parts = text.splitn(3, ' ');
    let (Some(_hash), Some(key), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(());
    };
    let value = rest.trim();
    let int = |what: &str| -> Result<usize> {
        value.parse::<usize>().map_err(|_| {
            Error::parse(
                path,
                line_no,
                format!("{what} must be a non-negative integer, found {value:?}"),
            )
        })
    };
    if key == "DTYPE" {
        meta.dtype = Some(
            DType::from_name(value)
                .ok_or_else(|| Error::parse(path, line_no, format!("unknown DTYPE {value:?}")))?,
        );
    } else if key == "NDIM" {
        meta.ndim = Some(int("NDIM")?);
    } else if key.starts_with("DIM:") {
        meta.dims.push(int(key)?);
    }
    Ok(())
}

/// Parses psana's text format from memory; `path` is used in error messages.
pub fn parse_text(bytes: &[u8], path: &Path) -> Result<NdArray> {
    let (meta, data_start, first_line) = scan_header(bytes, path)?;
    let dtype = meta.dtype.unwrap_or(DType::F32);
    let data = &bytes[data_start..];
    let (values, nrows, ncols) = match dtype {
        DType::U8 => parse_values::<u8>(data, first_line, path)?.into_nd(),
        DType::U16 => parse_values::<u16>(data, first_line, path)?.into_nd(),
        DType::U32 => parse_values::<u32>(data, first_line, path)?.into_nd(),
        DType::U64 => parse_values::<u64>(data, first_line, path)?.into_nd(),
        DType::I8 => parse_values::<i8>(data, first_line, path)?.into_nd(),
        DType::I16 => parse_values::<i16>(data, first_line, path)?.into_nd(),
        DType::I32 => parse_values::<i32>(data, first_line, path)?.into_nd(),
        DType::I64 => parse_values::<i64>(data, first_line, path)?.into_nd(),
        DType::F32 => parse_values::<f32>(data, first_line, path)?.into_nd(),
        DType::F64 => parse_values::<f64>(data, first_line, path)?.into_nd(),
    };
    if nrows == 0 {
        return Err(Error::content(path, "no data lines after the header"));
    }
    let count = values.len();
    let shape: Vec<usize> = match (meta.ndim, meta.dims.is_empty()) {
        (Some(ndim), false) => {
            if ndim != meta.dims.len() {
                return Err(Error::content(
                    path,
                    format!(
                        "header says NDIM {ndim} but has {} DIM lines",
                        meta.dims.len()
                    ),
                ));
            }
            let Some(want) = checked_product(&meta.dims) else {
                return Err(Error::content(
                    path,
                    format!(
                        "header shape {} is too large: its number of elements overflows",
                        shape_str(&meta.dims)
                    ),
                ));
            };
            if want != count {
                return Err(Error::content(
                    path,
                    format!(
                        "header shape {} needs {want} values but the file holds {count} ({nrows} lines of {ncols})",
                        shape_str(&meta.dims)
                    ),
                ));
            }
            meta.dims.clone()
        }
        // No shape metadata: the layout of the text, squeezed as numpy's loadtxt squeezes it.
        _ if nrows == 1 || ncols == 1 => vec![count],
        _ => vec![nrows, ncols],
    };
    values
        .reshape(&shape)
        .map_err(|e| Error::content(path, e.to_string()))
}

/// Parsed values with the text layout.
struct Parsed<T> {
    values: Vec<T>,
    nrows: usize,
    ncols: usize,
}

impl<T: Element> Parsed<T> {
    fn into_nd(self) -> (NdArray, usize, usize) {
        let n = self.values.len();
        let a = ArrayD::from_shape_vec(IxDyn(&[n]), self.values).expect("1-D");
        (T::wrap(a), self.nrows, self.ncols)
    }
}

/// A value type that can be parsed from a text token.
trait ParseValue: Element + short8::Lane8 {
    /// Parses a token with the standard library's parsers: the reference behaviour (numpy's for
    /// every file psana writes) and the fallback of [`ParseValue::parse_fast`].
    fn parse_token(tok: &str) -> std::result::Result<Self, String>;
    /// Parses the common forms of a token quickly, giving exactly what
    /// [`ParseValue::parse_token`] gives; `None` where it cannot decide (then the caller falls
    /// back to `parse_token`, which also words the error).
    fn parse_fast(tok: &[u8]) -> Option<Self>;
    /// The value of a token of the common short shapes, exactly what
    /// [`ParseValue::parse_token`] gives for it; `None` where the general code must decide
    /// (other shapes, out of range).
    fn parse_short(t: &fastnum::Token) -> Option<Self>;
}

/// The sign and value of a token of at most 19 decimal digits with an optional sign.
#[inline]
fn parse_small_int(tok: &[u8]) -> Option<(bool, u64)> {
    let (neg, digits) = match tok.first()? {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some((neg, v))
}

macro_rules! parse_int {
    ($($t:ty),*) => {$(
        impl ParseValue for $t {
            fn parse_token(tok: &str) -> std::result::Result<Self, String> {
                let v: i128 = match tok.parse::<i128>() {
                    Ok(v) => v,
                    Err(_) => {
                        // Integer data written as floats ("3.000", "1e3") reads back when the
                        // value is a whole number.
                        let f: f64 = tok.parse().map_err(|_| format!("{tok:?} is not a number"))?;
                        if !f.is_finite() || f.fract() != 0.0 {
                            return Err(format!("{tok:?} is not an integer as {} requires", <$t as Element>::DTYPE));
                        }
                        f as i128
                    }
                };
                <$t>::try_from(v).map_err(|_| format!("{tok} is out of range for {}", <$t as Element>::DTYPE))
            }

            #[inline]
            fn parse_fast(tok: &[u8]) -> Option<Self> {
                let (neg, v) = parse_small_int(tok)?;
                let v = if neg { -i128::from(v) } else { i128::from(v) };
                <$t>::try_from(v).ok()
            }

            #[inline(always)]
            fn parse_short(t: &fastnum::Token) -> Option<Self> {
                let (neg, v) = t.short_int()?;
                let v = i128::from(v);
                <$t>::try_from(if neg { -v } else { v }).ok()
            }
        }
    )*};
}
parse_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl ParseValue for f64 {
    fn parse_token(tok: &str) -> std::result::Result<Self, String> {
        tok.parse::<f64>()
            .map_err(|_| format!("{tok:?} is not a number"))
    }

    #[inline]
    fn parse_fast(tok: &[u8]) -> Option<Self> {
        // Both are correctly rounded; the property tests check that they accept the same tokens.
        fast_float2::parse::<f64, _>(tok).ok()
    }

    #[inline(always)]
    fn parse_short(t: &fastnum::Token) -> Option<Self> {
        t.short().map(fastnum::Short::to_f64)
    }
}

impl ParseValue for f32 {
    fn parse_token(tok: &str) -> std::result::Result<Self, String> {
        // numpy parses the decimal text as a double, then rounds it to float32.
        f64::parse_token(tok).map(|v| v as f32)
    }

    #[inline]
    fn parse_fast(tok: &[u8]) -> Option<Self> {
        f64::parse_fast(tok).map(|v| v as f32)
    }

    #[inline(always)]
    fn parse_short(t: &fastnum::Token) -> Option<Self> {
        // As numpy: the double nearest the decimal, rounded to float32.
        t.short().map(fastnum::Short::to_f32)
    }
}

/// Parses one token: the fast path, else the reference parser (which also words the error).
#[inline]
fn parse_value<T: ParseValue>(tok: &[u8]) -> std::result::Result<T, String> {
    if let Some(v) = T::parse_fast(tok) {
        return Ok(v);
    }
    let text = std::str::from_utf8(tok).map_err(|_| "line is not valid UTF-8 text".to_string())?;
    T::parse_token(text)
}

/// One chunk of data lines: its values, rows and columns.
struct Chunk<T> {
    values: Vec<T>,
    rows: usize,
    /// (line number, values) of the first data line, to check column counts across chunks.
    first: Option<(usize, usize)>,
}

const CHUNK_BYTES: usize = 1 << 20;

fn parse_values<T: ParseValue>(data: &[u8], first_line: usize, path: &Path) -> Result<Parsed<T>> {
    // Cut the data into chunks at line ends; each chunk is parsed in parallel.
    let mut bounds = vec![0usize];
    while *bounds.last().expect("non-empty") < data.len() {
        let s = *bounds.last().expect("non-empty");
        let target = (s + CHUNK_BYTES).min(data.len());
        let end = if target == data.len() {
            target
        } else {
            memchr::memchr(b'\n', &data[target..]).map_or(data.len(), |i| target + i + 1)
        };
        bounds.push(end);
    }
    let ranges: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let line_counts: Vec<usize> = ranges
        .par_iter()
        .map(|&(s, e)| memchr::memchr_iter(b'\n', &data[s..e]).count())
        .collect();
    let mut starts = Vec::with_capacity(ranges.len());
    let mut line = first_line;
    for c in &line_counts {
        starts.push(line);
        line += c;
    }
    if let Some(values) = parse_uniform::<T>(data, &ranges, &line_counts) {
        return Ok(values);
    }
    let chunks: Vec<Chunk<T>> = ranges
        .par_iter()
        .zip(starts.par_iter())
        .map(|(&(s, e), &line0)| parse_chunk::<T>(&data[s..e], line0, path))
        .collect::<Vec<_>>()
        .into_iter()
        // The first error in the file (a parallel collect would give any one).
        .collect::<Result<_>>()?;
    let mut ncols: Option<(usize, usize)> = None;
    let mut rows = 0;
    for c in &chunks {
        if let Some((l, n)) = c.first {
            match ncols {
                None => ncols = Some((l, n)),
                Some((l0, n0)) if n0 != n => {
                    return Err(Error::parse(
                        path,
                        l,
                        format!(
                            "{n} values on this line, but line {l0} has {n0}; rows must all be the same length"
                        ),
                    ));
                }
                _ => {}
            }
        }
        rows += c.rows;
    }
    Ok(Parsed {
        values: concat_parallel(&chunks),
        nrows: rows,
        ncols: ncols.map_or(0, |(_, n)| n),
    })
}

/// The fast reader of the files psana writes, where every line holds the same number of values:
/// the chunks are parsed in parallel straight into their places in one vector. `None` when a
/// line differs (a blank line, another count, a bad token): then the general reader, which
/// words the errors, parses the file again.
fn parse_uniform<T: ParseValue>(
    data: &[u8],
    ranges: &[(usize, usize)],
    line_counts: &[usize],
) -> Option<Parsed<T>> {
    // The number of values on the first line (the header scan starts the data at a line with
    // content).
    let first_end = memchr::memchr2(b'\n', b'#', data).unwrap_or(data.len());
    let ncols = data[..first_end]
        .split(|&b| is_blank(b))
        .filter(|t| !t.is_empty())
        .count();
    if ncols == 0 {
        return None;
    }
    // Lines per chunk: its line ends, plus a last line without one.
    let lines: Vec<usize> = ranges
        .iter()
        .zip(line_counts)
        .map(|(&(s, e), &c)| c + usize::from(e > s && data[e - 1] != b'\n'))
        .collect();
    let total = lines.iter().sum::<usize>().checked_mul(ncols)?;
    let mut values = zeroed_huge::<T>(total);
    let mut parts = Vec::with_capacity(ranges.len());
    let mut rest = values.as_mut_slice();
    for (&(s, e), &n) in ranges.iter().zip(&lines) {
        let (head, tail) = rest.split_at_mut(n * ncols);
        parts.push((&data[s..e], head));
        rest = tail;
    }
    let ok = parts
        .into_par_iter()
        .all(|(chunk, out)| parse_chunk_uniform(chunk, ncols, out));
    ok.then(|| Parsed {
        values,
        nrows: total / ncols,
        ncols,
    })
}

/// A zero-filled vector of `n` values whose memory the kernel may back with 2 MiB pages
/// ([`crate::pages`]): the parser's first touches then fault once per 2 MiB instead of once per
/// 4 KiB page, where that is the cheaper.
fn zeroed_huge<T: Element>(n: usize) -> Vec<T> {
    // A zero fill is a fresh zeroed allocation (not written here).
    let v = vec![T::from_i128(0); n];
    crate::pages::advise_huge(v.as_ptr().cast(), std::mem::size_of_val(v.as_slice()));
    v
}

/// Parses the lines of `chunk` into `out`, `ncols` values per line; false when a line does not
/// hold exactly `ncols` numbers or the count of lines differs.
fn parse_chunk_uniform<T: ParseValue>(chunk: &[u8], ncols: usize, out: &mut [T]) -> bool {
    let mut rows = out.chunks_exact_mut(ncols);
    let mut pos = 0;
    // Eight tokens at a time, and lines of small integers at once, where the CPU can.
    let mut bounds = short8::available().then(Bounds::default);
    let mut small_ints = T::KIND == short8::Kind::Int && short8::small_ints_available();
    while pos < chunk.len() {
        let Some(row) = rows.next() else {
            return false;
        };
        // Integers: lines of small unsigned values at once (their ends found on the way),
        // others a value at a time (as fast for short integers as groups of eight).
        if small_ints {
            match short8::read_small_ints(chunk, pos, chunk.len(), row) {
                Some(Some((n, end))) if n == ncols => {
                    pos = end + 1;
                    continue;
                }
                Some(_) => return false,
                // Not such a line: the rest of the chunk a value at a time, rather than each
                // line scanned twice.
                None => small_ints = false,
            }
        }
        // The line's content ends at its line end or at a '#' (numpy drops the rest).
        let (end, next) = match memchr::memchr2(b'\n', b'#', &chunk[pos..]) {
            Some(i) if chunk[pos + i] == b'\n' => (pos + i, pos + i + 1),
            Some(i) => (
                pos + i,
                memchr::memchr(b'\n', &chunk[pos + i..]).map_or(chunk.len(), |j| pos + i + j + 1),
            ),
            None => (chunk.len(), chunk.len()),
        };
        let n = match &mut bounds {
            Some(bounds) if T::KIND != short8::Kind::Int => {
                short8::read_row(chunk, pos, end, row, bounds, |t| parse_value::<T>(t).ok())
            }
            _ => parse_line_into(chunk, pos, end, row),
        };
        if n != Some(ncols) {
            return false;
        }
        pos = next;
    }
    rows.next().is_none()
}

/// Parses the values of `chunk[start..end]` (one line's content) into `row`; the number of
/// values, or `None` when a token is not a number or there are more than `row` holds.
#[inline]
fn parse_line_into<T: ParseValue>(
    chunk: &[u8],
    start: usize,
    end: usize,
    row: &mut [T],
) -> Option<usize> {
    let mut n = 0;
    fastnum::for_each_token(chunk, start, end, |tok| {
        let v = match T::parse_short(&tok) {
            Some(v) => v,
            None => parse_value::<T>(&chunk[tok.start..tok.end]).ok()?,
        };
        *row.get_mut(n)? = v;
        n += 1;
        Some(())
    })?;
    Some(n)
}

/// The chunks' values in order, copied in parallel into one vector.
fn concat_parallel<T: Element>(chunks: &[Chunk<T>]) -> Vec<T> {
    let total: usize = chunks.iter().map(|c| c.values.len()).sum();
    // A zero fill is a fresh zeroed allocation, so the pages are first touched by the copies.
    let mut values = vec![T::from_i128(0); total];
    let mut rest = values.as_mut_slice();
    let mut parts = Vec::with_capacity(chunks.len());
    for c in chunks {
        let (head, tail) = rest.split_at_mut(c.values.len());
        parts.push((head, &c.values));
        rest = tail;
    }
    parts
        .into_par_iter()
        .for_each(|(dst, src)| dst.copy_from_slice(src));
    values
}

fn parse_chunk<T: ParseValue>(chunk: &[u8], line0: usize, path: &Path) -> Result<Chunk<T>> {
    let mut values = Vec::with_capacity(chunk.len() / 6);
    let mut rows = 0;
    let mut first: Option<(usize, usize)> = None;
    let mut line_start = 0;
    for i in 0.. {
        if line_start > chunk.len() {
            break;
        }
        let line_end =
            memchr::memchr(b'\n', &chunk[line_start..]).map_or(chunk.len(), |p| line_start + p);
        let raw = &chunk[line_start..line_end];
        line_start = line_end + 1;
        let line_no = line0 + i;
        // numpy's loadtxt drops everything after '#'.
        let content = match memchr::memchr(b'#', raw) {
            Some(p) => &raw[..p],
            None => raw,
        };
        let before = values.len();
        let mut at = 0;
        loop {
            while at < content.len() && is_blank(content[at]) {
                at += 1;
            }
            if at == content.len() {
                break;
            }
            let start = at;
            while at < content.len() && !is_blank(content[at]) {
                at += 1;
            }
            let v = parse_value::<T>(&content[start..at])
                .map_err(|m| Error::parse(path, line_no, m))?;
            values.push(v);
        }
        let n = values.len() - before;
        if n == 0 {
            continue;
        }
        match first {
            None => first = Some((line_no, n)),
            Some((l0, n0)) if n0 != n => {
                return Err(Error::parse(
                    path,
                    line_no,
                    format!(
                        "{n} values on this line, but line {l0} has {n0}; rows must all be the same length"
                    ),
                ));
            }
            _ => {}
        }
        rows += 1;
    }
    Ok(Chunk {
        values,
        rows,
        first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> HeaderInfo {
        HeaderInfo {
            host: "HOST".into(),
            work_dir: "/CWD".into(),
            file_name: name.into(),
            date_time: "1970-01-01T00:00:00".into(),
            uid: "USER".into(),
        }
    }

    fn encode(arr: &NdArray, opts: &TextOptions, name: &str) -> String {
        let mut out = Vec::new();
        encode_text(arr, opts, &info(name), &mut out, Path::new(name)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn four_d_example_is_byte_exact() {
        let a = NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[2, 2, 2, 3]), (0..24).map(|x| x as f32).collect())
                .unwrap(),
        );
        let got = encode(&a, &TextOptions::new("%.3f").unwrap(), "nda.txt");
        let mut want = String::from(
            "\n# HOST        HOST\n# WORK_DIR    /CWD\n# FILE_NAME   nda.txt\n# DATE_TIME   1970-01-01T00:00:00\n\
             # UID         USER\n# SHAPE       (2,2,2,3)\n# DATATYPE    float32\n\n# DTYPE       float32\n\
             # NDIM        4\n# DIM:0       2\n# DIM:1       2\n# DIM:2       2\n# DIM:3       3\n\n",
        );
        for r in 0..8 {
            want.push_str(&format!(
                "{}.000 {}.000 {}.000\n",
                3 * r,
                3 * r + 1,
                3 * r + 2
            ));
        }
        assert_eq!(got, want);
    }

    #[test]
    fn one_d_example_is_byte_exact() {
        let a = NdArray::U64(ArrayD::from_shape_vec(IxDyn(&[3]), vec![0, 64, 3]).unwrap());
        let opts = TextOptions::new("%d").unwrap().with_comments(["A comment"]);
        let got = encode(&a, &opts, "nda.txt");
        let want = "# A comment\n\n# HOST        HOST\n# WORK_DIR    /CWD\n# FILE_NAME   nda.txt\n\
                    # DATE_TIME   1970-01-01T00:00:00\n# UID         USER\n# SHAPE       (3,)\n\
                    # DATATYPE    uint64\n\n# DTYPE       uint64\n# NDIM        1\n# DIM:0       3\n\n 0 64 3 ";
        assert_eq!(got, want);
        let back = parse_text(got.as_bytes(), Path::new("nda.txt")).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn without_metadata_and_plain() {
        let a = NdArray::I32(ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![0, 64, -3, 7]).unwrap());
        let mut opts = TextOptions::new("%4i").unwrap();
        opts.add_metadata = false;
        let got = encode(&a, &opts, "x.txt");
        assert!(
            got.ends_with("# DATATYPE    int32\n\n   0   64\n  -3    7\n"),
            "{got:?}"
        );
        assert!(!got.contains("# NDIM"));
        let mut plain = Vec::new();
        encode_plain(
            &a,
            &PyFormat::parse("%4i").unwrap(),
            &mut plain,
            Path::new("x.dat"),
        )
        .unwrap();
        assert_eq!(plain, b"   0   64\n  -3    7\n");
        // Plain 1-D is one value per line, as numpy's savetxt writes it.
        let b = NdArray::U8(ArrayD::from_shape_vec(IxDyn(&[2]), vec![1, 2]).unwrap());
        let mut plain = Vec::new();
        encode_plain(
            &b,
            &PyFormat::parse("%d").unwrap(),
            &mut plain,
            Path::new("x.dat"),
        )
        .unwrap();
        assert_eq!(plain, b"1\n2\n");
    }

    #[test]
    fn reader_rules() {
        let p = Path::new("t.txt");
        // No header: float32, 2-D text layout.
        let a = parse_text(b"1 2 3\n4 5 6\n", p).unwrap();
        assert_eq!(a.dtype(), DType::F32);
        assert_eq!(a.shape(), &[2, 3]);
        // One line or one column: 1-D.
        assert_eq!(parse_text(b"1 2 3\n", p).unwrap().shape(), &[3]);
        assert_eq!(parse_text(b"1\n2\n3\n", p).unwrap().shape(), &[3]);
        // Blank lines and comments between data lines are skipped.
        assert_eq!(
            parse_text(b"\n# c\n1 2\n\n3 4 # tail\n", p)
                .unwrap()
                .shape(),
            &[2, 2]
        );
        // Integer data written as floats, in a float32 file and in a uint16 one.
        let s = parse_text(b"# DTYPE       float32\n   0   64\n   1    8\n", p).unwrap();
        assert_eq!(
            s.cast(DType::U16)
                .to_f64()
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            vec![0.0, 64.0, 1.0, 8.0]
        );
        let u = parse_text(b"# DTYPE       uint16\n3.000 4.0\n", p).unwrap();
        assert_eq!(
            u,
            NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[2]), vec![3, 4]).unwrap())
        );
        // u64 status words survive exactly.
        let big = parse_text(b"# DTYPE       uint64\n18446744073709551615 1\n", p).unwrap();
        assert_eq!(
            big,
            NdArray::U64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![u64::MAX, 1]).unwrap())
        );
        // The metadata shape applies to any rank.
        let m = parse_text(b"# DTYPE       int32\n# NDIM        3\n# DIM:0       2\n# DIM:1       1\n# DIM:2       2\n\n1 2\n3 4\n", p).unwrap();
        assert_eq!(m.shape(), &[2, 1, 2]);
        // Lines with fewer than 3 parts and unknown keywords are ignored.
        let n = parse_text(b"#DTYPE uint8\n# NDIM\n# SHAPE (9,9)\n1.5 2\n", p).unwrap();
        assert_eq!(n.dtype(), DType::F32);
    }

    #[test]
    fn reader_errors_name_file_and_line() {
        let p = Path::new("bad.txt");
        let cases: &[(&[u8], &str)] = &[
            (b"1 2\n3 x\n", "bad.txt:2: \"x\" is not a number"),
            (
                b"1 2 3\n4 5\n",
                "bad.txt:2: 2 values on this line, but line 1 has 3",
            ),
            (
                b"# NDIM        2\n# DIM:0       2\n1 2\n",
                "NDIM 2 but has 1 DIM lines",
            ),
            (
                b"# NDIM        2\n# DIM:0       2\n# DIM:1       2\n1 2 3\n",
                "needs 4 values but the file holds 3",
            ),
            (
                b"# DTYPE       uint16\n1 -2\n",
                "bad.txt:2: -2 is out of range for uint16",
            ),
            (
                b"# DTYPE       uint16\n1 2.5\n",
                "bad.txt:2: \"2.5\" is not an integer as uint16 requires",
            ),
            (
                b"# DTYPE       complex64\n1\n",
                "bad.txt:1: unknown DTYPE \"complex64\"",
            ),
            (
                b"# DIM:0       x\n1\n",
                "bad.txt:1: DIM:0 must be a non-negative integer",
            ),
            (
                b"# only a header\n\n",
                "bad.txt: no data lines after the header",
            ),
            (b"", "bad.txt: no data lines after the header"),
            (b"1 \xff\n", "bad.txt:1: line is not valid UTF-8"),
            // A shape whose product wraps around to the number of values.
            (
                b"# NDIM 2\n# DIM:0 4611686018427387905\n# DIM:1 4\n1 2 3 4\n",
                "bad.txt: header shape (4611686018427387905,4) is too large",
            ),
            (
                b"# NDIM 3\n# DIM:0 0\n# DIM:1 4611686018427387905\n# DIM:2 2\n1\n",
                "bad.txt: header shape (0,4611686018427387905,2) is too large",
            ),
            (
                b"# NDIM 1\n# DIM:0 99999999999999999999999\n1\n",
                "bad.txt:2: DIM:0 must be a non-negative integer",
            ),
        ];
        for (input, want) in cases {
            let err = parse_text(input, p).unwrap_err().to_string();
            assert!(
                err.contains(want),
                "{:?}: got {err:?}, want {want:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn chunk_boundaries_keep_line_numbers() {
        // Enough lines for several parallel chunks; an error late in the file names its line.
        let mut s = String::new();
        for i in 0..300_000 {
            s.push_str(&format!("{i} {i} {i}\n"));
        }
        let ok = parse_text(s.as_bytes(), Path::new("big.txt")).unwrap();
        assert_eq!(ok.shape(), &[300_000, 3]);
        s.push_str("1 2\n");
        let err = parse_text(s.as_bytes(), Path::new("big.txt"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("big.txt:300001: 2 values"), "{err}");
        // With bad values in several chunks, the first is named, every time.
        let mut lines: Vec<String> = (0..300_000).map(|i| format!("{i} {i} {i}")).collect();
        lines[250_000] = "1 x 3".into();
        lines[150_000] = "1 2 y".into();
        let text = lines.join("\n");
        for _ in 0..5 {
            let err = parse_text(text.as_bytes(), Path::new("big.txt"))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("big.txt:150001: "), "{err}");
        }
    }

    /// The reference (standard library) parse of a token, as the reader parsed before the fast path.
    fn reference<T: ParseValue>(tok: &[u8]) -> std::result::Result<T, String> {
        let text = std::str::from_utf8(tok).map_err(|_| "utf8".to_string())?;
        T::parse_token(text)
    }

    /// Fast and reference parsers agree: same value (same bits; any NaN for NaN), or both fail.
    fn agree<T: ParseValue>(
        tok: &[u8],
        same: impl Fn(T, T) -> bool,
    ) -> std::result::Result<(), String> {
        match (parse_value::<T>(tok), reference::<T>(tok)) {
            (Ok(a), Ok(b)) if same(a, b) => Ok(()),
            (Err(_), Err(_)) => Ok(()),
            (a, b) => Err(format!(
                "{:?}: fast {a:?}, reference {b:?}",
                String::from_utf8_lossy(tok)
            )),
        }
    }

    fn same_f64(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    fn same_f32(a: f32, b: f32) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    fn check_all_types(tok: &[u8]) -> std::result::Result<(), String> {
        agree::<f64>(tok, same_f64)?;
        agree::<f32>(tok, same_f32)?;
        agree::<u8>(tok, |a, b| a == b)?;
        agree::<u16>(tok, |a, b| a == b)?;
        agree::<u32>(tok, |a, b| a == b)?;
        agree::<u64>(tok, |a, b| a == b)?;
        agree::<i8>(tok, |a, b| a == b)?;
        agree::<i16>(tok, |a, b| a == b)?;
        agree::<i32>(tok, |a, b| a == b)?;
        agree::<i64>(tok, |a, b| a == b)
    }

    #[test]
    fn fast_parsers_agree_on_edge_tokens() {
        let edges = [
            "0",
            "-0",
            "+0",
            "-0.000",
            "0.000",
            "00012",
            "1.",
            ".5",
            "-.5",
            "+.5",
            ".",
            "-",
            "+",
            "",
            "1e5",
            "1E+05",
            "1e-400",
            "1e400",
            "-1e400",
            "1e",
            "e5",
            "1e+",
            "1.5e-3",
            "1.e3",
            "nan",
            "NaN",
            "-nan",
            "+nan",
            "inf",
            "-inf",
            "+inf",
            "Infinity",
            "-infinity",
            "INF",
            "infinit",
            "nan(1)",
            "0x10",
            "1_000",
            "--1",
            "+-1",
            "1-",
            "1.2.3",
            "4.9406564584124654e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "3.4028235e38",
            "3.4028236e38",
            "1.4e-45",
            "7e-46",
            "0.1",
            "0.30000000000000004",
            "9007199254740993",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "9223372036854775807",
            "9999999999999999999",
            "10000000000000000000",
            "255",
            "256",
            "-128",
            "-129",
            "65535",
            "65536",
            "3.000",
            "2.5",
            "1e3",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001",
            "\u{a0}1",
            "1\u{e9}",
        ];
        for e in edges {
            check_all_types(e.as_bytes()).unwrap();
        }
        check_all_types(b"\xff").unwrap();
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        #[test]
        fn fast_parsers_agree_on_random_floats(bits in proptest::prelude::any::<u64>(), prec in 0usize..20) {
            let v = f64::from_bits(bits);
            let f = v as f32;
            for tok in [
                format!("{v}"), format!("{v:e}"), format!("{v:.prec$}"), format!("{v:.16e}"),
                format!("{f}"), format!("{f:.3}"), format!("{:.prec$e}", f64::from(f)),
            ] {
                check_all_types(tok.as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
            }
        }

        #[test]
        fn fast_parsers_agree_on_random_integers(u in proptest::prelude::any::<u64>(), i in proptest::prelude::any::<i64>(), shift in 0u32..64) {
            for tok in [format!("{u}"), format!("{i}"), format!("{}", u >> shift), format!("+{}", u >> shift), format!("-{}", u >> shift), format!("{}0", u)] {
                check_all_types(tok.as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
            }
        }

        #[test]
        fn fast_parsers_agree_on_random_text(tok in "[0-9+.eEinfatyINFATYx_-]{0,14}") {
            check_all_types(tok.as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
        }

        #[test]
        fn reader_equals_reference_line_parser(lines in proptest::collection::vec(proptest::collection::vec("[ \t\r]{0,2}(-?[0-9]{1,6}(\\.[0-9]{0,4})?|nan|-inf|1e-3)[ \t\r]{0,2}", 3), 1..40)) {
            let text: String = lines.iter().map(|l| l.join(" ") + "\n").collect();
            let got = parse_text(text.as_bytes(), Path::new("p.txt"));
            // The reference: split each line at ASCII whitespace and parse each token with std.
            let mut want = Vec::new();
            for l in text.lines() {
                for tok in l.split_ascii_whitespace() {
                    want.push(f32::parse_token(tok).unwrap());
                }
            }
            let got = got.unwrap().to_f64();
            proptest::prop_assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                proptest::prop_assert!(same_f32(*g as f32, *w));
            }
        }
    }

    /// The writer before the fast paths: each value with the general formatter, single spaces
    /// between values, a line end after each row (the reference of `write_rows`).
    fn reference_rows<T: PyValue>(data: &[T], ncols: usize, fmt: &PyFormat) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for row in data.chunks(ncols) {
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                v.py_write(fmt, &mut out)?;
            }
            out.push(b'\n');
        }
        Ok(out)
    }

    /// The psana 1-D layout by the general formatter: a space after every value.
    fn reference_one_d<T: PyValue>(data: &[T], fmt: &PyFormat) -> Vec<u8> {
        let mut out = Vec::new();
        for v in data {
            v.py_write(fmt, &mut out).unwrap();
            out.push(b' ');
        }
        out
    }

    /// The new writer's rows of `data` (plain text, `ncols` per row) next to the reference's.
    fn rows_agree<T: PyValue + Element>(
        data: Vec<T>,
        ncols: usize,
        fmts: &[&str],
    ) -> std::result::Result<(), String> {
        let n = data.len() / ncols * ncols;
        let data = data[..n].to_vec();
        let arr =
            T::wrap(ArrayD::from_shape_vec(IxDyn(&[n / ncols, ncols]), data.clone()).unwrap());
        let one_d = T::wrap(ArrayD::from_shape_vec(IxDyn(&[n]), data.clone()).unwrap());
        for f in fmts {
            let fmt = PyFormat::parse(f).unwrap();
            let mut got = Vec::new();
            let res = encode_plain(&arr, &fmt, &mut got, Path::new("x.dat"));
            match (res, reference_rows(&data, ncols, &fmt)) {
                (Ok(()), Ok(want)) if got == want => {}
                (Err(_), Err(_)) => continue,
                (a, b) => {
                    return Err(format!(
                        "{f}: new {:?} {a:?}, reference {:?}",
                        String::from_utf8_lossy(&got),
                        b.map(|w| String::from_utf8_lossy(&w).into_owned())
                    ));
                }
            }
            let opts = TextOptions {
                fmt: fmt.clone(),
                comments: Vec::new(),
                add_metadata: true,
            };
            let mut text = Vec::new();
            encode_text(&one_d, &opts, &info("x"), &mut text, Path::new("x")).unwrap();
            let want = reference_one_d(&data, &fmt);
            if !text.ends_with(&want) || !text[..text.len() - want.len()].ends_with(b"\n\n ") {
                return Err(format!("{f}: 1-D layout differs"));
            }
        }
        Ok(())
    }

    const FLOAT_FORMATS: &[&str] = &[
        "%.3f", "%.0f", "%.1f", "%8.2f", "%.4f", "%f", "%.9f", "%12.3f", "%.12f", "%-8.2f",
        "%08.3f", "%+.3f", "%.4e", "%g", "%4i", "%d", "v%.3f",
    ];
    const INT_FORMATS: &[&str] = &[
        "%4i", "%6i", "%d", "%1d", "%.3d", "%04d", "%.3f", "%g", "%22d",
    ];

    #[test]
    fn writer_equals_reference_on_edge_values() {
        let f32s = vec![
            0.0f32,
            -0.0,
            -0.0001,
            0.0005,
            0.0625,
            -0.0625,
            1e-45,
            -1e-45,
            f32::MIN_POSITIVE,
            16_777_216.0,
            1e9,
            3.4e38,
            f32::MAX,
            f32::MIN,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1500.013,
            2874.6665,
            999.9995,
        ];
        rows_agree(f32s.clone(), 4, FLOAT_FORMATS).unwrap();
        let f64s: Vec<f64> = f32s
            .iter()
            .map(|&v| f64::from(v))
            .chain([
                0.1,
                2.675,
                1e15,
                9.2e15,
                1.8e16,
                1e300,
                5e-324,
                0.3,
                -123456.7895,
            ])
            .collect();
        rows_agree(f64s, 29, FLOAT_FORMATS).unwrap();
        let u64s = vec![
            0u64,
            1,
            64,
            9999,
            10_000_000,
            1 << 53,
            (1 << 53) + 1,
            u64::MAX,
        ];
        rows_agree(u64s, 2, INT_FORMATS).unwrap();
        let i64s = vec![
            0i64,
            -1,
            64,
            -9999,
            i64::MIN,
            i64::MAX,
            (1 << 53) + 1,
            -(1 << 60),
        ];
        rows_agree(i64s, 8, INT_FORMATS).unwrap();
        rows_agree(vec![0u16, 1, 16383, u16::MAX], 1, INT_FORMATS).unwrap();
        rows_agree(vec![-128i8, 0, 127, -1], 2, INT_FORMATS).unwrap();
    }

    #[test]
    fn writer_groups_equal_reference_on_random_rows() {
        // Rows of many lengths (whole groups of eight, and values left over), with values the
        // groups take and values they leave (nan, infinities, magnitudes beyond 10^8 scaled).
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let data: Vec<f32> = (0..40_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = match x % 64 {
                    0 => f32::NAN,
                    1 => f32::INFINITY,
                    2 => 3e9,
                    3 => f32::from_bits(x as u32),
                    k if k < 32 => (x >> 40) as f32 / 1000.0,
                    _ => (x >> 44) as f32 / [1.0, 8.0, 16.0, 1e4][i % 4],
                };
                if x >> 63 == 1 { -v } else { v }
            })
            .collect();
        for ncols in [1, 7, 8, 9, 16, 17, 63, 300, 1024] {
            rows_agree(
                data.clone(),
                ncols,
                &["%.1f", "%.2f", "%.3f", "%.4f", "%.6f", "%.7f", "%f"],
            )
            .unwrap();
        }
    }

    #[test]
    fn writer_equals_reference_across_batches() {
        // More values than one parallel task and one batch, with a slow value here and there.
        let data: Vec<f32> = (0..(VALUES_PER_TASK * TASKS_PER_BATCH * 2 + 4093))
            .map(|i| match i % 1000 {
                7 => f32::NAN,
                8 => 1e30,
                _ => 1500.0 + (i % 1024) as f32 * 0.5 + (i % 777) as f32 * 0.013,
            })
            .collect();
        rows_agree(data.clone(), 1024, &["%.3f"]).unwrap();
        rows_agree(data, 3, &["%8.2f"]).unwrap();
        let status: Vec<u64> = (0..300_000u64).map(|i| (i * 7919) % 97 * (i % 3)).collect();
        rows_agree(status, 512, &["%4i"]).unwrap();
    }

    /// The reader before the fast paths: numpy's rules token by token with the standard
    /// library's parsers. `None` where it rejects the text.
    fn reference_read<T: ParseValue>(text: &[u8]) -> Option<(Vec<T>, usize, usize)> {
        let text = std::str::from_utf8(text).ok()?;
        let mut values = Vec::new();
        let (mut rows, mut ncols) = (0, None);
        for line in text.split('\n') {
            let content = line.split('#').next().unwrap();
            let toks: Vec<&str> = content
                .split([' ', '\t', '\r', '\x0c'])
                .filter(|t| !t.is_empty())
                .collect();
            if toks.is_empty() {
                continue;
            }
            if *ncols.get_or_insert(toks.len()) != toks.len() {
                return None;
            }
            for t in toks {
                values.push(T::parse_token(t).ok()?);
            }
            rows += 1;
        }
        Some((values, rows, ncols.unwrap_or(0)))
    }

    fn reader_agrees<T: ParseValue>(
        text: &[u8],
        same: impl Fn(T, T) -> bool,
    ) -> std::result::Result<(), String> {
        let got = parse_values::<T>(text, 1, Path::new("r.txt"));
        match (got, reference_read::<T>(text)) {
            (Ok(p), Some((v, rows, cols)))
                if p.nrows == rows
                    && p.ncols == cols
                    && p.values.len() == v.len()
                    && p.values.iter().zip(&v).all(|(&a, &b)| same(a, b)) =>
            {
                Ok(())
            }
            (Err(_), None) => Ok(()),
            (a, b) => Err(format!(
                "{:?} as {}: new {:?}, reference {:?}",
                String::from_utf8_lossy(text),
                T::DTYPE,
                a.map(|p| (p.values, p.nrows, p.ncols)),
                b
            )),
        }
    }

    fn reader_agrees_all(text: &[u8]) -> std::result::Result<(), String> {
        reader_agrees::<f32>(text, same_f32)?;
        reader_agrees::<f64>(text, same_f64)?;
        reader_agrees::<u64>(text, |a, b| a == b)?;
        reader_agrees::<u16>(text, |a, b| a == b)?;
        reader_agrees::<i64>(text, |a, b| a == b)?;
        reader_agrees::<i8>(text, |a, b| a == b)
    }

    #[test]
    fn reader_equals_reference_on_edge_files() {
        let files: &[&str] = &[
            "1.000 2.500 -0.000\n3.125 4.000 5.000\n",
            "1 2 3\n4 5 6",
            " 0 64 3 ",
            "1 2\n\n3 4\n",
            "1 2\n3 4\n\n",
            "1 2 # c\n3 4#c\n",
            "1 2\n3\n",
            "1 2\n3 4 5\n",
            "1.5e3 nan\n-inf 4.9406564584124654e-324\n",
            "0.30000000000000004 1.7976931348623157e308\n",
            "18446744073709551615 9007199254740993\n18446744073709551616 -9223372036854775808\n",
            "12345678.5 1.12345678\n+1.5 -.5\n",
            "1.\t.5\r\n-0 +0\r\n",
            "1 x\n",
            "- .\n",
            "1,5 2\n",
            "   0   64\n 255    1\n",
            "3.000 4.0\n",
            "1\x0c2\n",
        ];
        for f in files {
            reader_agrees_all(f.as_bytes()).unwrap();
        }
    }

    #[test]
    fn reader_equals_reference_on_a_large_file() {
        // Several parallel chunks, tokens near the chunk ends read by the slow path.
        let mut s = String::new();
        for r in 0..3000 {
            for c in 0..100 {
                let v = (r * 100 + c) as f32 * 0.013 - 50.0;
                s.push_str(&format!(
                    "{} ",
                    if c % 37 == 5 {
                        format!("{v:e}")
                    } else {
                        format!("{v:.3}")
                    }
                ));
            }
            s.push('\n');
        }
        reader_agrees_all(s.as_bytes()).unwrap();
        s.push_str("1 2\n");
        reader_agrees_all(s.as_bytes()).unwrap();
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        #[test]
        fn writer_equals_reference_on_random_values(bits in proptest::collection::vec(proptest::prelude::any::<u64>(), 1..60), ncols in 1usize..7) {
            let f32s: Vec<f32> = bits.iter().map(|&b| match b % 4 {
                0 => f32::from_bits(b as u32),
                1 => (b >> 8) as u32 as f32 / 1000.0 % 20000.0,
                2 => (b >> 8) as u32 as f32 / 2048.0 % 70000.0 - 30000.0,
                _ => f32::from_bits((b >> 32) as u32) % 1e6,
            }).collect();
            let f64s: Vec<f64> = bits.iter().map(|&b| if b % 2 == 0 { f64::from_bits(b) } else { f64::from_bits(b) % 1e9 }).collect();
            rows_agree(f32s, ncols, FLOAT_FORMATS).map_err(proptest::test_runner::TestCaseError::fail)?;
            rows_agree(f64s, ncols, FLOAT_FORMATS).map_err(proptest::test_runner::TestCaseError::fail)?;
            rows_agree(bits.clone(), ncols, INT_FORMATS).map_err(proptest::test_runner::TestCaseError::fail)?;
            let i64s: Vec<i64> = bits.iter().map(|&b| (b as i64) >> (b % 64)).collect();
            rows_agree(i64s, ncols, INT_FORMATS).map_err(proptest::test_runner::TestCaseError::fail)?;
        }

        #[test]
        fn reader_equals_reference_on_random_files(
            lines in proptest::collection::vec(proptest::collection::vec(
                "-?[0-9]{0,9}(\\.[0-9]{0,9})?|-?[0-9]{1,5}\\.[0-9]{3}|[0-9]{15,21}|nan|-inf|[0-9]\\.[0-9]{16}e-?[0-9]{1,3}|\\+[0-9]\\.5|x", 1..6), 1..12),
            seps in proptest::collection::vec("( |  |\t| \r)", 8),
            ends in proptest::collection::vec("(\n|\r\n|\n\n| # c\n|#\n)", 12),
            uniform in proptest::prelude::any::<bool>(),
        ) {
            let width = lines[0].len();
            let mut text = String::new();
            for (i, l) in lines.iter().enumerate() {
                let l = if uniform { &l[..width.min(l.len())] } else { &l[..] };
                for (j, t) in l.iter().enumerate() {
                    if j > 0 {
                        text.push_str(&seps[(i + j) % seps.len()]);
                    }
                    text.push_str(t);
                }
                text.push_str(if uniform { "\n" } else { &ends[i % ends.len()] });
            }
            reader_agrees_all(text.as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
        }
    }
}
