/*!
Safe file writing: atomic replacement, appends under a lock, psana's modes and group.

Constants files are never written in place: [`write_atomic`] writes a temporary file in the
destination directory and renames it over the destination, so a reader sees either the old or
the new file, never part of one, and a killed job leaves no partial file. Shared files that many
jobs append to (alias tables, `HISTORY`, logs) go through [`append_locked`] or [`with_lock`],
which hold an exclusive lock on the file while they read and write.

Directories are created with psana's mode `0o2775` and files get `0o664` (both settable); the
group is changed where possible, and only a warning is given where it is not.
*/

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::error::{Error, IoContext, Result};

/// psana's mode for new directories.
pub const DEFAULT_DIR_MODE: u32 = 0o2775;
/// psana's mode for new files.
pub const DEFAULT_FILE_MODE: u32 = 0o664;
/// psana's group for new files and directories.
pub const DEFAULT_GROUP: &str = "ps-users";

/// Modes and group given to the directories and files detcal creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Perms {
    /// Mode of new directories.
    pub dir_mode: u32,
    /// Mode of new files.
    pub file_mode: u32,
    /// Group to give new files and directories (best effort); `None` leaves the group alone.
    pub group: Option<String>,
}

impl Default for Perms {
    fn default() -> Self {
        Perms {
            dir_mode: DEFAULT_DIR_MODE,
            file_mode: DEFAULT_FILE_MODE,
            group: Some(DEFAULT_GROUP.to_string()),
        }
    }
}

impl Perms {
    /// The modes and group given on the command line; an empty group leaves groups alone.
    pub fn new(dir_mode: u32, file_mode: u32, group: &str) -> Self {
        Perms {
            dir_mode,
            file_mode,
            group: if group.is_empty() {
                None
            } else {
                Some(group.to_string())
            },
        }
    }
}

/// Parses a mode as psana's optparse tools accept it: `0o2775`, `02775` (octal) or `1533` (decimal).
pub fn parse_mode(s: &str) -> Result<u32> {
    let t = s.trim();
    let parsed = if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        u32::from_str_radix(o, 8)
    } else if t.len() > 1 && t.starts_with('0') {
        u32::from_str_radix(&t[1..], 8)
    } else {
        t.parse::<u32>()
    };
    match parsed {
        Ok(m) if m <= 0o7777 => Ok(m),
        _ => Err(Error::BadName {
            kind: "mode",
            name: s.to_string(),
            reason: "expected an octal mode such as 0o2775 or 02775, or a decimal one such as 1533"
                .into(),
        }),
    }
}

/// Checks that `name` is usable as one path component: not empty, no `/`, not `.` or `..`,
/// no NUL. Returns it unchanged.
pub fn check_component<'a>(kind: &'static str, name: &'a str) -> Result<&'a str> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it names a directory above or itself")
    } else if name.contains('/') {
        Some("it contains '/'; it must be a single name, not a path")
    } else if name.contains('\0') {
        Some("it contains a NUL byte")
    } else if name.chars().any(char::is_control) {
        Some("it contains control characters")
    } else {
        None
    };
    match reason {
        Some(r) => Err(Error::BadName {
            kind,
            name: name.to_string(),
            reason: r.to_string(),
        }),
        None => Ok(name),
    }
}

/// Checks that a relative path stays below its base: no `..`, no root, no empty components.
pub fn check_relative(kind: &'static str, rel: &Path) -> Result<()> {
    for c in rel.components() {
        match c {
            Component::Normal(_) => {}
            _ => {
                return Err(Error::BadName {
                    kind,
                    name: rel.display().to_string(),
                    reason: "it must be a relative path without '..'".into(),
                });
            }
        }
    }
    Ok(())
}

/// Creates `dir` and any missing parents, giving each new directory `perms`.
pub fn create_dirs(dir: &Path, perms: &Perms) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, perms)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {
            set_mode(dir, perms.dir_mode);
            set_group(dir, perms);
            Ok(())
        }
        // Another job created it in the meantime.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Err(Error::content(dir, "exists and is not a directory"))
        }
        Err(e) => Err(Error::io(dir, "create directory", e)),
    }
}

