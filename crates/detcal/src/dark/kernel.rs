/*!
The stage-2 accumulation kernel: per-pixel gated sums, counters, min/max and the gain check.

Why it looks the way it does (measured on the 2-core Zen 3 development machine; see also
`shared/notes/performance.md`):

- **Registers over a sub-batch.** The accumulators of a pixel (38 bytes) are far larger than
  its 2 bytes of input per frame, so they must not travel through memory for every frame. For
  a chunk of 16 pixels, all accumulators of a sub-batch of up to 16 frames live in registers:
  counts in 16-bit lanes, sums in 32-bit lanes. They are added to the tile once per sub-batch.
- **Exact integer sums.** psana sums in f64, which is exact for these magnitudes, so exact
  integer sums give bit-identical means and rms. 16 frames of squares of 14-bit values fit in
  `u32` (16 * 16383^2 < 2^32); wider data bits get shorter sub-batches ([`Consts::sub_batch`]).
- **Two passes per frame.** The 16-bit work (gate test, counters, min/max, gain check) and
  the 32-bit sums are separate loops; in one loop the compiler used half-width vectors for the
  16-bit part. Now the first is 16 lanes of `vpand`/`vpminuw`/`vpmaxuw`/`vpcmpeqw`, the
  second `vpmovzxwd`/`vpaddd`/`vpmulld`.
- **Tiles.** A [`Tile`] of [`TILE`] pixels (its accumulators, about 150 KiB, stay in the L2
  cache) walks all frames of a call before the next tile starts, so each frame row is read as
  one long contiguous run. 4096 pixels beat 256 (1.5x) and 16384. More frames per call is
  faster (fewer passes over the accumulators), hence the staging buffer of [`super::DarkProc`].
- **AVX2 or AVX-512 when the CPU has it.** The same generic body is compiled three times, for
  the baseline target, with AVX2 and with AVX-512 F/BW/VL, chosen at run time
  ([`crate::cpu::use_avx2`], [`crate::cpu::use_avx512`]). The baseline (SSE2) lacks unsigned
  16-bit min/max and 32-bit multiplies. AVX-512 (measured on the Intel
  development machine: the kernel was bound by vector instructions, not by memory) puts the
  comparisons into mask registers (the gate test is 2 instructions instead of 5, the frame
  value is gated while it is widened) and keeps every accumulator in its 32 registers (AVX2
  spilled), and its chunks are 32 pixels wide (one 512-bit vector of 16-bit lanes, 64 bytes: a
  cache line of each row): the stage-2 step took 26% less CPU (35% with the frames in cache).
- **Squares by `vpmaddwd`.** For data of up to 15 bits (JUNGFRAU has 14) a widened value is a
  pair of 16-bit halves whose upper one is zero, so `vpmaddwd` of it with itself is its square:
  one fast instruction where `vpmulld` is two slow ones ([`sums16`]).
- **Threads** own contiguous ranges of tiles (rayon), so no reduction is needed.
- The wrapping adds keep debug builds (overflow checks on) vectorized; the sizes are chosen so
  they never wrap.
*/

use super::Kernel;
use crate::cpu::{use_avx2, use_avx512};

/// Pixels per tile.
pub(crate) const TILE: usize = 4096;

/// The most frames summed in `u32` before flushing to `u64`.
const MAX_SUB: usize = 16;

/// Stage-2 accumulators of up to [`TILE`] consecutive pixels.
#[derive(Clone)]
#[repr(C, align(64))]
pub(crate) struct Tile {
    /// Lowest in-gate value (inclusive).
    pub(crate) gate_lo: [u16; TILE],
    /// Highest in-gate value (inclusive).
    pub(crate) gate_hi: [u16; TILE],
    /// Smallest masked value seen.
    pub(crate) min: [u16; TILE],
    /// Largest masked value seen.
    pub(crate) max: [u16; TILE],
    /// 1 once a frame showed an unexpected gain code.
    pub(crate) bad: [u16; TILE],
    /// Frames inside the gate.
    pub(crate) count: [u32; TILE],
    /// Frames below `int_lo`.
    pub(crate) count_lo: [u32; TILE],
    /// Frames above `int_hi`.
    pub(crate) count_hi: [u32; TILE],
    /// Sum of in-gate values.
    pub(crate) sum1: [u64; TILE],
    /// Sum of squares of in-gate values.
    pub(crate) sum2: [u64; TILE],
}

