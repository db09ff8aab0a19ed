/*!
Python's `%` formatting of numbers (`%.3f`, `%4i`, `%6i`, `%8.2f`, `%d`, `%1d`, `%.4e`, `%g`).

numpy's `savetxt` formats every value with Python's `%` operator, so byte-identical constants
files need the same rules: `%f` rounds the exact binary value of the number to the requested
digits with ties to even; `%d` and `%i` applied to a float truncate toward zero; `nan` and `inf`
print in lower case.
*/

use std::fmt;

use crate::error::{Error, Result};

/// A conversion type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    /// `%f`, `%F`.
    Fixed { upper: bool },
    /// `%e`, `%E`.
    Exp { upper: bool },
    /// `%g`, `%G`.
    General { upper: bool },
    /// `%d`, `%i`, `%u`.
    Int,
}

/// A parsed `%` format for one number, with optional literal text around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyFormat {
    text: String,
    prefix: String,
    suffix: String,
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
    conv: Conv,
}

impl fmt::Display for PyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for PyFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        PyFormat::parse(s)
    }
}

fn bad_fmt(fmt: &str, reason: &str) -> Error {
    Error::BadName {
        kind: "number format",
        name: fmt.to_string(),
        reason: reason.to_string(),
    }
}

impl PyFormat {
    /// Parses a format such as `%.3f`, `%4i` or `%8.2f` (exactly one conversion).
    pub fn parse(fmt: &str) -> Result<PyFormat> {
        let bytes = fmt.as_bytes();
        // Find the one conversion; "%%" is a literal percent sign.
        let mut i = 0;
        let mut start = None;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                if bytes.get(i + 1) == Some(&b'%') {
                    i += 2;
                    continue;
                }
                if start.is_some() {
                    return Err(bad_fmt(fmt, "more than one conversion"));
                }
                start = Some(i);
            }
            i += 1;
        }
        let start = start.ok_or_else(|| bad_fmt(fmt, "no conversion such as %.3f or %d"))?;
        let mut j = start + 1;
        let (mut left, mut zero, mut plus, mut space, mut alt) =
            (false, false, false, false, false);
        while let Some(&c) = bytes.get(j) {
            match c {
                b'-' => left = true,
                b'0' => zero = true,
                b'+' => plus = true,
                b' ' => space = true,
                b'#' => alt = true,
                _ => break,
            }
            j += 1;
        }
        let digits = |j: &mut usize| -> Result<Option<usize>> {
            let s = *j;
            while bytes.get(*j).is_some_and(u8::is_ascii_digit) {
                *j += 1;
            }
            if s == *j {
                return Ok(None);
            }
            let n: usize = fmt[s..*j]
                .parse()
                .map_err(|_| bad_fmt(fmt, "width too large"))?;
            if n > 1000 {
                return Err(bad_fmt(fmt, "width or precision above 1000"));
            }
            Ok(Some(n))
        };
        let width = digits(&mut j)?.unwrap_or(0);
        let precision = if bytes.get(j) == Some(&b'.') {
            j += 1;
            Some(digits(&mut j)?.unwrap_or(0))
        } else {
            None
        };
        // Python accepts and ignores a length modifier.
        while matches!(bytes.get(j), Some(b'h' | b'l' | b'L')) {
            j += 1;
        }
        let conv = match bytes.get(j) {
            Some(b'f') => Conv::Fixed { upper: false },
            Some(b'F') => Conv::Fixed { upper: true },
            Some(b'e') => Conv::Exp { upper: false },
            Some(b'E') => Conv::Exp { upper: true },
            Some(b'g') => Conv::General { upper: false },
            Some(b'G') => Conv::General { upper: true },
            Some(b'd' | b'i' | b'u') => Conv::Int,
            Some(_) => return Err(bad_fmt(fmt, "conversion must be one of f F e E g G d i u")),
            None => return Err(bad_fmt(fmt, "incomplete conversion")),
        };
        let unpercent = |s: &str| s.replace("%%", "%");
        Ok(PyFormat {
            text: fmt.to_string(),
            prefix: unpercent(&fmt[..start]),
            suffix: unpercent(&fmt[j + 1..]),
            left,
            zero,
            plus,
            space,
            alt,
            width,
            precision,
            conv,
        })
    }

    /// The format as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the conversion is an integer one (`%d`, `%i`, `%u`).
    pub fn is_integer(&self) -> bool {
        self.conv == Conv::Int
    }

    /// The shape of the format, for the fast formatters of `fastnum`.
    pub(crate) fn parts(&self) -> FormatParts {
        FormatParts {
            plain: self.prefix.is_empty()
                && self.suffix.is_empty()
                && !(self.left || self.zero || self.plus || self.space || self.alt),
            fixed: matches!(self.conv, Conv::Fixed { .. }),
            int: self.conv == Conv::Int,
            width: self.width,
            precision: self.precision,
        }
    }

    /// Appends a float formatted as Python formats `fmt % value`.
    ///
    /// Fails only for `%d`/`%i` of a NaN or infinite value, as Python does.
    pub fn write_f64(&self, out: &mut Vec<u8>, v: f64) -> Result<()> {
        if self.conv == Conv::Int {
            if !v.is_finite() {
                return Err(Error::invalid(format!(
                    "cannot format {v} with {} (not an integer)",
                    self.text
                )));
            }
            // Python's int() of a float truncates toward zero; i128 holds every f64 below 2^127.
            let t = v.trunc();
            if t.abs() < 1.7e38 {
                self.write_int(out, t as i128);
            } else {
                let digits = format!("{t:.0}");
                self.finish(
                    out,
                    digits.starts_with('-'),
                    digits.trim_start_matches('-').as_bytes(),
                    self.zero,
                );
            }
            return Ok(());
        }
        let neg = v.is_sign_negative() && !v.is_nan();
        if !v.is_finite() {
            let s: &[u8] = if v.is_nan() { b"nan" } else { b"inf" };
            let upper = self.upper();
            // Python pads nan/inf with spaces even with the 0 flag.
            let body: Vec<u8> = s
                .iter()
                .map(|c| if upper { c.to_ascii_uppercase() } else { *c })
                .collect();
            self.finish(out, neg, &body, false);
            return Ok(());
        }
        let a = v.abs();
        let (prec, alt) = (self.precision, self.alt);
        let prec_or_6 = prec.unwrap_or(6);
        match self.conv {
            Conv::Fixed { .. } => {
                let point = alt && prec == Some(0);
                if let Some(small) = SmallFixed::new(a, prec_or_6, point) {
                    self.finish(out, neg, small.as_bytes(), self.zero);
                } else {
                    let mut body = Vec::new();
                    write_fixed(&mut body, a, prec_or_6);
                    if point {
                        body.push(b'.');
                    }
                    self.finish(out, neg, &body, self.zero);
                }
            }
            Conv::Exp { upper } => {
                let mut body = Vec::new();
                write_exp(&mut body, a, prec_or_6, upper, alt);
                self.finish(out, neg, &body, self.zero);
            }
            Conv::General { upper } => {
                let mut body = Vec::new();
                write_general(&mut body, a, prec_or_6, upper, alt);
                self.finish(out, neg, &body, self.zero);
            }
            Conv::Int => unreachable!("handled above"),
        }
        Ok(())
    }

    /// Appends an integer formatted as Python formats `fmt % value`.
    pub fn write_int(&self, out: &mut Vec<u8>, v: i128) {
        if self.conv != Conv::Int {
            // Python converts the integer to a float first (exact below 2^53).
            self.write_f64(out, v as f64)
                .expect("finite floats always format");
            return;
        }
        let mut buf = itoa::Buffer::new();
        let digits = buf.format(v.unsigned_abs()).as_bytes();
        // "%.3d" pads the digits with zeros to the precision.
        let prec = self.precision.unwrap_or(0);
        if prec <= digits.len() {
            self.finish(out, v < 0, digits, self.zero);
        } else {
            let mut body = vec![b'0'; prec - digits.len()];
            body.extend_from_slice(digits);
            self.finish(out, v < 0, &body, self.zero);
        }
    }

    fn upper(&self) -> bool {
        matches!(
            self.conv,
            Conv::Fixed { upper: true } | Conv::Exp { upper: true } | Conv::General { upper: true }
        )
    }

    /// Writes prefix, sign, `body`, padding to the width, and suffix.
    fn finish(&self, out: &mut Vec<u8>, neg: bool, body: &[u8], zero: bool) {
        out.extend_from_slice(self.prefix.as_bytes());
        let sign: &[u8] = if neg {
            b"-"
        } else if self.plus {
            b"+"
        } else if self.space {
            b" "
        } else {
            b""
        };
        let fill = self.width.saturating_sub(sign.len() + body.len());
        if self.left {
            out.extend_from_slice(sign);
            out.extend_from_slice(body);
            out.resize(out.len() + fill, b' ');
        } else if zero {
            out.extend_from_slice(sign);
            out.resize(out.len() + fill, b'0');
            out.extend_from_slice(body);
        } else {
            out.resize(out.len() + fill, b' ');
            out.extend_from_slice(sign);
            out.extend_from_slice(body);
        }
        out.extend_from_slice(self.suffix.as_bytes());
    }
}

