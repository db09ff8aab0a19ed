/*!
Large buffers that the kernel may back with transparent huge pages.

Per-pixel accumulators and frame batches of whole detectors reach hundreds of megabytes. With
4 KiB pages each first touch costs a page fault; asking for huge pages (`MADV_HUGEPAGE`,
honoured where transparent huge pages are in `madvise` or `always` mode) makes that 512 times
rarer, where fresh huge pages are not dearer than small ones: [`detcal_formats::pages`] decides
(not in virtual machines that report free pages to their host). The advice changes nothing
else: on systems without it the buffers are ordinary.
*/

/// An empty vector with room for `n` elements, advised for huge pages before any is written.
pub fn with_capacity<T>(n: usize) -> Vec<T> {
    let v: Vec<T> = Vec::with_capacity(n);
    advise(v.as_ptr().cast(), n.saturating_mul(size_of::<T>()));
    v
}

/// `n` copies of `value` in memory advised for huge pages. Zeros are the allocator's zeroed
/// pages, not written by the process (the kernel clears fresh pages anyway).
pub fn filled<T: bytemuck::Pod>(n: usize, value: T) -> Vec<T> {
    if bytemuck::bytes_of(&value).iter().all(|&b| b == 0) {
        // `vec!` of a zero value is a zeroed allocation (calloc: fresh pages untouched).
        let v = vec![value; n];
        advise(v.as_ptr().cast(), n.saturating_mul(size_of::<T>()));
        return v;
    }
    let mut v = with_capacity(n);
    v.resize(n, value);
    v
}

/// `n` zeros in memory advised for huge pages, not written by the process (the allocator's
/// zeroed pages: one pass of the kernel's page clearing instead of that plus a pass of writes).
pub fn zeroed_u16(n: usize) -> Vec<u16> {
    let v = vec![0u16; n];
    advise(v.as_ptr().cast(), n.saturating_mul(size_of::<u16>()));
    v
}

/// Drops this process's mapping of the whole pages inside `bytes`, which must lie in a
/// read-only memory map of a file (the file's pages stay in the page cache; a later read maps
/// them again, with the same bytes). Keeps the resident memory of a long pass over mapped
/// files bounded. Advice only: where it is not supported nothing happens.
///
/// # Safety
/// `bytes` must lie in a read-only shared or private mapping of a file that has no private
/// (copy-on-write) pages: dropping such a page would lose what was written to it.
pub unsafe fn release_mapped(bytes: &[u8]) {
    #[cfg(target_os = "linux")]
    {
        let page = 4096usize;
        let start = (bytes.as_ptr() as usize).next_multiple_of(page);
        let end = (bytes.as_ptr() as usize + bytes.len()) & !(page - 1);
        if end <= start {
            return;
        }
        if let Some(p) = std::ptr::NonNull::new(start as *mut std::ffi::c_void) {
            // SAFETY: the caller guarantees a read-only file mapping without private pages:
            // MADV_DONTNEED only drops the process's mapping of these pages.
            let _ = unsafe {
                nix::sys::mman::madvise(p, end - start, nix::sys::mman::MmapAdvise::MADV_DONTNEED)
            };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

fn advise(ptr: *const u8, len: usize) {
    detcal_formats::pages::advise_huge(ptr, len);
}

#[cfg(test)]
mod tests {
    #[test]
    fn buffers_hold_what_they_are_given() {
        let v = super::filled(3 << 20, 7u16);
        assert_eq!(v.len(), 3 << 20);
        assert!(v.iter().all(|&x| x == 7));
        let mut w: Vec<u64> = super::with_capacity(10);
        w.extend(0..10);
        assert_eq!(w.iter().sum::<u64>(), 45);
        // Zeros come from a zeroed allocation; -0.0 is not zero bits and is written.
        let z = super::filled(1 << 20, 0.0f64);
        assert!(z.len() == 1 << 20 && z.iter().all(|x| x.to_bits() == 0));
        let m = super::filled(1 << 20, -0.0f64);
        assert!(m.iter().all(|x| x.to_bits() == (-0.0f64).to_bits()));
        let z = super::zeroed_u16(3 << 20);
        assert!(z.len() == 3 << 20 && z.iter().all(|&x| x == 0));
    }
}
