//! The `detcal` command.

fn main() {}
