/*!
The per-panel constants repository, as psana's `RepoManager` lays it out.

```text
<repo>/.aliases_jungfrau.txt                         panel id -> 4-digit alias, one record per panel
<repo>/<panel_id>/<ctype>/<type>_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>_gm<i>-<Name>.dat
<repo>/merge_tmp/<det>-<tstamp>-<exp>-r<NNNN>-<ctype>.txt
<repo>/logs/<YYYY>/<YYYY-mm-ddTHHMMSS>_log_<script>_<user>.txt
```

Constants are kept per physical panel (its id comes from the hardware serials), so a panel
that moves between detectors keeps its history. The file valid for a time is the latest one
whose time stamp is not later ([`select`]).
*/

pub mod alias;
pub mod joblog;
pub mod select;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::files::{Perms, check_component, create_dirs};

/// The sub-directories psana's dark processing writes for each panel.
pub const JUNGFRAU_DARK_CTYPES: [&str; 5] = ["pedestals", "rms", "status", "dark_min", "dark_max"];

/// What differs between the panel repositories of the detector families: the type in file
/// names, the default root, the alias table and its records, the panel sub-directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoKind {
    /// The first field of file names (`jungfrau`, `epix10ka`).
    pub paneltype: &'static str,
    /// The default root under `SIT_ROOT`.
    pub default_root: &'static str,
    /// The alias table's file name in the repository root.
    pub alias_file: &'static str,
    /// Whether new alias records carry the experiment and run (JUNGFRAU) or not (ePix10ka).
    pub alias_with_run: bool,
    /// The sub-directories dark processing creates for each panel.
    pub panel_dirs: &'static [&'static str],
    /// The calibration types dark processing writes.
    pub dark_ctypes: &'static [&'static str],
}

impl RepoKind {
    /// JUNGFRAU: `.../gains/jungfrau/panels`, `.aliases_jungfrau.txt`, `..._gm<i>-<Mode>.dat`.
    pub const JUNGFRAU: RepoKind = RepoKind {
        paneltype: "jungfrau",
        default_root: "detector/gains/jungfrau/panels",
        alias_file: ".aliases_jungfrau.txt",
        alias_with_run: true,
        panel_dirs: &JUNGFRAU_DARK_CTYPES,
        dark_ctypes: &JUNGFRAU_DARK_CTYPES,
    };

    /// ePix10ka: `.../gains/epix10k/panels`, `.aliases.txt` (records without experiment and
    /// run), `..._<ctype>_<MODE>.dat`.
    pub const EPIX10KA: RepoKind = RepoKind {
        paneltype: "epix10ka",
        default_root: "detector/gains/epix10k/panels",
        alias_file: ".aliases.txt",
        alias_with_run: false,
        panel_dirs: &["pedestals", "offset", "gain", "rms", "status"],
        dark_ctypes: &["pedestals", "rms", "status"],
    };

    /// The alias table of `repo` for this kind.
    pub fn alias_table(&self, repo: &Repo) -> alias::AliasTable {
        alias::AliasTable::new(repo.root().join(self.alias_file), repo.perms().clone())
    }

    /// The alias of panel `id` (a new panel is added under the table's lock), with the record
    /// fields this kind keeps.
    pub fn alias_for(&self, repo: &Repo, id: &str, exp: &str, run: u32) -> Result<String> {
        let rec = if self.alias_with_run {
            alias::AliasRecord {
                exp: Some(exp),
                run: Some(run),
                extra: &[],
            }
        } else {
            alias::AliasRecord::default()
        };
        self.alias_table(repo).alias_for(id, &rec)
    }

    /// psana's file-name prefix `<paneltype>_<alias>_<tstamp>_<exp>_r<run %04d>`.
    pub fn file_prefix(&self, alias: &str, tstamp: &str, exp: &str, run: u32) -> Result<String> {
        file_prefix(self.paneltype, alias, tstamp, exp, run)
    }
}

/// A constants repository rooted at a directory.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
    perms: Perms,
}

