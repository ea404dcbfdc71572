//! The dispatcher (`remediate`) between the engine and the world, one guard
//! or rule at a time: actions run through the configured transport and
//! their outcomes follow them; a failed remediation escalates at once; no
//! route is a failure with a reason; `--dry-run` and held actions are
//! recorded, never run; `concurrency N` bounds parallel runs; a decided
//! action is never run twice across restarts; hostile label values reach
//! programs and webhooks literally.

#[path = "dispatch/support.rs"]
mod support;

use support::{config, engine, plan, replay, script, story};
use upkeep_runtime::events::EventKind;
use upkeep_runtime::store::{HistoryFilter, LedgerStatus, Store};

/// One host's `load1` above 4 from minute 2 to 20: crit at 2, a fix, a
/// verify that fails at 7 (load stays high), pages 10 and 20 minutes in.
fn package(fix: &str, guards: &str) -> String {
    format!(
        r#"use std.metrics.node
fleet all = hosts
action fix(host: host) = exec ["{fix}", host]
action page(who: text) = notify "page:{{who}}"
policy load on all {{
  every 1m
  crit when load1 > 4
  on crit {{
    fix(host) timeout 10s
    verify load1 < 4 within 5m
    {guards}
  }}
  escalate {{
    after 10m page("first")
    after 20m page("second")
  }}
}}
"#
    )
}

fn high(_: &str, m: u64) -> f64 {
    if (2..20).contains(&m) { 9.0 } else { 1.0 }
}

#[test]
fn an_action_runs_through_the_transport_and_its_outcome_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let fix = script(dir.path(), "fix", r#"echo "fixed $1""#);
    let agent = script(dir.path(), "agent", r#"h=$1; shift; echo "on $h:"; exec "$@""#);
    let plan = plan(&package(&fix.display().to_string(), ""));
    let cfg = config(&format!("[exec]\nvia = [\"{}\", \"{{host}}\"]\n", agent.display()));
    let mut engine = engine(&plan, cfg, Store::in_memory().unwrap(), false);
    let events = replay(&mut engine, "node_load1", &["db1"], 10, high);
    let story = story(&events);
    assert_eq!(story[..3], ["2 firing db1", "2 action db1 fix", "2 succeeded db1 fix"]);
    let done = events.iter().find(|e| e.kind == EventKind::Succeeded).unwrap();
    let outcome = done.outcome.as_ref().unwrap();
    assert_eq!(outcome["stdout"], "on db1:\nfixed db1\n");
    assert_eq!(outcome["ran"]["action"]["exec"][0], agent.display().to_string());
    assert_eq!(outcome["ran"]["action"]["exec"][1], "db1");
}

#[test]
fn a_failed_remediation_escalates_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fix = script(dir.path(), "fix", "echo broken >&2; exit 3");
    let plan = plan(&package(&fix.display().to_string(), ""));
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::in_memory().unwrap(), false);
    let events = replay(&mut engine, "node_load1", &["db1"], 10, high);
    // No channel is configured for `page`: the page fails too, with why.
    assert_eq!(
        story(&events)[..5],
        [
            "2 firing db1",
            "2 action db1 fix",
            "2 failed db1 fix",
            "2 action db1 page",
            "2 failed db1 page"
        ]
    );
    let failed = &events[2];
    assert_eq!(failed.reason, "failed: exit code 3");
    assert_eq!(failed.outcome.as_ref().unwrap()["stderr"], "broken\n");
    assert!(events[4].reason.contains("page:first"), "{}", events[4].reason);
}

#[test]
fn without_a_route_an_exec_action_fails_with_the_reason_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fix = script(dir.path(), "fix", &format!("touch '{}'", dir.path().join("ran").display()));
    let plan = plan(&package(&fix.display().to_string(), ""));
    let mut engine = engine(&plan, config(""), Store::in_memory().unwrap(), false);
    let events = replay(&mut engine, "node_load1", &["db1"], 4, high);
    let failed = events.iter().find(|e| e.kind == EventKind::Failed).unwrap();
    assert!(failed.reason.contains("no `[exec] via`"), "{}", failed.reason);
    assert!(failed.reason.contains("host `db1`"), "{}", failed.reason);
    assert!(!dir.path().join("ran").exists());
}

