//! The `channels` and `tenants` tables of the runtime's TOML config, as
//! written: what [`Channels::new`](super::Channels::new) validates and turns
//! into ready channels (secrets read, URLs checked).
//!
//! Every table rejects keys it does not know, and the error names the channel
//! (and tenant) it is in: `tenant `acme`: channel `page`: unknown field
//! `routing_kye`, expected one of …`. The one exception is the top level:
//! [`ChannelsConfig`] is meant to be `#[serde(flatten)]`ed into the runtime
//! config, and serde cannot deny unknown fields on a flattened struct (nor
//! on the struct that flattens it), so a misspelt top-level table
//! (`[channel.page]`) is the runtime config's job to catch, for instance by
//! flattening a catch-all map as well and rejecting anything left in it.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;

/// The notification part of the runtime config: provider-wide channels and
/// each tenant's own.
///
/// ```toml
/// [channels.page]
/// kind = "pagerduty"
/// routing_key_env = "UPKEEP_PAGERDUTY_KEY"
///
/// [tenants.acme.channels.page]
/// kind = "pagerduty"
/// routing_key_env = "ACME_PD_KEY"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChannelsConfig {
    /// Provider-wide channels by name: an exact channel name (`"chat:noc"`)
    /// or a prefix (`page`, for `page` and every `page:…`).
    #[serde(deserialize_with = "channel_map")]
    pub channels: BTreeMap<String, ChannelConfig>,
    /// Per-tenant channels, which win over the provider-wide ones.
    #[serde(deserialize_with = "tenant_map")]
    pub tenants: BTreeMap<String, TenantConfig>,
}

/// `[tenants.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    #[serde(default, deserialize_with = "channel_map")]
    pub channels: BTreeMap<String, ChannelConfig>,
}

/// One channel, by its `kind`.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind")]
pub enum ChannelConfig {
    /// PagerDuty Events API v2.
    #[serde(rename = "pagerduty")]
    PagerDuty(PagerDutyConfig),
    /// POSTs the event JSON itself.
    #[serde(rename = "webhook")]
    Webhook(HttpConfig),
    /// POSTs Upkeep's generic ticket JSON (for a PSA adapter or intake).
    #[serde(rename = "ticket")]
    Ticket(HttpConfig),
    /// POSTs an Alertmanager webhook payload (version 4).
    #[serde(rename = "alertmanager")]
    Alertmanager(HttpConfig),
    /// Appends one JSON line per notification to a file.
    #[serde(rename = "file")]
    File(FileConfig),
}

/// `kind = "pagerduty"`. The routing key comes from exactly one of
/// `routing_key`, `routing_key_env`, `routing_key_file`; the URL, when
/// overridden, from at most one of `url`, `url_env`, `url_file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyConfig {
    pub routing_key: Option<Secret>,
    pub routing_key_env: Option<String>,
    pub routing_key_file: Option<PathBuf>,
    pub url: Option<String>,
    pub url_env: Option<String>,
    pub url_file: Option<PathBuf>,
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

/// `kind = "webhook"`, `"ticket"` or `"alertmanager"`: a URL (exactly one of
/// `url`, `url_env`, `url_file`; a URL with a token in it, like a chat
/// incoming webhook, belongs in `url_env` or `url_file`), an optional HMAC
/// secret for `X-Upkeep-Signature`, and extra headers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub url: Option<String>,
    pub url_env: Option<String>,
    pub url_file: Option<PathBuf>,
    pub secret: Option<Secret>,
    pub secret_env: Option<String>,
    pub secret_file: Option<PathBuf>,
    /// `headers = { Authorization = { env = "CHAT_TOKEN", prefix = "Bearer " } }`.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderConfig>,
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

/// One header's value: exactly one of `value`, `env`, `file`, after an
/// optional plain `prefix` (`"Bearer "`). Header values are secrets.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderConfig {
    pub value: Option<Secret>,
    pub env: Option<String>,
    pub file: Option<PathBuf>,
    pub prefix: Option<String>,
}

/// `kind = "file"`: the file to append to. A relative path is relative to
/// the runtime's working directory; the file is created, its directory is
/// not.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub path: PathBuf,
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

fn yes() -> bool {
    true
}

/// A secret (a routing key, an HMAC key, a header value, a URL with a token):
/// its `Debug` prints `***`, and it has no `Display`, so it cannot end up in
/// a log line or an error by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        // serde's own message would quote a mistyped value (`invalid type:
        // integer `1234`…`), and that value is the secret.
        String::deserialize(d)
            .map(Secret)
            .map_err(|_| de::Error::custom("a secret must be a string (its value is not shown)"))
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

fn channel_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, ChannelConfig>, D::Error> {
    d.deserialize_map(Named { what: "channel", marker: PhantomData })
}

fn tenant_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, TenantConfig>, D::Error> {
    d.deserialize_map(Named { what: "tenant", marker: PhantomData })
}

/// A map whose values' errors are prefixed with their key: serde's own
/// messages (`unknown field `x``, `missing field `url``) do not say which
/// of a dozen channels they are about.
struct Named<T> {
    what: &'static str,
    marker: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for Named<T> {
    type Value = BTreeMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a table of {}s", self.what)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map
                .next_value::<T>()
                .map_err(|e| de::Error::custom(format!("{} `{name}`: {e}", self.what)))?;
            out.insert(name, value);
        }
        Ok(out)
    }
}
