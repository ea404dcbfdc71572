//! The bodies each channel kind sends, built with `serde_json` so that label
//! values (`"; rm -rf /`, quotes, line breaks) stay JSON strings. Formats:
//! PagerDuty Events API v2, Alertmanager's webhook payload (version 4),
//! Upkeep's generic ticket, the event itself, and the audit file line.
//! `docs/channels.md` shows an example of each.

use super::{ChannelError, Phase};
use crate::events::Event;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// PagerDuty's limit on `payload.summary`, in characters.
pub const PAGERDUTY_SUMMARY_MAX: usize = 1024;
/// PagerDuty's limit on `dedup_key`, in characters.
pub const PAGERDUTY_DEDUP_KEY_MAX: usize = 255;
/// `endsAt` of a firing alert: Go's zero time, as Alertmanager sends it.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// The key that ties a resolve to its trigger: tenant, policy and instance
/// labels, `acme/disk_full/host=db1,mount=/`. Not the episode: the resolve
/// of an episode must close the incident its trigger opened, whatever
/// happened in between. Tickets use it as their `key` too. A key over
/// PagerDuty's 255 characters keeps its first 238 and gets `~` and 16 hex
/// digits of its SHA-256, so two long keys stay apart.
pub fn dedup_key(event: &Event) -> String {
    let tenant = event.tenant.as_deref().unwrap_or("-");
    let key = format!("{tenant}/{}/{}", event.policy, instance_text(event, ","));
    if key.chars().count() <= PAGERDUTY_DEDUP_KEY_MAX {
        return key;
    }
    let digest = Sha256::digest(key.as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{}~{hash}", cut(&key, PAGERDUTY_DEDUP_KEY_MAX - 17))
}

/// The first `max` characters of `text` (a `&str` slice always ends on a
/// character boundary).
fn cut(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(end, _)| &text[..end])
}

/// `text` in at most `max` characters, ending in `…` when it was cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    format!("{}…", cut(text, max.saturating_sub(1)))
}

/// `host=db1,mount=/` (with `sep` between labels), as in idempotency keys.
fn instance_text(event: &Event, sep: &str) -> String {
    crate::events::label_text(&event.instance, sep)
}

/// The event's message, else `disk_full crit on host=db1, mount=/`.
fn summary(event: &Event) -> String {
    if let Some(message) = event.message.as_deref().filter(|m| !m.is_empty()) {
        return message.to_owned();
    }
    let mut text = event.policy.clone();
    if let Some(level) = &event.level {
        text = format!("{text} {level}");
    }
    if !event.instance.is_empty() {
        text = format!("{text} on {}", instance_text(event, ", "));
    }
    text
}

/// PagerDuty's severities, also used for Alertmanager's `severity` label.
/// An event without a level (an escalation of an instance whose levels all
/// cleared) is an `error`: serious, but not known to be critical.
fn severity(event: &Event) -> &'static str {
    match event.level.as_deref() {
        Some("crit") => "critical",
        Some("warn") => "warning",
        Some("info") => "info",
        _ => "error",
    }
}

/// PagerDuty Events API v2: a `trigger` with the summary, source and
/// details, or a `resolve` with just the key.
pub fn pagerduty(event: &Event, phase: Phase, channel: &str, routing_key: &str) -> Value {
    let dedup_key = dedup_key(event);
    if phase == Phase::Resolve {
        return json!({"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup_key});
    }
    let host = event.instance.get("host").filter(|h| !h.is_empty());
    let source = match host {
        Some(host) => host.clone(),
        None if !event.instance.is_empty() => instance_text(event, ","),
        None => event.policy.clone(),
    };
    let mut payload = Map::new();
    payload.insert("summary".into(), shorten(&summary(event), PAGERDUTY_SUMMARY_MAX).into());
    payload.insert("source".into(), source.into());
    payload.insert("severity".into(), severity(event).into());
    payload.insert("timestamp".into(), event.time.clone().into());
    // component: what on the host (the mount, the service); group: the client.
    let component: Vec<String> = event
        .instance
        .iter()
        .filter(|(k, _)| *k != "host")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !component.is_empty() {
        payload.insert("component".into(), component.join(",").into());
    }
    if let Some(tenant) = &event.tenant {
        payload.insert("group".into(), tenant.clone().into());
    }
    payload.insert("class".into(), event.policy.clone().into());
    payload.insert(
        "custom_details".into(),
        json!({
            "channel": channel,
            "tenant": event.tenant,
            "level": event.level,
            "instance": event.instance,
            "values": event.values,
            "labels": event.labels,
            "reason": event.reason,
        }),
    );
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "client": "Upkeep",
        "payload": payload,
    })
}

