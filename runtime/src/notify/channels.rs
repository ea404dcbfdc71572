//! Ready channels: the config validated once at startup, every secret read
//! (so a missing environment variable is an error when the runtime starts,
//! not when the first page is due at 3 a.m.), and the lookup of a channel
//! name for a tenant.

use super::config::{ChannelConfig, ChannelsConfig, HeaderConfig, HttpConfig, Secret};
use super::{Delivery, Phase, payload};
use crate::events::Event;
use crate::exec::{ActionKind, ActionRequest};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where PagerDuty events go unless a channel sets `url`.
pub const PAGERDUTY_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// Headers the executor sets itself; a channel may not set them.
const RESERVED_HEADERS: [&str; 6] = [
    "content-type",
    "content-length",
    "transfer-encoding",
    "x-upkeep-key",
    "x-upkeep-attempt",
    "x-upkeep-signature",
];

/// Why a channel cannot be built or used. No variant carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("{}", not_configured(.name, .tenant.as_deref()))]
    NotConfigured { name: String, tenant: Option<String> },
    /// A channel table that parsed but makes no sense: no URL, two sources
    /// for one secret, a reserved header.
    #[error("{channel}: {problem}")]
    Invalid { channel: String, problem: String },
    #[error("{channel}: `{field}` names the environment variable `{var}`, which is not set")]
    MissingEnv { channel: String, field: String, var: String },
    #[error("{channel}: `{field}`: cannot read {}: {error}", .path.display())]
    UnreadableFile { channel: String, field: String, path: PathBuf, error: String },
    #[error("{channel}: the value of `{field}` is empty")]
    EmptySecret { channel: String, field: String },
    #[error("cannot build the notification: {0}")]
    Payload(String),
}

fn not_configured(name: &str, tenant: Option<&str>) -> String {
    let prefix = name.split_once(':').map_or(name, |(p, _)| p);
    let mut tables = Vec::new();
    if let Some(t) = tenant {
        tables.push(format!("[tenants.{}.channels.{}]", key(t), key(name)));
        if prefix != name {
            tables.push(format!("[tenants.{}.channels.{}]", key(t), key(prefix)));
        }
    }
    tables.push(format!("[channels.{}]", key(name)));
    if prefix != name {
        tables.push(format!("[channels.{}]", key(prefix)));
    }
    let whose =
        tenant.map_or_else(|| "provider-wide (no tenant)".to_owned(), |t| format!("tenant `{t}`"));
    format!(
        "no notification channel `{name}` for {whose}: add one of {} to the runtime config (see docs/channels.md)",
        tables.join(", ")
    )
}

/// A TOML key as written in a table header: bare when it can be.
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { text.to_owned() } else { serde_json::Value::from(text).to_string() }
}

/// What kind of channel a name resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PagerDuty,
    Webhook,
    Ticket,
    Alertmanager,
    File,
}

/// The channels of the runtime config, ready to use.
#[derive(Debug, Default)]
pub struct Channels {
    provider: BTreeMap<String, Channel>,
    tenants: BTreeMap<String, BTreeMap<String, Channel>>,
}

/// One ready channel. `Debug` shows where it was configured and its kind,
/// never a URL (it may carry a token) or a secret.
struct Channel {
    /// `channels.page`, `tenants.acme.channels."chat:noc"`.
    path: String,
    target: Target,
    send_resolved: bool,
    /// Every secret of the channel, to scrub from descriptions and outcomes.
    secrets: Vec<Secret>,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("path", &self.path)
            .field("kind", &self.kind())
            .field("send_resolved", &self.send_resolved)
            .finish_non_exhaustive()
    }
}

enum Target {
    PagerDuty { url: Secret, routing_key: Secret },
    Http { kind: Kind, url: Secret, hmac: Option<Secret>, headers: Vec<(String, Secret)> },
    File { path: PathBuf },
}

