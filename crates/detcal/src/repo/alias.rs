/*!
Panel aliases: the table that gives each panel id a short 4-digit alias for file names.

Records look like `0001 <panel id> <YYYY-mm-ddTHH:MM:SS> <exp right-justified to 10> r<NNNN>
[<extra>...] <login>`. An id already in the table keeps its alias; a new id gets the largest
alias plus one. Aliases are never reused or renumbered. The table is read and appended under an
exclusive lock, so concurrent jobs that see new panels at the same time get distinct aliases.
*/

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::files::{Perms, read_locked, with_lock};
use crate::site;

/// An alias table file.
#[derive(Debug, Clone)]
pub struct AliasTable {
    path: PathBuf,
    perms: Perms,
}

/// What goes into a new record besides the id and alias.
#[derive(Debug, Clone, Default)]
pub struct AliasRecord<'a> {
    /// The experiment, if known.
    pub exp: Option<&'a str>,
    /// The run, if known.
    pub run: Option<u32>,
    /// Extra values (the source, the detector name, ...).
    pub extra: &'a [&'a str],
}

impl AliasTable {
    /// The table at `path`.
    pub fn new(path: impl Into<PathBuf>, perms: Perms) -> AliasTable {
        AliasTable {
            path: path.into(),
            perms,
        }
    }

    /// The table file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The alias of `id`; a new id is appended with the next alias.
    pub fn alias_for(&self, id: &str, rec: &AliasRecord<'_>) -> Result<String> {
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return Err(Error::BadName {
                kind: "panel id",
                name: id.to_string(),
                reason: "it must be one word without spaces".into(),
            });
        }
        with_lock(&self.path, &self.perms, |file| {
            let text = read_locked(file, &self.path)?;
            if let Some(alias) = lookup(&text, id) {
                return Ok(alias);
            }
            let next = max_alias(&text, &self.path)? + 1;
            let alias = format!("{next:04}");
            let line = record_line(
                &alias,
                id,
                &site::iso_seconds(jiff::Timestamp::now()),
                rec,
                &site::login_name(),
            );
            // A table whose last line lacks its newline gets one first.
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            file.write_all(format!("{sep}{line}\n").as_bytes())
                .at(&self.path, "append to")?;
            Ok(alias)
        })
    }

    /// The alias of `id` if the table has it (without adding it).
    pub fn find(&self, id: &str) -> Result<Option<String>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(lookup(&text, id)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&self.path, "read", e)),
        }
    }
}

fn lookup(text: &str, id: &str) -> Option<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.len() >= 2 && f[1] == id)
        .map(|f| f[0].to_string())
}

fn max_alias(text: &str, path: &Path) -> Result<u32> {
    let mut max = 0;
    for (i, line) in text.lines().enumerate() {
        let Some(first) = line.split_whitespace().next() else {
            continue;
        };
        let n: u32 = first.parse().map_err(|_| {
            Error::parse(
                path,
                i + 1,
                format!("alias {first:?} is not a number; the table is damaged"),
            )
        })?;
        max = max.max(n);
    }
    Ok(max)
}

/// One record of the table, without its newline.
pub fn record_line(
    alias: &str,
    id: &str,
    time: &str,
    rec: &AliasRecord<'_>,
    login: &str,
) -> String {
    let mut fields = vec![alias.to_string(), id.to_string(), time.to_string()];
    if let Some(exp) = rec.exp {
        fields.push(format!("{exp:>10}"));
    }
    if let Some(run) = rec.run {
        fields.push(format!("r{run:04}"));
    }
    fields.extend(rec.extra.iter().map(|s| s.to_string()));
    fields.push(login.to_string());
    fields.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_match_psana() {
        let r = AliasRecord {
            exp: Some("xppl1001021"),
            run: Some(23),
            extra: &[],
        };
        assert_eq!(
            record_line(
                "0001",
                "190408-181206-50c246de810058",
                "1970-01-01T00:00:00",
                &r,
                "USER"
            ),
            "0001 190408-181206-50c246de810058 1970-01-01T00:00:00 xppl1001021 r0023 USER"
        );
        let r = AliasRecord {
            exp: Some("xpptut15"),
            run: Some(5),
            extra: &["XppGon.0:Epix100a.1"],
        };
        assert_eq!(
            record_line(
                "0002",
                "190408-181206-50c246de810059",
                "1970-01-01T00:00:00",
                &r,
                "USER"
            ),
            "0002 190408-181206-50c246de810059 1970-01-01T00:00:00   xpptut15 r0005 XppGon.0:Epix100a.1 USER"
        );
    }

    #[test]
    fn new_ids_get_max_plus_one_and_known_ids_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let t = AliasTable::new(
            dir.path().join(".aliases_jungfrau.txt"),
            Perms {
                group: None,
                ..Perms::default()
            },
        );
        let r = AliasRecord {
            exp: Some("xpptut15"),
            run: Some(1),
            extra: &[],
        };
        assert_eq!(t.alias_for("panelA", &r).unwrap(), "0001");
        assert_eq!(t.alias_for("panelB", &r).unwrap(), "0002");
        let other = AliasRecord {
            exp: Some("other"),
            run: Some(9),
            extra: &[],
        };
        assert_eq!(t.alias_for("panelA", &other).unwrap(), "0001");
        // Gaps and blank lines: the next alias is the maximum plus one.
        std::fs::OpenOptions::new()
            .append(true)
            .open(t.path())
            .unwrap()
            .write_all(b"\n0017 panelX 2020-01-01T00:00:00 USER")
            .unwrap();
        assert_eq!(t.alias_for("panelC", &r).unwrap(), "0018");
        assert_eq!(t.find("panelX").unwrap().as_deref(), Some("0017"));
        assert_eq!(t.find("nope").unwrap(), None);
        let text = std::fs::read_to_string(t.path()).unwrap();
        assert_eq!(text.lines().filter(|l| !l.is_empty()).count(), 4);
        assert!(t.alias_for("has space", &r).is_err());
    }

    #[test]
    fn damaged_table_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "0001 a t u\nxx b t u\n").unwrap();
        let t = AliasTable::new(
            &p,
            Perms {
                group: None,
                ..Perms::default()
            },
        );
        let e = t
            .alias_for("c", &AliasRecord::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.txt:2:") && e.contains("\"xx\""), "{e}");
        assert_eq!(
            t.alias_for("a", &AliasRecord::default()).unwrap(),
            "0001",
            "known ids still resolve"
        );
    }

    #[test]
    fn concurrent_new_panels_get_distinct_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".aliases_jungfrau.txt");
        let aliases: Vec<String> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..16)
                .map(|i| {
                    let path = path.clone();
                    s.spawn(move || {
                        let t = AliasTable::new(
                            path,
                            Perms {
                                group: None,
                                ..Perms::default()
                            },
                        );
                        t.alias_for(&format!("panel{i}"), &AliasRecord::default())
                            .unwrap()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = aliases.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 16, "{aliases:?}");
        assert_eq!(sorted.first().map(String::as_str), Some("0001"));
        assert_eq!(sorted.last().map(String::as_str), Some("0016"));
    }
}
