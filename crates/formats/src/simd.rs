/*!
Which AVX-512 paths of the text writer ([`crate::fixed8`]) and readers ([`crate::short8`]) this
machine runs: decided once, from the CPU's features and the environment (`DETCAL_AVX512=0` or
`DETCAL_PORTABLE=1` turn them off, as in the `detcal` library's kernels).
*/

use std::sync::OnceLock;

/// Whether the environment leaves AVX-512 on.
fn allowed() -> bool {
    let env_is = |name: &str, v: &str| std::env::var_os(name).is_some_and(|x| x == v);
    !env_is("DETCAL_AVX512", "0") && !env_is("DETCAL_PORTABLE", "1")
}

/// AVX-512 F, BW, DQ and VL, BMI1, BMI2 and POPCNT, where allowed (the decimal groups of
/// [`crate::short8::read_row`]).
pub(crate) fn avx512() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            allowed()
                && std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("bmi1")
                && std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("popcnt")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// [`avx512`] and VBMI and VBMI2, the byte permutes and compresses ([`crate::fixed8`] and
/// [`crate::short8::read_small_ints`]).
pub(crate) fn avx512_vbmi2() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            avx512()
                && std::arch::is_x86_feature_detected!("avx512vbmi")
                && std::arch::is_x86_feature_detected!("avx512vbmi2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}