impl Channel {
    fn kind(&self) -> Kind {
        match &self.target {
            Target::PagerDuty { .. } => Kind::PagerDuty,
            Target::Http { kind, .. } => *kind,
            Target::File { .. } => Kind::File,
        }
    }
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Channels {
    /// Validates the config and reads every secret (environment variables
    /// through `env`, files from disk).
    pub fn new(config: &ChannelsConfig, env: Env<'_>) -> Result<Channels, ChannelError> {
        let build = |prefix: &str, map: &BTreeMap<String, ChannelConfig>| {
            map.iter()
                .map(|(name, c)| {
                    Ok((name.clone(), build(format!("{prefix}{}", key(name)), c, env)?))
                })
                .collect::<Result<BTreeMap<_, _>, ChannelError>>()
        };
        let provider = build("channels.", &config.channels)?;
        let mut tenants = BTreeMap::new();
        for (tenant, t) in &config.tenants {
            tenants.insert(
                tenant.clone(),
                build(&format!("tenants.{}.channels.", key(tenant)), &t.channels)?,
            );
        }
        Ok(Channels { provider, tenants })
    }

    /// The channel `name` stands for: the tenant's exact name, the tenant's
    /// prefix (the text before the first `:`), the provider's exact name,
    /// the provider's prefix; the first that is configured.
    fn resolve(&self, tenant: Option<&str>, name: &str) -> Result<&Channel, ChannelError> {
        let prefix = name.split_once(':').map(|(p, _)| p);
        let own = tenant.and_then(|t| self.tenants.get(t));
        let found = own
            .and_then(|m| m.get(name).or_else(|| prefix.and_then(|p| m.get(p))))
            .or_else(|| self.provider.get(name))
            .or_else(|| prefix.and_then(|p| self.provider.get(p)));
        found.ok_or_else(|| ChannelError::NotConfigured {
            name: name.to_owned(),
            tenant: tenant.map(str::to_owned),
        })
    }

    /// Where the channel `name` of `tenant` is configured:
    /// `tenants.acme.channels.page`, `channels."chat:noc"`.
    pub fn config_path(&self, tenant: Option<&str>, name: &str) -> Result<&str, ChannelError> {
        Ok(&self.resolve(tenant, name)?.path)
    }

    /// The kind of the channel `name` of `tenant`.
    pub fn kind(&self, tenant: Option<&str>, name: &str) -> Result<Kind, ChannelError> {
        Ok(self.resolve(tenant, name)?.kind())
    }

    /// Whether a notification to `name` needs a [`Phase::Resolve`] when its
    /// episode ends: every kind has a resolve form, and sends it unless the
    /// channel says `send_resolved = false`.
    pub fn sends_resolve(&self, tenant: Option<&str>, name: &str) -> Result<bool, ChannelError> {
        Ok(self.resolve(tenant, name)?.send_resolved)
    }

    /// The delivery of `event` to the channel `name` of `tenant`, or `None`
    /// when the channel sends nothing for this phase (a resolve on a channel
    /// with `send_resolved = false`). `key` is the idempotency key
    /// (`X-Upkeep-Key`); `timeout` and `retry` apply to webhooks.
    #[expect(clippy::too_many_arguments, reason = "the call site has each of them at hand")]
    pub fn prepare(
        &self,
        tenant: Option<&str>,
        name: &str,
        event: &Event,
        phase: Phase,
        key: &str,
        timeout: Duration,
        retry: Option<(u32, Duration)>,
    ) -> Result<Option<Delivery>, ChannelError> {
        let channel = self.resolve(tenant, name)?;
        if phase == Phase::Resolve && !channel.send_resolved {
            return Ok(None);
        }
        let (url, body, headers, hmac) = match &channel.target {
            Target::File { path } => {
                let line = payload::file_line(name, phase, event)?;
                return Ok(Some(Delivery::AppendLine { path: path.clone(), line }));
            }
            Target::PagerDuty { url, routing_key } => {
                (url, payload::pagerduty(event, phase, name, routing_key.expose()), &[][..], None)
            }
            Target::Http { kind, url, hmac, headers } => {
                let body = match kind {
                    Kind::Ticket => payload::ticket(event, phase, name),
                    Kind::Alertmanager => payload::alertmanager(event, phase, name),
                    _ => payload::event_json(event)?,
                };
                (url, body, &headers[..], hmac.as_ref())
            }
        };
        let request = ActionRequest {
            key: key.to_owned(),
            kind: ActionKind::Webhook {
                url: url.expose().to_owned(),
                body,
                headers: headers.iter().map(|(n, v)| (n.clone(), v.expose().to_owned())).collect(),
                hmac_secret: hmac.map(|s| s.expose().as_bytes().to_vec()),
            },
            timeout,
            retry,
        };
        Ok(Some(Delivery::Webhook { request, secrets: channel.secrets.clone() }))
    }
}

fn build(path: String, config: &ChannelConfig, env: Env<'_>) -> Result<Channel, ChannelError> {
    let mut secrets = Vec::new();
    let (target, send_resolved) = match config {
        ChannelConfig::PagerDuty(c) => {
            let routing_key = read(
                &path,
                "routing_key",
                &c.routing_key,
                &c.routing_key_env,
                &c.routing_key_file,
                env,
            )?
            .ok_or_else(|| {
                invalid(&path, "set one of `routing_key`, `routing_key_env`, `routing_key_file`")
            })?;
            secrets.push(routing_key.clone());
            let url = url(&path, &c.url, &c.url_env, &c.url_file, env, &mut secrets)?
                .unwrap_or_else(|| Secret::new(PAGERDUTY_URL));
            (Target::PagerDuty { url, routing_key }, c.send_resolved)
        }
        ChannelConfig::Webhook(c) => {
            (http(&path, Kind::Webhook, c, env, &mut secrets)?, c.send_resolved)
        }
        ChannelConfig::Ticket(c) => {
            (http(&path, Kind::Ticket, c, env, &mut secrets)?, c.send_resolved)
        }
        ChannelConfig::Alertmanager(c) => {
            (http(&path, Kind::Alertmanager, c, env, &mut secrets)?, c.send_resolved)
        }
        ChannelConfig::File(c) => (Target::File { path: c.path.clone() }, c.send_resolved),
    };
    Ok(Channel { path, target, send_resolved, secrets })
}

fn http(
    path: &str,
    kind: Kind,
    c: &HttpConfig,
    env: Env<'_>,
    secrets: &mut Vec<Secret>,
) -> Result<Target, ChannelError> {
    let url = url(path, &c.url, &c.url_env, &c.url_file, env, secrets)?
        .ok_or_else(|| invalid(path, "set one of `url`, `url_env`, `url_file`"))?;
    let hmac = read(path, "secret", &c.secret, &c.secret_env, &c.secret_file, env)?;
    secrets.extend(hmac.iter().cloned());
    let mut headers = Vec::new();
    for (name, h) in &c.headers {
        headers.push((name.clone(), header(path, name, h, env, secrets)?));
    }
    Ok(Target::Http { kind, url, hmac, headers })
}

fn header(
    path: &str,
    name: &str,
    h: &HeaderConfig,
    env: Env<'_>,
    secrets: &mut Vec<Secret>,
) -> Result<Secret, ChannelError> {
    let field = format!("headers.{name}");
    let token = name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if name.is_empty() || !token {
        return Err(invalid(path, &format!("`{field}` is not a valid header name")));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(invalid(path, &format!("`{field}`: the executor sets this header itself")));
    }
    let field = format!("headers.{name}.value");
    let value = read(path, &field, &h.value, &h.env, &h.file, env)?.ok_or_else(|| {
        invalid(path, &format!("`headers.{name}`: set one of `value`, `env`, `file`"))
    })?;
    let full = format!("{}{}", h.prefix.as_deref().unwrap_or(""), value.expose());
    // A line break would end the header and start another (or a body).
    if full.contains(['\r', '\n', '\0']) {
        return Err(invalid(path, &format!("`headers.{name}`: the value contains a line break")));
    }
    secrets.push(value);
    Ok(Secret::new(full))
}

/// A URL from `url`, `url_env` or `url_file`. One from the environment or a
/// file is treated as a secret (chat webhook URLs carry their token).
fn url(
    path: &str,
    inline: &Option<String>,
    var: &Option<String>,
    file: &Option<PathBuf>,
    env: Env<'_>,
    secrets: &mut Vec<Secret>,
) -> Result<Option<Secret>, ChannelError> {
    let inline = inline.as_ref().map(Secret::new);
    let Some(url) = read(path, "url", &inline, var, file, env)? else { return Ok(None) };
    let lower = url.expose().to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(invalid(path, "the URL must start with http:// or https://"));
    }
    if inline.is_none() {
        secrets.push(url.clone());
    }
    Ok(Some(url))
}

