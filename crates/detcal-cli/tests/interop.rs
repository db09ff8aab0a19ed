//! psana itself (the PyPI `psana` package) as an outside reader and writer of detcal's files.