/// Writes `path` atomically: `write` fills a temporary file in the same directory, which is
/// flushed to disk, given `perms`, and renamed over `path`. On any error `path` is untouched and
/// the temporary file is removed.
pub fn write_atomic<F>(path: &Path, perms: &Perms, write: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> Result<()>,
{
    write_atomic_with(path, perms, true, write)
}

/// [`write_atomic`], with the flush to disk before the rename optional: regenerable bulk data
/// (simulated raw runs) need not wait for the disk; readers still never see a partial file.
pub fn write_atomic_with<F>(path: &Path, perms: &Perms, sync: bool, write: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> Result<()>,
{
    stage_atomic(path, perms, write)?.commit(sync)?;
    Ok(())
}

/// A file written under a temporary name beside its destination, not yet flushed to disk nor
/// renamed into place: [`Staged::commit`] or [`commit_all`] finish it; dropped, it is removed.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

/// The first half of [`write_atomic`]: `write` fills a temporary file in `path`'s directory,
/// which gets `perms`; nothing is flushed to disk or renamed yet.
pub fn stage_atomic<F>(path: &Path, perms: &Perms, write: F) -> Result<Staged>
where
    F: FnOnce(&mut BufWriter<&mut File>) -> Result<()>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.is_dir() {
        return Err(Error::content(path, "is a directory; expected a file name"));
    }
    create_dirs(&dir, perms)?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::content(path, "has no file name"))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .at(&dir, "create a temporary file in")?;
    {
        let file = tmp.as_file_mut();
        let mut w = BufWriter::with_capacity(1 << 20, file);
        write(&mut w)?;
        w.flush().at(path, "write")?;
    }
    set_mode(tmp.path(), perms.file_mode);
    set_group(tmp.path(), perms);
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

impl Staged {
    /// The destination.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk (if `sync`) and renames it over its destination.
    pub fn commit(self, sync: bool) -> Result<PathBuf> {
        if sync {
            self.sync()?;
        }
        self.rename()
    }

    fn sync(&self) -> Result<()> {
        self.tmp
            .as_file()
            .sync_data()
            .at(&self.path, "flush to disk")
    }

    fn rename(self) -> Result<PathBuf> {
        let Staged { tmp, path } = self;
        tmp.persist(&path)
            .map_err(|e| Error::io(&path, "rename into place", e.error))?;
        Ok(path)
    }
}

/// Flushes the staged files to disk, all at once (a thread each, so the file system commits
/// them together rather than one after another), then renames each into place, in order. If
/// any flush fails, none is renamed (the temporary files are removed) and the first error is
/// returned. If a rename fails, the files before it are in place, the rest are removed, and the
/// error names the file.
pub fn commit_all(staged: Vec<Staged>) -> Result<Vec<PathBuf>> {
    /// Flushes waiting on the disk at once, at most.
    const AT_ONCE: usize = 64;
    for group in staged.chunks(AT_ONCE) {
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            // A file whose thread cannot be started (a thread limit) is flushed right here.
            let handles: Vec<_> = group
                .iter()
                .map(|f| {
                    std::thread::Builder::new()
                        .spawn_scoped(s, || f.sync())
                        .map_err(|_| f.sync())
                })
                .collect();
            handles
                .into_iter()
                .zip(group)
                .map(|(h, f)| match h {
                    Ok(h) => h.join().unwrap_or_else(|_| {
                        Err(Error::internal(format!(
                            "flushing {} to disk failed",
                            f.path().display()
                        )))
                    }),
                    Err(done) => done,
                })
                .collect()
        });
        results.into_iter().collect::<Result<()>>()?;
    }
    staged.into_iter().map(Staged::rename).collect()
}

/// Writes `bytes` to `path` atomically (see [`write_atomic`]).
pub fn write_bytes_atomic(path: &Path, bytes: &[u8], perms: &Perms) -> Result<()> {
    write_atomic(path, perms, |w| w.write_all(bytes).at(path, "write"))
}

