/*!
Medians as numpy computes them, for the common-mode estimates.

Two ways, for two sizes:

- [`Network`]: a sorting network applied to [`LANES`] independent sets of values at once, one set
  per lane ("wire" `j` of lane `l` holds the `j`-th value of set `l`). The compare-exchange steps
  are the same for every lane, so they compile to vector min/max instructions. The values are
  sorted as integer keys ([`key`]) that order like the floats, which gives plain integer min/max
  instructions (float selects became slow masked stores). Used for the row banks (64 values)
  and the columns of a half panel (256 values), where thousands of small medians are needed per
  frame. The 64-wire network of the row banks also exists as straight-line AVX2 code generated
  by `calib/netgen.rs` (`net64_avx2.s`), which keeps the wires in registers between
  comparators; it is used where the CPU has AVX2 and gives the same wires bit for bit.
- [`crate::stats::median_f32`]: selection (`select_nth_unstable`) for the large banks (16384
  values).

Even counts give the mean of the two middle values, computed in float32 as numpy does: the two
are added in float32 and the sum halved. numpy's masked median (used by psana for rows and
columns) also adds the middle value to itself for odd counts, which only matters on overflow;
[`MedianKind`] keeps the two rules apart.
*/

/// The number of independent value sets a [`Network`] sorts at once.
pub const LANES: usize = 16;

/// One wire of a [`Network`]: the same position in each of the [`LANES`] sets, as [`key`]s.
pub type Wire = [i32; LANES];

/// The key of `+inf`, which pads unused wires and stands for excluded pixels.
pub const KEY_INF: i32 = 0x7f80_0000;

/// An integer that orders like the float `x` (for non-NaN values; `-0.0` sorts before `+0.0`).
#[inline(always)]
pub fn key(x: f32) -> i32 {
    let b = x.to_bits() as i32;
    b ^ (((b >> 31) as u32) >> 1) as i32
}

/// The float of a [`key`].
#[inline(always)]
pub fn unkey(k: i32) -> f32 {
    f32::from_bits((k ^ (((k >> 31) as u32) >> 1) as i32) as u32)
}

/// How numpy forms the median from the middle value(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MedianKind {
    /// `np.median`: the middle value, or the float32 mean of the two middle values.
    Plain,
    /// `np.ma.median` along an axis: float32 `(lo + hi) / 2`, with `lo == hi` for odd counts.
    Masked,
}

/// The median of the sorted values `lo` (rank `(n-1)/2`) and `hi` (rank `n/2`) of `n` values.
#[inline(always)]
pub fn combine(lo: f32, hi: f32, n: usize, kind: MedianKind) -> f32 {
    if kind == MedianKind::Plain && n % 2 == 1 {
        lo
    } else {
        (lo + hi) / 2.0
    }
}

/// Batcher's odd-even merge sorting network, applied lane-wise to [`Wire`]s.
#[derive(Debug, Clone)]
pub struct Network {
    /// The number of wires (a power of two).
    n: usize,
    /// The compare-exchange pairs `(i, j)`, `i < j`, in order.
    pairs: Vec<(u32, u32)>,
    /// Whether this is the whole 64-wire network, which has straight-line AVX2 code
    /// ([`sort64_avx2`]).
    full64: bool,
}

impl Network {
    /// A network that sorts at least `len` values per lane (rounded up to a power of two; the
    /// caller pads the extra wires with `+inf`). Compare-exchanges that cannot change anything
    /// because of that padding (the larger wire is known to hold `+inf`) are left out: an
    /// ePix10ka column of 176 pixels needs far fewer than the 256-wire network has.
    pub fn new(len: usize) -> Network {
        let n = len.max(1).next_power_of_two();
        let mut pairs = Vec::new();
        let mut p = 1;
        while p < n {
            let mut k = p;
            while k >= 1 {
                let mut j = k % p;
                while j + k < n {
                    for i in 0..k.min(n - j - k) {
                        if (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                            pairs.push(((i + j) as u32, (i + j + k) as u32));
                        }
                    }
                    j += 2 * k;
                }
                k /= 2;
            }
            p *= 2;
        }
        // Follow which wires surely hold +inf: a compare-exchange into such a wire is a no-op;
        // one from such a wire moves the +inf to the larger wire.
        let mut inf: Vec<bool> = (0..n).map(|j| j >= len.max(1)).collect();
        pairs.retain(|&(a, b)| {
            let (a, b) = (a as usize, b as usize);
            if inf[b] {
                return false;
            }
            if inf[a] {
                inf[a] = false;
                inf[b] = true;
            }
            true
        });
        let full64 = n == 64 && len == 64;
        Network { n, pairs, full64 }
    }

