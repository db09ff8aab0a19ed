/*!
The pixel mask `det.calib` multiplies by: bad pixels from the status constants, and a user mask.

For each status type that is present, a pixel is bad where `status & code != 0`, with psana's
codes: `0xffff` for `pixel_status`, `2^64 - 1` for `status_extra` and `status_data` (spec §11).
A multi-gain status array `(G, nsegs, rows, cols)` is reduced over its gain axis: a pixel bad in
any gain is bad. The masks of the status types and the user mask (non-zero = good) are AND-ed.
*/

use ndarray::ArrayD;

use crate::error::{Error, Result};
use crate::formats::array::{NdArray, shape_str};

/// psana's bits of `pixel_status` that make a pixel bad.
pub const PIXEL_STATUS_CODE: u64 = 0xffff;
/// psana's bits of `status_extra` and `status_data` that make a pixel bad.
pub const STATUS_EXTRA_CODE: u64 = u64::MAX;

/// ANDs the mask of one status array into `mask` (one value per pixel of a frame).
///
/// `status` is cast to `T` as psana casts it (numpy `astype`); its shape must be the frame shape
/// or, with `gains`, `(gains, frame shape...)`.
pub(crate) fn and_status<T>(
    mask: &mut [u8],
    frame_shape: &[usize],
    gains: Option<usize>,
    name: &str,
    status: &NdArray,
    code: u64,
) -> Result<()>
where
    T: crate::formats::array::Element + Into<u64>,
{
    and_status_first::<T>(mask, frame_shape, gains, usize::MAX, name, status, code)
}

/// As [`and_status`], but only the first `first` gains of a multi-gain status array count
/// (ePix10ka: ranges 0-4, psana's `indexes=(0,1,2,3,4)`).
pub(crate) fn and_status_first<T>(
    mask: &mut [u8],
    frame_shape: &[usize],
    gains: Option<usize>,
    first: usize,
    name: &str,
    status: &NdArray,
    code: u64,
) -> Result<()>
where
    T: crate::formats::array::Element + Into<u64>,
{
    let typed: ArrayD<T> = status.to_typed();
    let shape = status.shape();
    let npix = mask.len();
    let ngain = if shape == frame_shape {
        1
    } else if let Some(g) = gains.filter(|&g| shape.len() == frame_shape.len() + 1 && shape[0] == g)
    {
        if &shape[1..] != frame_shape {
            return Err(bad_shape(name, shape, frame_shape, gains));
        }
        g
    } else if gains.is_none() && shape.iter().product::<usize>() == npix {
        // Fixed-size detectors: psana reshapes a file of the right size to the frame shape.
        1
    } else {
        return Err(bad_shape(name, shape, frame_shape, gains));
    };
    let flat = typed.as_standard_layout();
    let Some(vals) = flat.as_slice() else {
        return Err(Error::internal(format!("{name}: array is not contiguous")));
    };
    for g in 0..ngain.min(first) {
        for (m, &s) in mask.iter_mut().zip(&vals[g * npix..(g + 1) * npix]) {
            if s.into() & code != 0 {
                *m = 0;
            }
        }
    }
    Ok(())
}

fn bad_shape(name: &str, got: &[usize], frame: &[usize], gains: Option<usize>) -> Error {
    let want = match gains {
        Some(g) => {
            let mut s = vec![g];
            s.extend_from_slice(frame);
            format!("{} or {}", shape_str(&s), shape_str(frame))
        }
        None => shape_str(frame),
    };
    Error::shape(
        name,
        want.clone(),
        got,
        format!(
            "{name}: shape {} does not fit the pedestals; expected {want}",
            shape_str(got)
        ),
    )
}

/// ANDs a user mask (non-zero = good) into `mask`; its shape must hold one value per pixel.
pub(crate) fn and_user(mask: &mut [u8], frame_shape: &[usize], user: &NdArray) -> Result<()> {
    let shape = user.shape();
    let last_ok = shape.last() == frame_shape.last();
    if shape.iter().product::<usize>() != mask.len() || !last_ok {
        return Err(Error::shape(
            "user mask",
            shape_str(frame_shape),
            shape,
            format!(
                "user mask: shape {} does not fit frames of shape {}",
                shape_str(shape),
                shape_str(frame_shape)
            ),
        ));
    }
    // Cast as numpy does, then take any non-zero value as good (floats: 0.5 is good).
    let typed: ArrayD<f64> = user.to_f64();
    for (m, &u) in mask.iter_mut().zip(typed.iter()) {
        if u == 0.0 {
            *m = 0;
        }
    }
    Ok(())
}
