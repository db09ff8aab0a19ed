/*!
Image assembly from per-pixel row and column indexes (psana's `img_from_pixel_arrays`): the image
has `max(rows) + 1` rows and `max(cols) + 1` columns, empty cells hold 0, and where several pixels
fall in one cell the one written last (the highest flat pixel index) wins.

[`ImageMap`] resolves the collisions once per geometry: for every cell the index of its winning
pixel. The winners are then described band by band (512 image rows each, copied in parallel) as
rectangles of cells where the pixel index is affine in the cell's row and column (cells
`cell + i * cols + k` show pixels `pix + i * a + k * b`): a panel, or the part of it between
wide-pixel gaps and band edges, whatever its rotation. A 16M JUNGFRAU (32 panels turned by 90°)
is 376 rectangles. The cells of no rectangle (rows of fewer than 8 equally spaced pixels) are
runs of consecutive pixels with equally spaced cells.

A rectangle is copied 8 image rows at a time: for a turned panel (`a = ±1`) the 8 cells of a
column are 8 consecutive pixels of the frame, read as one vector and transposed with 7 other
columns in registers (AVX2 for float32 input, scalar otherwise), so every cache line of the frame
is read once or twice instead of once per cell (a plain gather in image order reads a turned
panel with the stride of a panel row: a cache and TLB miss per pixel). The 8 rows go through a
small buffer and are written to the image with non-temporal stores of whole 64-byte lines
(no read of the line before it is written), the partial lines at either end with plain stores.

A frame loop keeps its image in an [`ImageBuffer`] ([`ImageMap::image_buffer`]): its empty cells
written once, so that each frame writes only the covered cells ([`ImageMap::assemble_kept`])
instead of rewriting the empty ones (7.4 M of the 24 M cells of a 16M JUNGFRAU image).
*/

use std::collections::HashMap;

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Marks a cell no pixel falls in.
const EMPTY: u32 = u32::MAX;

/// Image rows per band of work.
const BAND: usize = 512;

/// Image rows copied together in a rectangle (one transposed block of 8 x 8).
const STRIP: usize = 8;

/// Floats per 64-byte cache line.
const LINE: usize = 16;

/// Rectangles are at least this many cells wide; shorter rows of cells go to the runs.
const MIN_WIDTH: usize = 8;

/// The cell-to-pixel table of an assembled image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageMap {
    rows: usize,
    cols: usize,
    npix: usize,
    /// Filled cells.
    filled: usize,
    /// Rectangles of cells showing pixels affine in (row, column), band by band, in pixel order.
    rects: Vec<Rect>,
    /// Where each band's rectangles start in `rects` (one more entry than bands).
    rect_start: Vec<usize>,
    /// Runs of the covered cells in no rectangle, band by band.
    rest: Vec<Run>,
    /// Where each band's runs start in `rest` (one more entry than bands).
    rest_start: Vec<usize>,
    /// (first cell, count) of each stretch of empty cells, band by band.
    empty: Vec<(u32, u32)>,
    /// Where each band's stretches start in `empty` (one more entry than bands).
    empty_start: Vec<usize>,
}

/// One band's filled-cell count, rectangles, other runs and empty stretches.
type BandTable = (usize, Vec<Rect>, Vec<Run>, Vec<(u32, u32)>);

/// Cells `cell + i * cols + k` of a band (`i < h`, `k < len`) show pixels `pix + i * a + k * b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    cell: u32,
    pix: u32,
    a: i32,
    b: i32,
    h: u32,
    len: u32,
}

impl Rect {
    /// Pixel of row `i`, column `k`.
    #[inline(always)]
    fn pixel(&self, i: usize, k: usize) -> isize {
        self.pix as isize + i as isize * self.a as isize + k as isize * self.b as isize
    }
}

