//! NumPy arrays to and from detcal's typed arrays.

use ndarray::{ArrayD, IxDyn};
use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

use detcal::NdArray;

use crate::errors::ArgumentError;

/// A NumPy array of the values and dtype of `arr`.
pub fn to_numpy(py: Python<'_>, arr: NdArray) -> PyResult<Bound<'_, PyAny>> {
    detcal::with_array!(arr, a => {
        let shape = a.shape().to_vec();
        let values: Vec<_> = a.iter().copied().collect();
        Ok(PyArray1::from_vec(py, values).reshape(shape)?.into_any())
    })
}

/// A NumPy array of `values` shaped `shape` (C order).
pub fn shaped<'py, T: numpy::Element>(
    py: Python<'py>,
    values: Vec<T>,
    shape: &[usize],
) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyArray1::from_vec(py, values)
        .reshape(shape.to_vec())?
        .into_any())
}

/// `obj` (any array-like) as a C-contiguous NumPy array.
pub fn contiguous<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    obj.py()
        .import("numpy")?
        .call_method1("ascontiguousarray", (obj,))
}

/// The NumPy dtype name of a NumPy array.
pub fn dtype_name(arr: &Bound<'_, PyAny>) -> PyResult<String> {
    arr.getattr("dtype")?.getattr("name")?.extract()
}

/// A copy of a contiguous NumPy array of element type `T` as an `ArrayD`.
fn typed<T: numpy::Element + Copy>(arr: &Bound<'_, PyAny>) -> PyResult<ArrayD<T>> {
    let a = arr.cast::<numpy::PyArrayDyn<T>>()?.readonly();
    let shape = a.shape().to_vec();
    let values = a.as_slice()?.to_vec();
    Ok(ArrayD::from_shape_vec(IxDyn(&shape), values).expect("contiguous array of its shape"))
}

/// `obj` (any array-like of a numeric or bool dtype) as detcal's typed array; `what` names it
/// in errors.
pub fn from_numpy(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<NdArray> {
    let mut arr = contiguous(obj)?;
    let mut name = dtype_name(&arr)?;
    if name == "bool" {
        arr = arr.call_method1("astype", ("uint8",))?;
        name = "uint8".into();
    }
    Ok(match name.as_str() {
        "uint8" => NdArray::U8(typed(&arr)?),
        "uint16" => NdArray::U16(typed(&arr)?),
        "uint32" => NdArray::U32(typed(&arr)?),
        "uint64" => NdArray::U64(typed(&arr)?),
        "int8" => NdArray::I8(typed(&arr)?),
        "int16" => NdArray::I16(typed(&arr)?),
        "int32" => NdArray::I32(typed(&arr)?),
        "int64" => NdArray::I64(typed(&arr)?),
        "float32" => NdArray::F32(typed(&arr)?),
        "float64" => NdArray::F64(typed(&arr)?),
        other => {
            return Err(ArgumentError::new_err(format!(
                "{what}: dtype {other} is not one detcal stores (integers, float32, float64, bool)"
            )));
        }
    })
}

/// `obj` as a contiguous uint16 NumPy array of raw words; another dtype is an error naming `what`.
pub fn raw_words<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyAny>> {
    let arr = contiguous(obj)?;
    let name = dtype_name(&arr)?;
    if name != "uint16" {
        return Err(ArgumentError::new_err(format!(
            "{what}: dtype {name}, expected uint16 raw words (as det.raw.raw(evt) gives them)"
        )));
    }
    Ok(arr)
}
