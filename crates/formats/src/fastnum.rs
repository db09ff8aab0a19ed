/*!
Fast paths for the number shapes that fill constants files: decimal tokens such as `1234.567`
and `-0.000` and short integers such as `64`, parsed eight bytes at a time; and `%.Nf` of float32
and float64 values and `%Wd` of integers, formatted straight into the output buffer.

A line is split into tokens with bit masks of its blanks and digits, 64 bytes at a time
([`for_each_token`]): each token's start, end, sign and point are then known without a byte loop,
and no token waits for the one before it, so the CPU parses several at once.

Each fast path gives exactly what the general code gives or declines (returns `None`), and the
caller then uses the general code:

- A decimal `-?D*(.D*)?` with one to eight digits in all is `M / 10^k` with `M < 10^8` and
  `10^k` exact in a double, so one IEEE division rounds it correctly, as the standard library's
  parser (and numpy's) does. The digits are read as one 8-byte word, the point taken out. For
  float32, `M` below 2^24 is multiplied by the double nearest `10^-k` instead
  ([`Short::to_f32`]: the same float32, checked for every such `M` and `k`).
- `%.Nf` rounds the exact binary value times `10^N` half to even. For float32 with `N` of 1 to 7
  that product is exact in a double, where adding 2^52 rounds it ([`write_point8`] then writes
  the eight digits from one word); otherwise the fast path does it in u64 arithmetic when the
  product fits, the general formatter in u128 or with the standard library.
*/

use crate::pyfmt::PyFormat;

/// Reads 8 bytes of `b` at `at` as a little-endian word (the first byte lowest).
#[inline(always)]
fn load8(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The value of the first `n` (1..=8) digit values of `x` (digits XOR `'0'`, the first lowest).
#[inline(always)]
fn value8(x: u64, n: usize) -> u64 {
    // Move the n digits to the top so that the bytes below read as leading zeros.
    let y = x << (8 * (8 - n));
    // Pairs: 10 * first + second in every even byte (no byte exceeds 99, so no carries).
    let y = y.wrapping_mul(10).wrapping_add(y >> 8);
    let lo = (y & 0x0000_00ff_0000_00ff).wrapping_mul(100 + (1_000_000 << 32));
    let hi = ((y >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32));
    (lo.wrapping_add(hi) >> 32) as u32 as u64
}

const POW10_U64: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// The powers 10^k, k = 0..=8, as doubles (exact).
pub(crate) const POW10_F64: [f64; 9] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/// A short decimal token `-?D*(.D*)?` of one to eight digits, in parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short {
    /// A leading `-`.
    pub neg: bool,
    /// The digits, the point left out, as an integer (below 10^8).
    pub digits: u64,
    /// How many of the digits follow the point.
    pub frac: usize,
    /// Whether the token has a point.
    pub point: bool,
}

/// The doubles nearest 10^-k.
pub(crate) const RECIP10_F64: [f64; 9] = [1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8];

impl Short {
    /// The correctly rounded double of the token (as the standard library's parser gives).
    #[inline(always)]
    pub(crate) fn to_f64(self) -> f64 {
        // digits < 10^8 and 10^frac are exact doubles: one rounding.
        let v = (self.digits as i64) as f64 / POW10_F64[self.frac];
        if self.neg { -v } else { v }
    }

    /// The float32 nearest the double nearest the token, as numpy reads float32 text.
    #[inline(always)]
    pub(crate) fn to_f32(self) -> f32 {
        // Below 2^24 the digits times the double nearest 10^-frac rounds to the same float32 as
        // the correctly rounded quotient: such a decimal is never a float32 tie, and never
        // nearer one than the product's error (`reciprocal_product_rounds_as_the_quotient`
        // checks every case). A multiplication instead of a division of long latency.
        let v = if self.digits < 1 << 24 {
            ((self.digits as i64) as f64 * RECIP10_F64[self.frac]) as f32
        } else {
            ((self.digits as i64) as f64 / POW10_F64[self.frac]) as f32
        };
        if self.neg { -v } else { v }
    }
}

/// The bytes of a window: 64 classified, and room after them for reading any short token that
/// starts among them with 8-byte loads.
const WIN: usize = 80;

/// The masks of the first `i` bytes of a word (all bytes from 8 on).
const BELOW: [u64; 16] = {
    let mut t = [!0u64; 16];
    let mut i = 0;
    while i < 8 {
        t[i] = (1u64 << (8 * i)) - 1;
        i += 1;
    }
    t
};

