/*!
A whole-file check: every datagram, Xtc, Names and ShapesData of a file is read and every field
decoded, as a reader of the file would. Used by tests and the fuzz target, and by tools that
check a file before processing it.
*/

use crate::data_type::DataType;
use crate::error::{Error, FormatError};
use crate::file::XtcFile;
use crate::names_table::NamesTable;
use crate::shapes_data::ShapesData;
use crate::transition::TransitionId;
use crate::type_id::TypeId;

/// What [`validate`] found in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Datagrams read.
    pub dgrams: u64,
    /// L1Accept datagrams.
    pub l1accepts: u64,
    /// Names decoded.
    pub names: u64,
    /// ShapesData decoded (those with a known Names).
    pub shapes_data: u64,
    /// ShapesData whose NamesId no Names defines (skipped).
    pub orphans: u64,
    /// Xtcs marked Corrupted, which were not read into.
    pub corrupted: u64,
    /// Fields decoded.
    pub fields: u64,
}

/// Reads every datagram of `file` and decodes every Names, ShapesData and field.
pub fn validate(file: &XtcFile) -> Result<Summary, Error> {
    let mut sum = Summary::default();
    let mut table = NamesTable::new();
    for d in file.dgrams() {
        let d = d?;
        sum.dgrams += 1;
        if d.transition_id() == TransitionId::L1Accept {
            sum.l1accepts += 1;
        }
        sum.names += table.update(&d).map_err(|e| e.in_file(file.path()))? as u64;
        check_dgram(&d, &table, &mut sum).map_err(|e| e.in_file(file.path()))?;
    }
    Ok(sum)
}

fn check_dgram(
    d: &crate::dgram::Dgram<'_>,
    table: &NamesTable,
    sum: &mut Summary,
) -> Result<(), FormatError> {
    if d.xtc().damage().is_corrupted() {
        sum.corrupted += 1;
    }
    for xtc in d.xtc().walk() {
        let xtc = xtc?;
        if xtc.damage().is_corrupted() {
            sum.corrupted += 1;
            continue;
        }
        if xtc.type_id() != TypeId::ShapesData {
            continue;
        }
        let Some(names) = table.get(xtc.names_id()) else {
            sum.orphans += 1;
            continue;
        };
        let desc = ShapesData::decode(&xtc)?.desc(names)?;
        sum.shapes_data += 1;
        for field in desc.fields() {
            let field = field?;
            sum.fields += 1;
            match (field.data_type(), field.shape().rank()) {
                (DataType::CharStr, _) => {
                    field.as_str()?;
                }
                (_, 0) => {
                    field.as_f64()?;
                }
                (DataType::U16, _) => {
                    let a = field.array::<u16>()?;
                    let _ = a.get(a.len().saturating_sub(1));
                }
                _ => {}
            }
        }
    }
    Ok(())
}