/// Alertmanager's webhook payload (version 4) with one alert. The alert's
/// identity is its labels without `severity`: the episode's last level to
/// clear may be a lower one than the level that notified, and its resolve
/// must still match. So `groupLabels`, `groupKey` and `fingerprint` (the
/// Prometheus fingerprint, see [`fingerprint`]) are over those labels, as
/// Alertmanager would group with `group_by` = every label but `severity`.
pub fn alertmanager(event: &Event, phase: Phase, channel: &str) -> Value {
    // Later inserts win: the policy's labels, the instance, then Upkeep's own.
    let mut identity: BTreeMap<String, String> = event.labels.clone();
    identity.extend(event.instance.iter().map(|(k, v)| (k.clone(), v.clone())));
    identity.remove("severity");
    identity.insert("alertname".into(), event.policy.clone());
    if let Some(tenant) = &event.tenant {
        identity.insert("tenant".into(), tenant.clone());
    }
    let mut labels = identity.clone();
    labels.insert("severity".into(), severity(event).into());
    let mut annotations = BTreeMap::new();
    annotations.insert("summary".to_owned(), summary(event));
    annotations.insert("description".to_owned(), description_line(event));
    let (status, ends_at) = match phase {
        Phase::Trigger => ("firing", ZERO_TIME),
        Phase::Resolve => ("resolved", event.time.as_str()),
    };
    let group_key = format!(
        "{{}}:{{{}}}",
        identity
            .iter()
            .map(|(k, v)| format!("{k}={}", Value::from(v.as_str())))
            .collect::<Vec<_>>()
            .join(", ")
    );
    json!({
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": channel,
        "groupLabels": identity,
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": "",
        "alerts": [{
            "status": status,
            "labels": labels,
            "annotations": annotations,
            // A resolve does not know when its episode started: the channel
            // keeps no state. Receivers match alerts by fingerprint.
            "startsAt": event.time,
            "endsAt": ends_at,
            "generatorURL": "",
            "fingerprint": fingerprint(&identity),
        }],
    })
}

/// `on crit: used=91%, eta=2d` — the reason and the values in one line.
fn description_line(event: &Event) -> String {
    let values: Vec<String> = event.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if values.is_empty() {
        event.reason.clone()
    } else {
        format!("{}: {}", event.reason, values.join(", "))
    }
}

/// Prometheus' label-set fingerprint (`model.LabelSet.Fingerprint`): FNV-1a
/// 64 over the sorted names and values, each followed by the byte 0xff, as
/// 16 hex digits: the same labels give the fingerprint Alertmanager would
/// compute.
pub fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[0xff]);
        add(value.as_bytes());
        add(&[0xff]);
    }
    format!("{hash:016x}")
}

/// Upkeep's generic ticket; `queue` and `priority` come from the channel
/// name `ticket:QUEUE:PRIORITY` (the last `:` separates the priority).
pub fn ticket(event: &Event, phase: Phase, channel: &str) -> Value {
    let rest = channel.split_once(':').map(|(_, rest)| rest).filter(|r| !r.is_empty());
    let (queue, priority) = match rest.map(|r| r.rsplit_once(':').unwrap_or((r, ""))) {
        Some((queue, priority)) => {
            (Some(queue).filter(|q| !q.is_empty()), Some(priority).filter(|p| !p.is_empty()))
        }
        None => (None, None),
    };
    let status = match phase {
        Phase::Trigger => "open",
        Phase::Resolve => "resolved",
    };
    json!({
        "key": dedup_key(event),
        "status": status,
        "tenant": event.tenant,
        "title": shorten(&summary(event), 255),
        "description": ticket_description(event, phase),
        "priority": priority,
        "queue": queue,
        "policy": event.policy,
        "level": event.level,
        "instance": event.instance,
        "values": event.values,
        "labels": event.labels,
        "time": event.time,
    })
}

/// A plain-text body for the ticket, readable in any PSA.
fn ticket_description(event: &Event, phase: Phase) -> String {
    let mut lines = vec![match phase {
        Phase::Trigger => summary(event),
        Phase::Resolve => format!("Resolved: {}", summary(event)),
    }];
    lines.push(String::new());
    lines.push(format!("Policy: {}", event.policy));
    if let Some(level) = &event.level {
        lines.push(format!("Level: {level}"));
    }
    if !event.instance.is_empty() {
        lines.push(format!("Instance: {}", instance_text(event, ", ")));
    }
    for (name, value) in &event.values {
        lines.push(format!("{name}: {value}"));
    }
    lines.push(format!("Reason: {}", event.reason));
    lines.push(format!("Time: {}", event.time));
    lines.join("\n")
}

/// The event itself, as in the events stream.
pub fn event_json(event: &Event) -> Result<Value, ChannelError> {
    serde_json::to_value(event).map_err(|e| ChannelError::Payload(e.to_string()))
}

/// One line of the audit file: `{"channel", "phase", "event"}`.
pub fn file_line(channel: &str, phase: Phase, event: &Event) -> Result<String, ChannelError> {
    let line = json!({"channel": channel, "phase": phase.name(), "event": event_json(event)?});
    Ok(line.to_string())
}
