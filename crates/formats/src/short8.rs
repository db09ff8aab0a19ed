/*!
Short decimal tokens (`-?D*(.D*)?`, one to eight digits: `1234.567`, `-0.000`, `64`) read eight
at a time with AVX-512, the reading side of [`crate::fixed8`].

A line's token boundaries come from bit masks of its blanks, 64 bytes at a time ([`Bounds`]).
Then each group of eight tokens ([`read_row`]) is loaded as eight 16-byte slots, each holding its
token right-aligned (the 16 bytes that end where the token ends); masks of the slots' digits,
points and signs check the shape, the digits left of the point move one byte right over it, and
multiply-adds give each token's digits as an integer `M` below 10^8, with its count of fraction
digits `k`. The values are then `M / 10^k` as the scalar fast path ([`crate::fastnum::Short`])
computes them: for float32 `M` times the double nearest `10^-k` where `M < 2^24`, else the
correctly rounded quotient; for float64 the quotient. A group with any other token (longer,
exponents, `nan`, `+`, a second point) is refused whole, and the caller reads its tokens with the
general parser, so the values are always the scalar reader's.

Lines of small unsigned integers (status and mask files) have their own reader
([`read_small_ints`]), which also needs AVX-512 VBMI and VBMI2 ([`small_ints_available`]).
*/

/// Which values a group's digits become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Float32 values.
    F32,
    /// Float64 values.
    F64,
    /// Integers: whole lines of small values ([`read_small_ints`]); [`read_row`] takes floats
    /// only.
    Int,
}

/// The token boundaries of one line, reused from line to line.
#[derive(Debug, Default)]
pub(crate) struct Bounds {
    /// Where each token starts.
    pub starts: Vec<u64>,
    /// Where each token ends (the blank after it, or the end of the line's content).
    pub ends: Vec<u64>,
}

/// Whether [`read_row`] runs here ([`crate::simd::avx512`]).
pub(crate) fn available() -> bool {
    crate::simd::avx512()
}

/// Whether [`read_small_ints`] runs here ([`crate::simd::avx512_vbmi2`]).
pub(crate) fn small_ints_available() -> bool {
    crate::simd::avx512_vbmi2()
}

/// A value type the rows are read into, eight values at a time.
pub(crate) trait Lane8: Copy {
    /// What the digits become.
    const KIND: Kind;
    /// For integers: the largest value.
    const MAX: u64 = 0;
}

macro_rules! lane8_int {
    ($($t:ty),*) => {$(
        impl Lane8 for $t {
            const KIND: Kind = Kind::Int;
            const MAX: u64 = <$t>::MAX as u64;
        }
    )*};
}
lane8_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl Lane8 for f32 {
    const KIND: Kind = Kind::F32;
}

impl Lane8 for f64 {
    const KIND: Kind = Kind::F64;
}