/// Splits one band's winners (`cols` cells a row) into rectangles (in pixel order) and the
/// (cell, pixel) pairs of the other covered cells (in pixel order).
fn rects_of(w: &[u32], cols: usize) -> (Vec<Rect>, Vec<(u32, u32)>) {
    let mut rects: Vec<Rect> = Vec::new();
    let mut rest: Vec<(u32, u32)> = Vec::new();
    // Rectangles that may go on in the next row: (first cell there, width, b) -> index.
    let mut open: HashMap<(usize, usize, i64), usize> = HashMap::new();
    let mut next: HashMap<(usize, usize, i64), usize> = HashMap::new();
    for (r, row) in w.chunks(cols).enumerate() {
        let mut c = 0;
        while c < row.len() {
            if row[c] == EMPTY {
                c += 1;
                continue;
            }
            // The longest stretch of equally spaced pixels from c.
            let mut e = c + 1;
            let mut b = 0i64;
            if e < row.len() && row[e] != EMPTY {
                b = row[e] as i64 - row[c] as i64;
                while e < row.len() && row[e] != EMPTY && row[e] as i64 - row[e - 1] as i64 == b {
                    e += 1;
                }
            }
            let cell = r * cols + c;
            let len = e - c;
            if len < MIN_WIDTH || i32::try_from(b).is_err() {
                rest.extend((c..e).map(|k| ((r * cols + k) as u32, row[k])));
                c = e;
                continue;
            }
            let key = (cell, len, b);
            let grown = open.remove(&key).filter(|&i| {
                let rc = &mut rects[i];
                let d = row[c] as i64 - rc.pix as i64;
                let ok = if rc.h == 1 {
                    i32::try_from(d).is_ok()
                } else {
                    d == rc.a as i64 * rc.h as i64
                };
                if ok {
                    rc.a = (d / rc.h as i64) as i32;
                    rc.h += 1;
                }
                ok
            });
            let i = grown.unwrap_or_else(|| {
                rects.push(Rect {
                    cell: cell as u32,
                    pix: row[c],
                    a: 0,
                    b: b as i32,
                    h: 1,
                    len: len as u32,
                });
                rects.len() - 1
            });
            next.insert((cell + cols, len, b), i);
            c = e;
        }
        std::mem::swap(&mut open, &mut next);
        next.clear();
    }
    rects.sort_unstable_by_key(|r| r.pix);
    rest.sort_unstable_by_key(|&(_, k)| k);
    (rects, rest)
}

/// Copies `src` to the start of `dst`: on x86-64 the whole 64-byte lines of `dst` streamed to
/// memory (non-temporal stores), the partial lines at either end stored as usual.
#[inline(always)]
fn put_row(dst: &mut [f32], src: &[f32]) {
    let dst = &mut dst[..src.len()];
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_loadu_ps, _mm_stream_ps};
        let head = dst.as_ptr().align_offset(64).min(dst.len());
        let (d0, d1) = dst.split_at_mut(head);
        let (s0, s1) = src.split_at(head);
        d0.copy_from_slice(s0);
        let mut dl = d1.chunks_exact_mut(16);
        let mut sl = s1.chunks_exact(16);
        for (d, s) in (&mut dl).zip(&mut sl) {
            // SAFETY: `d` is 16 floats starting at a 64-byte boundary (after `head`), so each
            // 4-float store is 16-byte aligned as `_mm_stream_ps` requires; `s` is 16 floats;
            // SSE is part of x86-64.
            unsafe {
                for k in (0..16).step_by(4) {
                    _mm_stream_ps(d.as_mut_ptr().add(k), _mm_loadu_ps(s.as_ptr().add(k)));
                }
            }
        }
        dl.into_remainder().copy_from_slice(sl.remainder());
    }
    #[cfg(not(target_arch = "x86_64"))]
    dst.copy_from_slice(src);
}

