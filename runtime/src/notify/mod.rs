//! Notification channels: what a `notify` action turns into.
//!
//! Policies name channels (`page:dba-oncall`, `ticket:servicedesk:high`,
//! `chat:noc`); the runtime's config says what a name means, per tenant,
//! with the URLs and secrets that policy files never hold
//! ([`ChannelsConfig`]). [`Channels::new`] validates that config and reads
//! every secret once, at startup. [`Channels::prepare`] resolves a name for
//! a tenant and renders the event into a [`Delivery`]: a webhook for the
//! executor (PagerDuty Events v2, an Alertmanager payload, a generic ticket,
//! or the event itself) or a line to append to a file. [`deliver`] performs
//! it.
//!
//! Secrets stay out of `Debug` output, errors, [`Delivery::describe`] and the
//! outcome [`deliver`] returns. `docs/channels.md` is the operator's guide.

mod channels;
mod config;
mod payload;

pub use channels::{ChannelError, Channels, Kind, PAGERDUTY_URL};
pub use config::{
    ChannelConfig, ChannelsConfig, FileConfig, HeaderConfig, HttpConfig, PagerDutyConfig, Secret,
    TenantConfig,
};
pub use payload::{dedup_key, fingerprint};

use crate::exec::{ActionOutcome, ActionRequest, Executor, Mode, Status};
use serde_json::{Value, json};
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Which side of an episode a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The episode started (or escalated): open the page, ticket or alert.
    Trigger,
    /// The episode ended: close what the trigger opened.
    Resolve,
}

impl Phase {
    /// `trigger` or `resolve`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Trigger => "trigger",
            Phase::Resolve => "resolve",
        }
    }
}

/// A notification ready to perform.
#[derive(Clone)]
pub enum Delivery {
    /// A POST, performed by the executor (`ActionKind::Webhook`).
    Webhook {
        request: ActionRequest,
        /// The channel's secrets, scrubbed from [`Delivery::describe`] and
        /// from the outcome (a PagerDuty body carries its routing key, a
        /// chat URL its token).
        secrets: Vec<Secret>,
    },
    /// One line (without its line break) to append to a file.
    AppendLine { path: PathBuf, line: String },
}

impl Delivery {
    /// What would be done, as JSON without secrets: for a webhook the
    /// executor's record (`ActionRequest::to_record`: URL, body, header
    /// names, whether it is signed) with every secret replaced by `***`;
    /// for a file `{"append": path, "line": …}`.
    pub fn describe(&self) -> Value {
        match self {
            Delivery::Webhook { request, secrets } => scrub(request.to_record(), secrets),
            Delivery::AppendLine { path, line } => {
                json!({"append": path.to_string_lossy(), "line": line})
            }
        }
    }
}

impl fmt::Debug for Delivery {
    /// The description, never the request itself (its body and headers
    /// hold secrets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Delivery({})", self.describe())
    }
}

/// Performs a delivery. A webhook goes through `executor.run` (its timeout,
/// retries and signature); a line is appended to its file opened with
/// `O_APPEND` (created if missing; its directory is not, that is an
/// `Error`), in one write, so that lines of concurrent deliveries do not mix.
/// In [`Mode::DryRun`] nothing is sent or written: the outcome is `DryRun`
/// with `would run: ` and the description.
pub fn deliver(delivery: &Delivery, executor: &Executor) -> ActionOutcome {
    let start = Instant::now();
    if executor.mode == Mode::DryRun {
        return ActionOutcome {
            status: Status::DryRun,
            attempts: 0,
            duration: start.elapsed(),
            stdout_excerpt: format!("would run: {}", delivery.describe()),
            stderr_excerpt: String::new(),
        };
    }
    match delivery {
        Delivery::Webhook { request, secrets } => {
            let mut outcome = executor.run(request);
            // A transport error may quote the URL, a receiver may echo the body.
            if let Status::Error(message) = &outcome.status {
                outcome.status = Status::Error(scrub_text(message, secrets));
            }
            outcome.stdout_excerpt = scrub_text(&outcome.stdout_excerpt, secrets);
            outcome.stderr_excerpt = scrub_text(&outcome.stderr_excerpt, secrets);
            outcome
        }
        Delivery::AppendLine { path, line } => {
            let status = match append(path, line) {
                Ok(()) => Status::Succeeded,
                Err(e) => Status::Error(format!("cannot append to {}: {e}", path.display())),
            };
            ActionOutcome {
                status,
                attempts: 1,
                duration: start.elapsed(),
                stdout_excerpt: String::new(),
                stderr_excerpt: String::new(),
            }
        }
    }
}

fn append(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes)
}

/// `value` with every secret inside a string replaced by `***`.
fn scrub(value: Value, secrets: &[Secret]) -> Value {
    match value {
        Value::String(s) => Value::String(scrub_text(&s, secrets)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| scrub(v, secrets)).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, scrub(v, secrets))).collect())
        }
        other => other,
    }
}

fn scrub_text(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if !secret.expose().is_empty() && out.contains(secret.expose()) {
            out = out.replace(secret.expose(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn fingerprint_matches_prometheus_common_test_vectors() {
        // prometheus/common model/signature_test.go (TestMetricToFingerprint).
        assert_eq!(
            fingerprint(&BTreeMap::new()),
            format!("{:016x}", 14_695_981_039_346_656_037u64)
        );
        let labels = BTreeMap::from([
            ("name".to_owned(), "garland, briggs".to_owned()),
            ("fear".to_owned(), "love is not enough".to_owned()),
        ]);
        assert_eq!(fingerprint(&labels), format!("{:016x}", 5_799_056_148_416_392_346u64));
    }

    #[test]
    fn scrubbing_replaces_secrets_inside_strings() {
        let secrets = [Secret::new("tok3n")];
        let v = scrub(json!({"a": ["x tok3n y", 1], "b": "tok3ntok3n"}), &secrets);
        assert_eq!(v, json!({"a": ["x *** y", 1], "b": "******"}));
    }
}