    /// The number of wires the network sorts.
    pub fn wires(&self) -> usize {
        self.n
    }

    /// The number of compare-exchange steps.
    #[cfg(test)]
    pub fn comparators(&self) -> usize {
        self.pairs.len()
    }

    /// Sorts each lane of `w[..self.wires()]` in ascending order.
    #[inline(always)]
    pub fn sort(&self, w: &mut [Wire]) {
        // The JUNGFRAU sizes get a fixed-size array, so that indices masked to it need no
        // bounds checks.
        #[cfg(target_arch = "x86_64")]
        if self.full64
            && crate::cpu::use_avx2()
            && let Some(w) = w.first_chunk_mut::<64>()
        {
            sort64_avx2(w);
            return;
        }
        match self.n {
            64 => sort_fixed::<64>(&self.pairs, w),
            256 => sort_fixed::<256>(&self.pairs, w),
            _ => {
                let n = self.n;
                for &(a, b) in &self.pairs {
                    compare_exchange(&mut w[..n], a as usize, b as usize);
                }
            }
        }
    }
}

/// The wires of the middle values of 57 to 64 values (ranks `(n-1)/2` and `n/2`), the
/// median's when at most 7 values of a bank of 64 are left out (as `+inf`, sorted last).
pub const MIDDLE64: [usize; 5] = [28, 29, 30, 31, 32];

/// The fewest values of 64 whose median [`Network::sort_middle64`] gives.
pub const MIDDLE64_MIN_COUNT: usize = 2 * MIDDLE64[0] + 1;

impl Network {
    /// Puts the right values into wires [`MIDDLE64`] of each lane, as [`Network::sort`] would;
    /// the other wires are left in no particular order. For the 64-wire network with AVX2 this
    /// runs only the compare-exchanges those wires depend on (`med64_avx2.s`, a fifth
    /// fewer instructions; `med64_avx512.s` with AVX-512, a whole wire per register); otherwise
    /// it sorts.
    #[inline(always)]
    pub fn sort_middle64(&self, w: &mut [Wire]) {
        #[cfg(target_arch = "x86_64")]
        if self.full64
            && crate::cpu::use_avx2()
            && let Some(w) = w.first_chunk_mut::<64>()
        {
            if crate::cpu::use_avx512() {
                // SAFETY: the CPU has AVX-512 F (`use_avx512` checked it).
                unsafe { middle64_avx512(w) };
            } else {
                middle64_avx2(w);
            }
            return;
        }
        self.sort(w);
    }
}

/// The compare-exchanges of the 64-wire network that wires [`MIDDLE64`] depend on
/// (`med64_avx2.s` is made from them).
#[cfg(test)]
fn middle64_pairs() -> Vec<(u32, u32, crate::calib::netgen::Keep)> {
    crate::calib::netgen::prune(&Network::new(64).pairs, 64, &MIDDLE64)
}