/// Fills `tmp` (STRIP rows of `stride`) with rows `i .. i + STRIP` of a rectangle of a turned
/// panel (`a` = ±1, so the STRIP cells of a column are consecutive pixels), 8 columns at a
/// time loaded as vectors and transposed in registers; returns how many columns were done.
///
/// # Safety
/// The CPU has AVX2; `rc.pixel(i + r, k)` is in `values` for `r < STRIP`, `k < rc.len`; `tmp`
/// holds `STRIP * stride` floats and `stride >= rc.len`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn strip_avx2(values: &[f32], rc: &Rect, i: usize, tmp: &mut [f32], stride: usize) -> usize {
    use std::arch::x86_64::*;
    let vp = values.as_ptr();
    let tp = tmp.as_mut_ptr();
    let rev = _mm256_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    let len = rc.len as usize;
    let mut j = 0;
    while j + 8 <= len {
        let mut c = [_mm256_setzero_ps(); 8];
        for (jj, cv) in c.iter_mut().enumerate() {
            let p = rc.pixel(i, j + jj);
            // SAFETY (all three): the pixels of rows i .. i + 8 of column j + jj are p .. p + 8
            // (a = 1) or p - 7 ..= p (a = -1), in `values` by the caller's promise; a
            // prefetch never faults, and its address is computed with wrapping arithmetic.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(vp.wrapping_offset(p + 32 * rc.a as isize) as *const i8);
                *cv = if rc.a == 1 {
                    _mm256_loadu_ps(vp.offset(p))
                } else {
                    _mm256_permutevar8x32_ps(_mm256_loadu_ps(vp.offset(p - 7)), rev)
                };
            }
        }
        // c[jj] holds rows i .. i + 8 of column j + jj: transpose to rows.
        let t0 = _mm256_unpacklo_ps(c[0], c[1]);
        let t1 = _mm256_unpackhi_ps(c[0], c[1]);
        let t2 = _mm256_unpacklo_ps(c[2], c[3]);
        let t3 = _mm256_unpackhi_ps(c[2], c[3]);
        let t4 = _mm256_unpacklo_ps(c[4], c[5]);
        let t5 = _mm256_unpackhi_ps(c[4], c[5]);
        let t6 = _mm256_unpacklo_ps(c[6], c[7]);
        let t7 = _mm256_unpackhi_ps(c[6], c[7]);
        let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        let rows = [
            _mm256_permute2f128_ps::<0x20>(s0, s4),
            _mm256_permute2f128_ps::<0x20>(s1, s5),
            _mm256_permute2f128_ps::<0x20>(s2, s6),
            _mm256_permute2f128_ps::<0x20>(s3, s7),
            _mm256_permute2f128_ps::<0x31>(s0, s4),
            _mm256_permute2f128_ps::<0x31>(s1, s5),
            _mm256_permute2f128_ps::<0x31>(s2, s6),
            _mm256_permute2f128_ps::<0x31>(s3, s7),
        ];
        for (r, v) in rows.into_iter().enumerate() {
            // SAFETY: r * stride + j + 8 <= (STRIP - 1) * stride + len <= tmp.len().
            unsafe { _mm256_storeu_ps(tp.add(r * stride + j), v) };
        }
        j += 8;
    }
    j
}