impl Tile {
    /// Empty accumulators (min at 0xffff, max at 0) with the given gates.
    pub(crate) fn new(gate_lo: &[u16], gate_hi: &[u16]) -> Tile {
        let mut t = Tile {
            gate_lo: [0; TILE],
            gate_hi: [0; TILE],
            min: [u16::MAX; TILE],
            max: [0; TILE],
            bad: [0; TILE],
            count: [0; TILE],
            count_lo: [0; TILE],
            count_hi: [0; TILE],
            sum1: [0; TILE],
            sum2: [0; TILE],
        };
        t.gate_lo[..gate_lo.len()].copy_from_slice(gate_lo);
        t.gate_hi[..gate_hi.len()].copy_from_slice(gate_hi);
        t
    }

    /// Adds the accumulators of `o` (same gates) to these, for the first `len` pixels.
    pub(crate) fn merge(&mut self, o: &Tile, len: usize) {
        for p in 0..len {
            self.min[p] = self.min[p].min(o.min[p]);
            self.max[p] = self.max[p].max(o.max[p]);
            self.bad[p] |= o.bad[p];
            self.count[p] += o.count[p];
            self.count_lo[p] += o.count_lo[p];
            self.count_hi[p] += o.count_hi[p];
            self.sum1[p] += o.sum1[p];
            self.sum2[p] += o.sum2[p];
        }
    }
}

/// The per-run constants of the kernel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consts {
    /// Mask of the ADC bits.
    pub(crate) data_bits: u16,
    /// A masked value `r` counts as below `int_lo` when `r < below`.
    pub(crate) below: u16,
    /// A masked value `r` counts as above `int_hi` when `r > above`.
    pub(crate) above: u16,
    /// The expected gain code (raw bits 15..14), or `None` for no gain check.
    pub(crate) gain_code: Option<u16>,
    /// Frames per `u32` sub-batch (1..=16), so that `sub * data_bits^2` fits in `u32`.
    pub(crate) sub: usize,
}

impl Consts {
    /// The largest sub-batch whose sums of squares of values up to `data_bits` fit in `u32`.
    pub(crate) fn sub_batch(data_bits: u16) -> usize {
        let sq = u64::from(data_bits) * u64::from(data_bits);
        u64::from(u32::MAX)
            .checked_div(sq)
            .map_or(MAX_SUB, |n| n.clamp(1, MAX_SUB as u64) as usize)
    }
}

/// The name of the code path `kernel` selects on this CPU ("avx512", "avx2" or "portable").
pub(crate) fn kernel_name(kernel: Kernel) -> &'static str {
    if kernel == Kernel::Auto && use_avx512() {
        "avx512"
    } else if kernel == Kernel::Auto && use_avx2() {
        "avx2"
    } else {
        "portable"
    }
}

