/*!
Run-time choice of the CPU code path, one place for every kernel.

The hot kernels (calibration, dark accumulation, dark quantiles) are compiled twice: for the
baseline target and with `#[target_feature(enable = "avx2")]`. [`use_avx2`] tells them which to
run. All give bit-identical results (integer work, or the same float operations in the same
order); the tests of each kernel check this on the same inputs.

Where a kernel gains from AVX-512 (mask registers, 32 vector registers), a third version is
compiled with AVX-512 F, BW and VL and chosen by [`use_avx512`] (`DETCAL_AVX512=0` turns it off).

The portable path can be forced: by the environment variable `DETCAL_PORTABLE=1` (read once,
at the first call), or by [`force_portable`] (for tests and benchmarks).
*/

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by [`force_portable`].
static FORCED: AtomicBool = AtomicBool::new(false);

/// Whether this CPU has AVX2, detected once.
pub fn avx2_detected() -> bool {
    static DETECTED: OnceLock<bool> = OnceLock::new();
    *DETECTED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// Whether this CPU has the AVX-512 subsets the kernels use (F, BW and VL: 16-bit lanes and
/// mask registers), detected once.
pub fn avx512_detected() -> bool {
    static DETECTED: OnceLock<bool> = OnceLock::new();
    *DETECTED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vl")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// Whether the environment asks for the portable code path (`DETCAL_PORTABLE=1`), read once.
pub fn portable_from_env() -> bool {
    static ENV: OnceLock<bool> = OnceLock::new();
    *ENV.get_or_init(|| std::env::var_os("DETCAL_PORTABLE").is_some_and(|v| v == "1"))
}

/// Forces the portable code path in every kernel (`true`), or lets them use AVX2 again where
/// the CPU has it and `DETCAL_PORTABLE` does not forbid it (`false`). Takes effect at once in
/// all threads.
pub fn force_portable(on: bool) {
    FORCED.store(on, Ordering::Relaxed);
}

/// Whether the kernels should run their AVX2 versions: the CPU has AVX2 and neither
/// `DETCAL_PORTABLE=1` nor [`force_portable`] asks for the portable path.
#[inline]
pub fn use_avx2() -> bool {
    !FORCED.load(Ordering::Relaxed) && !portable_from_env() && avx2_detected()
}

/// Whether the kernels that have one should run their AVX-512 version: [`use_avx2`], the CPU
/// has AVX-512 F, BW and VL, and `DETCAL_AVX512=0` does not forbid it (read once).
#[inline]
pub fn use_avx512() -> bool {
    static ENV_OFF: OnceLock<bool> = OnceLock::new();
    use_avx2()
        && avx512_detected()
        && !*ENV_OFF.get_or_init(|| std::env::var_os("DETCAL_AVX512").is_some_and(|v| v == "0"))
}

/// The name of the code path the kernels use now: "avx2" or "portable" (the JUNGFRAU dark
/// kernels, which also have an AVX-512 version, say theirs in `dark::Kernel::name`; the row
/// median network of the calibration also runs its AVX-512 version where [`use_avx512`]).
pub fn path_name() -> &'static str {
    if use_avx2() { "avx2" } else { "portable" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forcing_the_portable_path() {
        force_portable(true);
        assert!(!use_avx2());
        assert_eq!(path_name(), "portable");
        force_portable(false);
        assert_eq!(use_avx2(), avx2_detected() && !portable_from_env());
    }
}