/// One token of a line: where it is, and its window for reading it as a short number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    /// The token is `b[start..end]`.
    pub start: usize,
    /// The end of the token (a blank or the end of the line's content).
    pub end: usize,
    /// The bytes from `start - o`: the classified 64 and [`WIN`] - 64 more.
    win: &'a [u8; WIN],
    /// The digit mask of `win`.
    digit: u64,
    /// The token's offset in `win` (below [`STEP`]).
    o: usize,
    /// The token's length, if `win` holds its end (else `64 - o`).
    len: usize,
}

impl Token<'_> {
    /// The parts of the token if it is a short decimal `-?D*(.D*)?` of one to eight digits.
    #[inline(always)]
    pub(crate) fn short(&self) -> Option<Short> {
        // (`o` is below 64 and the token's bytes within 10 of it: the masks tell the compiler
        // that every read below lies inside the window.)
        let (win, o, len) = (self.win, self.o & 63, self.len);
        if len > SHORT_MAX {
            return None;
        }
        let neg = win[o] == b'-';
        let s = o + usize::from(neg);
        let body = len - usize::from(neg);
        // The bytes of the body that are not digits: none, or one point.
        let non = !(self.digit >> s) & ((1u64 << body) - 1);
        let point = non != 0;
        if non & non.wrapping_sub(1) != 0 {
            return None;
        }
        let int = if point {
            non.trailing_zeros() as usize & 15
        } else {
            body
        };
        if point && win[s + int] != b'.' {
            return None;
        }
        let ndigits = body - usize::from(point);
        if ndigits == 0 || ndigits > 8 {
            return None;
        }
        // One word of digits: with a point, the fraction's digits moved down one byte over it.
        let mut w = load8(win, s);
        if point {
            let below = BELOW[int];
            w = (w & below) | (load8(win, s + 1) & !below);
        }
        Some(Short {
            neg,
            digits: value8(w ^ 0x3030_3030_3030_3030, ndigits),
            frac: ndigits - int,
            point,
        })
    }

    /// The sign and magnitude of the token if it is an integer `-?D+` of one to eight digits.
    #[inline(always)]
    pub(crate) fn short_int(&self) -> Option<(bool, u64)> {
        let (win, o, len) = (self.win, self.o & 63, self.len);
        if len == 1 {
            // The commonest token of status and mask files: one digit.
            let d = win[o].wrapping_sub(b'0');
            return (d <= 9).then_some((false, u64::from(d)));
        }
        if len > 9 {
            return None;
        }
        let neg = win[o] == b'-';
        let s = o + usize::from(neg);
        let n = len - usize::from(neg);
        let body = (1u64 << n) - 1;
        if n == 0 || n > 8 || (self.digit >> s) & body != body {
            return None;
        }
        Some((neg, value8(load8(win, s) ^ 0x3030_3030_3030_3030, n)))
    }
}

/// The bytes `split_ascii_whitespace` splits at between values, other than the line end: space,
/// tab, carriage return, form feed.
#[inline(always)]
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0c')
}

/// Bit masks of the blanks between values ([`is_blank`]) and of the
/// ASCII digits in `block`, bit `i` for byte `i`.
#[inline(always)]
fn classify(block: &[u8; 64]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        classify_sse2(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify_bytes(block)
    }
}

/// [`classify`] a byte at a time: the reference, and the code for other architectures.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn classify_bytes(block: &[u8; 64]) -> (u64, u64) {
    let (mut blank, mut digit) = (0u64, 0u64);
    for (i, &c) in block.iter().enumerate() {
        blank |= u64::from(is_blank(c)) << i;
        digit |= u64::from(c.is_ascii_digit()) << i;
    }
    (blank, digit)
}

/// [`classify`] sixteen bytes at a time with SSE2 (which every x86-64 CPU has).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn classify_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::*;
    let (mut blank, mut digit) = (0u64, 0u64);
    for (k, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of x86-64; `part` holds 16 bytes, the width of an unaligned
        // 128-bit load.
        let (b, d) = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            let sp = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
            let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
            let ff = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0c));
            let b = _mm_or_si128(_mm_or_si128(sp, tab), _mm_or_si128(cr, ff));
            // A digit's offset from '0' is at most 9 (unsigned, wrapping below '0').
            let t = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            let d = _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(9)), t);
            (_mm_movemask_epi8(b), _mm_movemask_epi8(d))
        };
        blank |= u64::from(b as u16) << (16 * k);
        digit |= u64::from(d as u16) << (16 * k);
    }
    (blank, digit)
}

/// Token starts are taken from the first `STEP` bytes of each 64-byte window, which then holds
/// the first `64 - STEP` bytes of each of them: every short decimal whole.
const STEP: usize = 48;

/// The longest short decimal: a sign, eight digits and a point.
const SHORT_MAX: usize = 10;

