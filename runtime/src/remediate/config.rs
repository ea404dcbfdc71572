//! The runtime's configuration file (`--config FILE`, TOML): how `exec`
//! actions reach their hosts (`[exec]`), and the notification channels
//! with their secrets (`[channels.*]`, `[tenants.NAME.channels.*]`, see
//! `notify`). Policy files never hold any of it. `docs/actions.md` and
//! `docs/channels.md` describe the keys.

use crate::notify::ChannelsConfig;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: unknown section `{key}` (known: exec, channels, tenants, serve)")]
    UnknownSection { path: PathBuf, key: String },
}

/// The whole file.
#[derive(Debug, Default, Deserialize)]
pub struct RuntimeConfig {
    #[serde(default)]
    pub exec: ExecConfig,
    /// `channels` and `tenants`.
    #[serde(flatten)]
    pub notify: ChannelsConfig,
    /// `[serve]`: the service's settings (listen address, tokens, limits),
    /// read and checked by `upkeep serve`; other commands ignore it.
    #[serde(default)]
    pub serve: toml::Table,
}

/// `[exec]`: where and how `exec` actions run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecConfig {
    /// The argv put before every action's own, with `{host}` filled in:
    /// `["ssh", "-o", "BatchMode=yes", "{host}", "--"]`, or an agent's
    /// client. `[]` runs actions on this machine. Absent: `exec` actions
    /// fail with a reason (upkeep does not guess how to reach a host).
    pub via: Option<Vec<String>>,
    /// `"sh"`: each argument of the action is quoted for a POSIX shell,
    /// for transports that hand the command line to one (ssh does).
    #[serde(default)]
    pub quote: Quote,
    /// Variables of upkeep's own environment passed on to programs (the
    /// rest of the environment is cleared; `PATH` and `LANG` are set).
    #[serde(default)]
    pub env: Vec<String>,
    /// The working directory of programs.
    #[serde(default = "root")]
    pub cwd: PathBuf,
    /// The timeout of calls without their own `timeout`.
    #[serde(default = "two_minutes", deserialize_with = "duration")]
    pub timeout: Duration,
    /// Actions performed at once (per evaluation; `concurrency N` of a
    /// remediation lowers it for that remediation).
    #[serde(default = "eight")]
    pub parallel: u32,
}

impl Default for ExecConfig {
    fn default() -> Self {
        ExecConfig {
            via: None,
            quote: Quote::None,
            env: Vec::new(),
            cwd: root(),
            timeout: two_minutes(),
            parallel: eight(),
        }
    }
}

/// How the action's arguments are passed to the `via` transport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quote {
    /// As they are, one argument each.
    #[default]
    None,
    /// Quoted for a POSIX shell (`'it'\''s'`).
    Sh,
}

fn root() -> PathBuf {
    PathBuf::from("/")
}

fn two_minutes() -> Duration {
    Duration::from_secs(120)
}

fn eight() -> u32 {
    8
}

/// A duration as text (`"90s"`, `"2m"`, `"1h 30m"`) or seconds, for
/// `deserialize_with` in configuration structs (here and `[serve]`'s).
pub fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Seconds(u64),
        Text(String),
    }
    match Text::deserialize(d)? {
        Text::Seconds(s) => Ok(Duration::from_secs(s)),
        Text::Text(t) => {
            let parsed: jiff::SignedDuration = t.parse().map_err(|e| {
                serde::de::Error::custom(format!("`{t}` is not a duration (\"90s\", \"2m\"): {e}"))
            })?;
            Duration::try_from(parsed)
                .map_err(|_| serde::de::Error::custom(format!("`{t}` is negative")))
        }
    }
}

const SECTIONS: [&str; 4] = ["exec", "channels", "tenants", "serve"];

impl RuntimeConfig {
    /// Reads and checks a configuration file. A relative program path in
    /// `via` (`"bin/agent"`, not a bare `"ssh"`) and a relative `cwd` are
    /// relative to the file's folder, so the file means the same from
    /// wherever upkeep starts.
    pub fn load(path: &Path) -> Result<RuntimeConfig, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let mut config = RuntimeConfig::parse(&text, path)?;
        let folder = path.parent().unwrap_or(Path::new(""));
        // Absolute: programs run in `cwd`, not where upkeep started.
        let base = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        if let Some(program) = config.exec.via.as_mut().and_then(|v| v.first_mut())
            && program.contains('/')
            && Path::new(program.as_str()).is_relative()
        {
            *program = base.join(program.as_str()).to_string_lossy().into_owned();
        }
        if config.exec.cwd.is_relative() {
            config.exec.cwd = base.join(&config.exec.cwd);
        }
        Ok(config)
    }

    /// Parses a configuration; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<RuntimeConfig, ConfigError> {
        let parse_err = |e: toml::de::Error| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        };
        // `flatten` lets unknown sections through: check them first, so a
        // misspelt `[chanels]` is an error and not silently no channels.
        let table: toml::Table = toml::from_str(text).map_err(parse_err)?;
        if let Some(key) = table.keys().find(|k| !SECTIONS.contains(&k.as_str())) {
            return Err(ConfigError::UnknownSection { path: path.to_path_buf(), key: key.clone() });
        }
        toml::from_str(text).map_err(parse_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RuntimeConfig, ConfigError> {
        RuntimeConfig::parse(text, Path::new("upkeep.toml"))
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.exec.via, None);
        assert_eq!((c.exec.timeout, c.exec.parallel), (Duration::from_secs(120), 8));
    }

    #[test]
    fn exec_reads_durations_as_text_or_seconds() {
        let c = parse("[exec]\nvia = []\ntimeout = \"90s\"\nquote = \"sh\"").unwrap();
        assert_eq!(
            (c.exec.via, c.exec.timeout, c.exec.quote),
            (Some(vec![]), Duration::from_secs(90), Quote::Sh)
        );
        assert_eq!(parse("[exec]\ntimeout = 5").unwrap().exec.timeout, Duration::from_secs(5));
        assert_eq!(
            parse("[exec]\ntimeout = \"1h 30m\"").unwrap().exec.timeout,
            Duration::from_secs(5400)
        );
        let err = parse("[exec]\ntimeout = \"soon\"").unwrap_err().to_string();
        assert!(err.contains("`soon` is not a duration"), "{err}");
    }

    #[test]
    fn relative_programs_are_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runtime.toml");
        std::fs::write(&path, "[exec]\nvia = [\"bin/agent\", \"{host}\"]\ncwd = \"work\"").unwrap();
        let c = RuntimeConfig::load(&path).unwrap();
        let via = c.exec.via.unwrap();
        assert_eq!(Path::new(&via[0]), dir.path().join("bin/agent"));
        assert_eq!(via[1], "{host}");
        assert_eq!(c.exec.cwd, dir.path().join("work"));
        std::fs::write(&path, "[exec]\nvia = [\"ssh\", \"{host}\"]").unwrap();
        assert_eq!(RuntimeConfig::load(&path).unwrap().exec.via.unwrap()[0], "ssh");
    }

    #[test]
    fn unknown_sections_and_keys_are_errors() {
        let err = parse("[chanels.page]\nkind = \"file\"").unwrap_err().to_string();
        assert_eq!(
            err,
            "upkeep.toml: unknown section `chanels` (known: exec, channels, tenants, serve)"
        );
        let err = parse("[exec]\nvai = []").unwrap_err().to_string();
        assert!(err.contains("unknown field `vai`"), "{err}");
    }
}
