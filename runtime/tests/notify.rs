//! Notification channels (`upkeep_runtime::notify`). Here, deliveries for
//! real: a PagerDuty trigger and resolve and a signed chat webhook to
//! loopback receivers, hostile label values arriving intact as JSON, the
//! audit file, dry runs, and secrets kept out of outcomes. The config and
//! how a channel name resolves for a tenant are in `notify/config.rs`; the
//! payload of every kind, as reviewed snapshots, in `notify/payloads.rs`.

#[path = "notify/config.rs"]
mod config;
#[path = "notify/payloads.rs"]
mod payloads;
#[path = "notify/support.rs"]
mod support;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;
use support::{CHAT_SECRET, CHAT_TOKEN, PD_KEY, Receiver, resolve_event, trigger_event};
use upkeep_runtime::exec::{Executor, Mode, Status};
use upkeep_runtime::notify::{Channels, Delivery, Phase, deliver};

const TIMEOUT: Duration = Duration::from_secs(10);

fn live() -> Executor {
    Executor::new(Mode::Live)
}

fn prepare(
    c: &Channels,
    name: &str,
    event: &upkeep_runtime::events::Event,
    phase: Phase,
    key: &str,
) -> Delivery {
    c.prepare(event.tenant.as_deref(), name, event, phase, key, TIMEOUT, None).unwrap().unwrap()
}

#[test]
fn a_pagerduty_trigger_and_its_resolve_share_the_dedup_key() {
    let receiver = Receiver::start(202);
    let c = support::channels(&format!(
        "[channels.page]\nkind = \"pagerduty\"\nrouting_key_env = \"UPKEEP_PAGERDUTY_KEY\"\nurl = \"{}/v2/enqueue\"\n",
        receiver.base
    ))
    .unwrap();
    let trigger = prepare(&c, "page:dba-oncall", &trigger_event(), Phase::Trigger, "k/trigger");
    let resolve = prepare(&c, "page:dba-oncall", &resolve_event(), Phase::Resolve, "k/resolve");

    for delivery in [&trigger, &resolve] {
        let outcome = deliver(delivery, &live());
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    }

    let got = receiver.take();
    assert_eq!(got.len(), 2, "{got:?}");
    let (t, r) = (got[0].json(), got[1].json());
    assert_eq!(got[0].path, "/v2/enqueue");
    assert_eq!(
        (t["event_action"].as_str(), r["event_action"].as_str()),
        (Some("trigger"), Some("resolve"))
    );
    assert_eq!(t["dedup_key"], "acme/disk_full/host=acme-db1,mount=/var/lib/postgresql");
    assert_eq!(t["dedup_key"], r["dedup_key"]);
    assert_eq!(
        (t["routing_key"].as_str(), r["routing_key"].as_str()),
        (Some(PD_KEY), Some(PD_KEY))
    );
    assert_eq!(t["payload"]["severity"], "critical");
    assert_eq!(
        (got[0].header("X-Upkeep-Key"), got[1].header("X-Upkeep-Key")),
        (Some("k/trigger"), Some("k/resolve"))
    );
    assert_eq!(got[0].header("Content-Type"), Some("application/json"));
}

#[test]
fn a_signed_webhook_verifies_and_carries_its_configured_header() {
    let receiver = Receiver::start(200);
    let c = support::channels(&format!(
        "[channels.\"chat:noc\"]\nkind = \"webhook\"\nurl = \"{}/hooks/noc\"\nsecret_env = \"UPKEEP_CHAT_SECRET\"\n\
         headers = {{ Authorization = {{ env = \"CHAT_TOKEN\", prefix = \"Bearer \" }} }}\n",
        receiver.base
    ))
    .unwrap();
    let event = trigger_event();
    let outcome = deliver(&prepare(&c, "chat:noc", &event, Phase::Trigger, "k"), &live());
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");

    let got = receiver.take();
    assert_eq!(got.len(), 1);
    let request = &got[0];
    // Verified as a receiver would: HMAC-SHA256 of the raw bytes received.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(CHAT_SECRET.as_bytes()).unwrap();
    mac.update(&request.body);
    let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(request.header("X-Upkeep-Signature"), Some(format!("sha256={want}").as_str()));
    assert_eq!(request.header("Authorization"), Some(format!("Bearer {CHAT_TOKEN}").as_str()));
    assert_eq!(request.json(), serde_json::to_value(&event).unwrap(), "the event itself");
}

/// Label values a hostile exporter could send.
fn hostile() -> Vec<(&'static str, String)> {
    vec![
        ("host", "\"; rm -rf / $(id) `id`".to_owned()),
        ("mount", "a\nb\r\n\"}],\"injected\":true,{\"x\":\"".to_owned()),
        ("quote", "'\"\\\u{0}\u{1b}[31m é 日本".to_owned()),
        ("big", "x".repeat(1024 * 1024)),
    ]
}