/// Calls `each` with the tokens of `b[start..end]` (one line's content) in order, the blanks
/// between them skipped; stops early with `None` as soon as `each` does.
///
/// The tokens come from bit masks of 64-byte windows, so that a token's start and end are known
/// without looking at the tokens before it and each short decimal is read with two 8-byte loads.
#[inline(always)]
pub(crate) fn for_each_token(
    b: &[u8],
    start: usize,
    end: usize,
    mut each: impl FnMut(Token) -> Option<()>,
) -> Option<()> {
    let mut after_blank = 1u64;
    let mut base = start;
    let mut pad: [u8; WIN];
    while base < end {
        let win: &[u8; WIN] = match b.get(base..base + WIN) {
            Some(w) => w.try_into().expect("WIN bytes"),
            None => {
                // Blanks after the text.
                pad = [b' '; WIN];
                pad[..b.len() - base].copy_from_slice(&b[base..]);
                &pad
            }
        };
        let (mut blank, digit) = classify(win[..64].try_into().expect("64 bytes"));
        if end - base < 64 {
            // Bytes after the end count as blanks.
            blank |= !0u64 << (end - base);
        }
        let mut starts = !blank & ((blank << 1) | after_blank) & ((1 << STEP) - 1);
        after_blank = (blank >> (STEP - 1)) & 1;
        while starts != 0 {
            let o = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            // The token's length, where the window holds its end (64 when it does not).
            let len = (blank >> o).trailing_zeros() as usize;
            let end_at = if o + len < 64 {
                base + o + len
            } else {
                let mut e = base + 64;
                while e < end && !is_blank(b[e]) {
                    e += 1;
                }
                e
            };
            each(Token {
                start: base + o,
                end: end_at,
                win,
                digit,
                o,
                len,
            })?;
        }
        base += STEP;
    }
    Some(())
}

/// A number format the fast formatters cover: no literal text and no flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FastFmt {
    /// `%W.Pf` with `P <= 9` (`%.3f`, `%8.2f`), padded with spaces to `width`.
    Fixed {
        /// Digits after the point.
        prec: usize,
        /// Minimum width.
        width: usize,
    },
    /// `%Wd` / `%Wi` / `%Wu` without precision, for integer values.
    Int {
        /// Minimum width.
        width: usize,
    },
}

/// Free bytes the fast formatters need after the write position.
pub(crate) const FAST_ROOM: usize = 64;

impl FastFmt {
    /// The fast form of `fmt`, if it has one.
    pub(crate) fn of(fmt: &PyFormat) -> Option<FastFmt> {
        let p = fmt.parts();
        if !p.plain || p.width > 32 {
            return None;
        }
        match (p.fixed, p.int, p.precision) {
            (true, false, Some(prec)) if prec <= 9 => Some(FastFmt::Fixed {
                prec,
                width: p.width,
            }),
            (true, false, None) => Some(FastFmt::Fixed {
                prec: 6,
                width: p.width,
            }),
            (false, true, None) => Some(FastFmt::Int { width: p.width }),
            _ => None,
        }
    }
}

/// Two-digit strings "00".."99".
const PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// The number of decimal digits of `n` (1 for 0).
#[inline(always)]
fn ndigits(n: u64) -> usize {
    // t = floor(bits * log10(2)) is floor(log10(n)) or one more; one comparison decides
    // (`n | 1` makes 0 count as one digit and changes no other answer).
    let n = n | 1;
    let t = ((64 - n.leading_zeros() as usize) * 1233) >> 12;
    t + usize::from(n >= POW10_U64[t])
}

