//! From an `action` event to what the executor runs: the action's
//! declaration ([`ActionPlan`]) with the call's arguments — already filled
//! with the instance's labels and values by the engine — rendered into an
//! argv, a URL and a body, or a notification channel.
//!
//! Every argv template renders to exactly one argument and every body leaf
//! to one JSON string, whatever the values contain: a label value
//! `; rm -rf /` stays that text, it never becomes syntax.

use super::{ActionKind, ActionRequest, default_env};
use crate::render;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use upkeep_compiler::plan::{ActionBodyPlan, ActionPlan};

/// What an action event asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    /// A program or a webhook, for the executor.
    Run(ActionRequest),
    /// A message to a channel configured outside policy files.
    Notify { channel: String },
}

/// Why an action call cannot be prepared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error("action `{action}` needs `{param}`")]
    MissingArgument { action: String, param: String },
}

/// How to run what is prepared: where programs run, and their limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub cwd: PathBuf,
    pub timeout: Duration,
    pub retry: Option<(u32, Duration)>,
}

/// Renders the call of `action` with `args` (by parameter name, or by
/// position `0`, `1`, … as the event records them).
pub fn prepare(
    action: &ActionPlan,
    args: &BTreeMap<String, String>,
    key: &str,
    limits: &Limits,
) -> Result<Prepared, PrepareError> {
    let mut values = BTreeMap::new();
    for (i, (name, default)) in action.params.iter().enumerate() {
        let given = args.get(name).or_else(|| args.get(&i.to_string()));
        let value = match (given, default) {
            (Some(v), _) => v.clone(),
            // A default is a template over nothing: render it plain.
            (None, Some(d)) => render::template(d, |_| None),
            (None, None) => {
                return Err(PrepareError::MissingArgument {
                    action: action.name.clone(),
                    param: name.clone(),
                });
            }
        };
        values.insert(name.clone(), value);
    }
    let fill = |t: &str| render::template(t, |name| values.get(name).cloned());
    let kind = match &action.body {
        ActionBodyPlan::Exec { argv } => ActionKind::Exec {
            argv: argv.iter().map(|t| fill(t)).collect(),
            cwd: limits.cwd.clone(),
            env: default_env(),
        },
        ActionBodyPlan::Webhook { url, body } => ActionKind::Webhook {
            url: fill(url),
            body: body.as_ref().map_or(serde_json::Value::Null, |b| fill_json(b, &fill)),
            headers: Vec::new(),
            hmac_secret: None,
        },
        ActionBodyPlan::Notify { channel } => {
            return Ok(Prepared::Notify { channel: fill(channel) });
        }
    };
    Ok(Prepared::Run(ActionRequest {
        key: key.to_string(),
        kind,
        timeout: limits.timeout,
        retry: limits.retry,
    }))
}

fn fill_json(v: &serde_json::Value, fill: &dyn Fn(&str) -> String) -> serde_json::Value {
    match v {
        serde_json::Value::String(t) => serde_json::Value::String(fill(t)),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|i| fill_json(i, fill)).collect())
        }
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter().map(|(k, v)| (k.clone(), fill_json(v, fill))).collect(),
        ),
        other => other.clone(),
    }
}