/// Writes a band's rectangles and runs (not its empty cells) into `band`.
fn write_band<T: Weight>(
    rects: &[Rect],
    rest: &[Run],
    values: &[T],
    band: &mut [f32],
    cols: usize,
    avx2: bool,
) {
    let mut tmp: Vec<f32> = Vec::new();
    for rc in rects {
        let (h, len) = (rc.h as usize, rc.len as usize);
        // Every pixel of the rectangle is in `values` (the extremes of an affine map over a
        // box are at its corners) and every cell in `band`: what the unchecked loads of
        // `strip_avx2` rely on.
        let corners = [(0, 0), (0, len - 1), (h - 1, 0), (h - 1, len - 1)];
        assert!(
            corners
                .iter()
                .all(|&(i, k)| (0..values.len() as isize).contains(&rc.pixel(i, k)))
                && rc.cell as usize + (h - 1) * cols + len <= band.len(),
            "image map rectangle out of bounds"
        );
        let stride = len.next_multiple_of(16);
        tmp.resize(tmp.len().max(STRIP * stride), 0.0);
        // A turned panel (`a` = ±1) goes by strips of 8 rows, from the first row whose 8
        // pixels in column 0 are a 32-byte aligned piece of the frame (the rows before one by
        // one); other rectangles row by row.
        let turned = rc.a == 1 || rc.a == -1;
        let mut i = 0;
        while i < h {
            let p0 = rc.pixel(i, 0);
            let first = if rc.a == -1 {
                p0 + 1 - STRIP as isize
            } else {
                p0
            };
            let aligned = (values.as_ptr() as usize)
                .wrapping_add((first as usize).wrapping_mul(size_of::<T>()))
                .is_multiple_of(STRIP * size_of::<T>());
            let m = if turned && i + STRIP <= h && aligned {
                STRIP
            } else {
                1
            };
            let c0 = rc.cell as usize + i * cols;
            // A row of consecutive float32 pixels: copied straight from the frame.
            if m == 1
                && rc.b == 1
                && let Some(v) = T::as_f32(values)
            {
                put_row(&mut band[c0..c0 + len], &v[p0 as usize..p0 as usize + len]);
                i += 1;
                continue;
            }
            let mut done = 0;
            #[cfg(target_arch = "x86_64")]
            if m == STRIP
                && avx2
                && let Some(v) = T::as_f32(values)
            {
                // SAFETY: AVX2 was detected; the rectangle's pixels are in `values` (checked
                // above); tmp holds STRIP * stride floats, stride >= len.
                done = unsafe { strip_avx2(v, rc, i, &mut tmp, stride) };
            }
            for k in done..len {
                for r in 0..m {
                    tmp[r * stride + k] = values[rc.pixel(i + r, k) as usize].to_f32();
                }
            }
            for r in 0..m {
                let c = c0 + r * cols;
                put_row(&mut band[c..c + len], &tmp[r * stride..r * stride + len]);
            }
            i += m;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = avx2;
    // Streamed stores are weakly ordered: make them visible before the band is handed back to
    // other threads.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a store fence has no preconditions.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
    for r in rest {
        let src = &values[r.pix as usize..(r.pix + r.len) as usize];
        if r.step == 1 {
            let dst = &mut band[r.cell as usize..r.cell as usize + src.len()];
            for (d, v) in dst.iter_mut().zip(src) {
                *d = v.to_f32();
            }
        } else {
            let mut cell = r.cell as i64;
            for v in src {
                band[cell as usize] = v.to_f32();
                cell += r.step as i64;
            }
        }
    }
}

/// The stretches of consecutive empty cells of one band's winners.
fn empty_stretches(w: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (i, &k) in w.iter().enumerate() {
        if k != EMPTY {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.0 + last.1 == i as u32 => last.1 += 1,
            _ => out.push((i as u32, 1)),
        }
    }
    out
}

/// Pixels `pix..pix + len` go to cells `cell + j * step` of their band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    pix: u32,
    cell: u32,
    len: u32,
    step: i32,
}

/// The runs of (cell, pixel) pairs sorted by pixel.
fn runs_of(pairs: &[(u32, u32)]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for &(cell, pix) in pairs {
        if let Some(r) = out.last_mut()
            && pix == r.pix + r.len
        {
            let next = r.cell as i64 + r.len as i64 * r.step as i64;
            if r.len == 1 {
                let step = cell as i64 - r.cell as i64;
                if let Ok(step) = i32::try_from(step) {
                    r.step = step;
                    r.len = 2;
                    continue;
                }
            } else if next == cell as i64 {
                r.len += 1;
                continue;
            }
        }
        out.push(Run {
            pix,
            cell,
            len: 1,
            step: 1,
        });
    }
    out
}

/// Values that can be placed in a float32 image (psana converts them to float64, then float32).
pub trait Weight: Copy + Send + Sync {
    /// The value as psana stores it in the image.
    fn to_f32(self) -> f32;

    /// The values themselves if they are float32 (copied by vector loads), else `None`.
    fn as_f32(values: &[Self]) -> Option<&[f32]> {
        let _ = values;
        None
    }
}

impl Weight for f64 {
    fn to_f32(self) -> f32 {
        self as f32
    }
}

impl Weight for f32 {
    fn to_f32(self) -> f32 {
        self
    }

    fn as_f32(values: &[f32]) -> Option<&[f32]> {
        Some(values)
    }
}

impl Weight for u16 {
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
}

impl Weight for u8 {
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
}

/// An assembled image kept between frames: 64-byte aligned, made by
/// [`ImageMap::image_buffer`] and filled by [`ImageMap::assemble_kept`].
#[derive(Debug, Clone)]
pub struct ImageBuffer {
    buf: Vec<f32>,
    off: usize,
    rows: usize,
    cols: usize,
    key: [usize; 6],
}

impl ImageBuffer {
    /// The image, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.buf[self.off..self.off + self.rows * self.cols]
    }

    /// (rows, cols) of the image.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// A copy of the image as an array.
    pub fn to_array(&self) -> Array2<f32> {
        Array2::from_shape_vec((self.rows, self.cols), self.as_slice().to_vec())
            .expect("rows × cols")
    }
}

