/*!
`%.Nf` (N of 1 to 7, no width) of float32 values eight at a time with AVX-512, each value
followed by a one-byte separator: the pedestals' `%.3f`, at several times the rate of one value
at a time.

A group of eight values takes the fast scalar path's steps side by side: the value as a double
times `10^N` (exact), rounded half to even by adding 2^52, split into eight decimal digits (four
and four, then two and two, then one and one, each split one multiplication per lane). Each
value's digits, its sign, the point and the separator are laid out in a 16-byte slot by one byte
permutation per four values; a bit mask keeps the sign of negative values and drops the leading
zeros of the integer part (one digit always kept), and a compress packs the kept bytes, which
are stored 64 at a time. A group with a value the scalar path would not take (nan, infinities,
`|v| * 10^N` from 99 999 999.5 on) is left to the caller, so that the bytes written are always
the scalar formatter's.
*/

/// The most bytes one value takes: a sign, eight digits, the point and the separator.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const MAX_VALUE: usize = 11;

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
/// Free bytes [`Fixed8::write`] needs after the write position for each group it writes (two
/// 64-byte stores, the second at most four values on).
pub(crate) const GROUP_ROOM: usize = 4 * MAX_VALUE + 64;

/// A `%.Nf` layout for [`Fixed8::write`], built once per format.
#[derive(Debug, Clone)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) struct Fixed8 {
    /// Digits after the point.
    prec: usize,
    /// For the slots of values 0-3 and 4-7: the byte each slot byte takes (from the digits of
    /// the eight values, or with bit 6 from `consts`).
    index: [[u8; 64]; 2],
    /// `-`, `.` and the separator.
    consts: [u8; 64],
    /// The integer digits of each value's eight digit bytes, one bit per digit.
    int_digits: u64,
    /// The slot bytes of four values' integer digits.
    slot_int: u64,
    /// The slot bytes kept for every value: the point, the fraction, the separator.
    slot_fixed: u64,
    /// The first integer digit kept whatever its value: the last, one bit in each byte.
    last_int: u64,
}

impl Fixed8 {
    /// The layout of `%.{prec}f` with `sep` after each value, where this machine runs it
    /// ([`crate::simd::avx512_vbmi2`]).
    pub(crate) fn new(prec: usize, sep: u8) -> Option<Fixed8> {
        (crate::simd::avx512_vbmi2() && (1..=7).contains(&prec)).then(|| Fixed8::layout(prec, sep))
    }

    /// The layout of `%.{prec}f`, whether or not this CPU can run it.
    fn layout(prec: usize, sep: u8) -> Fixed8 {
        // Slot bytes: 0 sign, 1..=g integer digits, g + 1 point, then the fraction, 10 the
        // separator (g = 8 - prec).
        let g = 8 - prec;
        let mut index = [[64 + 3u8; 64]; 2];
        for (half, idx) in index.iter_mut().enumerate() {
            for slot in 0..4 {
                let digit = |k: usize| (8 * (4 * half + slot) + k) as u8;
                let s = &mut idx[16 * slot..16 * slot + 16];
                s[0] = 64;
                for k in 0..g {
                    s[1 + k] = digit(k);
                }
                s[g + 1] = 64 + 1;
                for k in g..8 {
                    s[2 + k] = digit(k);
                }
                s[10] = 64 + 2;
            }
        }
        let mut consts = [0u8; 64];
        consts[..3].copy_from_slice(&[b'-', b'.', sep]);
        let each_slot = |bits: u64| (0..4).fold(0, |m, s| m | bits << (16 * s));
        let each_value = |bits: u64| (0..8).fold(0, |m, v| m | bits << (8 * v));
        Fixed8 {
            prec,
            index,
            consts,
            int_digits: each_value((1 << g) - 1),
            slot_int: each_slot(((1 << g) - 1) << 1),
            slot_fixed: each_slot(((1 << (prec + 2)) - 1) << (g + 1)),
            last_int: each_value(1 << (g - 1)),
        }
    }