/// Copies `src` to `dest` atomically (see [`write_atomic`]).
pub fn copy_atomic(src: &Path, dest: &Path, perms: &Perms) -> Result<()> {
    let mut input = File::open(src).at(src, "open")?;
    if input.metadata().at(src, "stat")?.is_dir() {
        return Err(Error::content(src, "is a directory; expected a file"));
    }
    write_atomic(dest, perms, |w| {
        io::copy(&mut input, w).map_err(|e| Error::io(src, "copy", e))?;
        Ok(())
    })
}

/// Opens `path` for reading and appending (creating it with `perms` if needed), holds an
/// exclusive lock on it while `f` runs, and returns what `f` returns.
///
/// `f` gets the file positioned at its start; whatever it writes is appended.
pub fn with_lock<T, F>(path: &Path, perms: &Perms, f: F) -> Result<T>
where
    F: FnOnce(&mut File) -> Result<T>,
{
    if let Some(parent) = path.parent() {
        create_dirs(parent, perms)?;
    }
    if path.is_dir() {
        return Err(Error::content(path, "is a directory; expected a file"));
    }
    let existed = path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .at(path, "open for appending")?;
    if !existed {
        set_mode(path, perms.file_mode);
        set_group(path, perms);
    }
    file.lock().at(path, "lock")?;
    file.seek(SeekFrom::Start(0)).at(path, "seek")?;
    let result = f(&mut file);
    let flushed = file.flush().at(path, "write");
    // Closing the file releases the lock as well.
    let _ = file.unlock();
    let value = result?;
    flushed?;
    Ok(value)
}

/// Appends `bytes` to `path` under an exclusive lock, in one write.
pub fn append_locked(path: &Path, bytes: &[u8], perms: &Perms) -> Result<()> {
    with_lock(path, perms, |f| f.write_all(bytes).at(path, "append to"))
}

/// Reads the whole of a file that [`with_lock`] handed over.
pub fn read_locked(file: &mut File, path: &Path) -> Result<String> {
    let mut s = String::new();
    file.read_to_string(&mut s).at(path, "read")?;
    Ok(s)
}

/// Sets the mode of `path`, warning instead of failing.
pub fn set_mode(path: &Path, mode: u32) {
    if let Err(e) = fs::set_permissions(path, fs::Permissions::from_mode(mode)) {
        tracing::warn!("{}: cannot set mode {mode:o}: {e}", path.display());
    }
}