impl ImageMap {
    /// The table for pixels at image cells (`rows[i]`, `cols[i]`).
    pub fn new(rows: &[u64], cols: &[u64]) -> Result<ImageMap> {
        if rows.len() != cols.len() {
            return Err(Error::bad_arg(
                "cols",
                format!(
                    "{} row indexes but {} column indexes",
                    rows.len(),
                    cols.len()
                ),
            ));
        }
        if rows.is_empty() || rows.len() >= EMPTY as usize {
            return Err(Error::bad_arg(
                "rows",
                format!("cannot assemble an image of {} pixels", rows.len()),
            ));
        }
        let nr = *rows.iter().max().expect("non-empty") as usize + 1;
        let nc = *cols.iter().max().expect("non-empty") as usize + 1;
        let cells = nr
            .checked_mul(nc)
            .filter(|&n| n <= 1 << 31)
            .ok_or_else(|| {
                Error::bad_arg(
                    "rows",
                    format!("an image of {nr} × {nc} cells is too large"),
                )
            })?;
        let mut winner = vec![EMPTY; cells];
        for (i, (&r, &c)) in rows.iter().zip(cols).enumerate() {
            winner[r as usize * nc + c as usize] = i as u32;
        }
        let band_cells = BAND * nc;
        let bands: Vec<BandTable> = winner
            .par_chunks(band_cells)
            .map(|w| {
                let filled = w.iter().filter(|&&k| k != EMPTY).count();
                let (rects, rest) = rects_of(w, nc);
                (filled, rects, runs_of(&rest), empty_stretches(w))
            })
            .collect();
        drop(winner);
        let mut rect_start = Vec::with_capacity(bands.len() + 1);
        let mut rects = Vec::new();
        let mut rest_start = Vec::with_capacity(bands.len() + 1);
        let mut rest = Vec::new();
        let mut empty_start = Vec::with_capacity(bands.len() + 1);
        let mut empty = Vec::new();
        let mut filled = 0;
        for (n, t, r, e) in bands {
            rect_start.push(rects.len());
            rects.extend(t);
            rest_start.push(rest.len());
            rest.extend(r);
            empty_start.push(empty.len());
            empty.extend(e);
            filled += n;
        }
        rect_start.push(rects.len());
        rest_start.push(rest.len());
        empty_start.push(empty.len());
        Ok(ImageMap {
            rows: nr,
            cols: nc,
            npix: rows.len(),
            filled,
            rects,
            rect_start,
            rest,
            rest_start,
            empty,
            empty_start,
        })
    }

    /// (rows, cols) of the image.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Number of pixels the map expects.
    pub fn pixels(&self) -> usize {
        self.npix
    }

    /// Number of cells no pixel falls in.
    pub fn empty_cells(&self) -> usize {
        self.rows * self.cols - self.filled
    }

    /// Number of pixels hidden by a later pixel in the same cell.
    pub fn hidden_pixels(&self) -> usize {
        self.npix - self.filled
    }

    /// Whether pixel `i` is the one shown in its cell.
    pub fn shown(&self) -> Vec<bool> {
        let mut v = vec![false; self.npix];
        for rc in &self.rects {
            for i in 0..rc.h as usize {
                for k in 0..rc.len as usize {
                    v[rc.pixel(i, k) as usize] = true;
                }
            }
        }
        for r in &self.rest {
            v[r.pix as usize..(r.pix + r.len) as usize].fill(true);
        }
        v
    }

    /// Assembles `values` (one per pixel, flat C order) into `out` (rows × cols, row-major).
    pub fn assemble_into<T: Weight>(&self, values: &[T], out: &mut [f32]) -> Result<()> {
        self.assemble_into_filled(values, out, 0.0)
    }

    /// [`ImageMap::assemble_into`] with `empty` in the cells no pixel falls in (psana: 0).
    pub fn assemble_into_filled<T: Weight>(
        &self,
        values: &[T],
        out: &mut [f32],
        empty: f32,
    ) -> Result<()> {
        self.check(values, out.len())?;
        self.write(values, out, Some(empty));
        Ok(())
    }

    /// A 64-byte aligned image for this map with every cell `empty`, to keep between frames and
    /// fill with [`ImageMap::assemble_kept`].
    pub fn image_buffer(&self, empty: f32) -> ImageBuffer {
        let n = self.rows * self.cols;
        let buf = vec![empty; n + LINE];
        // The first float at a 64-byte boundary (a Vec<f32> is at least 4-byte aligned).
        let off = buf.as_ptr().align_offset(64).min(LINE - 1);
        ImageBuffer {
            buf,
            off,
            rows: self.rows,
            cols: self.cols,
            key: self.key(),
        }
    }