/// Writes the digits of `n` ending just before `end`; returns where they start.
#[inline(always)]
fn digits_back(buf: &mut [u8], mut end: usize, mut n: u64) -> usize {
    while n >= 100 {
        end -= 2;
        buf[end..end + 2].copy_from_slice(&PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if n >= 10 {
        end -= 2;
        buf[end..end + 2].copy_from_slice(&PAIRS[n as usize]);
    } else {
        end -= 1;
        buf[end] = b'0' + n as u8;
    }
    end
}

/// Writes `width` spaces' worth of padding (at most 32) at `pos`.
#[inline(always)]
fn pad(buf: &mut [u8], pos: usize) {
    buf[pos..pos + 32].copy_from_slice(&[b' '; 32]);
}

/// Writes `-`, if `neg`, and the digits of `n`, right-aligned in `width`, at `buf[pos..]` (at
/// least [`FAST_ROOM`] bytes free); returns the new end.
#[inline(always)]
pub(crate) fn write_int(buf: &mut [u8], pos: usize, neg: bool, n: u64, width: usize) -> usize {
    let len = usize::from(neg) + ndigits(n);
    let mut start = pos;
    if len < width {
        pad(buf, pos);
        start = pos + width - len;
    }
    let end = start + len;
    digits_back(buf, end, n);
    if neg {
        buf[start] = b'-';
    }
    end
}

/// `round_half_even(m * 2^e * 10^prec)` for a mantissa `m` and exponent `e`, when the product
/// fits a u64; `None` otherwise (the general formatter takes over).
#[inline(always)]
fn scaled(m: u64, e: i32, p10: u64) -> Option<u64> {
    if m == 0 {
        return Some(0);
    }
    // Smaller mantissas fit more often (float32 values as doubles end in 29 zero bits).
    let tz = m.trailing_zeros();
    let (m, e) = (m >> tz, e + tz as i32);
    let n = m.checked_mul(p10)?;
    if e >= 0 {
        let e = e as u32;
        if e >= n.leading_zeros() {
            return None;
        }
        return Some(n << e);
    }
    let k = e.unsigned_abs();
    if k >= 64 {
        // n < 2^64 <= 2^(k-1) for k > 64: below one half. For k = 64, above half rounds up.
        return Some(u64::from(k == 64 && n > 1 << 63));
    }
    let q = n >> k;
    let r = n & ((1u64 << k) - 1);
    let half = 1u64 << (k - 1);
    Some(if r > half || (r == half && q & 1 == 1) {
        q + 1
    } else {
        q
    })
}

/// A float decomposed for the fixed-point fast path.
pub(crate) trait FastFloat: Copy {
    /// (negative, mantissa, binary exponent) of a finite value; `None` for nan and infinities.
    fn parts(self) -> Option<(bool, u64, i32)>;
    /// The value times `10^prec` (`prec` <= 7) as a double, when that product is exact.
    fn exact_scaled(self, prec: usize) -> Option<f64>;
}

impl FastFloat for f32 {
    #[inline(always)]
    fn exact_scaled(self, prec: usize) -> Option<f64> {
        // A 24-bit mantissa times 10^prec = 2^prec * 5^prec (at most 17 bits for prec <= 7)
        // fits the 53 bits of a double.
        Some(f64::from(self) * POW10_F64[prec])
    }

    #[inline(always)]
    fn parts(self) -> Option<(bool, u64, i32)> {
        let bits = self.to_bits();
        let exp = ((bits >> 23) & 0xff) as i32;
        if exp == 0xff {
            return None;
        }
        let frac = u64::from(bits & 0x7f_ffff);
        let neg = bits >> 31 == 1;
        Some(if exp == 0 {
            (neg, frac, -149)
        } else {
            (neg, frac | 0x80_0000, exp - 150)
        })
    }
}

impl FastFloat for f64 {
    #[inline(always)]
    fn exact_scaled(self, _prec: usize) -> Option<f64> {
        None
    }

    #[inline(always)]
    fn parts(self) -> Option<(bool, u64, i32)> {
        let bits = self.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        if exp == 0x7ff {
            return None;
        }
        let frac = bits & ((1u64 << 52) - 1);
        let neg = bits >> 63 == 1;
        Some(if exp == 0 {
            (neg, frac, -1074)
        } else {
            (neg, frac | (1 << 52), exp - 1075)
        })
    }
}

/// The eight ASCII digits of `x` (below 10^8) with leading zeros, the first digit in the lowest
/// byte.
#[inline(always)]
fn ascii8(x: u32) -> u64 {
    // Halves of four digits in the two 32-bit lanes, then pairs in 16-bit lanes, then digits in
    // bytes; each step divides all lanes at once by a multiplication (exact for these ranges:
    // n / 100 = n * 10486 >> 20 for n < 10^4, n / 10 = n * 103 >> 10 for n < 100).
    let v = u64::from(x / 10_000) | u64::from(x % 10_000) << 32;
    let hundreds = ((v * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let v = hundreds | (v - hundreds * 100) << 16;
    let tens = ((v * 103) >> 10) & 0x000f_000f_000f_000f;
    let v = tens | (v - tens * 10) << 8;
    v | 0x3030_3030_3030_3030
}

/// Writes `-`, if `neg`, and `q / 10^prec` with `prec` (1..=7) digits after the point, for
/// `q < 10^8`, right-aligned in `width`, at `buf[pos..]` (at least [`FAST_ROOM`] bytes free);
/// returns the new end. Two 8-byte stores: the digits, then the point and the fraction over
/// them one byte further on.
#[inline(always)]
fn write_point8(buf: &mut [u8], pos: usize, neg: bool, q: u64, prec: usize, width: usize) -> usize {
    let w = ascii8(q as u32);
    // Leading zeros dropped, but one digit kept before the point.
    let lead = (((w ^ 0x3030_3030_3030_3030).trailing_zeros() / 8) as usize).min(7 - prec);
    let n = 8 - lead;
    let len = usize::from(neg) + n + 1;
    let mut start = pos;
    if len < width {
        pad(buf, pos);
        start = pos + width - len;
    }
    // The sign goes first; without one, the digits' store below writes over it.
    buf[start] = b'-';
    let p = start + usize::from(neg);
    buf[p..p + 8].copy_from_slice(&(w >> (8 * lead)).to_le_bytes());
    let frac = u64::from(b'.') | (w >> (8 * (8 - prec))) << 8;
    let at = p + n - prec;
    buf[at..at + 8].copy_from_slice(&frac.to_le_bytes());
    start + len
}

/// 2^52: added to a non-negative double below it, rounds it to an integer (half to even) in the
/// low bits of the sum.
pub(crate) const TWO52: f64 = 4_503_599_627_370_496.0;

/// `round_half_even(v * 10^prec)` and the sign of `v` when the product is exact and below 10^8.
#[inline(always)]
fn small_scaled<F: FastFloat>(v: F, prec: usize) -> Option<(bool, u64)> {
    let x = v.exact_scaled(prec)?;
    let a = x.abs();
    // Nan compares as not below.
    if a.partial_cmp(&99_999_999.5) != Some(std::cmp::Ordering::Less) {
        return None;
    }
    // Adding 2^52 to a value below 2^52 rounds it to an integer, half to even, and leaves that
    // integer in the low bits of the sum (whose unit in the last place is 1).
    Some((
        x.is_sign_negative(),
        (a + TWO52).to_bits() - TWO52.to_bits(),
    ))
}

/// Writes `v` as `%W.Pf` (`prec` <= 9, `width` <= 32) at `buf[pos..]` (at least [`FAST_ROOM`]
/// bytes free) and returns the new end; `None` for nan, infinities and magnitudes whose scaled
/// value does not fit a u64 (the general formatter takes those).
#[inline(always)]
pub(crate) fn write_fixed<F: FastFloat>(
    buf: &mut [u8],
    pos: usize,
    v: F,
    prec: usize,
    width: usize,
) -> Option<usize> {
    if (1..=7).contains(&prec)
        && let Some((neg, q)) = small_scaled(v, prec)
    {
        return Some(write_point8(buf, pos, neg, q, prec, width));
    }
    let (neg, m, e) = v.parts()?;
    let p10 = POW10_U64[prec];
    let q = scaled(m, e, p10)?;
    let (int, mut frac) = (q / p10, q % p10);
    let body = ndigits(int) + if prec > 0 { prec + 1 } else { 0 };
    let len = usize::from(neg) + body;
    let mut start = pos;
    if len < width {
        pad(buf, pos);
        start = pos + width - len;
    }
    let end = start + len;
    let mut at = end;
    if prec > 0 {
        for _ in 0..prec / 2 {
            at -= 2;
            buf[at..at + 2].copy_from_slice(&PAIRS[(frac % 100) as usize]);
            frac /= 100;
        }
        if prec % 2 == 1 {
            at -= 1;
            buf[at] = b'0' + frac as u8;
        }
        at -= 1;
        buf[at] = b'.';
    }
    digits_back(buf, at, int);
    if neg {
        buf[start] = b'-';
    }
    Some(end)
}

/// Writes `v` as `%W.3f` (the pedestals' format) at `buf[pos..]`; as [`write_fixed`] with
/// `prec` 3, with the divisions by constants.
#[inline(always)]
pub(crate) fn write_fixed3<F: FastFloat>(
    buf: &mut [u8],
    pos: usize,
    v: F,
    width: usize,
) -> Option<usize> {
    if let Some((neg, q)) = small_scaled(v, 3) {
        return Some(write_point8(buf, pos, neg, q, 3, width));
    }
    let (neg, m, e) = v.parts()?;
    let q = scaled(m, e, 1000)?;
    let (int, frac) = (q / 1000, (q % 1000) as usize);
    let len = usize::from(neg) + ndigits(int) + 4;
    let mut start = pos;
    if len < width {
        pad(buf, pos);
        start = pos + width - len;
    }
    let end = start + len;
    buf[end - 4] = b'.';
    buf[end - 3] = b'0' + (frac / 100) as u8;
    buf[end - 2..end].copy_from_slice(&PAIRS[frac % 100]);
    digits_back(buf, end - 4, int);
    if neg {
        buf[start] = b'-';
    }
    Some(end)
}

/// The tokens of `line` split a byte at a time (the tests' reference).
#[cfg(test)]
pub(crate) fn reference_tokens(line: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if is_blank(line[i]) {
            i += 1;
            continue;
        }
        let s = i;
        while i < line.len() && !is_blank(line[i]) {
            i += 1;
        }
        out.push((s, i));
    }
    out
}

/// A random line of `len` bytes from `table` (the tests' generator): byte `i` is
/// `table[h(x, i) % 16]` for a cheap hash `h`.
#[cfg(test)]
pub(crate) fn random_line(x: u64, len: usize, table: &[u8; 16]) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let r = x.rotate_left(i as u32 * 7) ^ (i as u64).wrapping_mul(0x9e37_79b9);
            table[(r % 16) as usize]
        })
        .collect()
}

