/*!
The Xtc container: a 12-byte header (`src`, `damage`, `contains`, `extent`) and a payload, which
for a Parent is a sequence of child Xtcs.

[`Xtc::parse`] checks the extent against the bytes of its container before anything is sliced;
[`Xtc::children`] and [`XtcWalk`] walk the tree with the same check at every level.
*/

use crate::cursor::Cursor;
use crate::damage::Damage;
use crate::error::{FormatError, FormatErrorKind};
use crate::type_id::{NamesId, TypeId};

/// Bytes of an Xtc header.
pub const XTC_HEADER_SIZE: usize = 12;

/// A view of one Xtc in a buffer.
#[derive(Debug, Clone, Copy)]
pub struct Xtc<'a> {
    at: u64,
    src: u32,
    damage: Damage,
    contains: u16,
    extent: u32,
    payload: &'a [u8],
}

impl<'a> Xtc<'a> {
    /// Reads the Xtc at the start of `cur`, which must hold all of its `extent` bytes.
    pub(crate) fn parse(cur: &mut Cursor<'a>) -> Result<Self, FormatError> {
        let at = cur.at();
        let room = cur.len() as u64;
        let mut header = cur.split(XTC_HEADER_SIZE, "Xtc header")?;
        let src = header.u32("Xtc src")?;
        let damage = Damage(header.u16("Xtc damage")?);
        let contains = header.u16("Xtc contains")?;
        let extent = header.u32("Xtc extent")?;
        if (extent as usize) < XTC_HEADER_SIZE {
            return Err(FormatErrorKind::ExtentTooSmall { extent }.at(at));
        }
        let len = usize::try_from(extent - XTC_HEADER_SIZE as u32)
            .map_err(|_| FormatErrorKind::ExtentPastContainer { extent, room }.at(at))?;
        if len > cur.len() {
            return Err(FormatErrorKind::ExtentPastContainer { extent, room }.at(at));
        }
        let payload = cur.take(len, "Xtc payload")?;
        Ok(Self {
            at,
            src,
            damage,
            contains,
            extent,
            payload,
        })
    }

    /// Reads one Xtc from the start of `buf`, whose first byte is at file offset `at`.
    pub fn from_bytes(buf: &'a [u8], at: u64) -> Result<Self, FormatError> {
        Self::parse(&mut Cursor::new(buf, at))
    }

    /// File offset of the header.
    pub fn offset(&self) -> u64 {
        self.at
    }

    /// File offset of the first payload byte.
    pub fn payload_offset(&self) -> u64 {
        self.at.saturating_add(XTC_HEADER_SIZE as u64)
    }

    /// The raw `src` word.
    pub fn src(&self) -> u32 {
        self.src
    }

    /// The `src` word as a NamesId (meaningful for Names and ShapesData).
    pub fn names_id(&self) -> NamesId {
        NamesId(self.src)
    }

    /// The level in `src` (bits 28-31): 0 Segment, 1 Event.
    pub fn level(&self) -> u8 {
        (self.src >> 28) as u8
    }

    /// The damage word.
    pub fn damage(&self) -> Damage {
        self.damage
    }

    /// The raw `contains` word.
    pub fn contains(&self) -> u16 {
        self.contains
    }

    /// What the payload holds.
    pub fn type_id(&self) -> TypeId {
        TypeId::from_contains(self.contains)
    }

    /// The type version (bits 12-15 of `contains`).
    pub fn type_version(&self) -> u8 {
        (self.contains >> 12) as u8
    }

    /// Bytes of this Xtc including its header.
    pub fn extent(&self) -> u32 {
        self.extent
    }

    /// The payload (everything after the header).
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    pub(crate) fn payload_cursor(&self) -> Cursor<'a> {
        Cursor::new(self.payload, self.payload_offset())
    }

    /// The child Xtcs of the payload (for a Parent or a ShapesData).
    pub fn children(&self) -> Children<'a> {
        Children {
            cur: self.payload_cursor(),
        }
    }

    /// All Xtcs below this one, depth first; Corrupted Xtcs are yielded but not entered.
    pub fn walk(&self) -> XtcWalk<'a> {
        XtcWalk::new(*self)
    }
}

/// The child Xtcs of a payload, in order; stops after the first error.
#[derive(Debug, Clone)]
pub struct Children<'a> {
    cur: Cursor<'a>,
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Xtc<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.cur.is_empty() {
            return None;
        }
        let item = Xtc::parse(&mut self.cur);
        if item.is_err() {
            self.cur = Cursor::new(&[], self.cur.at());
        }
        Some(item)
    }
}