    /// Assembles `values` into `image`, writing only the covered cells: the empty cells keep
    /// the value the buffer was made with (psana: 0), so the image is the same as
    /// [`ImageMap::assemble_into`]'s.
    pub fn assemble_kept<T: Weight>(&self, values: &[T], image: &mut ImageBuffer) -> Result<()> {
        if image.key != self.key() {
            return Err(Error::internal(
                "image buffer made for another geometry's image map",
            ));
        }
        let n = self.rows * self.cols;
        let out = &mut image.buf[image.off..image.off + n];
        self.check(values, out.len())?;
        self.write(values, out, None);
        Ok(())
    }

    /// What identifies the cells a buffer's empty value was written to.
    fn key(&self) -> [usize; 6] {
        [
            self.rows,
            self.cols,
            self.npix,
            self.filled,
            self.rects.len(),
            self.rest.len(),
        ]
    }

    fn check<T>(&self, values: &[T], out_len: usize) -> Result<()> {
        if values.len() != self.npix {
            return Err(Error::bad_arg(
                "data",
                format!(
                    "{} values for a geometry of {} pixels",
                    values.len(),
                    self.npix
                ),
            ));
        }
        if out_len != self.rows * self.cols {
            return Err(Error::internal("image buffer of the wrong size"));
        }
        Ok(())
    }

    /// Writes every covered cell of `out` (and the empty ones with `empty`), band by band in
    /// parallel.
    fn write<T: Weight>(&self, values: &[T], out: &mut [f32], empty: Option<f32>) {
        #[cfg(target_arch = "x86_64")]
        let avx2 = std::arch::is_x86_feature_detected!("avx2");
        #[cfg(not(target_arch = "x86_64"))]
        let avx2 = false;
        self.write_with(values, out, empty, avx2);
    }

    /// [`ImageMap::write`] with AVX2 used for float32 input or not.
    fn write_with<T: Weight>(&self, values: &[T], out: &mut [f32], empty: Option<f32>, avx2: bool) {
        out.par_chunks_mut(BAND * self.cols)
            .enumerate()
            .for_each(|(b, band)| {
                // Every cell is written once: the empty stretches with `empty`, the others by
                // the rectangles and runs.
                if let Some(e) = empty {
                    for &(c0, n) in &self.empty[self.empty_start[b]..self.empty_start[b + 1]] {
                        band[c0 as usize..(c0 + n) as usize].fill(e);
                    }
                }
                write_band(
                    &self.rects[self.rect_start[b]..self.rect_start[b + 1]],
                    &self.rest[self.rest_start[b]..self.rest_start[b + 1]],
                    values,
                    band,
                    self.cols,
                    avx2,
                );
            });
    }