impl Repo {
    /// The repository at `root`; directories and files it creates get `perms`.
    pub fn new(root: impl Into<PathBuf>, perms: Perms) -> Repo {
        Repo {
            root: root.into(),
            perms,
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The modes and group of what the repository creates.
    pub fn perms(&self) -> &Perms {
        &self.perms
    }

    /// `<repo>/<panel_id>/<ctype>`, checked to stay inside the repository (not created).
    pub fn ctype_dir(&self, panel_id: &str, ctype: &str) -> Result<PathBuf> {
        check_component("panel id", panel_id)?;
        check_component("calibration type", ctype)?;
        Ok(self.root.join(panel_id).join(ctype))
    }

    /// Creates `<repo>/<panel_id>/<ctype>` for each of `ctypes` and returns the panel directory.
    pub fn make_panel_dirs(&self, panel_id: &str, ctypes: &[&str]) -> Result<PathBuf> {
        for c in ctypes {
            create_dirs(&self.ctype_dir(panel_id, c)?, &self.perms)?;
        }
        Ok(self.root.join(panel_id))
    }

    /// `<repo>/merge_tmp`, created if missing.
    pub fn merge_tmp(&self) -> Result<PathBuf> {
        let d = self.root.join("merge_tmp");
        create_dirs(&d, &self.perms)?;
        Ok(d)
    }

    /// Whether the repository is psana's scratch repository `work` (no per-year record).
    pub fn is_work(&self) -> bool {
        self.root.as_os_str() == "work"
    }
}

/// psana's file-name prefix `<type>_<alias>_<tstamp>_<exp>_r<run %04d>`.
pub fn file_prefix(
    paneltype: &str,
    alias: &str,
    tstamp: &str,
    exp: &str,
    run: u32,
) -> Result<String> {
    check_component("experiment", exp)?;
    if exp.contains('_') {
        return Err(crate::Error::BadName {
            kind: "experiment",
            name: exp.to_string(),
            reason: "it must not contain '_', which separates the fields of repository file names"
                .into(),
        });
    }
    Ok(format!("{paneltype}_{alias}_{tstamp}_{exp}_r{run:04}"))
}

/// The name of a per-gain-mode dark file: `<prefix>_<ctype>_gm<index>-<mode name>.dat`.
pub fn gain_mode_file_name(
    prefix: &str,
    ctype: &str,
    gain_index: usize,
    mode_name: &str,
) -> String {
    format!("{prefix}_{ctype}_gm{gain_index}-{mode_name}.dat")
}

/// The name of an ePix10ka per-gain-range file: `<prefix>_<ctype>_<MODE>.dat`.
pub fn range_file_name(prefix: &str, ctype: &str, mode: &str) -> String {
    format!("{prefix}_{ctype}_{mode}.dat")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_psana() {
        let p = file_prefix("jungfrau", "0001", "20231102080104", "xppl1001021", 23).unwrap();
        assert_eq!(p, "jungfrau_0001_20231102080104_xppl1001021_r0023");
        assert_eq!(
            gain_mode_file_name(&p, "pedestals", 0, "Normal"),
            "jungfrau_0001_20231102080104_xppl1001021_r0023_pedestals_gm0-Normal.dat"
        );
        assert!(file_prefix("jungfrau", "0001", "20231102080104", "../x", 1).is_err());
        assert!(file_prefix("jungfrau", "0001", "20231102080104", "a_b", 1).is_err());
        let r = Repo::new("/r", Perms::default());
        assert_eq!(
            r.ctype_dir("190408-181206-50c246de810058", "pedestals")
                .unwrap(),
            PathBuf::from("/r/190408-181206-50c246de810058/pedestals")
        );
        assert!(r.ctype_dir("..", "pedestals").is_err());
        assert!(r.ctype_dir("a/b", "pedestals").is_err());
        let p = RepoKind::EPIX10KA
            .file_prefix("0001", "20210223203420", "synthetic", 1)
            .unwrap();
        assert_eq!(
            range_file_name(&p, "pedestals", "FH"),
            "epix10ka_0001_20210223203420_synthetic_r0001_pedestals_FH.dat"
        );
        assert_eq!(
            RepoKind::EPIX10KA.alias_table(&r).path(),
            Path::new("/r/.aliases.txt")
        );
        assert_eq!(
            RepoKind::JUNGFRAU.alias_table(&r).path(),
            Path::new("/r/.aliases_jungfrau.txt")
        );
    }
}