/// Gives `path` the group of `perms`, best effort: a missing group or a refusal is reported once
/// per group as a warning.
pub fn set_group(path: &Path, perms: &Perms) {
    let Some(group) = perms.group.as_deref() else {
        return;
    };
    static WARNED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let warn_once = |msg: String| {
        let set = WARNED.get_or_init(|| Mutex::new(HashSet::new()));
        if set
            .lock()
            .map(|mut s| s.insert(group.to_string()))
            .unwrap_or(false)
        {
            tracing::warn!(
                "{msg} (group changes are best effort; further warnings for this group are not shown)"
            );
        }
    };
    match nix::unistd::Group::from_name(group) {
        Ok(Some(g)) => {
            if let Err(e) = nix::unistd::chown(path, None, Some(g.gid)) {
                warn_once(format!(
                    "{}: cannot change group to {group}: {e}",
                    path.display()
                ));
            }
        }
        // Common away from the facility (psana's default group is ps-users): not worth a warning.
        Ok(None) => tracing::debug!(
            "group {group} does not exist here; {} keeps its group",
            path.display()
        ),
        Err(e) => warn_once(format!("cannot look up group {group}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn perms() -> Perms {
        Perms {
            dir_mode: 0o2775,
            file_mode: 0o664,
            group: None,
        }
    }

    #[test]
    fn modes_parse_like_optparse() {
        assert_eq!(parse_mode("0o2775").unwrap(), 0o2775);
        assert_eq!(parse_mode("02775").unwrap(), 0o2775);
        assert_eq!(parse_mode("1533").unwrap(), 0o2775);
        assert_eq!(parse_mode("436").unwrap(), 0o664);
        assert_eq!(parse_mode("0").unwrap(), 0);
        assert!(parse_mode("0o9").is_err());
        assert!(parse_mode("rwx").is_err());
        assert!(parse_mode("99999").is_err());
    }

    #[test]
    fn components_cannot_escape() {
        assert!(check_component("source", "CxiDs1.0:Jungfrau.0").is_ok());
        for bad in ["", ".", "..", "../x", "a/b", "/abs", "a\0b", "a\nb"] {
            assert!(check_component("source", bad).is_err(), "{bad:?}");
        }
        assert!(check_relative("path", Path::new("a/b")).is_ok());
        assert!(check_relative("path", Path::new("../a")).is_err());
        assert!(check_relative("path", Path::new("/a")).is_err());
    }

    #[test]
    fn atomic_write_sets_modes_and_leaves_nothing_on_error() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("a/b/c.data");
        write_bytes_atomic(&dest, b"hello", &perms()).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"hello");
        assert_eq!(fs::metadata(&dest).unwrap().mode() & 0o7777, 0o664);
        assert_eq!(
            fs::metadata(tmp.path().join("a/b")).unwrap().mode() & 0o7777,
            0o2775
        );
        assert_eq!(
            fs::metadata(tmp.path().join("a")).unwrap().mode() & 0o7777,
            0o2775
        );

        let err = write_atomic(&dest, &perms(), |w| {
            w.write_all(b"partial").unwrap();
            Err(Error::internal("interrupted"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&dest).unwrap(), b"hello", "the old file stays");
        let names: Vec<_> = fs::read_dir(tmp.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[test]
    fn staged_files_appear_only_when_committed_together() {
        let tmp = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..70).map(|i| format!("d{}/f{i}.dat", i % 3)).collect();
        let stage = |i: usize| {
            let body = format!("file {i}\n").repeat(i + 1);
            stage_atomic(&tmp.path().join(&names[i]), &perms(), |w| {
                w.write_all(body.as_bytes()).at(tmp.path(), "write")
            })
        };
        let staged: Vec<Staged> = (0..70).map(|i| stage(i).unwrap()).collect();
        assert_eq!(staged[5].path(), tmp.path().join(&names[5]));
        assert!(
            names.iter().all(|n| !tmp.path().join(n).exists()),
            "nothing is in place before the commit"
        );
        // More files than flush at once (64): two groups.
        let done = commit_all(staged).unwrap();
        for (i, (name, path)) in names.iter().zip(&done).enumerate() {
            assert_eq!(*path, tmp.path().join(name));
            assert_eq!(
                fs::read_to_string(path).unwrap(),
                format!("file {i}\n").repeat(i + 1)
            );
            assert_eq!(fs::metadata(path).unwrap().mode() & 0o7777, 0o664);
        }
        for d in 0..3 {
            let n = fs::read_dir(tmp.path().join(format!("d{d}")))
                .unwrap()
                .count();
            assert_eq!(
                n,
                70 / 3 + usize::from(d < 70 % 3),
                "no temporary file is left"
            );
        }
        // Dropped without a commit: nothing appears, nothing is left.
        let dropped = stage(0).unwrap();
        let old = tmp.path().join(&names[0]);
        fs::remove_file(&old).unwrap();
        drop(dropped);
        assert!(!old.exists());
        assert_eq!(fs::read_dir(tmp.path().join("d0")).unwrap().count(), 23);
        // A rename that fails (the destination became a directory) is an error naming it.
        let blocked = stage(0).unwrap();
        fs::create_dir(&old).unwrap();
        fs::write(old.join("x"), b"x").unwrap();
        let err = commit_all(vec![blocked]).unwrap_err().to_string();
        assert!(err.contains("f0.dat") && err.contains("rename"), "{err}");
    }

    #[test]
    fn atomic_write_refuses_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let err = write_bytes_atomic(tmp.path(), b"x", &perms()).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn locked_appends_from_many_threads_are_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("logs/HISTORY");
        std::thread::scope(|s| {
            for t in 0..8 {
                let log = log.clone();
                s.spawn(move || {
                    for i in 0..50 {
                        let line = format!("thread {t} line {i} {}\n", "x".repeat(500));
                        append_locked(&log, line.as_bytes(), &perms()).unwrap();
                    }
                });
            }
        });
        let text = fs::read_to_string(&log).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 400);
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("thread ") && l.ends_with(&"x".repeat(500)))
        );
        assert_eq!(fs::metadata(&log).unwrap().mode() & 0o777, 0o664);
    }
}
