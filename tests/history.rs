//! `upkeep history`: the ledger of a state file after the example's night,
//! as a table and as JSON lines, filtered; and a missing state file.

use assert_cmd::Command;
use std::path::PathBuf;

fn upkeep() -> Command {
    Command::cargo_bin("upkeep").unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example's night replayed with a state file.
fn night(dir: &tempfile::TempDir) -> PathBuf {
    let state = dir.path().join("night.db");
    upkeep()
        .current_dir(root())
        .args(["run", "examples/msp", "--input", "examples/msp/streams/night.prom"])
        .args(["--config", "examples/msp/runtime.toml", "--state"])
        .arg(&state)
        .arg("--events")
        .arg(dir.path().join("events.jsonl"))
        .assert()
        .success();
    state
}

#[test]
fn history_lists_what_ran_what_was_held_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let state = night(&dir);
    let out = upkeep()
        .args(["history", "--format", "json", "--instance", "host=gx-web2", "--limit", "500"])
        .arg("--state")
        .arg(&state)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.iter().all(|r| r["instance"].as_str().unwrap().contains("host=gx-web2")));
    let restarts: Vec<&serde_json::Value> =
        rows.iter().filter(|r| r["action"] == "restart_service").collect();
    // Newest first: the held one, then the three that ran.
    let statuses: Vec<&str> = restarts.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["held", "completed", "completed", "completed"]);
    assert_eq!(restarts[0]["outcome"]["reason"], "at most 3 per 1h");
    assert_eq!(restarts[0]["event_time"], "2026-11-28T01:41:00Z");
    assert_eq!(restarts[1]["outcome"]["status"], "succeeded");
    assert_eq!(restarts[1]["what"]["action"]["exec"][2], "systemctl");
    assert_eq!(restarts[3]["step"], "on crit#0");
    assert_eq!(restarts[3]["tenant"], "globex");

    let table = upkeep()
        .args(["history", "--policy", "service_active(service: \"nginx.service\")", "--limit", "3"])
        .arg("--state")
        .arg(&state)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    assert_eq!(table.lines().count(), 1 + 2 * 3, "{table}");
    assert!(table.contains("→ open_ticket: succeeded in "), "{table}");
}

#[test]
fn a_missing_state_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    upkeep()
        .args(["history", "--state"])
        .arg(dir.path().join("nothing.db"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no state file at"));
}
