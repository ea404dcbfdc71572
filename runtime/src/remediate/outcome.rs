//! From events to ledger keys and back to events: the idempotency key of
//! an action event, and the outcome events (`succeeded`, `failed`,
//! `interrupted`) that follow it, with what ran and how it ended.

use crate::events::{ActionRecord, Event, EventKind};
use crate::exec::ActionOutcome;
use crate::store::{LedgerEntry, RemediationKey};
use serde_json::{Value, json};

/// The ledger entry of an action event.
pub fn entry(event: &Event, action: &ActionRecord, what: &Value) -> LedgerEntry {
    LedgerEntry {
        key: RemediationKey {
            tenant: event.tenant.clone(),
            policy: event.policy.clone(),
            instance: event.instance_key(),
            episode: event.episode.unwrap_or(0),
            step: action.step.clone(),
        },
        action: action.name.clone(),
        trigger: action.trigger.clone(),
        event_time: event.ts,
        what: what.to_string(),
    }
}

/// The outcome as the ledger and the events keep it.
pub fn outcome_json(outcome: &ActionOutcome, what: &Value) -> Value {
    let mut json = outcome.to_json();
    if let Some(map) = json.as_object_mut() {
        map.insert("ran".into(), what.clone());
    }
    json
}

/// Whether a stored outcome is a success.
pub fn succeeded(outcome: &Value) -> bool {
    outcome.get("status").and_then(Value::as_str) == Some("succeeded")
}

/// The event that follows `action_event` with its outcome.
pub fn outcome_event(action_event: &Event, outcome: Value) -> Event {
    let status = outcome.get("status").and_then(Value::as_str).unwrap_or("").to_string();
    let kind = match status.as_str() {
        "succeeded" => EventKind::Succeeded,
        "interrupted" => EventKind::Interrupted,
        _ => EventKind::Failed,
    };
    let mut event = action_event.clone();
    event.kind = kind;
    event.reason = if kind == EventKind::Interrupted {
        "started before the runtime stopped; not run again".into()
    } else {
        status
    };
    event.outcome = Some(outcome);
    event
}

/// The outcome of an action found `started` in the ledger at startup.
pub fn interrupted() -> Value {
    json!({"status": "interrupted"})
}