/// Defines a function that runs a generated 64-wire network (`calib/netgen.rs`) over each lane
/// of 64 wires as straight-line AVX2 code, the wires kept in registers between compare-exchanges.
macro_rules! network_avx2 {
    ($(#[$doc:meta])* $name:ident, $file:literal) => {
        $(#[$doc])*
        #[cfg(target_arch = "x86_64")]
        #[inline(never)]
        fn $name(w: &mut [Wire; 64]) {
            // SAFETY: the code reads and writes only the 64 wires (4096 bytes) at `rdi`, which
            // is the exclusive borrow `w`; it uses only the ymm registers declared clobbered and
            // no stack; the caller checked that the CPU has AVX2.
            unsafe {
                core::arch::asm!(
                    include_str!($file),
                    in("rdi") w.as_mut_ptr(),
                    out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _,
                    out("ymm4") _, out("ymm5") _, out("ymm6") _, out("ymm7") _,
                    out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
                    out("ymm12") _, out("ymm13") _, out("ymm14") _, out("ymm15") _,
                    options(nostack, preserves_flags),
                );
            }
        }
    };
}

network_avx2!(
    /// [`Network::sort_middle64`] with AVX2: like [`sort64_avx2`], with the pruned network
    /// (`med64_avx2.s`).
    middle64_avx2,
    "med64_avx2.s"
);

/// [`Network::sort_middle64`] with AVX-512 (`med64_avx512.s`: the pruned network with a whole
/// wire in each of the 32 `zmm` registers). Only for CPUs with AVX-512 F
/// ([`crate::cpu::use_avx512`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline(never)]
fn middle64_avx512(w: &mut [Wire; 64]) {
    // SAFETY: the code reads and writes only the 64 wires (4096 bytes) at `rdi`, which is the
    // exclusive borrow `w`; it uses only the zmm registers declared clobbered and no stack; the
    // CPU has AVX-512 F (this function's target feature).
    unsafe {
        core::arch::asm!(
            include_str!("med64_avx512.s"),
            in("rdi") w.as_mut_ptr(),
            out("zmm0") _, out("zmm1") _, out("zmm2") _, out("zmm3") _,
            out("zmm4") _, out("zmm5") _, out("zmm6") _, out("zmm7") _,
            out("zmm8") _, out("zmm9") _, out("zmm10") _, out("zmm11") _,
            out("zmm12") _, out("zmm13") _, out("zmm14") _, out("zmm15") _,
            out("zmm16") _, out("zmm17") _, out("zmm18") _, out("zmm19") _,
            out("zmm20") _, out("zmm21") _, out("zmm22") _, out("zmm23") _,
            out("zmm24") _, out("zmm25") _, out("zmm26") _, out("zmm27") _,
            out("zmm28") _, out("zmm29") _, out("zmm30") _, out("zmm31") _,
            options(nostack, preserves_flags),
        );
    }
}

network_avx2!(
    /// Sorts each lane of 64 wires with the whole 64-wire network (`net64_avx2.s`): the same
    /// compare-exchanges as [`Network::sort`], each wire seeing them in the same order. Only for
    /// CPUs with AVX2 ([`crate::cpu::use_avx2`]).
    sort64_avx2,
    "net64_avx2.s"
);

/// Puts the lane-wise minimum of wires `a` and `b` into `a` and the maximum into `b`.
#[inline(always)]
fn compare_exchange(w: &mut [Wire], a: usize, b: usize) {
    let (p, q) = (w[a], w[b]);
    w[a] = std::array::from_fn(|l| p[l].min(q[l]));
    w[b] = std::array::from_fn(|l| p[l].max(q[l]));
}

/// [`Network::sort`] for `N` wires (a power of two).
#[inline(always)]
fn sort_fixed<const N: usize>(pairs: &[(u32, u32)], w: &mut [Wire]) {
    let Some(w) = w.first_chunk_mut::<N>() else {
        return;
    };
    // Two steps per iteration: less loop overhead for these short steps.
    let mut it = pairs.chunks_exact(2);
    for p in &mut it {
        compare_exchange(w, p[0].0 as usize & (N - 1), p[0].1 as usize & (N - 1));
        compare_exchange(w, p[1].0 as usize & (N - 1), p[1].1 as usize & (N - 1));
    }
    for &(a, b) in it.remainder() {
        compare_exchange(w, a as usize & (N - 1), b as usize & (N - 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes_sorted(w: &[Wire], n: usize) -> bool {
        (0..LANES).all(|l| (1..n).all(|j| w[j - 1][l] <= w[j][l]))
    }

    #[test]
    fn network_sorts_every_zero_one_input() {
        // The 0-1 principle: a comparator network sorts everything if it sorts all 0/1 inputs.
        // Wires beyond n are padding and hold the largest value (1 here, +inf in use).
        for n in [1usize, 2, 3, 4, 5, 6, 7, 8, 11, 16] {
            let net = Network::new(n);
            let nw = net.wires();
            for bits in 0u32..(1 << n) {
                let mut w = vec![[0i32; LANES]; nw];
                for (j, wire) in w.iter_mut().enumerate() {
                    wire[(bits as usize) % LANES] =
                        if j < n { ((bits >> j) & 1) as i32 } else { 1 };
                }
                net.sort(&mut w);
                assert!(lanes_sorted(&w, nw), "n={n} bits={bits:b}");
            }
        }
    }

    /// The checked-in `net64_avx2.s` is what the generator makes of the 64-wire network
    /// (`DETCAL_REGEN_NETWORK=1` rewrites it).
    #[test]
    fn generated_network_is_current() {
        let net = Network::new(64);
        let text = crate::calib::netgen::network_asm(&net.pairs, 64);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/calib/net64_avx2.s");
        if std::env::var_os("DETCAL_REGEN_NETWORK").is_some_and(|v| v == "1") {
            std::fs::write(path, &text).unwrap();
        }
        assert!(
            text == include_str!("net64_avx2.s"),
            "net64_avx2.s is stale: rerun with DETCAL_REGEN_NETWORK=1"
        );
        // Each half: 543 comparators of 2 instructions, and far fewer loads and stores than
        // the 4 of each comparator a loop does.
        let lines = text.lines().count();
        let alu = text.lines().filter(|l| l.starts_with("vpm")).count();
        assert_eq!(alu, 2 * 2 * 543);
        assert!(
            lines - alu < 2 * 4 * 543 / 2,
            "{} loads and stores",
            lines - alu
        );
    }

    /// The checked-in `med64_avx2.s` and `med64_avx512.s` are what the generator makes of the
    /// pruned network (`DETCAL_REGEN_NETWORK=1` rewrites them).
    #[test]
    fn generated_middle_network_is_current() {
        use crate::calib::netgen::{Isa, network_asm_kept};
        let kept = middle64_pairs();
        let files = [
            (Isa::Avx2, "med64_avx2.s", include_str!("med64_avx2.s")),
            (
                Isa::Avx512,
                "med64_avx512.s",
                include_str!("med64_avx512.s"),
            ),
        ];
        let mut alu = [0; 2];
        for (k, (isa, name, checked_in)) in files.into_iter().enumerate() {
            let text = network_asm_kept(&kept, 64, isa);
            let path = format!("{}/src/calib/{name}", env!("CARGO_MANIFEST_DIR"));
            if std::env::var_os("DETCAL_REGEN_NETWORK").is_some_and(|v| v == "1") {
                std::fs::write(path, &text).unwrap();
            }
            assert!(
                text == checked_in,
                "{name} is stale: rerun with DETCAL_REGEN_NETWORK=1"
            );
            alu[k] = text.lines().filter(|l| l.starts_with("vpm")).count();
        }
        assert!(alu[0] < 2 * 2 * 543 * 4 / 5, "{}", alu[0]);
        // One pass over whole wires: half the min/max instructions.
        assert_eq!(alu[1] * 2, alu[0]);
        for n in MIDDLE64_MIN_COUNT..=64 {
            assert!(MIDDLE64.contains(&((n - 1) / 2)) && MIDDLE64.contains(&(n / 2)));
        }
    }

    /// The pruned network gives the same middle wires as the whole network (the AVX2 sort and
    /// the comparator loop), on random keys, heavy ties, `+inf` keys and 0/1 inputs.
    #[test]
    fn middle_network_matches_the_sort() {
        let net = Network::new(64);
        let mut seed = 7u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 32) as u32
        };
        for case in 0..400 {
            let w: Vec<Wire> = (0..64)
                .map(|_| {
                    std::array::from_fn(|_| match case % 5 {
                        0 => rnd() as i32,
                        1 => (rnd() % 5) as i32 - 2,
                        2 => (rnd() % 2) as i32,
                        3 => key((rnd() % 4000) as f32 * 0.25 - 500.0),
                        _ => {
                            let x = [f32::NEG_INFINITY, -0.0, 0.0, 1.5, -3.25, f32::INFINITY]
                                [rnd() as usize % 6];
                            if rnd() % 3 == 0 { KEY_INF } else { key(x) }
                        }
                    })
                })
                .collect();
            let mut sorted = w.clone();
            for &(a, b) in &net.pairs {
                compare_exchange(&mut sorted, a as usize, b as usize);
            }
            // The pruned pairs as a loop, then the AVX2 code where there is AVX2.
            let mut looped = w.clone();
            for (a, b, k) in middle64_pairs() {
                let (a, b) = (a as usize, b as usize);
                let (p, q) = (looped[a], looped[b]);
                use crate::calib::netgen::Keep;
                if k != Keep::Max {
                    looped[a] = std::array::from_fn(|l| p[l].min(q[l]));
                }
                if k != Keep::Min {
                    looped[b] = std::array::from_fn(|l| p[l].max(q[l]));
                }
            }
            let mut fast = w.clone();
            net.sort_middle64(&mut fast);
            // Both generated versions where the CPU has them (the one above is one of them).
            #[cfg(target_arch = "x86_64")]
            let (avx2, avx512) = {
                let (mut a, mut b) = (w.clone(), w.clone());
                if crate::cpu::avx2_detected() {
                    middle64_avx2(a.first_chunk_mut::<64>().unwrap());
                } else {
                    a = sorted.clone();
                }
                if crate::cpu::avx512_detected() {
                    // SAFETY: the CPU has AVX-512 F.
                    unsafe { middle64_avx512(b.first_chunk_mut::<64>().unwrap()) };
                } else {
                    b = sorted.clone();
                }
                (a, b)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let (avx2, avx512) = (sorted.clone(), sorted.clone());
            for m in MIDDLE64 {
                assert_eq!(looped[m], sorted[m], "case {case} wire {m}");
                assert_eq!(fast[m], sorted[m], "case {case} wire {m}");
                assert_eq!(avx2[m], sorted[m], "case {case} wire {m}");
                assert_eq!(avx512[m], sorted[m], "case {case} wire {m}");
            }
        }
    }

    /// The AVX2 code and the comparator loop give the same wires (bit for bit) on random keys,
    /// on heavy ties, and on 0/1 inputs; and the result is sorted.
    #[test]
    fn avx2_network_matches_the_loop() {
        if !crate::cpu::avx2_detected() {
            eprintln!("skipped: no AVX2 on this CPU");
            return;
        }
        let net = Network::new(64);
        let mut seed = 99u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 32) as u32
        };
        for case in 0..300 {
            let mut w: Vec<Wire> = (0..64)
                .map(|_| {
                    std::array::from_fn(|_| match case % 4 {
                        0 => rnd() as i32,
                        1 => (rnd() % 5) as i32 - 2,
                        2 => (rnd() % 2) as i32,
                        _ => {
                            let x = [f32::NEG_INFINITY, -0.0, 0.0, 1.5, -3.25, f32::INFINITY]
                                [rnd() as usize % 6];
                            if rnd() % 8 == 0 { KEY_INF } else { key(x) }
                        }
                    })
                })
                .collect();
            let mut looped = w.clone();
            let mut want: Vec<Vec<i32>> = (0..LANES)
                .map(|l| w.iter().map(|x| x[l]).collect())
                .collect();
            for v in &mut want {
                v.sort_unstable();
            }
            for &(a, b) in &net.pairs {
                compare_exchange(&mut looped, a as usize, b as usize);
            }
            sort64_avx2((&mut w[..]).try_into().unwrap());
            assert_eq!(w, looped, "case {case}");
            for (l, v) in want.iter().enumerate() {
                let got: Vec<i32> = w.iter().map(|x| x[l]).collect();
                assert_eq!(&got, v, "case {case} lane {l}");
            }
        }
    }

    #[test]
    fn network_sizes() {
        assert_eq!(Network::new(64).comparators(), 543);
        assert_eq!(Network::new(256).comparators(), 3839);
        assert_eq!(Network::new(48).wires(), 64);
        // Padding 176 to 256 (an ePix10ka column) leaves out the no-op compare-exchanges.
        let epix = Network::new(176);
        assert_eq!(epix.wires(), 256);
        assert!(epix.comparators() < 3200, "{}", epix.comparators());
    }

    #[test]
    fn network_sorts_random_lanes() {
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 40) as f32) / 1000.0 - 8000.0
        };
        for n in [64usize, 256, 176, 48] {
            let net = Network::new(n);
            let mut w: Vec<Wire> = (0..net.wires())
                .map(|j| std::array::from_fn(|_| if j < n { key(rnd()) } else { KEY_INF }))
                .collect();
            let mut want: Vec<Vec<f32>> = (0..LANES)
                .map(|l| w.iter().map(|x| unkey(x[l])).collect())
                .collect();
            for v in &mut want {
                v.sort_by(f32::total_cmp);
            }
            net.sort(&mut w);
            for (l, v) in want.iter().enumerate() {
                let got: Vec<f32> = w.iter().map(|x| unkey(x[l])).collect();
                assert_eq!(&got, v);
            }
        }
    }

    #[test]
    fn keys_order_like_floats() {
        let xs = [
            f32::NEG_INFINITY,
            -f32::MAX,
            -1.5,
            -f32::MIN_POSITIVE,
            -1e-45,
            -0.0,
            0.0,
            1e-45,
            f32::MIN_POSITIVE,
            1.0,
            3000.25,
            f32::MAX,
            f32::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} {}", w[0], w[1]);
        }
        for &x in &xs {
            assert_eq!(unkey(key(x)).to_bits(), x.to_bits());
        }
        assert_eq!(key(f32::INFINITY), KEY_INF);
    }

    #[test]
    fn medians_like_numpy() {
        assert_eq!(combine(f32::MAX, f32::MAX, 3, MedianKind::Plain), f32::MAX);
        assert_eq!(
            combine(f32::MAX, f32::MAX, 3, MedianKind::Masked),
            f32::INFINITY
        );
    }
}
