/*!
Whether large fresh buffers ask the kernel for 2 MiB pages (`MADV_HUGEPAGE`), and the advice.

On bare metal a fresh 2 MiB page is the cheaper first touch: one page fault instead of 512. In a
virtual machine whose memory balloon reports free pages to the host (virtio-balloon free page
reporting, as on the development and CI machines), freed memory is handed back to the host in
large blocks, and a fresh 2 MiB page mostly comes from such a block, which the host must back
again: measured on the development machine, a 512 MB buffer touched once took 0.60-0.73 s with
the advice and 0.27-0.32 s without it (BENCHMARKS.md, "Fresh memory"). So the advice is given
only where the balloon does not report free pages, unless `DETCAL_HUGE_PAGES` says otherwise
(`1` always, `0` never).
*/

use std::sync::OnceLock;

/// The environment variable that overrides the choice: `1` (always advise) or `0` (never).
pub const ENV: &str = "DETCAL_HUGE_PAGES";

/// Buffers below this are left alone.
const MIN_HUGE: usize = 4 << 20;
/// The huge page size the advice is aligned to.
const HUGE_PAGE: usize = 2 << 20;
/// virtio's device id of a memory balloon.
const BALLOON: &str = "0x0005";
/// The feature bit of a balloon that reports free pages to the host.
const FREE_PAGE_REPORTING: usize = 5;

/// Whether fresh buffers of this process ask for 2 MiB pages (decided once).
pub fn huge_pages_pay() -> bool {
    static PAY: OnceLock<bool> = OnceLock::new();
    *PAY.get_or_init(|| choice(std::env::var(ENV).ok().as_deref(), reports_free_pages()))
}

/// The choice given the environment variable's value and whether free pages are reported.
fn choice(env: Option<&str>, reporting: bool) -> bool {
    match env.map(str::trim) {
        Some("1" | "yes" | "on") => true,
        Some("0" | "no" | "off") => false,
        _ => !reporting,
    }
}

/// Whether a virtio memory balloon of this machine reports free pages to its host.
fn reports_free_pages() -> bool {
    let Ok(dir) = std::fs::read_dir("/sys/bus/virtio/devices") else {
        return false;
    };
    dir.flatten().any(|d| {
        let read = |name: &str| std::fs::read_to_string(d.path().join(name)).unwrap_or_default();
        is_reporting_balloon(&read("device"), &read("features"))
    })
}

/// Whether a virtio device with sysfs `device` and `features` (one character per feature bit,
/// bit 0 first) is a balloon that reports free pages.
fn is_reporting_balloon(device: &str, features: &str) -> bool {
    device.trim() == BALLOON && features.as_bytes().get(FREE_PAGE_REPORTING) == Some(&b'1')
}

/// Asks the kernel to back the whole 2 MiB pages inside `len` bytes at `ptr` (memory this
/// process owns, not yet touched) with huge pages, where [`huge_pages_pay`] and the buffer
/// is at least 4 MiB. Advice only: it changes no contents, and failure is harmless.
pub fn advise_huge(ptr: *const u8, len: usize) {
    if len < MIN_HUGE || !huge_pages_pay() {
        return;
    }
    let start = (ptr as usize).next_multiple_of(HUGE_PAGE);
    let end = (ptr as usize + len) & !(HUGE_PAGE - 1);
    #[cfg(target_os = "linux")]
    if end > start
        && let Some(p) = std::ptr::NonNull::new(start as *mut std::ffi::c_void)
    {
        // SAFETY: the range lies inside memory the caller owns; MADV_HUGEPAGE is advice about
        // how to back it and changes no contents.
        let _ = unsafe {
            nix::sys::mman::madvise(p, end - start, nix::sys::mman::MmapAdvise::MADV_HUGEPAGE)
        };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_balloon_reporting_free_pages_is_recognized() {
        // The development machine's balloon (device 5, bits 1, 2, 5, 7, 32 set).
        let dev = "01100101000000000000000000000000100000000000000000000000000000000000";
        assert!(is_reporting_balloon("0x0005\n", dev));
        // The same balloon without bit 5, and another device with bit 5.
        let no5 = "01100001000000000000000000000000100000000000000000000000000000000000";
        assert!(!is_reporting_balloon("0x0005\n", no5));
        assert!(!is_reporting_balloon("0x0002\n", dev));
        assert!(!is_reporting_balloon("", ""));
    }

    #[test]
    fn the_environment_overrides_the_detection() {
        assert!(!choice(None, true));
        assert!(choice(None, false));
        assert!(choice(Some("1"), true));
        assert!(!choice(Some("0"), false));
        assert!(choice(Some(" on "), true));
        // Anything else leaves the detection to decide.
        assert!(!choice(Some("maybe"), true));
    }
}