#[test]
fn a_dry_run_records_every_action_and_runs_none() {
    let dir = tempfile::tempdir().unwrap();
    let fix = script(dir.path(), "fix", &format!("touch '{}'", dir.path().join("ran").display()));
    let plan = plan(&package(&fix.display().to_string(), ""));
    let state = dir.path().join("state.db");
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::open(&state).unwrap(), true);
    let events = replay(&mut engine, "node_load1", &["db1"], 25, high);
    assert!(!dir.path().join("ran").exists(), "nothing ran");
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::Succeeded | EventKind::Failed)));
    drop(engine);
    let rows = Store::open(&state).unwrap().history(&HistoryFilter::default()).unwrap();
    let steps: Vec<(&str, LedgerStatus)> =
        rows.iter().map(|r| (r.entry.key.step.as_str(), r.status)).collect();
    assert_eq!(
        steps,
        [
            ("escalate#1", LedgerStatus::DryRun),
            ("escalate#0", LedgerStatus::DryRun),
            ("on crit#0", LedgerStatus::DryRun)
        ]
    );
    assert!(rows[2].outcome.as_deref().unwrap().contains("would_run"));
}

#[test]
fn held_actions_are_in_the_ledger_with_their_guard() {
    let dir = tempfile::tempdir().unwrap();
    let fix = script(dir.path(), "fix", "true");
    let plan = plan(&package(&fix.display().to_string(), "cooldown 1h"));
    let state = dir.path().join("state.db");
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::open(&state).unwrap(), false);
    // Two episodes 10 minutes apart: the second fix is within the cooldown.
    let events = replay(&mut engine, "node_load1", &["db1"], 16, |_, m| {
        if (2..4).contains(&m) || (12..14).contains(&m) { 9.0 } else { 1.0 }
    });
    assert!(story(&events).contains(&"12 held db1 fix".to_string()), "{:#?}", story(&events));
    drop(engine);
    let rows = Store::open(&state).unwrap().history(&HistoryFilter::default()).unwrap();
    let held = rows.iter().find(|r| r.status == LedgerStatus::Held).unwrap();
    assert_eq!((held.entry.key.episode, held.entry.action.as_str()), (2, "fix"));
    assert!(held.outcome.as_deref().unwrap().contains("cooldown 1h"));
}

#[test]
fn concurrency_bounds_the_runs_of_one_remediation_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    // Each run notes its start and end; it lasts long enough that runs
    // allowed together do overlap.
    let fix = script(
        dir.path(),
        "fix",
        &format!(
            "echo \"start $(date +%s%N)\" >> '{0}'; sleep 0.3; echo \"end $(date +%s%N)\" >> '{0}'",
            log.display()
        ),
    );
    let plan = plan(&package(&fix.display().to_string(), "concurrency 2"));
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::in_memory().unwrap(), false);
    let hosts = ["h1", "h2", "h3", "h4", "h5"];
    let events = replay(&mut engine, "node_load1", &hosts, 4, high);
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::Succeeded).count(), 5);
    // The most runs in progress at any instant, from the log's stamps.
    let mut marks: Vec<(u128, i32)> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| {
            let (what, at) = l.split_once(' ').unwrap();
            (at.parse().unwrap(), if what == "start" { 1 } else { -1 })
        })
        .collect();
    marks.sort_by_key(|(at, delta)| (*at, *delta));
    let (mut now, mut most) = (0, 0);
    for (_, delta) in marks {
        now += delta;
        most = most.max(now);
    }
    assert_eq!(most, 2, "concurrency 2: two at once, never three");
}

#[test]
fn an_action_decided_again_after_a_restart_is_reported_from_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let fix =
        script(dir.path(), "fix", &format!("echo \"$1\" >> '{}'; echo fixed", runs.display()));
    let plan = plan(&package(&fix.display().to_string(), ""));
    let state = dir.path().join("state.db");
    let first = {
        let mut engine =
            engine(&plan, config("[exec]\nvia = []"), Store::open(&state).unwrap(), false);
        replay(&mut engine, "node_load1", &["db1"], 6, high)
    };
    // The same input again from the start, on the same ledger (as after a
    // crash before any checkpoint): the same decision, no second run.
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::open(&state).unwrap(), false);
    let second = replay(&mut engine, "node_load1", &["db1"], 6, high);
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "db1\n");
    let outcome = |events: &[upkeep_runtime::events::Event]| {
        events.iter().find(|e| e.kind == EventKind::Succeeded).and_then(|e| e.outcome.clone())
    };
    assert_eq!(outcome(&second), outcome(&first), "the recorded outcome, as it was");
}

