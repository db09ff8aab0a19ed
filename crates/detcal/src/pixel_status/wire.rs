/*!
Status maps and feature 11's maxima as bytes, for processes that share the panels of a run
([`crate::pipeline::pixel_status::run_shared`]): each process judges a contiguous share of the
panels ([`crate::dist::share_panels`]) and sends its maps to the root, which appends them in
rank order. Every panel is judged on its own, so the maps are those of one process.
*/

use super::{StepMax, StepStatus};
use crate::dist::{Reader, Writer};
use crate::error::{Error, Result};

/// A step's index, checked against the root's.
fn same_step(what: &'static str, got: u64, want: u32) -> Result<()> {
    if got != u64::from(want) {
        return Err(Error::internal(format!(
            "{what}: another rank's step {got} where the root has step {want}"
        )));
    }
    Ok(())
}

/// The maps of a process's panels, step by step.
pub fn status_bytes(steps: &[StepStatus]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(steps.len() as u64);
    for s in steps {
        w.u64(u64::from(s.step.index));
        w.u64(s.status.len() as u64);
        for (st, &kept) in s.status.iter().zip(&s.kept) {
            w.u64(kept as u64);
            w.u64(st.len() as u64);
            w.u64s(st);
        }
    }
    w.buf
}

/// Appends the panels of another process ([`status_bytes`]) to the root's `steps`.
pub fn append_status(steps: &mut [StepStatus], bytes: &[u8]) -> Result<()> {
    let what = "status maps";
    let mut r = Reader::new(bytes, what);
    if r.u64()? != steps.len() as u64 {
        return Err(Error::internal(format!(
            "{what}: another rank saw a different number of steps"
        )));
    }
    for s in steps.iter_mut() {
        same_step(what, r.u64()?, s.step.index)?;
        for _ in 0..r.u64()? {
            let kept = r.u64()? as usize;
            let mut st = vec![0u64; r.u64()? as usize];
            r.u64s(&mut st)?;
            s.status.push(st);
            s.kept.push(kept);
        }
    }
    r.end()
}

/// Feature 11's maxima of a process's panels, step by step.
pub fn maxima_bytes(steps: &[StepMax]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(steps.len() as u64);
    for s in steps {
        w.u64(u64::from(s.step.index));
        w.u64(s.max.len() as u64);
        for m in &s.max {
            w.u64(m.len() as u64);
            w.u16s(m);
        }
    }
    w.buf
}

/// Appends the maxima of another process ([`maxima_bytes`]) to the root's `steps`.
pub fn append_maxima(steps: &mut [StepMax], bytes: &[u8]) -> Result<()> {
    let what = "feature 11 maxima";
    let mut r = Reader::new(bytes, what);
    if r.u64()? != steps.len() as u64 {
        return Err(Error::internal(format!(
            "{what}: another rank saw a different number of steps"
        )));
    }
    for s in steps.iter_mut() {
        same_step(what, r.u64()?, s.step.index)?;
        for _ in 0..r.u64()? {
            let mut m = vec![0u16; r.u64()? as usize];
            r.u16s(&mut m)?;
            s.max.push(m);
        }
    }
    r.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::StepMeta;

    #[test]
    fn maps_and_maxima_of_other_ranks_append_in_order() {
        let step = |i, status: Vec<Vec<u64>>| StepStatus {
            step: StepMeta::single(i),
            kept: (0..status.len()).map(|k| 10 + k).collect(),
            status,
            frames: 12,
        };
        let mut root = vec![step(0, vec![vec![1, 2]]), step(1, vec![vec![3, 4]])];
        let other = vec![
            step(0, vec![vec![5, 6], vec![7, 8]]),
            step(1, vec![vec![9, 10], vec![11, 12]]),
        ];
        append_status(&mut root, &status_bytes(&other)).unwrap();
        assert_eq!(root[1].status, vec![vec![3, 4], vec![9, 10], vec![11, 12]]);
        assert_eq!(root[1].kept, vec![10, 10, 11]);
        // Another number of steps, or another step, is an error.
        assert!(append_status(&mut root, &status_bytes(&other[..1])).is_err());
        let swapped = vec![other[1].clone(), other[0].clone()];
        assert!(append_status(&mut root, &status_bytes(&swapped)).is_err());

        let mx = |i, max: Vec<Vec<u16>>| StepMax {
            step: StepMeta::single(i),
            max,
            frames: 3,
        };
        let mut root = vec![mx(0, vec![vec![1]])];
        append_maxima(&mut root, &maxima_bytes(&[mx(0, vec![vec![2], vec![3]])])).unwrap();
        assert_eq!(root[0].max, vec![vec![1], vec![2], vec![3]]);
        let b = maxima_bytes(&[mx(0, vec![vec![2]])]);
        assert!(append_maxima(&mut root, &b[..b.len() - 1]).is_err());
    }
}
