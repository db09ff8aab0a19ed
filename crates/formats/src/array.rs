/*!
A dynamically typed n-dimensional array, as constants files hold them.

A constants file can hold any of numpy's integer or float element types; [`NdArray`] keeps the
element type that was read, and [`NdArray::cast`] converts it the way numpy's `astype` does.
*/

use std::fmt;
use std::str::FromStr;

use ndarray::{ArrayD, IxDyn};

use crate::error::{Error, Result};

/// An element type, named as numpy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum DType {
    U8,
    U16,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

/// Every element type, in the order used in messages.
pub const ALL_DTYPES: &[DType] = &[
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F32,
    DType::F64,
];

impl DType {
    /// numpy's name (`uint16`, `float32`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The dtype of a numpy name; `float`, `int` and `double` are accepted as numpy's aliases.
    pub fn from_name(name: &str) -> Option<DType> {
        match name {
            "float" | "double" | "float_" => Some(DType::F64),
            "int" | "int_" => Some(DType::I64),
            "uint" => Some(DType::U64),
            _ => ALL_DTYPES.iter().copied().find(|d| d.name() == name),
        }
    }

    /// Whether the type is an integer type.
    pub fn is_integer(self) -> bool {
        !matches!(self, DType::F32 | DType::F64)
    }

    /// The size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            DType::U8 | DType::I8 => 1,
            DType::U16 | DType::I16 => 2,
            DType::U32 | DType::I32 | DType::F32 => 4,
            DType::U64 | DType::I64 | DType::F64 => 8,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        DType::from_name(s).ok_or_else(|| Error::BadName {
            kind: "dtype",
            name: s.to_string(),
            reason: format!(
                "expected one of {}",
                ALL_DTYPES
                    .iter()
                    .map(|d| d.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

/// An element type that an [`NdArray`] can hold.
pub trait Element: Copy + Send + Sync + PartialOrd + fmt::Debug + 'static {
    /// The dtype of this element type.
    const DTYPE: DType;
    /// The value as f64 (exact for all but the largest 64-bit integers).
    fn to_f64(self) -> f64;
    /// The value converted from f64 as numpy's `astype` does for in-range values
    /// (floats truncate toward zero when cast to integers).
    fn from_f64(v: f64) -> Self;
    /// The value converted from an integer with two's-complement wrapping, as numpy's `astype`
    /// converts integers.
    fn from_i128(v: i128) -> Self;
    /// Wraps an array of this type.
    fn wrap(a: ArrayD<Self>) -> NdArray;
    /// Borrows the array if it holds this type.
    fn unwrap_ref(a: &NdArray) -> Option<&ArrayD<Self>>;
}

macro_rules! impl_element {
    ($t:ty, $dt:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn from_i128(v: i128) -> Self {
                v as $t
            }
            fn wrap(a: ArrayD<Self>) -> NdArray {
                NdArray::$dt(a)
            }
            fn unwrap_ref(a: &NdArray) -> Option<&ArrayD<Self>> {
                match a {
                    NdArray::$dt(x) => Some(x),
                    _ => None,
                }
            }
        }
    };
}

impl_element!(u8, U8);
impl_element!(u16, U16);
impl_element!(u32, U32);
impl_element!(u64, U64);
impl_element!(i8, I8);
impl_element!(i16, I16);
impl_element!(i32, I32);
impl_element!(i64, I64);
impl_element!(f32, F32);
impl_element!(f64, F64);

/// An n-dimensional array whose element type is known only at run time.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum NdArray {
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Runs `$body` with `$a` bound to the typed array inside an [`NdArray`].
#[macro_export]
#[doc(hidden)]
macro_rules! with_array {
    ($nd:expr, $a:ident => $body:expr) => {
        match $nd {
            $crate::NdArray::U8($a) => $body,
            $crate::NdArray::U16($a) => $body,
            $crate::NdArray::U32($a) => $body,
            $crate::NdArray::U64($a) => $body,
            $crate::NdArray::I8($a) => $body,
            $crate::NdArray::I16($a) => $body,
            $crate::NdArray::I32($a) => $body,
            $crate::NdArray::I64($a) => $body,
            $crate::NdArray::F32($a) => $body,
            $crate::NdArray::F64($a) => $body,
        }
    };
}

impl NdArray {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            NdArray::U8(_) => DType::U8,
            NdArray::U16(_) => DType::U16,
            NdArray::U32(_) => DType::U32,
            NdArray::U64(_) => DType::U64,
            NdArray::I8(_) => DType::I8,
            NdArray::I16(_) => DType::I16,
            NdArray::I32(_) => DType::I32,
            NdArray::I64(_) => DType::I64,
            NdArray::F32(_) => DType::F32,
            NdArray::F64(_) => DType::F64,
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        with_array!(self, a => a.len())
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The array converted to `T` as numpy's `astype(T)` converts in-range values.
    pub fn to_typed<T: Element>(&self) -> ArrayD<T> {
        if let Some(a) = T::unwrap_ref(self) {
            return a.clone();
        }
        // Integer to integer conversions must not pass through f64 (u64 status words).
        if T::DTYPE.is_integer() && self.dtype().is_integer() {
            let v = self.to_i128_vec();
            let conv: Vec<T> = v.into_iter().map(T::from_i128).collect();
            return ArrayD::from_shape_vec(IxDyn(self.shape()), conv).expect("same shape");
        }
        with_array!(self, a => a.mapv(|x| T::from_f64(x.to_f64())))
    }

    /// The array as f64 values.
    pub fn to_f64(&self) -> ArrayD<f64> {
        self.to_typed::<f64>()
    }

    /// The array converted to `dtype`.
    pub fn cast(&self, dtype: DType) -> NdArray {
        match dtype {
            DType::U8 => NdArray::U8(self.to_typed()),
            DType::U16 => NdArray::U16(self.to_typed()),
            DType::U32 => NdArray::U32(self.to_typed()),
            DType::U64 => NdArray::U64(self.to_typed()),
            DType::I8 => NdArray::I8(self.to_typed()),
            DType::I16 => NdArray::I16(self.to_typed()),
            DType::I32 => NdArray::I32(self.to_typed()),
            DType::I64 => NdArray::I64(self.to_typed()),
            DType::F32 => NdArray::F32(self.to_typed()),
            DType::F64 => NdArray::F64(self.to_typed()),
        }
    }

    /// The array with a new shape of the same number of elements (C order).
    pub fn reshape(self, shape: &[usize]) -> Result<NdArray> {
        let Some(n) = checked_product(shape) else {
            return Err(Error::invalid(format!(
                "shape {} is too large: its number of elements overflows",
                shape_str(shape)
            )));
        };
        if n != self.len() {
            return Err(Error::invalid(format!(
                "cannot reshape {} elements of shape {} into shape {}",
                self.len(),
                shape_str(self.shape()),
                shape_str(shape)
            )));
        }
        with_array!(self, a => {
            let std = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            let v = std.into_raw_vec_and_offset().0;
            // ndarray also refuses shapes whose non-zero lengths multiply past isize::MAX, even
            // with no elements (a zero-length axis).
            ArrayD::from_shape_vec(IxDyn(shape), v).map(Element::wrap).map_err(|e| {
                Error::invalid(format!("cannot make an array of shape {}: {e}", shape_str(shape)))
            })
        })
    }

    /// The values as i128 in C order, for integer arrays (floats are truncated).
    fn to_i128_vec(&self) -> Vec<i128> {
        match self {
            NdArray::U8(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::U16(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::U32(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::U64(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::I8(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::I16(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::I32(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::I64(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::F32(a) => a.iter().map(|&x| x as i128).collect(),
            NdArray::F64(a) => a.iter().map(|&x| x as i128).collect(),
        }
    }
}

/// The number of elements of `shape`, or `None` when the product overflows `usize` or the
/// product of its non-zero lengths exceeds `isize::MAX` (what ndarray accepts as a shape).
pub fn checked_product(shape: &[usize]) -> Option<usize> {
    let mut nonzero: usize = 1;
    for &d in shape {
        if d != 0 {
            nonzero = nonzero.checked_mul(d)?;
        }
    }
    if nonzero > isize::MAX as usize {
        return None;
    }
    Some(if shape.contains(&0) { 0 } else { nonzero })
}

/// Formats a shape as Python prints a tuple without spaces: `(3,1,512,1024)`, `(3,)`, `()`.
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

impl<T: Element> From<ArrayD<T>> for NdArray {
    fn from(a: ArrayD<T>) -> Self {
        T::wrap(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_names_round_trip() {
        for d in ALL_DTYPES {
            assert_eq!(DType::from_name(d.name()), Some(*d));
            assert_eq!(d.name().parse::<DType>().unwrap(), *d);
        }
        assert!("complex64".parse::<DType>().is_err());
    }

    #[test]
    fn cast_like_numpy() {
        let a = NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.9, -1.9, 3.0, 65535.0]).unwrap(),
        );
        let u = a.cast(DType::I32);
        assert_eq!(
            u,
            NdArray::I32(ArrayD::from_shape_vec(IxDyn(&[4]), vec![1, -1, 3, 65535]).unwrap())
        );
        let big =
            NdArray::U64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![u64::MAX, 1 << 63]).unwrap());
        assert_eq!(big.cast(DType::U64), big);
        let back = big.cast(DType::I64).cast(DType::U64);
        assert_eq!(
            back, big,
            "integer casts wrap exactly without passing through f64"
        );
        assert_eq!(
            big.cast(DType::U16),
            NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[2]), vec![65535, 0]).unwrap())
        );
    }

    #[test]
    fn reshape_checks_size() {
        let a = NdArray::U8(ArrayD::zeros(IxDyn(&[2, 3])));
        assert_eq!(a.clone().reshape(&[3, 2]).unwrap().shape(), &[3, 2]);
        assert!(a.clone().reshape(&[4]).is_err());
        // Shapes whose product overflows (and would wrap to 6 or 0) are errors, not panics.
        let e = a
            .clone()
            .reshape(&[(1usize << 62) + 1, 4, 6])
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "{e}");
        let empty = NdArray::U8(ArrayD::zeros(IxDyn(&[0])));
        assert!(empty.clone().reshape(&[0, 1 << 62, 4]).is_err());
        assert_eq!(
            empty.reshape(&[0, 1 << 20, 4]).unwrap().shape(),
            &[0, 1 << 20, 4]
        );
    }

    #[test]
    fn checked_products() {
        assert_eq!(checked_product(&[]), Some(1));
        assert_eq!(checked_product(&[3, 0, 5]), Some(0));
        assert_eq!(checked_product(&[3, 4]), Some(12));
        assert_eq!(checked_product(&[4611686018427387905, 4]), None);
        assert_eq!(checked_product(&[0, usize::MAX, 2]), None);
        assert_eq!(
            checked_product(&[isize::MAX as usize]),
            Some(isize::MAX as usize)
        );
        assert_eq!(checked_product(&[isize::MAX as usize + 1]), None);
    }

    #[test]
    fn shape_strings() {
        assert_eq!(shape_str(&[3, 1, 512, 1024]), "(3,1,512,1024)");
        assert_eq!(shape_str(&[3]), "(3,)");
        assert_eq!(shape_str(&[]), "()");
    }
}
