/*!
The NamesId -> Names table of a stream, filled from Configure and reset at every Configure.
*/

use std::collections::HashMap;
use std::sync::Arc;

use crate::dgram::Dgram;
use crate::error::{FormatError, FormatErrorKind};
use crate::names::Names;
use crate::transition::TransitionId;
use crate::type_id::{NamesId, TypeId};

/// The Names known in a stream, by NamesId.
#[derive(Debug, Clone, Default)]
pub struct NamesTable {
    map: HashMap<NamesId, Arc<Names>>,
}

impl NamesTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every Names.
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Adds a Names; a NamesId seen twice is an error at `offset`.
    pub fn insert(&mut self, names: Names, offset: u64) -> Result<Arc<Names>, FormatError> {
        let id = names.names_id;
        if self.map.contains_key(&id) {
            return Err(FormatErrorKind::DuplicateNamesId(id.0).at(offset));
        }
        let names = Arc::new(names);
        self.map.insert(id, Arc::clone(&names));
        Ok(names)
    }

    /// The Names with this id.
    pub fn get(&self, id: NamesId) -> Option<&Arc<Names>> {
        self.map.get(&id)
    }

    /// Number of Names.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// All Names, sorted by NamesId.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Names>> {
        let mut all: Vec<_> = self.map.values().collect();
        all.sort_by_key(|n| n.names_id);
        all.into_iter()
    }

    /// Updates the table from a datagram: a Configure resets it and adds its Names.
    ///
    /// Names in other transitions are added too (psana only looks in Configure, but a later
    /// Names does no harm). Returns how many Names were added.
    pub fn update(&mut self, dgram: &Dgram<'_>) -> Result<usize, FormatError> {
        if dgram.transition_id() == TransitionId::Configure {
            self.clear();
        }
        let mut added = 0;
        for xtc in dgram.xtc().walk() {
            let xtc = xtc?;
            if xtc.type_id() == TypeId::Names {
                if xtc.damage().is_corrupted() {
                    return Err(FormatErrorKind::Corrupted {
                        damage: xtc.damage().0,
                    }
                    .at(xtc.offset()));
                }
                self.insert(Names::decode(&xtc)?, xtc.offset())?;
                added += 1;
            }
        }
        Ok(added)
    }
}
