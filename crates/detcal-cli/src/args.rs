//! Options shared by several commands.

use detcal::files::{self, DEFAULT_GROUP, Perms};

/// psana's options for the modes and group of what a command creates.
#[derive(Debug, Clone, clap::Args)]
pub struct PermArgs {
    /// Mode of new directories (octal 0o2775 or 02775, or decimal 1533).
    #[arg(long, value_name = "MODE", default_value = "0o2775", value_parser = parse_mode)]
    pub dirmode: u32,
    /// Mode of new files (octal 0o664 or 0664, or decimal 436).
    #[arg(long, value_name = "MODE", default_value = "0o664", value_parser = parse_mode)]
    pub filemode: u32,
    /// Group of new files and directories, changed where permitted ('' leaves groups alone).
    #[arg(long, value_name = "GROUP", default_value = DEFAULT_GROUP)]
    pub group: String,
}

impl PermArgs {
    /// The modes and group as the library takes them.
    pub fn perms(&self) -> Perms {
        Perms::new(self.dirmode, self.filemode, &self.group)
    }
}

fn parse_mode(s: &str) -> Result<u32, String> {
    files::parse_mode(s).map_err(|e| e.to_string())
}