    /// The assembled float32 image of `values`.
    pub fn assemble<T: Weight>(&self, values: &[T]) -> Result<Array2<f32>> {
        let mut out = vec![0f32; self.rows * self.cols];
        self.assemble_into(values, &mut out)?;
        Ok(Array2::from_shape_vec((self.rows, self.cols), out).expect("rows × cols"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_pixel_wins_and_empty_cells_are_zero() {
        let rows = [0, 1, 0, 2];
        let cols = [0, 1, 0, 0];
        let m = ImageMap::new(&rows, &cols).unwrap();
        assert_eq!(m.shape(), (3, 2));
        let img = m.assemble(&[10.0f64, 20.0, 30.0, 40.0]).unwrap();
        assert_eq!(
            img.into_raw_vec_and_offset().0,
            vec![30.0, 0.0, 0.0, 20.0, 40.0, 0.0]
        );
        assert_eq!(m.empty_cells(), 3);
        assert_eq!(m.hidden_pixels(), 1);
        assert_eq!(m.shown(), vec![false, true, true, true]);
        assert!(m.assemble(&[1.0f64]).is_err());
        assert!(ImageMap::new(&[0, 1], &[0]).is_err());
    }

    /// Runs: a turned panel (cells a row apart), a plain row, and breaks where the spacing changes.
    #[test]
    fn runs_cover_every_pair_once() {
        let pairs = [
            (10, 0),
            (20, 1),
            (30, 2),
            (5, 3),
            (6, 4),
            (7, 5),
            (9, 6),
            (0, 8),
        ];
        let runs = runs_of(&pairs);
        assert_eq!(
            runs,
            vec![
                Run {
                    pix: 0,
                    cell: 10,
                    len: 3,
                    step: 10
                },
                Run {
                    pix: 3,
                    cell: 5,
                    len: 3,
                    step: 1
                },
                Run {
                    pix: 6,
                    cell: 9,
                    len: 1,
                    step: 1
                },
                Run {
                    pix: 8,
                    cell: 0,
                    len: 1,
                    step: 1
                },
            ]
        );
        // A map through several bands equals the plain scatter.
        let n = 300usize;
        let rows: Vec<u64> = (0..n).map(|i| ((i * 7) % 150) as u64).collect();
        let cols: Vec<u64> = (0..n).map(|i| ((i * 13) % 11) as u64).collect();
        let m = ImageMap::new(&rows, &cols).unwrap();
        let vals: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
        let img = m.assemble(&vals).unwrap();
        // A reused buffer holding other values gives the same image.
        let mut buf = vec![7.0f32; 150 * 11];
        m.assemble_into(&vals, &mut buf).unwrap();
        assert_eq!(buf, img.iter().copied().collect::<Vec<f32>>());
        let mut want = ndarray::Array2::<f32>::zeros((150, 11));
        for i in 0..n {
            want[(rows[i] as usize, cols[i] as usize)] = vals[i] as f32;
        }
        assert_eq!(img, want);
    }

    /// Turned panels become rectangles; the image through rectangles and runs, in a caller's
    /// buffer at any alignment and in a kept buffer frame after frame, equals the plain
    /// scatter (last pixel wins, empty cells 0).
    #[test]
    fn rects_and_kept_buffers_equal_the_plain_scatter() {
        // Two 40 x 70 panels turned by 90° (one flipped), the second overlapping the first, a
        // gap column, and an image 83 cells wide (lines of 16 cells start anywhere in a row).
        let (pr, pc) = (40usize, 70usize);
        let mut rows = Vec::new();
        let mut cols = Vec::new();
        for p in 0..2 {
            for r in 0..pr {
                for c in 0..pc {
                    let col = r + r / 20 + if p == 0 { 1 } else { 30 };
                    let row = if p == 0 { c + 3 } else { 90 - c };
                    rows.push(row as u64);
                    cols.push(col as u64);
                }
            }
        }
        rows.push(0);
        cols.push(82);
        let n = rows.len();
        let m = ImageMap::new(&rows, &cols).unwrap();
        assert_eq!(m.shape(), (91, 83));
        assert!(
            m.rects.len() >= 4 && m.rects.iter().any(|r| r.a == -1 && r.h >= 16),
            "{:?}",
            m.rects
        );
        assert!(m.hidden_pixels() > 0);
        let scatter = |vals: &[f32]| {
            let mut want = vec![0f32; 91 * 83];
            for i in 0..n {
                want[rows[i] as usize * 83 + cols[i] as usize] = vals[i];
            }
            want
        };
        let shown_want = {
            let mut w = vec![usize::MAX; 91 * 83];
            for i in 0..n {
                w[rows[i] as usize * 83 + cols[i] as usize] = i;
            }
            let mut s = vec![false; n];
            for k in w.into_iter().filter(|&k| k != usize::MAX) {
                s[k] = true;
            }
            s
        };
        assert_eq!(m.shown(), shown_want);
        let mut kept = m.image_buffer(0.0);
        assert!((kept.as_slice().as_ptr() as usize).is_multiple_of(64));
        let mut raw = vec![5f32; 91 * 83 + 16];
        for frame in 0..3 {
            let vals: Vec<f32> = (0..n).map(|i| (i * 7 + frame * 1000) as f32).collect();
            let want = scatter(&vals);
            assert_eq!(m.assemble(&vals).unwrap().into_raw_vec_and_offset().0, want);
            for off in [0, 1, 3, 16] {
                let out = &mut raw[off..off + 91 * 83];
                m.assemble_into(&vals, out).unwrap();
                assert!(out == &want[..], "offset {off}");
            }
            m.assemble_kept(&vals, &mut kept).unwrap();
            assert_eq!(kept.as_slice(), &want[..], "kept, frame {frame}");
            assert_eq!(kept.to_array().shape(), &[91, 83]);
        }
        // NaN for empty cells stays in a kept buffer made with it.
        let mut nan = m.image_buffer(f32::NAN);
        let vals: Vec<f32> = (0..n).map(|i| i as f32).collect();
        m.assemble_kept(&vals, &mut nan).unwrap();
        let empty = nan.as_slice().iter().filter(|v| v.is_nan()).count();
        assert_eq!(empty, m.empty_cells());
        // A buffer of another map, or the wrong number of values: errors.
        let other = ImageMap::new(&[0, 1], &[0, 1]).unwrap();
        assert!(other.assemble_kept(&[1.0f32, 2.0], &mut kept).is_err());
        assert!(m.assemble_kept(&[1.0f32], &mut kept).is_err());
    }

    /// Rectangles of every orientation (turned by 90° either way, flipped, not turned, rows
    /// reversed), a panel taller than a band, overlapping panels (last pixel wins), rows too
    /// short for a rectangle: the image equals the plain scatter, with and without AVX2, for
    /// float32 frames at any alignment of frame and image, and for float64 and u16 frames.
    #[test]
    fn rects_of_every_orientation_equal_the_plain_scatter() {
        let (mut rows, mut cols) = (Vec::new(), Vec::new());
        let mut add = |pr: usize, pc: usize, f: &dyn Fn(usize, usize) -> (usize, usize)| {
            for r in 0..pr {
                for c in 0..pc {
                    let (y, x) = f(r, c);
                    rows.push(y as u64);
                    cols.push(x as u64);
                }
            }
        };
        // Turned: panel columns down the image (a = 1), panel rows across (b = 37).
        add(30, 37, &|r, c| (c + 5, r + 2));
        // Turned the other way and flipped: a = -1, b = -37.
        add(30, 37, &|r, c| (60 - c, 80 - r));
        // Not turned (a = 41, b = 1), then mirrored (b = -1) over part of it.
        add(20, 41, &|r, c| (70 + r, 30 + c));
        add(20, 41, &|r, c| (75 + r, 100 - c));
        // Taller than a band of 512 rows: a = 1 across two band edges.
        add(9, 1100, &|r, c| (c, 120 + r));
        // Cells two apart (no rectangle), and a lone pixel.
        add(1, 5, &|_, c| (2, 140 + 2 * c));
        add(1, 1, &|_, _| (1200, 10));
        let n = rows.len();
        let m = ImageMap::new(&rows, &cols).unwrap();
        let (nr, nc) = m.shape();
        assert_eq!((nr, nc), (1201, 149));
        for (a, b) in [(1, 37), (-1, -37), (41, 1), (41, -1), (1, 1100)] {
            assert!(
                m.rects.iter().any(|r| r.a == a && r.b == b && r.h >= 8),
                "no rectangle with a = {a}, b = {b}: {:?}",
                m.rects
            );
        }
        assert!(!m.rest.is_empty());
        assert_eq!(m.hidden_pixels(), 15 * 11);
        let scatter = |vals: &dyn Fn(usize) -> f32| {
            let mut want = vec![0f32; nr * nc];
            for i in 0..n {
                want[rows[i] as usize * nc + cols[i] as usize] = vals(i);
            }
            want
        };
        let avx2 = [false, cfg!(target_arch = "x86_64")];
        // float32 frames starting anywhere (the strips' alignment changes with the frame's).
        let mut frame = vec![0f32; n + 8];
        let mut raw = vec![3f32; nr * nc + 16];
        for off in 0..8 {
            for (i, v) in frame[off..off + n].iter_mut().enumerate() {
                *v = (i * 3 + off) as f32 + 0.5;
            }
            let vals = &frame[off..off + n];
            let want = scatter(&|i| vals[i]);
            assert_eq!(m.assemble(vals).unwrap().into_raw_vec_and_offset().0, want);
            for avx in avx2 {
                for out_off in [0, 1, 5] {
                    let out = &mut raw[out_off..out_off + nr * nc];
                    m.write_with(vals, out, Some(0.0), avx);
                    assert!(
                        out == &want[..],
                        "frame at {off}, image at {out_off}, {avx}"
                    );
                }
            }
            let mut kept = m.image_buffer(0.0);
            m.assemble_kept(vals, &mut kept).unwrap();
            assert_eq!(kept.as_slice(), &want[..], "kept, frame at {off}");
        }
        // float64 and u16 frames (converted cell by cell).
        let f64s: Vec<f64> = (0..n).map(|i| i as f64 * 1.25 + 1e-9).collect();
        let want = scatter(&|i| f64s[i] as f32);
        assert_eq!(m.assemble(&f64s).unwrap().into_raw_vec_and_offset().0, want);
        let u16s: Vec<u16> = (0..n).map(|i| (i * 7 % 65536) as u16).collect();
        let want = scatter(&|i| f32::from(u16s[i]));
        assert_eq!(m.assemble(&u16s).unwrap().into_raw_vec_and_offset().0, want);
    }
}