#[test]
fn hostile_label_values_arrive_intact_as_escaped_json() {
    let receiver = Receiver::start(202);
    let c = support::channels(&format!(
        "[channels.hook]\nkind = \"webhook\"\nurl = \"{0}/hook\"\n\
         [channels.page]\nkind = \"pagerduty\"\nrouting_key = \"k\"\nurl = \"{0}/pd\"\n",
        receiver.base
    ))
    .unwrap();
    let mut event = trigger_event();
    event.instance = hostile().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    for name in ["hook", "page"] {
        let outcome = deliver(&prepare(&c, name, &event, Phase::Trigger, "k"), &live());
        assert_eq!(outcome.status, Status::Succeeded, "{name}: {:?}", outcome.status);
    }
    let got = receiver.take();
    assert_eq!(got.len(), 2);
    for request in &got {
        assert!(!request.body.contains(&b'\n'), "line breaks are escaped");
        let body = request.json();
        assert_eq!(body.get("injected"), None, "no field was added");
        let instance = if request.path == "/hook" {
            &body["instance"]
        } else {
            assert!(body["dedup_key"].as_str().unwrap().chars().count() <= 255);
            &body["payload"]["custom_details"]["instance"]
        };
        for (label, value) in hostile() {
            assert!(
                instance[label] == Value::String(value.clone()),
                "{}: {label} changed",
                request.path
            );
        }
    }
}

#[test]
fn the_audit_file_gets_one_line_per_notification() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notifications.jsonl");
    let c = support::channels(&format!(
        "[channels.audit]\nkind = \"file\"\npath = \"{}\"\n",
        path.display()
    ))
    .unwrap();
    let mut event = trigger_event();
    event.instance.insert("mount".into(), "a\nb".into());
    for (event, phase) in [(event, Phase::Trigger), (resolve_event(), Phase::Resolve)] {
        let outcome = deliver(&prepare(&c, "audit", &event, phase, "k"), &live());
        assert_eq!((outcome.status, outcome.attempts), (Status::Succeeded, 1));
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        (lines[0]["phase"].as_str(), lines[1]["phase"].as_str()),
        (Some("trigger"), Some("resolve"))
    );
    assert_eq!(lines[0]["event"]["instance"]["mount"], "a\nb");
    assert!(text.ends_with('\n'));
}

#[test]
fn a_file_in_a_missing_directory_is_an_error_and_the_directory_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let d = Delivery::AppendLine { path: missing.join("n.jsonl"), line: "{}".into() };
    let outcome = deliver(&d, &live());
    let Status::Error(message) = &outcome.status else { panic!("{outcome:?}") };
    assert!(message.contains("no-such-dir"), "{message}");
    assert!(!missing.exists());
}

#[test]
fn a_dry_run_sends_and_writes_nothing_and_describes_without_secrets() {
    let receiver = Receiver::start(202);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let c = support::channels(&format!(
        "[channels.page]\nkind = \"pagerduty\"\nrouting_key_env = \"UPKEEP_PAGERDUTY_KEY\"\nurl = \"{}/pd\"\n\
         [channels.audit]\nkind = \"file\"\npath = \"{}\"\n",
        receiver.base,
        path.display()
    ))
    .unwrap();
    for name in ["page", "audit"] {
        let outcome = deliver(
            &prepare(&c, name, &trigger_event(), Phase::Trigger, "k"),
            &Executor::new(Mode::DryRun),
        );
        assert_eq!((&outcome.status, outcome.attempts), (&Status::DryRun, 0));
        assert!(outcome.stdout_excerpt.starts_with("would run: {"), "{}", outcome.stdout_excerpt);
        assert!(!outcome.stdout_excerpt.contains(PD_KEY), "{}", outcome.stdout_excerpt);
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(receiver.take().is_empty(), "nothing was sent");
    assert!(!path.exists(), "nothing was written");
}

#[test]
fn a_receiver_echoing_the_routing_key_does_not_put_it_in_the_outcome() {
    let receiver = Receiver::echo(400);
    let c = support::channels(&format!(
        "[channels.page]\nkind = \"pagerduty\"\nrouting_key_env = \"UPKEEP_PAGERDUTY_KEY\"\nurl = \"{}/pd\"\n",
        receiver.base
    ))
    .unwrap();
    let outcome = deliver(&prepare(&c, "page", &trigger_event(), Phase::Trigger, "k"), &live());
    assert_eq!(outcome.status, Status::Failed(upkeep_runtime::exec::Failure::Http(400)));
    assert!(
        outcome.stdout_excerpt.contains("\"routing_key\":\"***\""),
        "{}",
        outcome.stdout_excerpt
    );
    assert!(!format!("{outcome:?}").contains(PD_KEY));
}