/// Reads a secret given inline (`field`), by environment variable
/// (`field_env`) or by file (`field_file`): at most one of them. A file's
/// trailing line break is not part of the secret. Headers use `value`,
/// `env`, `file`; `field` is then `headers.NAME.value`.
fn read(
    path: &str,
    field: &str,
    inline: &Option<Secret>,
    var: &Option<String>,
    file: &Option<PathBuf>,
    env: Env<'_>,
) -> Result<Option<Secret>, ChannelError> {
    let (env_field, file_field) = match field.strip_suffix(".value") {
        Some(base) => (format!("{base}.env"), format!("{base}.file")),
        None => (format!("{field}_env"), format!("{field}_file")),
    };
    let value = match (inline, var, file) {
        (None, None, None) => return Ok(None),
        (Some(s), None, None) => s.expose().to_owned(),
        (None, Some(var), None) => env(var).ok_or_else(|| ChannelError::MissingEnv {
            channel: path.to_owned(),
            field: env_field.clone(),
            var: var.clone(),
        })?,
        (None, None, Some(file)) => read_file(file).map_err(|e| ChannelError::UnreadableFile {
            channel: path.to_owned(),
            field: file_field.clone(),
            path: file.clone(),
            error: e.to_string(),
        })?,
        _ => {
            return Err(invalid(
                path,
                &format!("set only one of `{field}`, `{env_field}`, `{file_field}`"),
            ));
        }
    };
    if value.is_empty() {
        let which = if var.is_some() {
            env_field
        } else if file.is_some() {
            file_field
        } else {
            field.to_owned()
        };
        return Err(ChannelError::EmptySecret { channel: path.to_owned(), field: which });
    }
    Ok(Some(Secret::new(value)))
}

fn read_file(file: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(file)?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

fn invalid(path: &str, problem: &str) -> ChannelError {
    ChannelError::Invalid { channel: path.to_owned(), problem: problem.to_owned() }
}
