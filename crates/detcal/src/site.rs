/*!
Where things live and who is working: psana's environment roots, login, host, and time stamps.

- `SIT_PSDM_DATA` is the root of experiment data: `<root>/<INS>/<exp>/xtc/...` and the
  experiment's calibration store `<root>/<INS>/<exp>/calib`.
- `SIT_ROOT` is the root of the constants repositories (`<SIT_ROOT>/detector/gains/jungfrau/panels`,
  `<SIT_ROOT>/detector/calib/constants`, ...).

Every root has a command-line override; a missing root is an error that names both the variable
and the flag. Time stamps in file names are local time (the `TZ` variable decides), as in psana.
*/

use std::path::{Path, PathBuf};

use jiff::{Timestamp, Zoned, civil, tz::TimeZone};

use crate::error::{Error, Result};
use crate::files::check_component;

/// The environment variable naming the root of experiment data.
pub const SIT_PSDM_DATA: &str = "SIT_PSDM_DATA";
/// The environment variable naming the root of the constants repositories.
pub const SIT_ROOT: &str = "SIT_ROOT";

/// `<SIT_ROOT>/detector/gains/jungfrau`, the default JUNGFRAU gain repository.
pub fn jungfrau_gains_repo(sit_root: &Path) -> PathBuf {
    sit_root.join("detector/gains/jungfrau")
}

/// `<SIT_ROOT>/detector/calib/constants`, the default repository of `deploy_constants`.
pub fn constants_repo(sit_root: &Path) -> PathBuf {
    sit_root.join("detector/calib/constants")
}

/// `<SIT_ROOT>/detector/logs/atstart`, where the per-year job records go.
pub fn logs_at_start(sit_root: &Path) -> PathBuf {
    sit_root.join("detector/logs/atstart")
}

/// The instrument of an experiment: its first three letters in upper case (`cxi83714` -> `CXI`).
pub fn instrument(exp: &str) -> Result<String> {
    check_component("experiment", exp)?;
    let ins: String = exp.chars().take(3).collect();
    if ins.chars().count() < 3 || !ins.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::BadName {
            kind: "experiment",
            name: exp.to_string(),
            reason: "an experiment name starts with its 3-letter instrument, e.g. cxi83714".into(),
        });
    }
    Ok(ins.to_ascii_uppercase())
}

/// `<root>/<INS>/<exp>`, an experiment's directory under `SIT_PSDM_DATA`.
pub fn experiment_dir(psdm_data: &Path, exp: &str) -> Result<PathBuf> {
    Ok(psdm_data.join(instrument(exp)?).join(exp))
}

/// `<root>/<INS>/<exp>/calib`, an experiment's calibration store.
pub fn experiment_calib_dir(psdm_data: &Path, exp: &str) -> Result<PathBuf> {
    Ok(experiment_dir(psdm_data, exp)?.join("calib"))
}

/// The login name as psana finds it: `LOGNAME`, `USER`, `LNAME`, `USERNAME`, then the password
/// database.
pub fn login_name() -> String {
    for var in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return v;
        }
    }
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid{}", nix::unistd::getuid()))
}

/// The host name.
pub fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".to_string())
}

/// The current directory, as text.
pub fn cwd() -> String {
    std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| ".".to_string())
}

/// The local time zone (`TZ` or the system's).
pub fn local_tz() -> TimeZone {
    TimeZone::system()
}

/// The current time in the local time zone.
pub fn now() -> Zoned {
    Zoned::now().with_time_zone(local_tz())
}

/// A time stamp as psana writes it into file names: local `YYYYmmddHHMMSS`.
pub fn tstamp(t: Timestamp) -> String {
    t.to_zoned(local_tz()).strftime("%Y%m%d%H%M%S").to_string()
}

/// Local `YYYY-mm-ddTHH:MM:SS`, as in headers, `HISTORY` and alias records.
pub fn iso_seconds(t: Timestamp) -> String {
    t.to_zoned(local_tz())
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// Local `YYYY-mm-ddTHHMMSS`, as in per-job log file names.
pub fn log_stamp(t: Timestamp) -> String {
    t.to_zoned(local_tz())
        .strftime("%Y-%m-%dT%H%M%S")
        .to_string()
}

/// The local year of a time.
pub fn year(t: Timestamp) -> i16 {
    t.to_zoned(local_tz()).year()
}

/// Parses a `YYYYmmddHHMMSS` time stamp (local time) into its integer value, checking that it
/// is a real date and time.
pub fn parse_tstamp(s: &str) -> Result<u64> {
    tstamp_civil(s)?;
    Ok(s.parse().expect("14 digits fit in u64"))
}

/// The instant of a local `YYYYmmddHHMMSS` time stamp.
pub fn tstamp_to_timestamp(s: &str) -> Result<Timestamp> {
    tstamp_civil(s)?
        .to_zoned(local_tz())
        .map(|z| z.timestamp())
        .map_err(|e| Error::bad_arg("time stamp", format!("time stamp {s}: {e}")))
}

fn tstamp_civil(s: &str) -> Result<civil::DateTime> {
    let bad = |reason: &str| Error::BadName {
        kind: "time stamp",
        name: s.to_string(),
        reason: reason.to_string(),
    };
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "expected 14 digits YYYYmmddHHMMSS, e.g. 20231102080104",
        ));
    }
    let n = |a: usize, b: usize| s[a..b].parse::<i16>().expect("at most 4 digits");
    civil::DateTime::new(
        n(0, 4),
        n(4, 6) as i8,
        n(6, 8) as i8,
        n(8, 10) as i8,
        n(10, 12) as i8,
        n(12, 14) as i8,
        0,
    )
    .map_err(|_| bad("not a valid date and time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_and_dirs() {
        assert_eq!(instrument("cxi83714").unwrap(), "CXI");
        assert_eq!(instrument("mfx101332224").unwrap(), "MFX");
        assert!(instrument("ab").is_err());
        assert!(instrument("../x").is_err());
        assert_eq!(
            experiment_calib_dir(Path::new("/reg/d/psdm"), "cxi83714").unwrap(),
            PathBuf::from("/reg/d/psdm/CXI/cxi83714/calib")
        );
    }

    #[test]
    fn tstamps_are_validated() {
        assert_eq!(parse_tstamp("20231102080104").unwrap(), 20231102080104);
        assert!(parse_tstamp("2023110208010").is_err());
        assert!(parse_tstamp("20231302080104").is_err());
        assert!(parse_tstamp("20230230080104").is_err());
        assert!(parse_tstamp("20231102250104").is_err());
        assert!(parse_tstamp("2023110208010x").is_err());
    }
}