/// Adds the frames of `rows` to `tile`: `rows[k]` holds the tile's `len` pixels in frame `k`
/// as little-endian words (at least `2 * len` bytes; the frames may lie anywhere in memory,
/// at any address, say in a mapped file).
pub(crate) fn accumulate(kernel: Kernel, tile: &mut Tile, rows: &[&[u8]], len: usize, c: &Consts) {
    debug_assert!(len <= TILE && rows.iter().all(|r| r.len() >= 2 * len));
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && use_avx512() {
        // SAFETY: the CPU supports AVX2 and AVX-512 F/BW/VL, checked at run time just above.
        unsafe { accumulate_avx512(tile, rows, len, c) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && use_avx2() {
        // SAFETY: the CPU supports AVX2, checked at run time just above.
        unsafe { accumulate_avx2(tile, rows, len, c) };
        return;
    }
    accumulate_generic::<PORTABLE, LANES>(tile, rows, len, c);
}

/// [`accumulate_generic`] compiled with AVX-512 (F, BW, VL): the comparisons go to mask
/// registers and the counts are masked adds, and 32 vector registers hold every accumulator.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512bw,avx512vl")]
fn accumulate_avx512(tile: &mut Tile, rows: &[&[u8]], len: usize, c: &Consts) {
    accumulate_generic::<AVX512, 32>(tile, rows, len, c);
}

/// [`accumulate_generic`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn accumulate_avx2(tile: &mut Tile, rows: &[&[u8]], len: usize, c: &Consts) {
    accumulate_generic::<AVX2, LANES>(tile, rows, len, c);
}

/// The kernel body, shared by the portable and AVX2 versions.
#[inline(always)]
fn accumulate_generic<const ISA: u8, const L: usize>(
    tile: &mut Tile,
    rows: &[&[u8]],
    len: usize,
    c: &Consts,
) {
    // Monomorphize on the gain check, so the hot loop has no per-pixel test of the mode.
    // And on whether values fit in 15 bits: then the squares are `vpmaddwd` (one fast
    // instruction) rather than `vpmulld` (two slow ones).
    match (c.gain_code.is_some(), c.data_bits <= 0x7fff) {
        (true, true) => sub_batches::<ISA, L, true, true>(tile, rows, len, c),
        (true, false) => sub_batches::<ISA, L, true, false>(tile, rows, len, c),
        (false, true) => sub_batches::<ISA, L, false, true>(tile, rows, len, c),
        (false, false) => sub_batches::<ISA, L, false, false>(tile, rows, len, c),
    }
}

/// Pixels whose accumulators are held in registers at once: 16 `u16` lanes fill an AVX2
/// register.
const LANES: usize = 16;

/// Pixels ahead of the chunk being summed whose cache line is fetched (in every row, every
/// other chunk; near the end of the tile, the first lines of the next sub-batch's rows): the
/// frame rows come from the page cache through a map, one row per frame, and waiting for them
/// was half the kernel's time (`perf annotate`: the first use of each row load).
pub(crate) const PREFETCH: usize = 256;

/// Asks for the cache line at `p` (any address: a prefetch never faults).
#[inline(always)]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The `W` little-endian words in `bytes` (`2 * W` bytes at any address: one unaligned load).
#[inline(always)]
pub(crate) fn words<const W: usize>(bytes: &[u8]) -> [u16; W] {
    assert_eq!(bytes.len(), 2 * W);
    // SAFETY: `bytes` holds exactly the bytes of a `[u16; W]` (checked just above), which any
    // bit pattern is; the read does not need alignment.
    let mut w: [u16; W] = unsafe { bytes.as_ptr().cast::<[u16; W]>().read_unaligned() };
    // A loop, not `array::map`: that is not always inlined into the target-feature functions.
    for x in &mut w {
        *x = u16::from_le(*x);
    }
    w
}

/// Walks the frames in sub-batches; within one, every chunk of [`LANES`] pixels keeps its
/// accumulators in registers over all the sub-batch's frames and adds them to the tile once.
#[inline(always)]
fn sub_batches<const ISA: u8, const L: usize, const GAIN: bool, const SMALL: bool>(
    tile: &mut Tile,
    rows: &[&[u8]],
    len: usize,
    c: &Consts,
) {
    let whole = len - len % L;
    let n = rows.len();
    for at in (0..n).step_by(c.sub) {
        let sub = &rows[at..(at + c.sub).min(n)];
        // The frames of the next sub-batch, whose first lines are fetched while this one ends.
        let next = &rows[(at + c.sub).min(n)..(at + 2 * c.sub).min(n)];
        for p0 in (0..whole).step_by(L) {
            // One prefetch per row and cache line (32 pixels).
            if p0 % 32 == 0 {
                let ahead = p0 + PREFETCH;
                if ahead < len {
                    sub.iter()
                        .for_each(|r| prefetch(r.as_ptr().wrapping_add(2 * ahead)));
                } else {
                    next.iter()
                        .for_each(|r| prefetch(r.as_ptr().wrapping_add(2 * (ahead - len))));
                }
            }
            chunk::<ISA, L, GAIN, SMALL>(tile, p0, sub, c);
        }
        for p0 in whole..len {
            chunk::<ISA, 1, GAIN, SMALL>(tile, p0, sub, c);
        }
    }
}

/// The code paths, as the const parameter of the generic body. Safety invariant: the body is
/// instantiated with [`AVX2`] or [`AVX512`] only inside the `#[target_feature]` functions of
/// that name, which are called only where the CPU has the features (it reaches intrinsics
/// through [`sums16`]).
const PORTABLE: u8 = 0;
/// AVX2.
const AVX2: u8 = 1;
/// AVX-512 (F, BW, VL).
const AVX512: u8 = 2;

/// Adds 16 values below 2^15 (`g`) and their squares to the 32-bit sums `s1` and `s2`; the
/// squares by `vpmaddwd` (each value's upper half is zero), which is one fast instruction
/// where the 32-bit multiply `vpmulld` is two slow ones.
///
/// # Safety
/// `g`, `s1` and `s2` point to 16 values each; the CPU has AVX2 (`ISA` = [`AVX2`]) or also
/// AVX-512 F/BW/VL ([`AVX512`]).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn sums16<const ISA: u8>(g: *const u16, s1: *mut u32, s2: *mut u32) {
    // SAFETY: as the caller promises.
    unsafe {
        if ISA == AVX512 {
            sums16_avx512(g, s1, s2);
        } else {
            sums16_avx2(g, s1, s2);
        }
    }
}

