//! Encoding of a [`Names`] into the bytes of a Names Xtc (mirror of `names.rs`).

use crate::error::Error;
use crate::names::MAX_RANK;
use crate::names::{NAME_BUF, Names};

/// Appends a NUL-terminated string in a fixed 256-byte buffer.
fn fixed(out: &mut Vec<u8>, s: &str, what: &str) -> Result<(), Error> {
    let b = s.as_bytes();
    if b.len() >= NAME_BUF {
        return Err(Error::Write(format!(
            "{what} `{s}` is {} bytes; at most {} fit",
            b.len(),
            NAME_BUF - 1
        )));
    }
    if b.contains(&0) {
        return Err(Error::Write(format!("{what} `{s}` contains a NUL byte")));
    }
    out.extend_from_slice(b);
    out.resize(out.len() + NAME_BUF - b.len(), 0);
    Ok(())
}

/// Appends the payload of a Names Xtc (everything after its header).
pub(crate) fn encode_payload(names: &Names, out: &mut Vec<u8>) -> Result<(), Error> {
    out.extend_from_slice(&names.num_arrays().to_le_bytes());
    fixed(out, &names.det_type, "detType")?;
    fixed(out, &names.det_name, "detName")?;
    fixed(out, &names.det_id, "detId")?;
    fixed(out, &names.alg.name, "alg name")?;
    out.extend_from_slice(&names.alg.version.0.to_le_bytes());
    out.extend_from_slice(&names.segment.to_le_bytes());
    for f in &names.fields {
        if f.rank > MAX_RANK {
            return Err(Error::Write(format!(
                "field `{}` has rank {} > 5",
                f.name, f.rank
            )));
        }
        fixed(out, &f.alg.name, "field alg name")?;
        out.extend_from_slice(&f.alg.version.0.to_le_bytes());
        fixed(out, &f.name, "field name")?;
        out.extend_from_slice(&f.data_type.code().to_le_bytes());
        out.extend_from_slice(&f.rank.to_le_bytes());
    }
    Ok(())
}
