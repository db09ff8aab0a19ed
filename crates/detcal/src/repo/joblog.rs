/*!
Job logs: a log file per job, and a per-year record of every job.

- Per job: `<logs>/<YYYY>/<YYYY-mm-ddTHHMMSS>_log_<script>_<user>.txt` (local time at start),
  one line per message: `[I] message`.
- Per year: `<atstart>/<YYYY>/<YYYY>_lcls1_<script>.txt`, one record per job: a newline, then
  `<time> user:<login>@<host> cwd:<cwd> rel:<conda env> dirrepo:<repo> logfile:<log> command:<argv>`.

Both are appended under a lock, one whole line at a time, so jobs running at once on a cluster
never tear or lose each other's lines.
*/

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::error::Result;
use crate::files::{Perms, append_locked, check_component};
use crate::settings::Settings;
use crate::site;

/// The log file of one job.
#[derive(Debug, Clone)]
pub struct JobLog {
    path: PathBuf,
    perms: Perms,
}

impl JobLog {
    /// The log of a job of `script` started at `start`, under `logs_dir` (created on first write).
    pub fn new(logs_dir: &Path, script: &str, start: Timestamp, perms: &Perms) -> Result<JobLog> {
        check_component("script name", script)?;
        let user = site::login_name();
        let name = format!(
            "{}_log_{script}_{}.txt",
            site::log_stamp(start),
            user.replace('/', "_")
        );
        let path = logs_dir.join(site::year(start).to_string()).join(name);
        Ok(JobLog {
            path,
            perms: perms.clone(),
        })
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one message line `[<level>] <message>`.
    pub fn write(&self, level: char, message: &str) -> Result<()> {
        let mut line = String::with_capacity(message.len() + 5);
        for (i, part) in message.lines().enumerate() {
            if i == 0 {
                line.push_str(&format!("[{level}] {part}\n"));
            } else {
                line.push_str(&format!("    {part}\n"));
            }
        }
        if line.is_empty() {
            line = format!("[{level}]\n");
        }
        append_locked(&self.path, line.as_bytes(), &self.perms)
    }
}

/// Appends this job's record to the per-year file under `atstart_dir`; returns the file.
pub fn record_at_start(
    atstart_dir: &Path,
    script: &str,
    start: Timestamp,
    dirrepo: &Path,
    logfile: &Path,
    argv: &[String],
    perms: &Perms,
) -> Result<PathBuf> {
    check_component("script name", script)?;
    let year = site::year(start);
    let path = atstart_dir
        .join(year.to_string())
        .join(format!("{year}_lcls1_{script}.txt"));
    let rel = std::env::var("CONDA_DEFAULT_ENV")
        .unwrap_or_else(|_| "NON-DEFINED-env-CONDA_DEFAULT_ENV".into());
    let record = format!(
        "\n{} user:{}@{} cwd:{} rel:{} dirrepo:{} logfile:{} command:{}",
        site::iso_seconds(start),
        site::login_name(),
        site::hostname(),
        site::cwd(),
        rel,
        dirrepo.display(),
        logfile.display(),
        argv.join(" ").replace('\n', " ")
    );
    append_locked(&path, record.as_bytes(), perms)?;
    Ok(path)
}

/// The log of the job running in this process, once a pipeline has started one.
static CURRENT: std::sync::Mutex<Option<JobLog>> = std::sync::Mutex::new(None);

/// Starts this job's log of `script` under `logs_dir` for a job writing into `repo`: writes the
/// command line and where it runs into the log, adds the job to the per-year record
/// ([`Settings::logs_at_start`]), and makes it the log that [`forward`] writes to. Returns it.
pub fn start(settings: &Settings, repo: &Path, logs_dir: &Path, script: &str) -> Result<JobLog> {
    let perms = &settings.perms;
    let start = Timestamp::now();
    let log = JobLog::new(logs_dir, script, start, perms)?;
    log.write('I', &format!("command: {}", settings.argv.join(" ")))?;
    log.write(
        'I',
        &format!(
            "detcal {} on {} by {} in {}",
            env!("CARGO_PKG_VERSION"),
            site::hostname(),
            site::login_name(),
            site::cwd()
        ),
    )?;
    if let Some(atstart) = settings.logs_at_start(repo)
        && let Err(e) = record_at_start(
            &atstart,
            script,
            start,
            repo,
            log.path(),
            &settings.argv,
            perms,
        )
    {
        tracing::warn!("cannot add this job to the per-year record: {e}");
    }
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some(log.clone());
    Ok(log)
}

/// Writes a message of `level` (`'I'`, `'W'`, `'E'`) to the current job's log, if one was started.
pub fn forward(level: char, message: &str) -> Result<()> {
    let guard = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
    match guard.as_ref() {
        Some(log) => log.write(level, message),
        None => Ok(()),
    }
}

/// The current job's log file, if one was started.
pub fn current_path() -> Option<PathBuf> {
    let guard = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
    guard.as_ref().map(|l| l.path().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_log_lines_and_year_record() {
        let dir = tempfile::tempdir().unwrap();
        let perms = Perms {
            group: None,
            ..Perms::default()
        };
        let start: Timestamp = "2024-03-05T06:07:08Z".parse().unwrap();
        let log = JobLog::new(
            &dir.path().join("logs"),
            "jungfrau_dark_proc",
            start,
            &perms,
        )
        .unwrap();
        let name = log
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            name.ends_with(&format!(
                "_log_jungfrau_dark_proc_{}.txt",
                site::login_name()
            )),
            "{name}"
        );
        assert_eq!(
            name.len(),
            "2024-03-05T060708".len()
                + "_log_jungfrau_dark_proc_".len()
                + site::login_name().len()
                + 4
        );
        log.write('I', "first").unwrap();
        log.write('W', "two\nlines").unwrap();
        assert_eq!(
            std::fs::read_to_string(log.path()).unwrap(),
            "[I] first\n[W] two\n    lines\n"
        );

        let argv = vec!["detcal".to_string(), "dark".to_string()];
        let rec = record_at_start(
            &dir.path().join("atstart"),
            "jungfrau_dark_proc",
            start,
            Path::new("/repo"),
            log.path(),
            &argv,
            &perms,
        )
        .unwrap();
        record_at_start(
            &dir.path().join("atstart"),
            "jungfrau_dark_proc",
            start,
            Path::new("/repo"),
            log.path(),
            &argv,
            &perms,
        )
        .unwrap();
        let year = site::year(start);
        assert!(rec.ends_with(format!("{year}/{year}_lcls1_jungfrau_dark_proc.txt")));
        let text = std::fs::read_to_string(&rec).unwrap();
        assert!(text.starts_with('\n') && !text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].contains(" dirrepo:/repo logfile:")
                && lines[0].ends_with(" command:detcal dark"),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains(" rel:"), "{}", lines[0]);
        assert!(JobLog::new(dir.path(), "../x", start, &perms).is_err());
    }
}