    /// Writes the longest run of whole groups of eight at the start of `vals` that the scalar
    /// formatter would write on its fast path, each value followed by the separator, at
    /// `buf[pos..]`; returns how many values were written and the new end. Stops early where
    /// fewer than [`GROUP_ROOM`] bytes per group are left.
    pub(crate) fn write(&self, vals: &[f32], buf: &mut [u8], pos: usize) -> (usize, usize) {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: a `Fixed8` is only built by `new`, where the CPU has the features.
            unsafe { self.write_avx512(vals, buf, pos) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (vals, buf);
            (0, pos)
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx,avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi2,popcnt")]
    fn write_avx512(&self, vals: &[f32], buf: &mut [u8], mut pos: usize) -> (usize, usize) {
        use crate::fastnum::{POW10_F64, TWO52};
        use std::arch::x86_64::*;
        let scale = _mm512_set1_pd(POW10_F64[self.prec]);
        let limit = _mm512_set1_pd(99_999_999.5);
        let two52 = _mm512_set1_pd(TWO52);
        let two52_bits = _mm512_set1_epi64(TWO52.to_bits() as i64);
        // n / 10^4 = n * 109 951 163 >> 40 for n < 10^8 (`quarter_split_is_exact`).
        let by_1e4 = _mm512_set1_epi64(109_951_163);
        let ten4 = _mm512_set1_epi64(10_000);
        let (c10486, c100) = (_mm512_set1_epi16(10_486), _mm512_set1_epi16(100));
        let (c103, c10) = (_mm512_set1_epi16(103), _mm512_set1_epi16(10));
        let zeros = _mm512_set1_epi8(b'0' as i8);
        // SAFETY (loads): each array is 64 bytes.
        let (idx_lo, idx_hi, consts) = unsafe {
            (
                _mm512_loadu_si512(self.index[0].as_ptr().cast()),
                _mm512_loadu_si512(self.index[1].as_ptr().cast()),
                _mm512_loadu_si512(self.consts.as_ptr().cast()),
            )
        };
        let g = 8 - self.prec as u32;
        const SIGNS: u64 = 0x0001_0001_0001_0001;
        let mut done = 0;
        while done + 8 <= vals.len() && pos + GROUP_ROOM <= buf.len() {
            // SAFETY: `vals[done..done + 8]` is in bounds.
            let x = unsafe { _mm256_loadu_ps(vals.as_ptr().add(done)) };
            let s = _mm512_mul_pd(_mm512_cvtps_pd(x), scale);
            let a = _mm512_abs_pd(s);
            if _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, limit) != 0xff {
                break;
            }
            // Rounded half to even, as integers below 10^8.
            let q = _mm512_sub_epi64(_mm512_castpd_si512(_mm512_add_pd(a, two52)), two52_bits);
            // Four and four digits: the first four in the low half of each lane.
            let hi = _mm512_srli_epi64::<40>(_mm512_mul_epu32(q, by_1e4));
            let lo = _mm512_sub_epi64(q, _mm512_mul_epu32(hi, ten4));
            let v = _mm512_or_si512(hi, _mm512_slli_epi64::<32>(lo));
            // Two and two (n / 100 = n * 10486 >> 20 for n < 10^4), then one and one
            // (n / 10 = n * 103 >> 10 for n < 100).
            let h = _mm512_srli_epi16::<4>(_mm512_mulhi_epu16(v, c10486));
            let v = _mm512_or_si512(
                h,
                _mm512_slli_epi32::<16>(_mm512_sub_epi32(v, _mm512_mullo_epi16(h, c100))),
            );
            let t = _mm512_srli_epi16::<10>(_mm512_mullo_epi16(v, c103));
            let v = _mm512_or_si512(
                t,
                _mm512_slli_epi16::<8>(_mm512_sub_epi16(v, _mm512_mullo_epi16(t, c10))),
            );
            let digits = _mm512_or_si512(v, zeros);
            // Kept digits: from each value's first nonzero integer digit (or its last integer
            // digit) on: the bits of each byte smeared upwards.
            let mut keep = _mm512_cmpneq_epi8_mask(digits, zeros) | self.last_int;
            keep |= (keep << 1) & 0xfefe_fefe_fefe_fefe;
            keep |= (keep << 2) & 0xfcfc_fcfc_fcfc_fcfc;
            keep |= (keep << 4) & 0xf0f0_f0f0_f0f0_f0f0;
            let ints = _pext_u64(keep, self.int_digits);
            let neg = _mm256_movemask_ps(x) as u64;
            for (half, idx) in [(0, idx_lo), (1, idx_hi)] {
                let mask = _pdep_u64(ints >> (4 * g * half), self.slot_int)
                    | _pdep_u64(neg >> (4 * half), SIGNS)
                    | self.slot_fixed;
                let bytes =
                    _mm512_maskz_compress_epi8(mask, _mm512_permutex2var_epi8(digits, idx, consts));
                // SAFETY: `pos + 64 <= buf.len()` (the loop's condition, and at most four
                // values of `MAX_VALUE` bytes before the second store).
                unsafe { _mm512_storeu_si512(buf.as_mut_ptr().add(pos).cast(), bytes) };
                pos += mask.count_ones() as usize;
            }
            done += 8;
        }
        (done, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fastnum::{FAST_ROOM, write_fixed};

    /// `vals` written one at a time by the scalar fast path (`None` where it declines).
    fn scalar(vals: &[f32], prec: usize, sep: u8) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; vals.len() * 40 + FAST_ROOM];
        let mut pos = 0;
        for &v in vals {
            pos = write_fixed(&mut buf, pos, v, prec, 0)?;
            buf[pos] = sep;
            pos += 1;
        }
        buf.truncate(pos);
        Some(buf)
    }

    #[test]
    fn quarter_split_is_exact() {
        // The quotient is monotone and its error below one step: checking both sides of each
        // multiple of 10^4 checks every n below 10^8.
        for k in 1..10_000u64 {
            for n in [k * 10_000 - 1, k * 10_000] {
                assert_eq!((n * 109_951_163) >> 40, n / 10_000, "{n}");
            }
        }
        assert_eq!((99_999_999u64 * 109_951_163) >> 40, 9_999);
    }

    #[test]
    fn groups_equal_the_scalar_path() {
        let Some(_) = Fixed8::new(3, b' ') else {
            eprintln!("skipped: this CPU lacks AVX-512 VBMI2 (or DETCAL_AVX512=0)");
            return;
        };
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut vals: Vec<f32> = vec![
            0.0, -0.0, -0.0001, 0.0005, 0.0015, 0.0025, -0.0025, 1.0, 9.9995, 99999.99, -99999.99,
            99_999.999, 1e-45, -1e-45, 12_345.678, 16_383.999,
        ];
        for _ in 0..200_000 {
            let r = next();
            let v = match r % 4 {
                // Any bits (most beyond the fast range or nan: those groups are declined).
                0 => f32::from_bits(r as u32 >> 3 | ((r >> 40) as u32 & 0x3f80_0000)),
                // Pedestal-like: three decimals in 0..16384 and their neighbours.
                1 => (r >> 20) as u32 as f32 % 16_384_000.0 / 1000.0,
                2 => f32::from_bits(((r >> 20) % 16_384_000) as u32 + 0x3f00_0000),
                // Ties at 1 to 4 decimals, and small magnitudes.
                _ => {
                    ((r >> 32) % 200_000) as f32
                        / [2.0, 4.0, 16.0, 32.0][(r % 4) as usize]
                        / 1000f32.powi((r >> 8) as i32 % 3)
                }
            };
            vals.push(if r >> 63 == 1 { -v } else { v });
        }
        for prec in 1..=7 {
            let scaled = |v: f32| (f64::from(v) * 10f64.powi(prec as i32)).abs();
            // The values the fast path takes: written whole.
            let fast: Vec<f32> = vals
                .iter()
                .copied()
                .filter(|&v| scaled(v) < 99_999_999.5)
                .collect();
            assert!(fast.len() > 20_000, "%.{prec}f: {} values", fast.len());
            for sep in [b' ', b'\n'] {
                let f = Fixed8::new(prec, sep).unwrap();
                let mut buf = vec![0u8; fast.len() * MAX_VALUE + GROUP_ROOM];
                let (n, end) = f.write(&fast, &mut buf, 0);
                assert_eq!(n, fast.len() / 8 * 8, "%.{prec}f");
                let want = scalar(&fast[..n], prec, sep).unwrap();
                assert!(buf[..end] == want[..], "%.{prec}f: {} values", fast.len());
                // All values, in runs of 24: up to the first group it does not take.
                for run in vals.chunks(24) {
                    let mut buf = vec![0u8; run.len() * MAX_VALUE + GROUP_ROOM];
                    let (n, end) = f.write(run, &mut buf, 0);
                    assert_eq!(n % 8, 0);
                    let want = scalar(&run[..n], prec, sep).unwrap();
                    assert_eq!(
                        String::from_utf8_lossy(&buf[..end]),
                        String::from_utf8_lossy(&want),
                        "%.{prec}f of {:?}",
                        &run[..n]
                    );
                    let rest = &run[n..];
                    if rest.len() >= 8 {
                        assert!(
                            rest[..8]
                                .iter()
                                .any(|&v| scaled(v).is_nan() || scaled(v) >= 99_999_999.5)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn stops_where_the_buffer_ends() {
        let Some(f) = Fixed8::new(3, b' ') else {
            eprintln!("skipped: this CPU lacks AVX-512 VBMI2 (or DETCAL_AVX512=0)");
            return;
        };
        // "-12345.678 ": 11 bytes a value, 88 a group.
        let vals = [-12_345.678f32; 64];
        for len in [
            0,
            GROUP_ROOM - 1,
            GROUP_ROOM,
            GROUP_ROOM + 87,
            GROUP_ROOM + 88,
            1000,
        ] {
            let mut buf = vec![0u8; len];
            let (n, end) = f.write(&vals, &mut buf, 0);
            let groups = (0..8).filter(|k| 88 * k + GROUP_ROOM <= len).count();
            assert_eq!((n, end), (8 * groups, 88 * groups), "{len}");
            assert!(buf[..end].chunks(11).all(|v| v == b"-12345.678 "));
        }
    }
}
