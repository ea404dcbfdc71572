//! The payload of every channel kind for one fixed episode (the trigger
//! and the resolve), as reviewed snapshots, and the rules behind them: the
//! dedup key, the summary, PagerDuty's limits, the ticket's queue and
//! priority, Alertmanager's labels and fingerprint.

use super::support::{channels, pretty, resolve_event, trigger_event};
use serde_json::Value;
use std::time::Duration;
use upkeep_runtime::events::Event;
use upkeep_runtime::exec::ActionKind;
use upkeep_runtime::notify::{Channels, Delivery, Phase, dedup_key};

const CONFIG: &str = r#"
[channels.page]
kind = "pagerduty"
routing_key = "test-routing-key"

[channels.alerts]
kind = "alertmanager"
url = "http://127.0.0.1:9/alerts"

[channels.ticket]
kind = "ticket"
url = "http://127.0.0.1:9/tickets"

[channels.hook]
kind = "webhook"
url = "http://127.0.0.1:9/hook"

[channels.audit]
kind = "file"
path = "/nonexistent/audit.jsonl"

[channels.quiet]
kind = "webhook"
url = "http://127.0.0.1:9/quiet"
send_resolved = false
"#;

fn config() -> Channels {
    channels(CONFIG).unwrap()
}

/// The body a channel sends for `event` (a file's line, parsed).
fn body(c: &Channels, name: &str, event: &Event, phase: Phase) -> Value {
    let delivery = c
        .prepare(Some("acme"), name, event, phase, "the-key", Duration::from_secs(10), None)
        .unwrap()
        .unwrap_or_else(|| panic!("{name} sends nothing for {phase:?}"));
    match delivery {
        Delivery::Webhook { request, .. } => match request.kind {
            ActionKind::Webhook { body, .. } => body,
            other => panic!("{other:?}"),
        },
        Delivery::AppendLine { line, .. } => {
            assert!(!line.contains('\n'), "one line");
            serde_json::from_str(&line).unwrap()
        }
    }
}

fn both(name: &str) -> (Value, Value) {
    let c = config();
    (
        body(&c, name, &trigger_event(), Phase::Trigger),
        body(&c, name, &resolve_event(), Phase::Resolve),
    )
}

#[test]
fn pagerduty_payloads() {
    let (trigger, resolve) = both("page:dba-oncall");
    insta::assert_snapshot!("pagerduty_trigger", pretty(&trigger));
    insta::assert_snapshot!("pagerduty_resolve", pretty(&resolve));
    assert_eq!(
        trigger["dedup_key"], resolve["dedup_key"],
        "the resolve closes the trigger's alert"
    );
}

#[test]
fn alertmanager_payloads() {
    let (trigger, resolve) = both("alerts");
    insta::assert_snapshot!("alertmanager_trigger", pretty(&trigger));
    insta::assert_snapshot!("alertmanager_resolve", pretty(&resolve));
    let fp = |v: &Value| v["alerts"][0]["fingerprint"].clone();
    assert_eq!(fp(&trigger), fp(&resolve), "one alert, firing then resolved");
    assert_eq!(trigger["groupKey"], resolve["groupKey"]);
}

#[test]
fn ticket_payloads() {
    let (trigger, resolve) = both("ticket:servicedesk:high");
    insta::assert_snapshot!("ticket_trigger", pretty(&trigger));
    insta::assert_snapshot!("ticket_resolve", pretty(&resolve));
    assert_eq!(trigger["key"], resolve["key"]);
}

#[test]
fn webhook_payloads_are_the_events_themselves() {
    let (trigger, resolve) = both("hook");
    assert_eq!(trigger, serde_json::to_value(trigger_event()).unwrap());
    assert_eq!(resolve, serde_json::to_value(resolve_event()).unwrap());
    insta::assert_snapshot!("webhook_trigger", pretty(&trigger));
}

#[test]
fn file_lines() {
    let (trigger, resolve) = both("audit");
    insta::assert_snapshot!("file_trigger", pretty(&trigger));
    assert_eq!(resolve["phase"], "resolve");
    assert_eq!(resolve["channel"], "audit");
    assert_eq!(resolve["event"], serde_json::to_value(resolve_event()).unwrap());
}

#[test]
fn a_channel_with_send_resolved_false_sends_no_resolve() {
    let c = config();
    let resolve =
        c.prepare(None, "quiet", &resolve_event(), Phase::Resolve, "k", Duration::ZERO, None);
    assert!(matches!(resolve, Ok(None)), "{resolve:?}");
    assert_eq!(c.sends_resolve(None, "quiet"), Ok(false));
    let trigger =
        c.prepare(None, "quiet", &trigger_event(), Phase::Trigger, "k", Duration::ZERO, None);
    assert!(matches!(trigger, Ok(Some(_))), "{trigger:?}");
}

