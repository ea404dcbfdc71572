//! The `[serve]` section of the runtime configuration (`--config FILE`):
//! where to listen, who may call, and how much. `RuntimeConfig` keeps the
//! section as a raw table; it is read and checked here, unknown keys
//! refused. `docs/operations.md` documents every key.
//!
//! ```toml
//! [serve]
//! listen = "127.0.0.1:9097"
//! max_body_bytes = 16777216
//! rate = 50            # requests per second per token
//! burst = 100
//!
//! [[serve.tokens]]
//! name = "acme-agents"
//! sha256 = "…64 hex digits: sha256 of the token…"
//! tenant = "acme"
//!
//! [[serve.tokens]]
//! name = "ops"
//! sha256 = "…"
//! admin = true
//! ```

use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

/// Why the `[serve]` section cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ServeConfigError {
    #[error("[serve]: {0}")]
    Parse(String),
    #[error("[serve] token `{name}`: {problem}")]
    Token { name: String, problem: String },
}

/// `[serve]`, with every default filled in.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Where to listen; `--listen` wins.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Request bodies larger than this (as sent, compressed or not) are
    /// refused with 413.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// A gzip body that inflates to more than this is refused with 413.
    #[serde(default = "default_max_inflated")]
    pub max_decompressed_bytes: usize,
    /// Requests per second each token may make (the steady rate; a
    /// fraction allowed: 0.5 is one every two seconds).
    #[serde(default = "default_rate")]
    pub rate: f64,
    /// Requests a token may make at once above the rate.
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// Evaluations due at `t` run at wall-clock `t + delay`, so that
    /// samples up to `delay` late are applied before them.
    #[serde(
        default = "default_delay",
        deserialize_with = "upkeep_runtime::remediate::config::duration"
    )]
    pub delay: Duration,
    /// Samples stamped further ahead of the clock than this are refused
    /// (a host whose clock is wrong).
    #[serde(
        default = "default_max_ahead",
        deserialize_with = "upkeep_runtime::remediate::config::duration"
    )]
    pub max_ahead: Duration,
    /// Batches of samples waiting for the engine; when full, writers wait
    /// up to `queue_timeout`, then get 503.
    #[serde(default = "default_queue")]
    pub queue_batches: usize,
    #[serde(
        default = "default_queue_timeout",
        deserialize_with = "upkeep_runtime::remediate::config::duration"
    )]
    pub queue_timeout: Duration,
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
}

/// `[[serve.tokens]]`: one bearer token, as the SHA-256 of its text.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// For logs and metrics (the token itself is never shown).
    pub name: String,
    /// Lower-case or upper-case hex of SHA-256 of the token's text.
    pub sha256: String,
    /// The one tenant (client) whose series and instances it may write and read.
    pub tenant: Option<String>,
    /// Everything: every tenant, reload, the manual clock.
    #[serde(default)]
    pub admin: bool,
    /// This token's own rate and burst.
    pub rate: Option<f64>,
    pub burst: Option<u32>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: default_listen(),
            max_body_bytes: default_max_body(),
            max_decompressed_bytes: default_max_inflated(),
            rate: default_rate(),
            burst: default_burst(),
            delay: default_delay(),
            max_ahead: default_max_ahead(),
            queue_batches: default_queue(),
            queue_timeout: default_queue_timeout(),
            tokens: Vec::new(),
        }
    }
}

impl ServeConfig {
    /// The section from its raw table, checked.
    pub fn from_table(table: &toml::Table) -> Result<ServeConfig, ServeConfigError> {
        let config: ServeConfig = table
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| ServeConfigError::Parse(e.message().to_string()))?;
        let rate_ok = |r: f64| r.is_finite() && r >= 1e-6;
        if !rate_ok(config.rate) || config.burst == 0 {
            return Err(ServeConfigError::Parse(
                "`rate` must be above 0 and `burst` at least 1".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        let mut hashes = std::collections::HashSet::new();
        for t in &config.tokens {
            let problem =
                |p: &str| ServeConfigError::Token { name: t.name.clone(), problem: p.into() };
            if !names.insert(t.name.as_str()) {
                return Err(problem("the name is used twice"));
            }
            if !hashes.insert(t.sha256.to_ascii_lowercase()) {
                return Err(problem("another token has the same `sha256`"));
            }
            if t.sha256.len() != 64 || !t.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(problem(
                    "`sha256` must be the 64 hex digits of the token's SHA-256 \
                     (`printf %s \"$TOKEN\" | sha256sum`)",
                ));
            }
            match (&t.tenant, t.admin) {
                (Some(_), true) => {
                    return Err(problem("give `tenant` or `admin = true`, not both"));
                }
                (None, false) => return Err(problem("give `tenant = \"…\"` or `admin = true`")),
                (Some(tenant), false) if tenant.is_empty() => {
                    return Err(problem("`tenant` is empty"));
                }
                _ => {}
            }
            if t.rate.is_some_and(|r| !rate_ok(r)) || t.burst == Some(0) {
                return Err(problem("`rate` must be above 0 and `burst` at least 1"));
            }
        }
        Ok(config)
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9097))
}
fn default_max_body() -> usize {
    16 << 20
}
fn default_max_inflated() -> usize {
    64 << 20
}
fn default_rate() -> f64 {
    100.0
}
fn default_burst() -> u32 {
    200
}
fn default_delay() -> Duration {
    Duration::from_secs(2)
}
fn default_max_ahead() -> Duration {
    Duration::from_secs(600)
}
fn default_queue() -> usize {
    64
}
fn default_queue_timeout() -> Duration {
    Duration::from_secs(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ServeConfig, ServeConfigError> {
        ServeConfig::from_table(&text.parse::<toml::Table>().unwrap())
    }

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn defaults_and_tokens() {
        let c = parse("").unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9097");
        assert_eq!((c.delay, c.rate, c.burst), (Duration::from_secs(2), 100.0, 200));
        let c = parse(&format!(
            "delay = \"5s\"\n[[tokens]]\nname = \"a\"\nsha256 = \"{HASH}\"\ntenant = \"acme\"\n\
             [[tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nadmin = true\nrate = 5",
            HASH.replace('9', "a")
        ))
        .unwrap();
        assert_eq!(c.delay, Duration::from_secs(5));
        assert_eq!(c.tokens[0].tenant.as_deref(), Some("acme"));
        assert_eq!((c.tokens[1].admin, c.tokens[1].rate), (true, Some(5.0)));
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        let err = |t: &str| parse(t).unwrap_err().to_string();
        assert!(err("lisen = \"x\"").contains("unknown field `lisen`"), "{}", err("lisen = 1"));
        let token = |extra: &str| format!("[[tokens]]\nname = \"a\"\n{extra}");
        assert!(err(&token("sha256 = \"abc\"\nadmin = true")).contains("64 hex digits"));
        let both = token(&format!("sha256 = \"{HASH}\"\nadmin = true\ntenant = \"x\""));
        assert!(err(&both).contains("not both"));
        let neither = token(&format!("sha256 = \"{HASH}\""));
        assert!(err(&neither).contains("give `tenant"));
        let one = token(&format!("sha256 = \"{HASH}\"\nadmin = true"));
        assert!(err(&format!("{one}\n{one}")).contains("used twice"));
        let other = one.replace("name = \"a\"", "name = \"b\"");
        assert!(err(&format!("{one}\n{other}")).contains("same `sha256`"));
    }
}