/// Reads the line that starts at `b[start]` (up to its `\n`, or `limit`) into `row` where each
/// token is an unsigned integer of one to four digits within the type's range (status and mask
/// files): `Some` with the number of tokens and where the line's content ends (its `\n`, or
/// `limit`), or with `None` when there are more than `row` holds; `None` (and `row` partly
/// written) at the first token of another shape or a `#`. Only where
/// [`small_ints_available`].
pub(crate) fn read_small_ints<T: Lane8>(
    b: &[u8],
    start: usize,
    limit: usize,
    row: &mut [T],
) -> Option<Option<(usize, usize)>> {
    #[cfg(target_arch = "x86_64")]
    {
        assert!(
            small_ints_available(),
            "short8::read_small_ints needs AVX-512 VBMI2"
        );
        // SAFETY: `small_ints_available()` found the features.
        unsafe { small_ints_avx512(b, start, limit, row) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (b, start, limit, row);
        unreachable!("short8::read_small_ints needs AVX-512");
    }
}

/// See [`read_small_ints`]. Windows of 64 bytes, 59 apart: each takes the tokens whose last
/// digit is at its bytes 4 to 62 (0 to 62 in the first), so that a token's four bytes before
/// its last digit, and the blank after it, are in the same window.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi1,popcnt")]
fn small_ints_avx512<T: Lane8>(
    b: &[u8],
    start: usize,
    limit: usize,
    row: &mut [T],
) -> Option<Option<(usize, usize)>> {
    use std::arch::x86_64::*;
    if T::KIND != Kind::Int {
        return None;
    }
    // Until the line's end is seen.
    let mut end = limit.min(b.len());
    let (newline, hash) = (_mm512_set1_epi8(b'\n' as i8), _mm512_set1_epi8(b'#' as i8));
    let (zero_ch, nine) = (_mm512_set1_epi8(b'0' as i8), _mm512_set1_epi8(9));
    // Byte i of `back[k]` takes byte i - k.
    let back = [1u8, 2, 3].map(|k| {
        let idx: [u8; 64] = std::array::from_fn(|i| (i as u8).wrapping_sub(k) & 63);
        // SAFETY: 64 bytes.
        unsafe { _mm512_loadu_si512(idx.as_ptr().cast()) }
    });
    let max = _mm512_set1_epi16(T::MAX.min(9_999) as i16);
    let (ten, hundred, thousand) = (
        _mm512_set1_epi16(10),
        _mm512_set1_epi16(100),
        _mm512_set1_epi16(1_000),
    );
    let wide = |c: __m512i| _mm512_cvtepu8_epi16(_mm512_castsi512_si256(c));
    let mut n = 0;
    let (mut pos, mut lo) = (start, 0);
    while pos < end {
        let (v, mut blank) = window(b, pos);
        let mut stop = _mm512_cmpeq_epi8_mask(v, newline) | _mm512_cmpeq_epi8_mask(v, hash);
        if end - pos < 64 {
            stop &= !(!0u64 << (end - pos));
        }
        if stop != 0 {
            // The line's end (a comment is left to the general reader).
            end = pos + stop.trailing_zeros() as usize;
            if b[end] == b'#' {
                return None;
            }
        }
        if end - pos < 64 {
            // Bytes after the line's content count as blanks.
            blank |= !0u64 << (end - pos);
        }
        let full = !blank;
        let d = _mm512_sub_epi8(v, zero_ch);
        // Nothing but digits between the blanks, and no run of five.
        if full & !_mm512_cmple_epu8_mask(d, nine) != 0
            || full & (full << 1) & (full << 2) & (full << 3) & (full << 4) != 0
        {
            return None;
        }
        // Each token by its last digit, and whether it has a digit 1, 2, 3 places before.
        let last = full & (blank >> 1) & (!0u64 << lo);
        let one = last & (full << 1);
        let two = one & (full << 2);
        let three = two & (full << 3);
        let at = |m: u64, k: usize| {
            _mm512_maskz_compress_epi8(last, _mm512_maskz_permutexvar_epi8(m, back[k], d))
        };
        let val = _mm512_add_epi16(
            _mm512_add_epi16(
                wide(_mm512_maskz_compress_epi8(last, d)),
                _mm512_mullo_epi16(wide(at(one, 0)), ten),
            ),
            _mm512_add_epi16(
                _mm512_mullo_epi16(wide(at(two, 1)), hundred),
                _mm512_mullo_epi16(wide(at(three, 2)), thousand),
            ),
        );
        // At most 32 tokens in 64 bytes (a blank after each).
        let count = last.count_ones() as usize;
        let lanes = (1u64 << count) - 1;
        if u64::from(_mm512_cmpgt_epu16_mask(val, max)) & lanes != 0 {
            return None;
        }
        if n + count > row.len() {
            return Some(None);
        }
        let out = row[n..].as_mut_ptr();
        // SAFETY: `row[n..n + count]` is in bounds, and the masked stores write only the
        // first `count` values of T (an integer of the size stored).
        unsafe {
            match std::mem::size_of::<T>() {
                8 => {
                    let parts = [
                        _mm512_extracti32x4_epi32::<0>(val),
                        _mm512_extracti32x4_epi32::<1>(val),
                        _mm512_extracti32x4_epi32::<2>(val),
                        _mm512_extracti32x4_epi32::<3>(val),
                    ];
                    for (q, p) in parts.into_iter().enumerate() {
                        // (A part without values is skipped: its address may lie past the row.)
                        let m = (lanes >> (8 * q)) as u8;
                        if m == 0 {
                            break;
                        }
                        _mm512_mask_storeu_epi64(
                            out.cast::<i64>().add(8 * q),
                            m,
                            _mm512_cvtepu16_epi64(p),
                        );
                    }
                }
                4 => {
                    let parts = [
                        _mm512_extracti64x4_epi64::<0>(val),
                        _mm512_extracti64x4_epi64::<1>(val),
                    ];
                    for (q, p) in parts.into_iter().enumerate() {
                        let m = (lanes >> (16 * q)) as u16;
                        if m == 0 {
                            break;
                        }
                        _mm512_mask_storeu_epi32(
                            out.cast::<i32>().add(16 * q),
                            m,
                            _mm512_cvtepu16_epi32(p),
                        );
                    }
                }
                2 => _mm512_mask_storeu_epi16(out.cast(), lanes as u32, val),
                _ => _mm256_mask_storeu_epi8(out.cast(), lanes as u32, _mm512_cvtepi16_epi8(val)),
            }
        }
        n += count;
        pos += 59;
        lo = 4;
    }
    Some(Some((n, end)))
}

/// Reads the tokens of `b[start..end]` (one line's content) into `row` (floats): groups of
/// eight short decimals (see the module) at once, every other token and the last values that do
/// not fill a group with `general`. Returns the number of tokens, or `None` when there are more
/// than `row` holds or `general` refuses a token. Only where [`available`].
pub(crate) fn read_row<T: Lane8>(
    b: &[u8],
    start: usize,
    end: usize,
    row: &mut [T],
    bounds: &mut Bounds,
    general: impl Fn(&[u8]) -> Option<T>,
) -> Option<usize> {
    assert!(T::KIND != Kind::Int, "short8::read_row reads floats");
    #[cfg(target_arch = "x86_64")]
    {
        assert!(available(), "short8::read_row needs AVX-512");
        // SAFETY: `available()` found the features.
        unsafe {
            bounds.find_avx512(b, start, end);
            read_row_avx512(b, row, bounds, general)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (b, start, end, row, bounds, general);
        unreachable!("short8::read_row needs AVX-512");
    }
}

impl Bounds {
    /// Finds the tokens of `b[start..end]` (one line's content), separated by the blanks of
    /// [`crate::fastnum::is_blank`]. Only where [`available`].
    #[cfg(test)]
    pub(crate) fn find(&mut self, b: &[u8], start: usize, end: usize) {
        assert!(available(), "Bounds::find needs AVX-512");
        // SAFETY: `available()` found the features.
        unsafe { self.find_avx512(b, start, end) }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,bmi1")]
    fn find_avx512(&mut self, b: &[u8], start: usize, end: usize) {
        let end = end.min(b.len());
        // At most one token starts in every two bytes (and one more may end at `end`).
        let most = end.saturating_sub(start) / 2 + 2;
        self.starts.clear();
        self.ends.clear();
        self.starts.reserve(most);
        self.ends.reserve(most);
        let (sp, ep) = (self.starts.as_mut_ptr(), self.ends.as_mut_ptr());
        let (mut ns, mut ne) = (0, 0);
        // The byte before the line counts as a blank.
        let mut carry = 1u64;
        let mut pos = start;
        while pos < end {
            let (_, mut blank) = window(b, pos);
            if end - pos < 64 {
                // Bytes after the line's content count as blanks.
                blank |= !0u64 << (end - pos);
            }
            let before = (blank << 1) | carry;
            let (mut s, mut e) = (!blank & before, blank & !before);
            carry = blank >> 63;
            // SAFETY: fewer than `most` starts and ends in all (reserved above).
            unsafe {
                while s != 0 {
                    sp.add(ns).write((pos + s.trailing_zeros() as usize) as u64);
                    ns += 1;
                    s &= s - 1;
                }
                while e != 0 {
                    ep.add(ne).write((pos + e.trailing_zeros() as usize) as u64);
                    ne += 1;
                    e &= e - 1;
                }
            }
            pos += 64;
        }
        if ne < ns {
            // The last token runs to the end of a last whole block.
            // SAFETY: as above.
            unsafe { ep.add(ne).write(end as u64) };
            ne += 1;
        }
        // SAFETY: the first `ns` and `ne` entries were written.
        unsafe {
            self.starts.set_len(ns);
            self.ends.set_len(ne);
        }
    }
}

/// The 64 bytes of `b` from `pos` (blanks after its end) and the mask of their blanks
/// ([`crate::fastnum::is_blank`]).
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
fn window(b: &[u8], pos: usize) -> (std::arch::x86_64::__m512i, u64) {
    use std::arch::x86_64::*;
    let v = if pos + 64 <= b.len() {
        // SAFETY: `b[pos..pos + 64]` is in bounds.
        unsafe { _mm512_loadu_si512(b.as_ptr().add(pos).cast()) }
    } else {
        let mut pad = [b' '; 64];
        pad[..b.len() - pos].copy_from_slice(&b[pos..]);
        // SAFETY: `pad` holds 64 bytes.
        unsafe { _mm512_loadu_si512(pad.as_ptr().cast()) }
    };
    let blank = [b' ', b'\t', b'\r', 0x0c].iter().fold(0, |m, &c| {
        m | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c as i8))
    });
    (v, blank)
}

/// Bit 15 of each 16-bit part of `x` set where that part is not zero.
#[inline(always)]
fn nonzero16(x: u64) -> u64 {
    const LOW15: u64 = 0x7fff_7fff_7fff_7fff;
    (((x & LOW15) + LOW15) | x) & HIGH16
}

/// Bit 15 of each 16-bit part.
const HIGH16: u64 = 0x8000_8000_8000_8000;

/// The scalar path's doubles nearest 10^-k and powers 10^k, k = 0..=8, padded to the 16 entries
/// of a two-register table lookup.
const RECIP10: [f64; 16] = padded(crate::fastnum::RECIP10_F64);
/// See [`RECIP10`].
const POW10: [f64; 16] = padded(crate::fastnum::POW10_F64);

/// `t` followed by ones, 16 entries.
const fn padded(t: [f64; 9]) -> [f64; 16] {
    let mut out = [1.0; 16];
    let mut i = 0;
    while i < 9 {
        out[i] = t[i];
        i += 1;
    }
    out
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,bmi1,bmi2,popcnt")]
fn read_row_avx512<T: Lane8>(
    b: &[u8],
    row: &mut [T],
    bounds: &Bounds,
    general: impl Fn(&[u8]) -> Option<T>,
) -> Option<usize> {
    let (starts, ends) = (&bounds.starts, &bounds.ends);
    let n = starts.len();
    if n > row.len() || ends.len() != n {
        return None;
    }
    let mut k = 0;
    while k + 8 <= n {
        if !group_avx512(b, &starts[k..k + 8], &ends[k..k + 8], &mut row[k..k + 8]) {
            for j in k..k + 8 {
                row[j] = general(&b[starts[j] as usize..ends[j] as usize])?;
            }
        }
        k += 8;
    }
    for j in k..n {
        row[j] = general(&b[starts[j] as usize..ends[j] as usize])?;
    }
    Some(n)
}

/// Reads the eight tokens `b[starts[j]..ends[j]]` into `out` (floats) if each is a short
/// decimal `-?D*(.D*)?` of one to eight digits and ten bytes at most, and ends at least 16 bytes
/// from the start of `b`; `false` (and `out` untouched) otherwise.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,bmi1,bmi2,popcnt")]
fn group_avx512<T: Lane8>(b: &[u8], starts: &[u64], ends: &[u64], out: &mut [T]) -> bool {
    use std::arch::x86_64::*;
    let (starts, ends, out) = (&starts[..8], &ends[..8], &mut out[..8]);
    // SAFETY (loads): 8 u64 each.
    let (s, e) = unsafe {
        (
            _mm512_loadu_si512(starts.as_ptr().cast()),
            _mm512_loadu_si512(ends.as_ptr().cast()),
        )
    };
    let len = _mm512_sub_epi64(e, s);
    // Lengths 1 to 10, and the 16 bytes before each end inside `b`.
    let bad = _mm512_cmpgt_epu64_mask(
        _mm512_sub_epi64(len, _mm512_set1_epi64(1)),
        _mm512_set1_epi64(9),
    ) | _mm512_cmplt_epu64_mask(e, _mm512_set1_epi64(16))
        | _mm512_cmpgt_epu64_mask(e, _mm512_set1_epi64(b.len() as i64));
    if bad != 0 {
        return false;
    }
    // Slot byte i of token j holds b[ends[j] - 16 + i]; the token is the slot's last `len`
    // bytes: those with i + len >= 16.
    let lens = _mm512_broadcast_i32x4(_mm512_cvtepi64_epi8(len));
    let iota = _mm512_set_epi8(
        15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6,
        5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11,
        10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    );
    let sixteen = _mm512_set1_epi8(16);
    // SAFETY: 16 <= ends[j] <= b.len(), checked above.
    let slot = |j: usize| unsafe { _mm_loadu_si128(b.as_ptr().add(ends[j] as usize - 16).cast()) };
    let zero_ch = _mm512_set1_epi8(b'0' as i8);
    let (nine, dot, dash) = (
        _mm512_set1_epi8(9),
        _mm512_set1_epi8(b'.' as i8),
        _mm512_set1_epi8(b'-' as i8),
    );
    let w10 = _mm512_set1_epi16(0x010a); // bytes 10, 1
    let w100 = _mm512_set1_epi32(0x0001_0064); // 16-bit 100, 1
    let ten4 = _mm512_set1_epi64(10_000);
    let mut digits = [_mm512_setzero_si512(); 2];
    let mut fracs = [_mm512_setzero_si512(); 2];
    let mut neg = 0u64;
    for h in 0..2 {
        let t = _mm512_castsi128_si512(slot(4 * h));
        let t = _mm512_inserti32x4::<1>(t, slot(4 * h + 1));
        let t = _mm512_inserti32x4::<2>(t, slot(4 * h + 2));
        let t = _mm512_inserti32x4::<3>(t, slot(4 * h + 3));
        // Each 128-bit lane's bytes the length of its token.
        let pick = _mm512_set1_epi32(0x0101_0101 * (4 * h as i32));
        let pick = _mm512_add_epi8(
            pick,
            _mm512_set_epi32(
                0x0303_0303,
                0x0303_0303,
                0x0303_0303,
                0x0303_0303,
                0x0202_0202,
                0x0202_0202,
                0x0202_0202,
                0x0202_0202,
                0x0101_0101,
                0x0101_0101,
                0x0101_0101,
                0x0101_0101,
                0,
                0,
                0,
                0,
            ),
        );
        let valid = _mm512_cmpge_epu8_mask(
            _mm512_add_epi8(_mm512_shuffle_epi8(lens, pick), iota),
            sixteen,
        );
        let d = _mm512_sub_epi8(t, zero_ch);
        let digit = _mm512_cmple_epu8_mask(d, nine) & valid;
        let pt = _mm512_cmpeq_epi8_mask(t, dot) & valid;
        let minus = _mm512_cmpeq_epi8_mask(t, dash) & valid;
        // A sign only first; nothing but digits, one point and the sign; at least one digit.
        let first = valid & !(valid << 1);
        let has_point = nonzero16(pt);
        if digit | pt | minus != valid
            || minus & !first != 0
            || pt.count_ones() != has_point.count_ones()
            || nonzero16(digit) != HIGH16
        {
            return false;
        }
        // The digits before the point (bits from the slot's start to the point).
        let int = digit & pt.wrapping_sub(has_point >> 15);
        let frac = digit & !int & ((has_point >> 15) * 0xffff);
        // With the integer digits one byte on, over the point: all in the slot's last 8 bytes.
        if ((int << 1) | (digit & !int)) & 0x00ff_00ff_00ff_00ff != 0 {
            return false;
        }
        let dv = _mm512_or_si512(
            _mm512_maskz_mov_epi8(digit & !int, d),
            _mm512_bslli_epi128::<1>(_mm512_maskz_mov_epi8(int, d)),
        );
        // Pairs, fours, then eight digits in each slot's high 64-bit lane.
        let fours = _mm512_madd_epi16(_mm512_maddubs_epi16(dv, w10), w100);
        digits[h] = _mm512_add_epi64(
            _mm512_mul_epu32(fours, ten4),
            _mm512_srli_epi64::<32>(fours),
        );
        fracs[h] = _mm512_sad_epu8(_mm512_maskz_set1_epi8(frac, 1), _mm512_setzero_si512());
        neg |= _pext_u64(nonzero16(minus), HIGH16) << (4 * h);
    }
    let high = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
    let m = _mm512_permutex2var_epi64(digits[0], high, digits[1]);
    let k = _mm512_permutex2var_epi64(fracs[0], high, fracs[1]);
    // SAFETY (loads): the tables hold 16 doubles.
    let table = |t: &[f64; 16]| unsafe {
        (
            _mm512_loadu_pd(t.as_ptr()),
            _mm512_loadu_pd(t.as_ptr().add(8)),
        )
    };
    let mf = _mm512_cvtepu64_pd(m);
    let (p0, p1) = table(&POW10);
    let pow = _mm512_permutex2var_pd(p0, k, p1);
    let sign = _mm512_set1_pd(-0.0);
    let neg = neg as u8;
    if T::KIND == Kind::F64 {
        let v = _mm512_div_pd(mf, pow);
        let v = _mm512_mask_xor_pd(v, neg, v, sign);
        // SAFETY: `out` holds 8 values of T, which is f64 here.
        unsafe { _mm512_storeu_pd(out.as_mut_ptr().cast(), v) };
        return true;
    }
    // Float32: below 2^24 the product with the nearest reciprocal rounds to the same float32
    // as the quotient (`fastnum`'s `reciprocal_product_rounds_as_the_quotient`).
    let (r0, r1) = table(&RECIP10);
    let v = _mm512_mul_pd(mf, _mm512_permutex2var_pd(r0, k, r1));
    let big = _mm512_cmpge_epu64_mask(m, _mm512_set1_epi64(1 << 24));
    let v = _mm512_mask_div_pd(v, big, mf, pow);
    let v = _mm512_mask_xor_pd(v, neg, v, sign);
    // SAFETY: `out` holds 8 values of T, which is f32 here.
    unsafe { _mm256_storeu_ps(out.as_mut_ptr().cast(), _mm512_cvtpd_ps(v)) };
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fastnum::for_each_token;

    /// The tokens of `line[start..end]` split a byte at a time.
    fn reference_bounds(line: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
        let spans = crate::fastnum::reference_tokens(&line[start..end]);
        spans
            .into_iter()
            .map(|(s, e)| (start + s, start + e))
            .collect()
    }

    fn skip() -> bool {
        if available() {
            return false;
        }
        eprintln!("skipped: this CPU lacks AVX-512 (or DETCAL_AVX512=0)");
        true
    }

    #[test]
    fn bounds_equal_a_byte_split() {
        if skip() {
            return;
        }
        let mut x = 0x0123_4567_89ab_cdefu64;
        let mut bounds = Bounds::default();
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 300) as usize;
            // Every blank, the vertical tab (not one), a digit and other bytes.
            let line = crate::fastnum::random_line(x, len, b"\t\r\x0c\x0b     9:;<=>?");
            let start = (x >> 20) as usize % (len + 1);
            let end = start + (x >> 30) as usize % (len - start + 1);
            bounds.find(&line, start, end);
            let got: Vec<(usize, usize)> = bounds
                .starts
                .iter()
                .zip(&bounds.ends)
                .map(|(&s, &e)| (s as usize, e as usize))
                .collect();
            assert_eq!(bounds.starts.len(), bounds.ends.len());
            assert_eq!(
                got,
                reference_bounds(&line, start, end),
                "{line:?} {start}..{end}"
            );
        }
    }

    /// What the scalar reader's short path takes of each token of `line`.
    fn scalar_shorts(line: &[u8]) -> Vec<Option<crate::fastnum::Short>> {
        let mut out = Vec::new();
        for_each_token(line, 0, line.len(), |t| {
            out.push(t.short());
            Some(())
        });
        out
    }

    /// Reads `line` (eight tokens) with [`read_row`] and checks the group against the scalar
    /// short path: a group whose tokens it all takes is read without `general`, with its values
    /// (`want`); any other group entirely with `general`. Returns whether the group was taken.
    fn check_line<T: Lane8 + PartialEq + std::fmt::Debug>(
        line: &[u8],
        want: impl Fn(&crate::fastnum::Short) -> T,
        bits: impl Fn(T) -> u64,
    ) -> bool {
        let shorts = scalar_shorts(line);
        assert_eq!(shorts.len(), 8);
        let taken = shorts.iter().all(Option::is_some);
        let calls = std::cell::Cell::new(0);
        let zero = want(&crate::fastnum::Short {
            neg: false,
            digits: 0,
            frac: 0,
            point: false,
        });
        let mut row = [zero; 8];
        let mut bounds = Bounds::default();
        let n = read_row(line, 0, line.len(), &mut row, &mut bounds, |_| {
            calls.set(calls.get() + 1);
            Some(zero)
        });
        let what = String::from_utf8_lossy(line);
        assert_eq!(n, Some(8), "{what}");
        assert_eq!(calls.get(), if taken { 0 } else { 8 }, "{what}");
        if taken {
            for (j, s) in shorts.iter().enumerate() {
                assert_eq!(
                    bits(row[j]),
                    bits(want(s.as_ref().unwrap())),
                    "{what}: token {j}"
                );
            }
        }
        taken
    }

    #[test]
    fn groups_equal_the_scalar_short_paths() {
        if skip() {
            return;
        }
        // The scalar reader's own cases, and more.
        let extra = ["16383.999", "00000042", "-12345678.9", "0-", "5.-"];
        let shapes: Vec<&str> = crate::fastnum::SHORT_TAKEN
            .iter()
            .chain(crate::fastnum::SHORT_LEFT)
            .copied()
            .chain(extra)
            .collect();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let (mut taken, mut refused) = ([0; 2], [0; 2]);
        for round in 0..30_000 {
            // 8 tokens after 16 bytes of blanks: mostly shapes the fast path takes, sometimes
            // one it refuses, and random digit strings with a point somewhere or none.
            let mut line = vec![b' '; 16];
            for j in 0..8 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let tok = if round % 5 == 1 {
                    // Small integers, some beyond u8 and i8.
                    let sign = if x >> 60 == 0 { "-" } else { "" };
                    format!("{sign}{}", (x >> 8) % 270)
                } else if round % 4 == 0 || x.is_multiple_of(7) {
                    shapes[(x >> 8) as usize % shapes.len()].to_string()
                } else {
                    let digits = format!("{}", (x >> 16) % 10u64.pow(1 + (x >> 4) as u32 % 8));
                    let at = (x >> 40) as usize % (digits.len() + 1);
                    let sign = if x >> 63 == 1 { "-" } else { "" };
                    if (x >> 50).is_multiple_of(4) || round % 3 == 0 {
                        format!("{sign}{digits}")
                    } else {
                        format!("{sign}{}.{}", &digits[..at], &digits[at..])
                    }
                };
                line.extend_from_slice(tok.as_bytes());
                line.extend_from_slice([&b" "[..], b"\t", b"  ", b"\r"][j % 4]);
            }
            let results = [
                check_line::<f32>(&line, |s| s.to_f32(), |v| u64::from(v.to_bits())),
                check_line::<f64>(&line, |s| s.to_f64(), f64::to_bits),
            ];
            for (k, r) in results.into_iter().enumerate() {
                if r {
                    taken[k] += 1;
                } else {
                    refused[k] += 1;
                }
            }
        }
        for k in 0..2 {
            assert!(
                taken[k] > 1_000 && refused[k] > 1_000,
                "{taken:?} taken, {refused:?} refused"
            );
        }
    }

    /// Checks [`read_small_ints`] on the line at `line[start..]` (up to `limit`) against a
    /// byte split and `str::parse`.
    fn check_small<T: Lane8 + Default + PartialEq + std::fmt::Debug + std::str::FromStr>(
        line: &[u8],
        start: usize,
        limit: usize,
    ) -> bool {
        let mut row = vec![T::default(); limit - start + 1];
        let got = read_small_ints(line, start, limit, &mut row);
        // Where the line's content ends: its first `\n` or `#` before `limit`.
        let stop = line[start..limit]
            .iter()
            .position(|&c| c == b'\n' || c == b'#');
        let end = stop.map_or(limit, |p| start + p);
        let what = format!("{:?} {start}..{end}", String::from_utf8_lossy(line));
        if stop.is_some_and(|p| line[start + p] == b'#') {
            assert_eq!(got, None, "{what}");
            return false;
        }
        let want: Option<Vec<T>> = reference_bounds(line, start, end)
            .iter()
            .map(|&(s, e)| {
                let t = std::str::from_utf8(&line[s..e]).ok()?;
                // One to four digits, no sign.
                (t.len() <= 4 && t.bytes().all(|c| c.is_ascii_digit())).then_some(())?;
                t.parse().ok()
            })
            .collect();
        match want {
            Some(w) => {
                assert_eq!(got, Some(Some((w.len(), end))), "{what}");
                assert_eq!(row[..w.len()], w[..], "{what}");
                // A row one short: too many values.
                if !w.is_empty() {
                    let mut short = vec![T::default(); w.len() - 1];
                    let got = read_small_ints(line, start, limit, &mut short);
                    assert_eq!(got, Some(None), "{what}");
                }
                true
            }
            None => {
                assert_eq!(got, None, "{what}");
                false
            }
        }
    }

    #[test]
    fn small_ints_equal_a_byte_split_and_parse() {
        if !small_ints_available() {
            eprintln!("skipped: this CPU lacks AVX-512 VBMI2 (or DETCAL_AVX512=0)");
            return;
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut taken = [0; 4];
        for round in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Tokens of 1-4 digits (5 now and then), blanks of every kind and width, and now
            // and then a sign, a point or a vertical tab (not a blank).
            let mut line = Vec::new();
            let mut y = x;
            let ntok = (x % 60) as usize;
            for _ in 0..ntok {
                y = y.wrapping_mul(0x2545_f491_4f6c_dd1d).wrapping_add(round);
                let blank = [&b" "[..], b"   ", b"\t", b"\r", b"\x0c", b"  "][(y % 6) as usize];
                line.extend_from_slice(blank);
                let digits = match (y >> 8) % 16 {
                    0 => 2,
                    1 => 3,
                    2 => 4,
                    3 if round % 8 == 0 => 5,
                    _ => 1,
                };
                let v = (y >> 20) % 10u64.pow(digits);
                line.extend_from_slice(format!("{v:0w$}", w = digits as usize).as_bytes());
                if round % 16 == 1 && (y >> 40).is_multiple_of(32) {
                    line.extend_from_slice(
                        [&b"-"[..], b".", b"\x0b", b"e"][(y >> 50) as usize % 4],
                    );
                }
                if round % 16 == 2 && (y >> 40).is_multiple_of(16) {
                    line.extend_from_slice([&b"\n"[..], b" #", b"\n\n"][(y >> 50) as usize % 3]);
                }
            }
            let start = (x >> 20) as usize % 3;
            let end = line.len() - (x >> 30) as usize % 3.min(line.len() + 1).max(1);
            let (start, end) = (start.min(end), end);
            let r = [
                check_small::<u64>(&line, start, end),
                check_small::<u8>(&line, start, end),
                check_small::<i16>(&line, start, end),
                check_small::<u32>(&line, start, end),
            ];
            for (t, ok) in taken.iter_mut().zip(r) {
                *t += usize::from(ok);
            }
        }
        assert!(taken.iter().all(|&t| t > 2_000), "{taken:?}");
    }

    #[test]
    fn tokens_too_near_the_start_are_refused() {
        if skip() {
            return;
        }
        let mut row = [0f32; 9];
        let mut bounds = Bounds::default();
        // The first group ends within 16 bytes of the start: read by `general` (here 99).
        let line = b"1 2 3 4 5 6 7 8 9";
        let n = read_row(line, 0, line.len(), &mut row, &mut bounds, |_| Some(99.0));
        assert_eq!((n, row), (Some(9), [99.0; 9]));
        let mut padded = vec![b' '; 16];
        padded.extend_from_slice(b"1 2 3 4 5 6 7 8 9");
        let n = read_row(&padded, 0, padded.len(), &mut row, &mut bounds, |_| {
            Some(99.0)
        });
        assert_eq!(
            (n, row),
            (Some(9), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 99.0])
        );
        // More tokens than the row holds.
        assert_eq!(
            read_row(&padded, 0, padded.len(), &mut row[..8], &mut bounds, |_| {
                Some(0.0)
            }),
            None
        );
    }
}