/// What a loopback receiver got: the bodies of the POSTs, in order.
fn receiver() -> (String, std::sync::mpsc::Receiver<Vec<u8>>, std::thread::JoinHandle<()>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", server.server_addr().to_ip().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        // Two requests: one per host of the test.
        for _ in 0..2 {
            let Ok(Some(mut request)) = server.recv_timeout(std::time::Duration::from_secs(30))
            else {
                return;
            };
            let mut body = Vec::new();
            std::io::Read::read_to_end(request.as_reader(), &mut body).unwrap();
            tx.send(body).unwrap();
            let _ = request.respond(tiny_http::Response::empty(204));
        }
    });
    (url, rx, handle)
}

#[test]
fn hostile_label_values_reach_the_program_and_the_webhook_literally() {
    let dir = tempfile::tempdir().unwrap();
    let argv = dir.path().join("argv");
    // Writes its arguments NUL-terminated: any splitting or expansion would
    // show as other arguments.
    let fix = script(
        dir.path(),
        "fix",
        &format!("for a in \"$@\"; do printf '%s\\0' \"$a\"; done >> '{}'", argv.display()),
    );
    let (url, bodies, server) = receiver();
    let source = format!(
        r#"use std.metrics.node
fleet all = hosts
action fix(host: host) = exec ["{fix}", host, "disk of {{host}}"]
action post(host: host) = webhook "{url}" body {{ host: host, text: "on {{host}}" }}
policy load on all {{
  every 1m
  crit when load1 > 4
  on crit {{
    fix(host)
    post(host)
  }}
}}
"#,
        fix = fix.display()
    );
    let plan = plan(&source);
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::in_memory().unwrap(), false);
    let hostile = "; rm -rf / $(id) `id` 'x\" \n\\*";
    let huge = "m".repeat(1 << 20);
    let events = replay(&mut engine, "node_load1", &[hostile, &huge], 2, |_, _| 9.0);
    server.join().unwrap();
    // The program got the hostile value as single literal arguments.
    let written = std::fs::read(&argv).unwrap();
    let args: Vec<&[u8]> = written.split(|b| *b == 0).filter(|a| !a.is_empty()).collect();
    let want = format!("disk of {hostile}");
    assert_eq!(args, [hostile.as_bytes(), want.as_bytes()]);
    // A 1 MB argument is more than Linux passes to a program (128 KiB per
    // argument): that run fails cleanly, with the reason.
    let failed: Vec<_> = events.iter().filter(|e| e.kind == EventKind::Failed).collect();
    let reasons: Vec<&str> = failed.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(failed.len(), 1, "{reasons:?}");
    assert_eq!(failed[0].action.as_ref().unwrap().name, "fix");
    assert!(failed[0].reason.contains("rgument list too long"), "{}", failed[0].reason);
    // The webhook carried both, escaped as JSON, intact.
    let mut got: Vec<serde_json::Value> =
        bodies.try_iter().map(|b| serde_json::from_slice(&b).unwrap()).collect();
    got.sort_by_key(|b| b["host"].as_str().unwrap().len());
    assert_eq!(got[0]["host"], hostile);
    assert_eq!(got[0]["text"], format!("on {hostile}"));
    assert_eq!(got[1]["host"].as_str().unwrap().len(), 1 << 20);
}

#[test]
fn a_task_that_waited_for_room_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let patch = script(dir.path(), "patch", &format!("echo \"$1\" >> '{}'", runs.display()));
    let source = format!(
        r#"use std.metrics.node
fleet all = hosts
action patch(host: host) = exec ["{}", host]
task patching on all {{
  when load1 > 0
  patch(host)
  verify load1 > 0 within 5m
  concurrency 1
}}
"#,
        patch.display()
    );
    let plan = plan(&source);
    let state = dir.path().join("state.db");
    let mut engine = engine(&plan, config("[exec]\nvia = []"), Store::open(&state).unwrap(), false);
    let events = replay(&mut engine, "node_load1", &["h1", "h2", "h3"], 8, |_, _| 1.0);
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "h1\nh2\nh3\n", "{:#?}", story(&events));
    drop(engine);
    let rows = Store::open(&state).unwrap().history(&HistoryFilter::default()).unwrap();
    let held = rows.iter().filter(|r| r.status == LedgerStatus::Held).count();
    let done = rows.iter().filter(|r| r.status == LedgerStatus::Completed).count();
    assert_eq!((held, done), (2, 3), "h2 and h3 waited once each, then all three ran");
}