/// [`sums16`] with AVX2 (two 8-lane halves).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn sums16_avx2(g: *const u16, s1: *mut u32, s2: *mut u32) {
    use std::arch::x86_64::*;
    // SAFETY: 16 values at each pointer (the caller's promise); unaligned loads and stores.
    unsafe {
        for h in 0..2 {
            let x = _mm256_cvtepu16_epi32(_mm_loadu_si128(g.add(8 * h).cast()));
            let (p1, p2) = (
                s1.add(8 * h).cast::<__m256i>(),
                s2.add(8 * h).cast::<__m256i>(),
            );
            _mm256_storeu_si256(p1, _mm256_add_epi32(_mm256_loadu_si256(p1), x));
            _mm256_storeu_si256(
                p2,
                _mm256_add_epi32(_mm256_loadu_si256(p2), _mm256_madd_epi16(x, x)),
            );
        }
    }
}

/// [`sums16`] with AVX-512 (one 16-lane vector).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512bw,avx512vl")]
#[inline]
unsafe fn sums16_avx512(g: *const u16, s1: *mut u32, s2: *mut u32) {
    use std::arch::x86_64::*;
    // SAFETY: 16 values at each pointer (the caller's promise); unaligned loads and stores.
    unsafe {
        let x = _mm512_cvtepu16_epi32(_mm256_loadu_si256(g.cast()));
        let (p1, p2) = (s1.cast::<__m512i>(), s2.cast::<__m512i>());
        _mm512_storeu_si512(p1, _mm512_add_epi32(_mm512_loadu_si512(p1), x));
        _mm512_storeu_si512(
            p2,
            _mm512_add_epi32(_mm512_loadu_si512(p2), _mm512_madd_epi16(x, x)),
        );
    }
}

