/*!
File formats of constants and raw data: psana's text ndarray format, NumPy `.npy`, and
Python's `%` number formatting they depend on.
*/

pub mod array;
pub mod npy;
pub mod pyfmt;
pub mod text;