/// The shape of a format (see [`PyFormat::parts`]).
pub(crate) struct FormatParts {
    /// No literal text and no flags.
    pub plain: bool,
    /// `%f` or `%F`.
    pub fixed: bool,
    /// `%d`, `%i` or `%u`.
    pub int: bool,
    /// The minimum width.
    pub width: usize,
    /// The precision, if given.
    pub precision: Option<usize>,
}

const POW10: [u128; 21] = {
    let mut t = [1u128; 21];
    let mut i = 1;
    while i < 21 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// A fixed-point body of a finite, non-negative value that fits 19 digits, built on the stack
/// (the common case of constants files, formatted without allocating).
struct SmallFixed {
    buf: [u8; 24],
    len: usize,
}

impl SmallFixed {
    /// `a` with `prec` digits after the point (and a final `.` if `point`), or `None` when the
    /// scaled value does not fit a u64 or `prec` is above 19.
    fn new(a: f64, prec: usize, point: bool) -> Option<SmallFixed> {
        if prec > 19 {
            return None;
        }
        let q = u64::try_from(fixed_scaled(a, prec)?).ok()?;
        let mut digits = itoa::Buffer::new();
        let d = digits.format(q).as_bytes();
        // At least one digit before the point: "0.005", not ".005".
        let total = d.len().max(prec + 1);
        let zeros = total - d.len();
        let mut buf = [b'0'; 24];
        let int_len = total - prec;
        // Lay out zeros + digits, then open a gap for the point after the integer part.
        let mut all = [b'0'; 20];
        all[zeros..total].copy_from_slice(d);
        buf[..int_len].copy_from_slice(&all[..int_len]);
        let mut len = int_len;
        if prec > 0 {
            buf[len] = b'.';
            buf[len + 1..len + 1 + prec].copy_from_slice(&all[int_len..total]);
            len += 1 + prec;
        }
        if point {
            buf[len] = b'.';
            len += 1;
        }
        Some(SmallFixed { buf, len })
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Writes a finite, non-negative `a` with `prec` digits after the point, rounding the exact
/// binary value half to even (what Python and C printf do).
fn write_fixed(out: &mut Vec<u8>, a: f64, prec: usize) {
    if let Some(q) = fixed_scaled(a, prec) {
        let mut buf = itoa::Buffer::new();
        let (int, frac) = if q <= u64::MAX as u128 && prec <= 19 {
            let p = POW10[prec] as u64;
            let q = q as u64;
            ((q / p) as u128, (q % p) as u128)
        } else {
            let p = POW10[prec];
            (q / p, q % p)
        };
        out.extend_from_slice(buf.format(int).as_bytes());
        if prec > 0 {
            out.push(b'.');
            let f = buf.format(frac).as_bytes();
            out.extend(std::iter::repeat_n(b'0', prec - f.len()));
            out.extend_from_slice(f);
        }
    } else {
        // Large magnitudes or precisions: the standard library's exact formatting.
        out.extend_from_slice(format!("{a:.prec$}").as_bytes());
    }
}

/// `round_half_even(a * 10^prec)` computed exactly from the binary representation, if it fits.
fn fixed_scaled(a: f64, prec: usize) -> Option<u128> {
    if prec > 20 {
        return None;
    }
    let bits = a.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    if m == 0 {
        return Some(0);
    }
    let n = (m as u128) * POW10[prec]; // < 2^53 * 10^20 < 2^120
    if e >= 0 {
        // An integer value; it must still fit after scaling.
        let e = e as u32;
        if e > 7 || (n.leading_zeros() as i64) <= e as i64 {
            return None;
        }
        return Some(n << e);
    }
    let k = (-e) as u32;
    if k >= 121 {
        // n < 2^120 <= 2^(k-1): below one half, rounds to zero.
        return Some(0);
    }
    let q = n >> k;
    let r = n & ((1u128 << k) - 1);
    let half = 1u128 << (k - 1);
    Some(if r > half || (r == half && q & 1 == 1) {
        q + 1
    } else {
        q
    })
}

/// Writes `a` as Python's `%e`: mantissa with `prec` digits, exponent with sign and 2+ digits.
fn write_exp(out: &mut Vec<u8>, a: f64, prec: usize, upper: bool, alt: bool) {
    let s = format!("{a:.prec$e}");
    let (mant, exp) = s.split_once('e').expect("exponent format has an e");
    out.extend_from_slice(mant.as_bytes());
    if alt && prec == 0 {
        out.push(b'.');
    }
    out.push(if upper { b'E' } else { b'e' });
    let (esign, edigits) = match exp.strip_prefix('-') {
        Some(d) => (b'-', d),
        None => (b'+', exp),
    };
    out.push(esign);
    if edigits.len() < 2 {
        out.push(b'0');
    }
    out.extend_from_slice(edigits.as_bytes());
}

/// Writes `a` as Python's `%g`.
fn write_general(out: &mut Vec<u8>, a: f64, prec: usize, upper: bool, alt: bool) {
    let p = if prec == 0 { 1 } else { prec };
    if a == 0.0 {
        out.push(b'0');
        if alt {
            out.push(b'.');
            out.extend(std::iter::repeat_n(b'0', p - 1));
        }
        return;
    }
    // The exponent after rounding to p significant digits.
    let s = format!("{a:.prec$e}", prec = p - 1);
    let x: i32 = s
        .split_once('e')
        .expect("exponent")
        .1
        .parse()
        .expect("integer exponent");
    let mut body = Vec::new();
    if x >= -4 && x < p as i32 {
        write_fixed(&mut body, a, (p as i32 - 1 - x) as usize);
    } else {
        write_exp(&mut body, a, p - 1, upper, false);
    }
    if !alt {
        // Drop trailing zeros of the fraction, and the point if nothing follows it.
        let (num, rest) = match body.iter().position(|&c| c == b'e' || c == b'E') {
            Some(i) => body.split_at(i),
            None => (&body[..], &[][..]),
        };
        let mut num = num.to_vec();
        if num.contains(&b'.') {
            while num.last() == Some(&b'0') {
                num.pop();
            }
            if num.last() == Some(&b'.') {
                num.pop();
            }
        }
        num.extend_from_slice(rest);
        body = num;
    }
    out.extend_from_slice(&body);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, v: f64) -> String {
        let mut out = Vec::new();
        PyFormat::parse(fmt)
            .unwrap()
            .write_f64(&mut out, v)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn i(fmt: &str, v: i128) -> String {
        let mut out = Vec::new();
        PyFormat::parse(fmt).unwrap().write_int(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fixed_matches_python_examples() {
        // Values checked with CPython: '%.3f' % x.
        assert_eq!(f("%.3f", 0.0), "0.000");
        assert_eq!(f("%.3f", -0.0), "-0.000");
        assert_eq!(f("%.3f", -0.0001), "-0.000");
        assert_eq!(f("%.3f", 2874.6666666), "2874.667");
        assert_eq!(f("%.3f", 0.0005), "0.001"); // 0.0005 is slightly above the tie in binary
        assert_eq!(f("%.3f", 0.0625), "0.062"); // exact tie, to even
        assert_eq!(f("%.3f", 0.1875), "0.188"); // exact tie, to even
        assert_eq!(f("%.1f", 0.25), "0.2");
        assert_eq!(f("%.1f", 0.35), "0.3"); // 0.35 is below the tie in binary
        assert_eq!(f("%.0f", 0.5), "0");
        assert_eq!(f("%.0f", 1.5), "2");
        assert_eq!(f("%.0f", 2.5), "2");
        assert_eq!(f("%.4f", 41.5), "41.5000");
        assert_eq!(f("%8.2f", 3.14259), "    3.14");
        assert_eq!(f("%8.2f", -3.14259), "   -3.14");
        assert_eq!(f("%-8.2f|", 3.0), "3.00    |");
        assert_eq!(f("%08.2f", -3.0), "-0003.00");
        assert_eq!(f("%+.1f", 3.0), "+3.0");
        assert_eq!(f("%f", 1.0), "1.000000");
        assert_eq!(f("%.3f", 1e300).len(), 305);
        assert_eq!(f("%.3f", f64::NAN), "nan");
        assert_eq!(f("%.3f", f64::INFINITY), "inf");
        assert_eq!(f("%8.3f", f64::NEG_INFINITY), "    -inf");
        assert_eq!(f("%.3f", 5e-324), "0.000");
        assert_eq!(f("%.20f", 0.1), "0.10000000000000000555");
    }

    #[test]
    fn integers_and_truncation() {
        assert_eq!(f("%4i", 3.9), "   3");
        assert_eq!(f("%4i", -3.9), "  -3");
        assert_eq!(f("%6i", 16383.0), " 16383");
        assert_eq!(f("%d", 64.0), "64");
        assert_eq!(f("%1d", 1.0), "1");
        assert_eq!(f("%d", -0.5), "0");
        assert_eq!(i("%d", u64::MAX as i128), "18446744073709551615");
        assert_eq!(i("%4i", 7), "   7");
        assert_eq!(i("%04d", -7), "-007");
        assert_eq!(i("%.3d", 7), "007");
        assert_eq!(i("%.3f", 7), "7.000");
        let mut out = Vec::new();
        assert!(
            PyFormat::parse("%d")
                .unwrap()
                .write_f64(&mut out, f64::NAN)
                .is_err()
        );
    }

    #[test]
    fn exponent_and_general() {
        assert_eq!(f("%e", 1.0), "1.000000e+00");
        assert_eq!(f("%.3e", 12345.678), "1.235e+04");
        assert_eq!(f("%.2E", 1e-100), "1.00E-100");
        assert_eq!(f("%g", 0.0001), "0.0001");
        assert_eq!(f("%g", 0.00001), "1e-05");
        assert_eq!(f("%g", 123456.0), "123456");
        assert_eq!(f("%g", 1234567.0), "1.23457e+06");
        assert_eq!(f("%g", 0.0), "0");
        assert_eq!(f("%.3g", 2.5), "2.5");
        assert_eq!(f("%#.3g", 2.5), "2.50");
    }

    #[test]
    fn literal_text_and_errors() {
        assert_eq!(f("v=%.1f%%", 2.0), "v=2.0%");
        assert!(PyFormat::parse("%s").is_err());
        assert!(PyFormat::parse("abc").is_err());
        assert!(PyFormat::parse("%d %d").is_err());
        assert!(PyFormat::parse("%.").is_err());
        assert!(PyFormat::parse("%99999999999999999999d").is_err());
    }

    /// The exact decimal expansion of a finite non-negative f32, by schoolbook digit arithmetic:
    /// (integer digits, fraction digits). Independent of the binary-integer method used above.
    fn exact_decimal(v: f32) -> (Vec<u8>, Vec<u8>) {
        let bits = v.to_bits();
        let exp = ((bits >> 23) & 0xff) as i32;
        let frac = bits & 0x7f_ffff;
        let (mut m, mut e) = if exp == 0 {
            (frac, -149)
        } else {
            (frac | 0x80_0000, exp - 150)
        };
        while m != 0 && m % 2 == 0 && e < 0 {
            m /= 2;
            e += 1;
        }
        // Digits of m, most significant first.
        let mut digits: Vec<u8> = m.to_string().bytes().map(|b| b - b'0').collect();
        let mut point = digits.len(); // digits[..point] is the integer part
        if e > 0 {
            for _ in 0..e {
                // Multiply the digit string by 2.
                let mut carry = 0;
                for d in digits.iter_mut().rev() {
                    let x = *d * 2 + carry;
                    *d = x % 10;
                    carry = x / 10;
                }
                if carry > 0 {
                    digits.insert(0, carry);
                }
            }
            point = digits.len();
        }
        for _ in 0..(-e).max(0) {
            // Divide by 2: multiply by 5 and move the point one place left.
            let mut carry = 0;
            for d in digits.iter_mut().rev() {
                let x = *d * 5 + carry;
                *d = x % 10;
                carry = x / 10;
            }
            if carry > 0 {
                digits.insert(0, carry);
                point += 1;
            }
            if point == 0 {
                digits.insert(0, 0);
                point = 1;
            }
            point -= 1;
        }
        let (int, fr) = digits.split_at(point);
        let int = if int.is_empty() {
            vec![0]
        } else {
            int.to_vec()
        };
        (int, fr.to_vec())
    }

    /// Rounds an exact decimal to `prec` places, half to even, by digit arithmetic.
    fn round_decimal(int: &[u8], fr: &[u8], prec: usize) -> String {
        let mut kept: Vec<u8> = int
            .iter()
            .chain(fr.iter().chain(std::iter::repeat(&0)).take(prec))
            .copied()
            .collect();
        let rest: Vec<u8> = fr.iter().skip(prec).copied().collect();
        let first = rest.first().copied().unwrap_or(0);
        let beyond = rest.iter().skip(1).any(|&d| d != 0);
        let last_odd = kept.last().is_some_and(|d| d % 2 == 1);
        if first > 5 || (first == 5 && (beyond || last_odd)) {
            let mut i = kept.len();
            loop {
                if i == 0 {
                    kept.insert(0, 1);
                    break;
                }
                i -= 1;
                if kept[i] == 9 {
                    kept[i] = 0;
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
        let split = kept.len() - prec;
        let mut s: String = kept[..split].iter().map(|d| (b'0' + d) as char).collect();
        let s2 = s.trim_start_matches('0').to_string();
        s = if s2.is_empty() { "0".to_string() } else { s2 };
        if prec > 0 {
            s.push('.');
            s.extend(kept[split..].iter().map(|d| (b'0' + d) as char));
        }
        s
    }

    #[test]
    fn percent_3f_matches_an_independent_exact_computation() {
        // 100 000 random float32 values of pedestal-like and general magnitudes, plus exact ties.
        let mut x: u64 = 0x2545f4914f6cdd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut values: Vec<f32> = Vec::new();
        for i in 0..100_000 {
            let r = next();
            let v = match i % 4 {
                0 => (r % 16_384_000) as f32 / 1000.0, // 0..16384 with 3 decimals
                1 => (r as u32 as f32 / u32::MAX as f32) * 20000.0 - 100.0, // pedestal range
                2 => (r % 2_000_000) as f32 / 16.0 - 5000.0, // exact binary ties
                _ => f32::from_bits(r as u32 & 0x7fff_ffff).min(1e7), // any finite magnitude
            };
            if v.is_finite() {
                values.push(v);
            }
        }
        let fmt = PyFormat::parse("%.3f").unwrap();
        let mut ties = 0;
        for v in values {
            let (int, fr) = exact_decimal(v.abs());
            if fr.len() > 3 && fr[3] == 5 && fr[4..].iter().all(|&d| d == 0) {
                ties += 1;
            }
            let mut want = round_decimal(&int, &fr, 3);
            if v.is_sign_negative() {
                want.insert(0, '-');
            }
            let mut got = Vec::new();
            fmt.write_f64(&mut got, v as f64).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), want, "{v:e}");
        }
        assert!(ties > 1000, "the sample holds exact ties ({ties})");
    }

    #[test]
    fn fast_path_agrees_with_std_exact_formatting() {
        // The standard library formats the exact binary value too; the fast path must agree.
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f32::from_bits((x >> 32) as u32);
            if !v.is_finite() {
                continue;
            }
            let a = (v as f64).abs();
            for prec in [0usize, 1, 3, 4, 6] {
                let mut got = Vec::new();
                write_fixed(&mut got, a, prec);
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    format!("{a:.prec$}"),
                    "{a:e} %.{prec}f"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// `%.Nf` and `%W.Nf` equal the standard library's exact fixed formatting (round half to
        /// even on the binary value, as Python and C do), for doubles and for float32 values.
        #[test]
        fn fixed_equals_std(bits in proptest::prelude::any::<u64>(), prec in 0usize..12, width in 0usize..14) {
            let v = f64::from_bits(bits);
            for v in [v, f64::from(v as f32), (v as f32 as f64 % 70000.0)] {
                if v.is_finite() {
                    proptest::prop_assert_eq!(f(&format!("%.{prec}f"), v), format!("{v:.prec$}"));
                    proptest::prop_assert_eq!(f(&format!("%{width}.{prec}f"), v), format!("{v:>width$.prec$}"));
                    proptest::prop_assert_eq!(f(&format!("%0{width}.{prec}f"), v), format!("{v:0width$.prec$}"));
                }
            }
        }

        /// `%Wi`, `%0Wd` and `%-Wd` equal the standard library's integer formatting.
        #[test]
        fn int_equals_std(v in proptest::prelude::any::<i64>(), u in proptest::prelude::any::<u64>(), width in 0usize..24) {
            for v in [i128::from(v), i128::from(u), i128::from(v % 1000)] {
                proptest::prop_assert_eq!(i(&format!("%{width}i"), v), format!("{v:>width$}"));
                proptest::prop_assert_eq!(i(&format!("%0{width}d"), v), format!("{v:0width$}"));
                proptest::prop_assert_eq!(i(&format!("%-{width}d"), v), format!("{v:<width$}"));
                proptest::prop_assert_eq!(i("%d", v), v.to_string());
            }
        }
    }
}