/// Adds the frames of `rows` (at most 16, each starting at the tile's first pixel) to the `W`
/// pixels `p0..p0 + W` of the tile.
#[inline(always)]
fn chunk<const ISA: u8, const W: usize, const GAIN: bool, const SMALL: bool>(
    tile: &mut Tile,
    p0: usize,
    rows: &[&[u8]],
    c: &Consts,
) {
    let mut glo = [0u16; W];
    let mut ghi = [0u16; W];
    let mut mn = [0u16; W];
    let mut mx = [0u16; W];
    let mut bad = [0u16; W];
    glo.copy_from_slice(&tile.gate_lo[p0..p0 + W]);
    ghi.copy_from_slice(&tile.gate_hi[p0..p0 + W]);
    mn.copy_from_slice(&tile.min[p0..p0 + W]);
    mx.copy_from_slice(&tile.max[p0..p0 + W]);
    bad.copy_from_slice(&tile.bad[p0..p0 + W]);
    // Per sub-batch: counts fit in u16 and sums in u32 (see Consts::sub).
    let mut cnt = [0u16; W];
    let mut clo = [0u16; W];
    let mut chi = [0u16; W];
    let mut s1 = [0u32; W];
    let mut s2 = [0u32; W];
    let bits = c.data_bits;
    let (below, above) = (c.below, c.above);
    let code = c.gain_code.unwrap_or(0);
    for row in rows {
        let row = words::<W>(&row[2 * p0..2 * (p0 + W)]);
        // Two passes over the W pixels: everything in 16-bit lanes first (the value if in
        // gate, else 0), then the 32-bit sums. Kept in one loop, the mix of 16- and 32-bit
        // lanes made the compiler use half-width vectors for the 16-bit work.
        let mut gated = [0u16; W];
        for j in 0..W {
            let raw = row[j];
            let r = raw & bits;
            let inside = (r >= glo[j]) & (r <= ghi[j]);
            gated[j] = if inside { r } else { 0 };
            cnt[j] = cnt[j].wrapping_add(u16::from(inside));
            clo[j] = clo[j].wrapping_add(u16::from(r < below));
            chi[j] = chi[j].wrapping_add(u16::from(r > above));
            mn[j] = mn[j].min(r);
            mx[j] = mx[j].max(r);
            if GAIN {
                bad[j] |= u16::from((raw >> 14) != code);
            }
        }
        #[cfg(target_arch = "x86_64")]
        if SMALL && W.is_multiple_of(16) && ISA != PORTABLE {
            for h in (0..W).step_by(16) {
                // SAFETY: h + 16 <= W values in each array; ISA names the instructions the
                // caller was compiled for (checked at run time).
                unsafe {
                    sums16::<ISA>(
                        gated[h..].as_ptr(),
                        s1[h..].as_mut_ptr(),
                        s2[h..].as_mut_ptr(),
                    )
                };
            }
            continue;
        }
        for j in 0..W {
            let x = u32::from(gated[j]);
            s1[j] = s1[j].wrapping_add(x);
            s2[j] = s2[j].wrapping_add(x.wrapping_mul(x));
        }
    }
    tile.min[p0..p0 + W].copy_from_slice(&mn);
    tile.max[p0..p0 + W].copy_from_slice(&mx);
    tile.bad[p0..p0 + W].copy_from_slice(&bad);
    for j in 0..W {
        let p = p0 + j;
        tile.count[p] += u32::from(cnt[j]);
        tile.count_lo[p] += u32::from(clo[j]);
        tile.count_hi[p] += u32::from(chi[j]);
        tile.sum1[p] += u64::from(s1[j]);
        tile.sum2[p] += u64::from(s2[j]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_avx2_and_avx512_agree() {
        let (npix, nframes) = (TILE + 300, 37);
        let mut seed = 3u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u16
        };
        let frames: Vec<u16> = (0..npix * nframes).map(|_| rnd()).collect();
        // Every other pixel gates nothing out, so the largest values (up to 0xffff) are summed
        // and squared too: the 15-bit `vpmaddwd` path must see 0x7fff, the 16-bit one 0xffff.
        let gate_lo: Vec<u16> = (0..TILE)
            .map(|p| if p % 2 == 0 { 0 } else { 2000 + rnd() % 4000 })
            .collect();
        let gate_hi: Vec<u16> = gate_lo
            .iter()
            .map(|&g| if g == 0 { u16::MAX } else { g + 6000 })
            .collect();
        // 14 and 15 data bits square with `vpmaddwd`, 16 with 32-bit multiplies.
        let cases = [None, Some(0), Some(3)]
            .into_iter()
            .flat_map(|g| [(g, 0x3fff), (g, 0x7fff), (g, 0xffff)]);
        for (gain_code, data_bits) in cases {
            let c = Consts {
                data_bits,
                below: 1000,
                above: 15000,
                gain_code,
                sub: Consts::sub_batch(data_bits),
            };
            // The frames' little-endian bytes once more, one byte further: every row at an
            // odd address.
            let mut odd = vec![0u8];
            odd.extend(frames.iter().flat_map(|v| v.to_le_bytes()));
            // Tails of 12, 8 and 31 pixels after the whole 16- and 32-pixel chunks.
            for (start, len) in [(0, TILE), (TILE, 300), (17, 1000), (5, 1023)] {
                let rows: Vec<&[u8]> = frames
                    .chunks(npix)
                    .map(|f| bytemuck::cast_slice(&f[start..start + len]))
                    .collect();
                let odd_rows: Vec<&[u8]> = (0..nframes)
                    .map(|k| &odd[1 + 2 * (k * npix + start)..1 + 2 * (k * npix + start + len)])
                    .collect();
                let run = |path: &str, rows: &[&[u8]]| {
                    let mut t = Box::new(Tile::new(&gate_lo[..len], &gate_hi[..len]));
                    match path {
                        "portable" => accumulate(Kernel::Portable, &mut t, rows, len, &c),
                        #[cfg(target_arch = "x86_64")]
                        // SAFETY: the CPU has AVX2 (the caller checked).
                        "avx2" => unsafe { accumulate_avx2(&mut t, rows, len, &c) },
                        #[cfg(target_arch = "x86_64")]
                        // SAFETY: the CPU has AVX-512 F/BW/VL (the caller checked).
                        "avx512" => unsafe { accumulate_avx512(&mut t, rows, len, &c) },
                        _ => unreachable!(),
                    }
                    t
                };
                let mut paths = vec!["portable"];
                if crate::cpu::avx2_detected() {
                    paths.push("avx2");
                }
                if crate::cpu::avx2_detected() && crate::cpu::avx512_detected() {
                    paths.push("avx512");
                }
                let a = run("portable", &rows);
                let others = paths
                    .iter()
                    .flat_map(|p| [run(p, &rows), run(p, &odd_rows)]);
                for b in others.skip(1) {
                    assert_eq!(a.min, b.min);
                    assert_eq!(a.max, b.max);
                    assert_eq!(a.bad, b.bad);
                    assert_eq!(a.count, b.count);
                    assert_eq!(a.count_lo, b.count_lo);
                    assert_eq!(a.count_hi, b.count_hi);
                    assert_eq!(a.sum1, b.sum1);
                    assert_eq!(a.sum2, b.sum2);
                }
            }
        }
        eprintln!(
            "compared portable with avx2 ({}) and avx512 ({})",
            crate::cpu::avx2_detected(),
            crate::cpu::avx512_detected()
        );
    }
}
