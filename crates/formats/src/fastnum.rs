/*!
Fast paths for the number shapes that fill constants files: decimal tokens such as `1234.567`
and `-0.000` and short integers such as `64`, parsed eight bytes at a time; and `%.Nf` of float32
and float64 values and `%Wd` of integers, formatted straight into the output buffer.

Each fast path gives exactly what the general code gives or declines (returns `None`), and the
caller then uses the general code:

- A decimal `-?D.F` with at most 7 digits before and 7 after the point is `M / 10^k` with
  `M < 10^14 < 2^53` and `10^k` exact in a double, so one IEEE division rounds it correctly, as
  the standard library's parser (and numpy's) does.
- `%.Nf` rounds the exact binary value times `10^N` half to even; the fast path does it in u64
  arithmetic when the product fits, the general formatter in u128 or with the standard library.
*/

use crate::pyfmt::PyFormat;

/// Reads 8 bytes of `b` at `at` as a little-endian word (the first byte lowest).
#[inline(always)]
fn load8(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The bytes of `w` XOR `'0'` (digit values where they are digits), and how many of the first
/// bytes are ASCII digits (8 when all are).
#[inline(always)]
fn digits8(w: u64) -> (u64, usize) {
    let x = w ^ 0x3030_3030_3030_3030;
    // A byte is a digit when its XOR value is at most 9: then adding 0x76 keeps the high bit
    // clear. A carry out of a non-digit byte only disturbs the bytes after it.
    let non = (x.wrapping_add(0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080;
    (x, (non.trailing_zeros() / 8) as usize)
}

/// The value of the first `n` (1..=8) digit values of `x` (from [`digits8`]).
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

const POW10_F64: [f64; 8] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7];

/// Bytes a caller must have from the token start for [`decimal_prefix`] and [`int_prefix`].
pub(crate) const PREFIX_BYTES: usize = 17;

/// Parses a decimal `-?\d{0,7}(\.\d{0,7})?` with at least one digit at the start of `b` (which
/// must hold at least [`PREFIX_BYTES`] bytes), returning the correctly rounded double and the
/// bytes it used; `None` for any other shape (a `+`, an exponent, more digits, `nan`, ...).
#[inline(always)]
pub(crate) fn decimal_prefix(b: &[u8]) -> Option<(f64, usize)> {
    if b.len() < PREFIX_BYTES {
        return None;
    }
    let neg = b[0] == b'-';
    let s = usize::from(neg);
    let (x, i) = digits8(load8(b, s));
    if i == 8 {
        return None;
    }
    let int = if i == 0 { 0 } else { value8(x, i) };
    let mut p = s + i;
    let v = if b[p] == b'.' {
        let (x2, j) = digits8(load8(b, p + 1));
        if j == 8 || i + j == 0 {
            return None;
        }
        let frac = if j == 0 { 0 } else { value8(x2, j) };
        p += 1 + j;
        // int * 10^j + frac < 10^14 < 2^53 is exact, and so is 10^j: one rounding.
        ((int * POW10_U64[j] + frac) as i64) as f64 / POW10_F64[j]
    } else {
        if i == 0 {
            return None;
        }
        (int as i64) as f64
    };
    Some((if neg { -v } else { v }, p))
}

/// Parses an integer `-?\d{1,7}` at the start of `b` (at least [`PREFIX_BYTES`] bytes): the
/// sign, the magnitude and the bytes used; `None` for any other shape.
#[inline(always)]
pub(crate) fn int_prefix(b: &[u8]) -> Option<(bool, u64, usize)> {
    if b.len() < PREFIX_BYTES {
        return None;
    }
    let neg = b[0] == b'-';
    let s = usize::from(neg);
    let (x, i) = digits8(load8(b, s));
    if i == 0 || i == 8 {
        return None;
    }
    Some((neg, value8(x, i), s + i))
}

/// The position of the first byte at or after `at` (and before `end`) that is not one of the
/// blanks between values (space, tab, carriage return, form feed), spaces skipped 8 at a time.
#[inline(always)]
pub(crate) fn skip_blanks(b: &[u8], mut at: usize, end: usize) -> usize {
    // The common case: a run of fewer than 8 spaces, then no other blank.
    if at + 8 <= end {
        let skip = ((load8(b, at) ^ 0x2020_2020_2020_2020).trailing_zeros() / 8) as usize;
        if skip < 8 && !matches!(b[at + skip], b'\t' | b'\r' | b'\x0c') {
            return at + skip;
        }
    }
    while at < end {
        match b[at] {
            b' ' if at + 8 <= end => {
                let x = load8(b, at) ^ 0x2020_2020_2020_2020;
                at += (x.trailing_zeros() / 8) as usize;
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => at += 1,
            _ => break,
        }
    }
    at
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
}

impl FastFloat for f32 {
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

    #[test]
    fn decimal_prefix_equals_the_standard_parser() {
        let tail = "  \n 99999999999999";
        for tok in [
            "0",
            "-0",
            "0.000",
            "-0.000",
            "1.",
            ".5",
            "-.5",
            "1234.567",
            "-1234.567",
            "9999999.9999999",
            "0.0000001",
            "1500.013",
            "7",
            "1.5",
            "3.000",
        ] {
            let text = format!("{tok}{tail}");
            let (v, n) = decimal_prefix(text.as_bytes()).unwrap_or_else(|| panic!("{tok}"));
            assert_eq!(n, tok.len(), "{tok}");
            let want: f64 = tok.parse().unwrap();
            assert_eq!(v.to_bits(), want.to_bits(), "{tok}");
        }
        // Shapes left to the general parser.
        for tok in [
            "-",
            ".",
            "-.",
            "+1.5",
            "12345678",
            "1.12345678",
            "nan",
            "1e5",
            "",
            " 1",
        ] {
            let text = format!("{tok}{tail}");
            let got = decimal_prefix(text.as_bytes());
            assert!(
                got.is_none() || got.unwrap().1 < tok.len(),
                "{tok}: {got:?}"
            );
        }
        // Too short a buffer: declined, never out of bounds.
        assert!(decimal_prefix(b"1.5").is_none());
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
            let (vals, count) = digits8(load8(&digits, 0));
            assert_eq!(count, 8);
            let want = digits[..n]
                .iter()
                .fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
            assert_eq!(value8(vals, n), want);
        }
        // Every byte value stops the digit run where it is not a digit.
        for b in 0..=255u8 {
            let w = [b'1', b'2', b, b'3', b'4', b'5', b'6', b'7'];
            let want = if b.is_ascii_digit() { 8 } else { 2 };
            assert_eq!(digits8(load8(&w, 0)).1, want, "byte {b:#x}");
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
        for n in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            12345,
            9_999_999,
            u64::MAX,
            1 << 53,
            (1 << 53) + 1,
        ] {
            for width in [0usize, 1, 4, 6, 21, 32] {
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
    fn skip_blanks_equals_byte_loop() {
        let mut x: u64 = 0x0123_4567_89ab_cdef;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 40) as usize;
            let b: Vec<u8> = (0..len)
                .map(|i| match (x >> (i % 60)) % 11 {
                    0 => b'\t',
                    1 => b'\r',
                    2 => b'\x0c',
                    3 => b'1',
                    4 => b'\n',
                    _ => b' ',
                })
                .collect();
            for start in 0..len {
                for end in start..=len {
                    let mut want = start;
                    while want < end && matches!(b[want], b' ' | b'\t' | b'\r' | b'\x0c') {
                        want += 1;
                    }
                    assert_eq!(skip_blanks(&b, start, end), want, "{b:?} {start}..{end}");
                }
            }
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
        fn decimal_prefix_on_random_tokens(int in 0u64..100_000_000, frac in 0u64..100_000_000, fd in 0usize..9, id in 0usize..9, neg in proptest::prelude::any::<bool>(), next in "[ \n\r\t#x.e0-9-]") {
            let int_s = format!("{int:0id$}");
            let int_s = &int_s[int_s.len().saturating_sub(id)..];
            let frac_s = format!("{frac:08}");
            let frac_s = &frac_s[..fd];
            let sign = if neg { "-" } else { "" };
            for tok in [format!("{sign}{int_s}.{frac_s}"), format!("{sign}{int_s}")] {
                let text = format!("{tok}{next}                 ");
                if let Some((v, n)) = decimal_prefix(text.as_bytes()) {
                    // What it took must be a number equal to the standard parser's.
                    let want: f64 = text[..n].parse().map_err(|_| proptest::test_runner::TestCaseError::fail(format!("{:?} taken", &text[..n])))?;
                    proptest::prop_assert_eq!(v.to_bits(), want.to_bits(), "{:?}", &text[..n]);
                    proptest::prop_assert!(!text.as_bytes()[n].is_ascii_digit());
                }
            }
        }
    }
}