/// Tokens the short decimal path takes (for the tests of both readers).
#[cfg(test)]
pub(crate) const SHORT_TAKEN: &[&str] = &[
    "0",
    "-0",
    "0.000",
    "-0.000",
    "1.",
    ".5",
    "-.5",
    "1234.567",
    "-1234.567",
    "99999999",
    "12345678.",
    "-12345678.",
    "1234.5678",
    ".12345678",
    "-1234567.8",
    "0.0000001",
    "1500.013",
    "7",
    "1.5",
    "3.000",
];

/// Tokens it leaves to the general parser.
#[cfg(test)]
pub(crate) const SHORT_LEFT: &[&str] = &[
    "-",
    ".",
    "-.",
    "+1.5",
    "123456789",
    "1.12345678",
    "1234.56789",
    ".123456789",
    "1.2.3",
    "--1",
    "1-2",
    "nan",
    "1e5",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The general formatter's output, the reference of the fast one.
    fn reference_f64(fmt: &str, v: f64) -> Vec<u8> {
        let mut out = Vec::new();
        PyFormat::parse(fmt)
            .unwrap()
            .write_f64(&mut out, v)
            .unwrap();
        out
    }

    fn fast_fixed<F: FastFloat>(fmt: &str, v: F) -> Option<Vec<u8>> {
        let Some(FastFmt::Fixed { prec, width }) = FastFmt::of(&PyFormat::parse(fmt).unwrap())
        else {
            panic!("{fmt} has no fast fixed form");
        };
        let mut buf = vec![0u8; 3 + FAST_ROOM];
        let end = if prec == 3 {
            write_fixed3(&mut buf, 3, v, width)?
        } else {
            write_fixed(&mut buf, 3, v, prec, width)?
        };
        Some(buf[3..end].to_vec())
    }

    fn check_f32(v: f32) -> Result<(), String> {
        for fmt in [
            "%.3f", "%.0f", "%.1f", "%.2f", "%.4f", "%f", "%.9f", "%8.2f", "%12.3f", "%32.9f",
            "%3f",
        ] {
            let want = reference_f64(fmt, f64::from(v));
            if let Some(got) = fast_fixed(fmt, v) {
                if got != want {
                    return Err(format!(
                        "{fmt} of {v:e}: fast {:?}, reference {:?}",
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&want)
                    ));
                }
            } else if v.is_finite() && v.abs() < 1e9 {
                return Err(format!("{fmt} of {v:e}: the fast path declined"));
            }
        }
        Ok(())
    }

    fn check_f64(v: f64) -> Result<(), String> {
        for fmt in ["%.3f", "%.0f", "%.2f", "%.6f", "%10.4f"] {
            let want = reference_f64(fmt, v);
            if let Some(got) = fast_fixed(fmt, v)
                && got != want
            {
                return Err(format!(
                    "{fmt} of {v:e}: fast {:?}, reference {:?}",
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want)
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn fixed_edge_values_equal_the_general_formatter() {
        let mut edges: Vec<f32> = vec![
            0.0,
            -0.0,
            -0.0001,
            0.0005,
            0.0625,
            0.1875,
            -0.0625,
            1.0005,
            2.5,
            0.5,
            1.5,
            999.9995,
            999.9996,
            -999.9995,
            1e-45,
            -1e-45,
            f32::MIN_POSITIVE,
            1.17e-38,
            16777216.0,
            16777215.5,
            f32::from_bits(0x4a7f_ffff), // 4194303.75
            1e9,
            -1e9,
            9.999_999e8,
            3.4e38,
            f32::MAX,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        // Exact ties: odd/16 is a tie at 3 decimals, odd/32 at 4, odd/8 at 2, odd/4 at 1,
        // odd/2 at 0; and values near pedestals' three decimals.
        for k in 0..3000 {
            let odd = (2 * k + 1) as f32;
            for d in [2.0, 4.0, 8.0, 16.0, 32.0] {
                edges.push(odd / d);
                edges.push(-odd / d);
            }
            edges.push(1500.0 + k as f32 * 0.0005);
        }
        // Around the limit of the eight-digit path: scaled values near 10^8 (9 digits) and
        // 99 999 999.5 for every precision it takes, a few float32 steps either side.
        for p in 0..8 {
            for edge in [1e8f64, 99_999_999.5] {
                let v = (edge / 10f64.powi(p)) as f32;
                for step in -3i32..=3 {
                    let w = f32::from_bits(v.to_bits().wrapping_add_signed(step));
                    edges.extend([w, -w]);
                }
            }
        }
        for v in edges {
            check_f32(v).unwrap();
            check_f64(f64::from(v)).unwrap();
        }
        for v in [
            0.1,
            2.675,
            1e15,
            9.2e15,
            1.8e16,
            1e-300,
            5e-324,
            f64::MAX,
            0.000_5,
            123_456.789_5,
        ] {
            check_f64(v).unwrap();
            check_f64(-v).unwrap();
        }
    }

    /// A token as the reader sees it: start, end, short decimal, short integer.
    type Seen = (usize, usize, Option<Short>, Option<(bool, u64)>);

    /// The tokens of `line` as the reader sees them.
    fn tokens(line: &[u8]) -> Vec<Seen> {
        let mut out = Vec::new();
        for_each_token(line, 0, line.len(), |t| {
            out.push((t.start, t.end, t.short(), t.short_int()));
            Some(())
        });
        out
    }

    /// Checks every token of `line` against a byte-at-a-time split and the standard parsers:
    /// a short decimal's value is `str::parse::<f64>`'s, a short integer's `str::parse::<i64>`'s;
    /// returns the tokens taken as short decimals.
    fn check_line(line: &[u8]) -> Result<Vec<String>, String> {
        let got = tokens(line);
        let spans: Vec<(usize, usize)> = got.iter().map(|t| (t.0, t.1)).collect();
        if spans != super::reference_tokens(line) {
            return Err(format!(
                "{:?}: spans {spans:?}",
                String::from_utf8_lossy(line)
            ));
        }
        let mut shorts = Vec::new();
        for (s, e, short, int) in got {
            let tok = std::str::from_utf8(&line[s..e]).map_err(|e| e.to_string())?;
            if let Some(v) = short {
                let want: f64 = tok.parse().map_err(|_| format!("{tok:?} taken as {v:?}"))?;
                if v.to_f64().to_bits() != want.to_bits() || v.point != tok.contains('.') {
                    return Err(format!("{tok:?}: {v:?} against {want}"));
                }
                shorts.push(tok.to_string());
            }
            if let Some((neg, m)) = int {
                let want: i64 = tok.parse().map_err(|_| format!("{tok:?} taken as {m}"))?;
                let m = m as i64;
                if (if neg { -m } else { m }) != want || tok.starts_with('+') {
                    return Err(format!("{tok:?}: {neg} {m} against {want}"));
                }
            }
        }
        Ok(shorts)
    }

    #[test]
    fn short_tokens_equal_the_standard_parsers() {
        // At every offset of the 64-byte windows, and at the end of the text.
        for pad in 0..70 {
            for &tok in SHORT_TAKEN {
                let line = format!("{}{tok} 1", " ".repeat(pad));
                let shorts = check_line(line.as_bytes()).unwrap();
                assert_eq!(shorts, [tok, "1"], "{line:?}");
                let line = format!("{}{tok}", " ".repeat(pad));
                assert_eq!(check_line(line.as_bytes()).unwrap(), [tok], "{line:?}");
            }
            for tok in SHORT_LEFT {
                let line = format!("{}{tok}\t", " ".repeat(pad));
                assert!(check_line(line.as_bytes()).unwrap().is_empty(), "{line:?}");
            }
        }
        // Integers: one digit, signs, eight digits, and what is left to the general parser.
        for (tok, want) in [
            ("5", Some((false, 5))),
            ("-5", Some((true, 5))),
            ("0042", Some((false, 42))),
            ("12345678", Some((false, 12_345_678))),
            ("123456789", None),
            ("+5", None),
            ("-", None),
            ("x", None),
            ("3.0", None),
        ] {
            let line = format!("  {tok}  ");
            assert_eq!(tokens(line.as_bytes())[0].3, want, "{tok}");
        }
    }

    #[test]
    fn reciprocal_product_rounds_as_the_quotient() {
        // Every digit string below 2^24 with every count of fraction digits: the float32 of
        // the product equals the float32 of the correctly rounded quotient.
        for frac in 1..=8 {
            let (p, r) = (POW10_F64[frac], RECIP10_F64[frac]);
            let bad = (0..1u32 << 24).find(|&m| {
                let m = f64::from(m);
                (m * r) as f32 != (m / p) as f32
            });
            assert_eq!(bad, None, "10^-{frac}");
        }
    }

    #[test]
    fn classify_equals_byte_tests() {
        let mut block = [0u8; 64];
        for first in (0..=255u8).step_by(64) {
            for (i, b) in block.iter_mut().enumerate() {
                *b = first.wrapping_add(i as u8);
            }
            assert_eq!(classify(&block), classify_bytes(&block));
            let (blank, digit) = classify_bytes(&block);
            for (i, &c) in block.iter().enumerate() {
                assert_eq!(blank >> i & 1 == 1, is_blank(c), "{c:#x}");
                assert_eq!(digit >> i & 1 == 1, c.is_ascii_digit(), "{c:#x}");
            }
        }
    }

    #[test]
    fn value8_equals_digit_loop() {
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 8) as usize + 1;
            let digits: Vec<u8> = (0..8).map(|i| b'0' + ((x >> (i * 5)) % 10) as u8).collect();
            let vals = load8(&digits, 0) ^ 0x3030_3030_3030_3030;
            let want = digits[..n]
                .iter()
                .fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
            assert_eq!(value8(vals, n), want);
        }
    }

    #[test]
    fn ndigits_equals_ilog10() {
        let reference = |n: u64| n.checked_ilog10().map_or(1, |l| l as usize + 1);
        let mut values = vec![0, 1, 9, 10, 11, u64::MAX, u64::MAX - 1];
        for p in POW10_U64 {
            values.extend([p - 1, p, p + 1]);
        }
        for b in 0..64 {
            values.extend([1u64 << b, (1u64 << b) - 1, (1u64 << b) + 1]);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 64));
        }
        for n in values {
            assert_eq!(ndigits(n), reference(n), "{n}");
        }
    }

    #[test]
    fn int_writer_equals_std() {
        let mut buf = vec![0u8; FAST_ROOM + 1];
        for n in
            [
                0u64,
                1,
                9,
                10,
                99,
                100,
                12345,
                999_999,
                1_234_567,
                9_999_999,
                10_000_000,
                99_999_999,
                u64::MAX,
                1 << 53,
                (1 << 53) + 1,
            ]
            .into_iter()
            .chain((0..3000u64).map(|i| {
                (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20) % 10u64.pow(1 + (i % 8) as u32)
            }))
        {
            for width in [0usize, 1, 2, 4, 6, 7, 8, 9, 21, 32] {
                for neg in [false, true] {
                    let end = write_int(&mut buf, 1, neg, n, width);
                    let s = if neg { format!("-{n}") } else { n.to_string() };
                    assert_eq!(
                        String::from_utf8_lossy(&buf[1..end]),
                        format!("{s:>width$}")
                    );
                }
            }
        }
    }

    #[test]
    fn tokens_equal_a_byte_split_on_random_lines() {
        let mut x: u64 = 0x0123_4567_89ab_cdef;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 200) as usize;
            check_line(&super::random_line(x, len, b"\t\r.-e     02468:")).unwrap();
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn fixed_equals_general_on_random_f32(bits in proptest::prelude::any::<u32>(), scaled_bits in 0u32..16_384_000) {
            let v = f32::from_bits(bits);
            check_f32(v).map_err(proptest::test_runner::TestCaseError::fail)?;
            // Pedestal-like: three decimals in 0..16384, and their neighbours.
            let p = scaled_bits as f32 / 1000.0;
            for w in [p, -p, f32::from_bits(p.to_bits() + 1), f32::from_bits(p.to_bits().saturating_sub(1))] {
                check_f32(w).map_err(proptest::test_runner::TestCaseError::fail)?;
            }
        }

        #[test]
        fn fixed_equals_general_on_random_f64(bits in proptest::prelude::any::<u64>()) {
            let v = f64::from_bits(bits);
            for w in [v, v % 1e6, v % 1e12] {
                check_f64(w).map_err(proptest::test_runner::TestCaseError::fail)?;
            }
        }

        #[test]
        fn short_tokens_on_random_decimals(int in 0u64..100_000_000, frac in 0u64..100_000_000, fd in 0usize..9, id in 0usize..9, neg in proptest::prelude::any::<bool>(), pad in 0usize..64, next in "[ \r\t]") {
            let int_s = format!("{int:0id$}");
            let int_s = &int_s[int_s.len().saturating_sub(id)..];
            let frac_s = format!("{frac:08}");
            let frac_s = &frac_s[..fd];
            let sign = if neg { "-" } else { "" };
            for tok in [format!("{sign}{int_s}.{frac_s}"), format!("{sign}{int_s}")] {
                let line = format!("{}{tok}{next}", " ".repeat(pad));
                let shorts = check_line(line.as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
                // Every shape of one to eight digits is taken.
                let digits = int_s.len() + if tok.contains('.') { fd } else { 0 };
                proptest::prop_assert_eq!(shorts.len(), usize::from((1..=8).contains(&digits)), "{:?}", line);
            }
        }
    }
}
