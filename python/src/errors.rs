//! detcal's errors as Python exceptions: `detcal.Error` and one subclass per kind of failure.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

use detcal::Error as E;

create_exception!(
    detcal,
    Error,
    PyException,
    "Every error of detcal; the message names the input (file, line, option) and what is wrong."
);
create_exception!(
    detcal,
    NotFoundError,
    Error,
    "Something looked for does not exist: constants of a run, a detector, a run, a file, data."
);
create_exception!(
    detcal,
    MalformedError,
    Error,
    "Input that cannot be read as what it should be: a bad text line or header, a corrupt file."
);
create_exception!(
    detcal,
    ShapeError,
    Error,
    "An array whose shape or size does not fit (frames, constants, masks)."
);
create_exception!(
    detcal,
    IoError,
    Error,
    "An operating-system error on a file or directory."
);
create_exception!(
    detcal,
    ArgumentError,
    Error,
    "A bad value of an argument or option (a name, a number format, a gain mode), an unsupported detector or feature, a missing setting."
);

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("MalformedError", py.get_type::<MalformedError>())?;
    m.add("ShapeError", py.get_type::<ShapeError>())?;
    m.add("IoError", py.get_type::<IoError>())?;
    m.add("ArgumentError", py.get_type::<ArgumentError>())?;
    Ok(())
}

/// What kind of error `e` is, looking through the context it was wrapped in.
fn root(e: &E) -> &E {
    match e {
        E::Context { source, .. } | E::Step { source, .. } => root(source),
        other => other,
    }
}

/// The Python exception of a library error, with its one-line message.
pub fn lib_err(e: E) -> PyErr {
    let msg = e.to_string();
    match root(&e) {
        E::NotFound { .. } => NotFoundError::new_err(msg),
        E::Io { .. } => IoError::new_err(msg),
        E::Parse { .. } | E::Content { .. } => MalformedError::new_err(msg),
        E::Shape { .. } => ShapeError::new_err(msg),
        E::BadArgument { .. } | E::BadName { .. } | E::Unsupported { .. } | E::Config { .. } => {
            ArgumentError::new_err(msg)
        }
        E::Format(f) => match f {
            detcal_formats::Error::Io { .. } => IoError::new_err(msg),
            detcal_formats::Error::Shape(_) => ShapeError::new_err(msg),
            detcal_formats::Error::BadName { .. } => ArgumentError::new_err(msg),
            _ => MalformedError::new_err(msg),
        },
        E::Xtc(x) => match x {
            xtc2::Error::Io { .. } => IoError::new_err(msg),
            _ => MalformedError::new_err(msg),
        },
        _ => Error::new_err(msg),
    }
}