#[test]
fn the_request_carries_the_key_timeout_and_retry() {
    let c = config();
    let retry = Some((2, Duration::from_millis(250)));
    let d = c
        .prepare(
            None,
            "hook",
            &trigger_event(),
            Phase::Trigger,
            "k/1",
            Duration::from_secs(7),
            retry,
        )
        .unwrap()
        .unwrap();
    let Delivery::Webhook { request, .. } = d else { panic!("{d:?}") };
    assert_eq!(
        (request.key.as_str(), request.timeout, request.retry),
        ("k/1", Duration::from_secs(7), retry)
    );
}

#[test]
fn the_dedup_key_is_tenant_policy_and_instance_not_the_episode() {
    let mut event = trigger_event();
    assert_eq!(dedup_key(&event), "acme/disk_full/host=acme-db1,mount=/var/lib/postgresql");
    event.episode = Some(7);
    event.tenant = None;
    assert_eq!(dedup_key(&event), "-/disk_full/host=acme-db1,mount=/var/lib/postgresql");

    // Over PagerDuty's 255 characters: cut, with a hash that keeps keys apart.
    let long = |tail: &str| {
        let mut e = trigger_event();
        e.instance.insert("mount".into(), format!("{}{tail}", "é".repeat(400)));
        dedup_key(&e)
    };
    let (a, b) = (long("a"), long("b"));
    assert_eq!(a.chars().count(), 255, "{a}");
    assert_ne!(a, b, "two long keys that differ only at their ends stay apart");
    assert_eq!(a, long("a"), "stable");
    assert!(a.starts_with("acme/disk_full/host=acme-db1,mount=éé"), "{a}");
}

#[test]
fn pagerduty_summary_source_and_severity() {
    let c = config();
    let mut event = trigger_event();
    event.message = None;
    let v = body(&c, "page", &event, Phase::Trigger);
    assert_eq!(
        v["payload"]["summary"],
        "disk_full crit on host=acme-db1, mount=/var/lib/postgresql"
    );

    // A message over 1024 characters is cut at a character, with an ellipsis.
    event.message = Some("日本".repeat(1000));
    let summary =
        body(&c, "page", &event, Phase::Trigger)["payload"]["summary"].as_str().unwrap().to_owned();
    assert_eq!(summary.chars().count(), 1024);
    assert!(
        summary.ends_with('…') && "日本".repeat(1000).starts_with(summary.trim_end_matches('…'))
    );

    // No host label: the source is the instance; levels map to severities.
    event.instance.remove("host");
    for (level, severity) in [(Some("warn"), "warning"), (Some("info"), "info"), (None, "error")] {
        event.level = level.map(str::to_owned);
        let v = body(&c, "page", &event, Phase::Trigger);
        assert_eq!(v["payload"]["source"], "mount=/var/lib/postgresql");
        assert_eq!(v["payload"]["severity"], severity);
    }
}

#[test]
fn ticket_queue_and_priority_come_from_the_channel_name() {
    let c = config();
    let event = trigger_event();
    for (name, queue, priority) in [
        ("ticket", Value::Null, Value::Null),
        ("ticket:servicedesk", "servicedesk".into(), Value::Null),
        ("ticket:servicedesk:normal", "servicedesk".into(), "normal".into()),
        ("ticket:a:b:high", "a:b".into(), "high".into()),
    ] {
        let v = body(&c, name, &event, Phase::Trigger);
        assert_eq!((&v["queue"], &v["priority"]), (&queue, &priority), "{name}");
    }
}

#[test]
fn alertmanager_labels_put_upkeeps_own_last() {
    let c = config();
    let mut event = trigger_event();
    event.labels.insert("alertname".into(), "spoofed".into());
    event.labels.insert("host".into(), "policy-label".into());
    let labels = &body(&c, "alerts", &event, Phase::Trigger)["alerts"][0]["labels"];
    assert_eq!(labels["alertname"], "disk_full");
    assert_eq!(labels["host"], "acme-db1", "the instance wins over the policy's labels");
    assert_eq!(labels["category"], "capacity");
    assert_eq!(labels["tenant"], "acme");
}

#[test]
fn an_alertmanager_resolve_at_a_lower_level_matches_its_trigger() {
    let c = config();
    let trigger = body(&c, "alerts", &trigger_event(), Phase::Trigger);
    let mut resolve_event = resolve_event();
    resolve_event.level = Some("warn".into());
    let resolve = body(&c, "alerts", &resolve_event, Phase::Resolve);
    assert_eq!(resolve["alerts"][0]["labels"]["severity"], "warning");
    assert_eq!(trigger["alerts"][0]["fingerprint"], resolve["alerts"][0]["fingerprint"]);
    assert_eq!(trigger["groupKey"], resolve["groupKey"]);
    assert_eq!(trigger["groupLabels"].get("severity"), None);
}
