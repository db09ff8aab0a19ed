/*!
The `contains` word of an Xtc: what its payload holds.
*/

/// What an Xtc holds (bits 0-11 of `contains`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeId {
    /// 0: a container of child Xtcs.
    Parent,
    /// 1: a Shapes child and a Data child.
    ShapesData,
    /// 2: the shapes of a ShapesData's arrays.
    Shapes,
    /// 3: the packed values of a ShapesData.
    Data,
    /// 4: the description of a detector's fields.
    Names,
    /// Any other type id.
    Other(u16),
}

impl TypeId {
    /// The type in the low 12 bits of a `contains` word.
    pub const fn from_contains(contains: u16) -> Self {
        match contains & 0x0fff {
            0 => Self::Parent,
            1 => Self::ShapesData,
            2 => Self::Shapes,
            3 => Self::Data,
            4 => Self::Names,
            n => Self::Other(n),
        }
    }

    /// The 12-bit type number.
    pub const fn as_u16(self) -> u16 {
        match self {
            Self::Parent => 0,
            Self::ShapesData => 1,
            Self::Shapes => 2,
            Self::Data => 3,
            Self::Names => 4,
            Self::Other(n) => n & 0x0fff,
        }
    }

    /// The `contains` word for this type and a version (0-15).
    pub const fn contains(self, version: u8) -> u16 {
        self.as_u16() | ((version as u16 & 0xf) << 12)
    }
}

/// The identity of a Names and of the ShapesData that use it: the whole `src` word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamesId(pub u32);

impl NamesId {
    /// The id the DAQ gives names number `names_id` of node `node_id`.
    pub const fn new(node_id: u16, names_id: u8) -> Self {
        Self(((node_id as u32 & 0xfff) << 8) | names_id as u32)
    }

    /// The node id (bits 8-19).
    pub const fn node_id(self) -> u16 {
        ((self.0 >> 8) & 0xfff) as u16
    }

    /// The names number within the node (bits 0-7).
    pub const fn names_id(self) -> u8 {
        self.0 as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ids_round_trip() {
        for n in 0..20u16 {
            assert_eq!(TypeId::from_contains(n | 0x1000).as_u16(), n);
        }
        assert_eq!(TypeId::Names.contains(0), 4);
        assert_eq!(TypeId::Data.contains(1), 0x1003);
    }

    #[test]
    fn names_id_packs_node_and_number() {
        // The jungfrau sample's raw Names: node 1, names 10.
        assert_eq!(NamesId::new(1, 10), NamesId(0x10a));
        assert_eq!(NamesId(0x10a).node_id(), 1);
        assert_eq!(NamesId(0x10a).names_id(), 10);
    }
}