/// A depth-first walk of the Xtcs below a root, entering only Parents that are not Corrupted.
///
/// The walk keeps its own stack, so a deeply nested (hostile) file cannot overflow the thread's
/// stack; the stack is bounded by the payload size divided by 12.
#[derive(Debug, Clone)]
pub struct XtcWalk<'a> {
    stack: Vec<Children<'a>>,
}

impl<'a> XtcWalk<'a> {
    fn new(root: Xtc<'a>) -> Self {
        let stack = if root.damage.is_corrupted() {
            Vec::new()
        } else {
            vec![root.children()]
        };
        Self { stack }
    }

    /// How many containers deep the next item is (0 = a child of the root).
    pub fn depth(&self) -> usize {
        self.stack.len().saturating_sub(1)
    }
}

impl<'a> Iterator for XtcWalk<'a> {
    type Item = Result<Xtc<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(Err(e)) => {
                    self.stack.clear();
                    return Some(Err(e));
                }
                Some(Ok(xtc)) => {
                    if xtc.type_id() == TypeId::Parent && !xtc.damage.is_corrupted() {
                        self.stack.push(xtc.children());
                    }
                    return Some(Ok(xtc));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Xtc header followed by `payload`.
    fn xtc(src: u32, damage: u16, contains: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&src.to_le_bytes());
        v.extend_from_slice(&damage.to_le_bytes());
        v.extend_from_slice(&contains.to_le_bytes());
        v.extend_from_slice(&(12 + payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn parses_header_fields() {
        let bytes = xtc(0x10a, 0x8008, 0x1001, &[1, 2, 3]);
        let x = Xtc::from_bytes(&bytes, 100).unwrap();
        assert_eq!(x.src(), 0x10a);
        assert_eq!(x.damage(), Damage(0x8008));
        assert_eq!(x.type_id(), TypeId::ShapesData);
        assert_eq!(x.type_version(), 1);
        assert_eq!(x.extent(), 15);
        assert_eq!(x.payload(), &[1, 2, 3]);
        assert_eq!(x.payload_offset(), 112);
    }

    #[test]
    fn extent_below_header_is_refused() {
        let mut bytes = xtc(0, 0, 0, &[]);
        bytes[8..12].copy_from_slice(&8u32.to_le_bytes());
        let e = Xtc::from_bytes(&bytes, 26882).unwrap_err();
        assert_eq!(
            e.to_string(),
            "byte 26882: Xtc extent 8 is smaller than its 12-byte header"
        );
    }

    #[test]
    fn extent_past_container_is_refused() {
        let mut bytes = xtc(0, 0, 0, &[0; 4]);
        bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = Xtc::from_bytes(&bytes, 0).unwrap_err();
        assert_eq!(
            e.kind,
            FormatErrorKind::ExtentPastContainer {
                extent: u32::MAX,
                room: 16
            }
        );
    }

    #[test]
    fn walk_is_depth_first_and_skips_corrupted() {
        let leaf_a = xtc(1, 0, 3, &[9]);
        let leaf_b = xtc(2, 0, 3, &[]);
        let hidden = xtc(3, 0, 3, &[]);
        let corrupted = xtc(4, Damage::CORRUPTED, 0, &hidden);
        let inner = xtc(5, 0, 0, &[leaf_a.clone(), corrupted].concat());
        let root = xtc(6, 0, 0, &[inner, leaf_b].concat());
        let x = Xtc::from_bytes(&root, 0).unwrap();
        let srcs: Vec<u32> = x.walk().map(|r| r.unwrap().src()).collect();
        assert_eq!(srcs, [5, 1, 4, 2]);
    }

    #[test]
    fn walk_reports_bad_child_once() {
        let mut child = xtc(1, 0, 3, &[0; 4]);
        child[8..12].copy_from_slice(&40u32.to_le_bytes());
        let root = xtc(6, 0, 0, &child);
        let x = Xtc::from_bytes(&root, 10).unwrap();
        let items: Vec<_> = x.walk().collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap_err().offset, 22);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        // 100,001 nested headers: each a Parent holding the next, the innermost a Data.
        let depth = 100_001u32;
        let mut bytes = Vec::new();
        for i in 0..depth {
            let contains: u16 = if i + 1 == depth { 3 } else { 0 };
            bytes.extend_from_slice(&0u32.to_le_bytes());
            bytes.extend_from_slice(&0u16.to_le_bytes());
            bytes.extend_from_slice(&contains.to_le_bytes());
            bytes.extend_from_slice(&(12 * (depth - i)).to_le_bytes());
        }
        let x = Xtc::from_bytes(&bytes, 0).unwrap();
        assert_eq!(x.walk().count(), 100_000);
    }
}
