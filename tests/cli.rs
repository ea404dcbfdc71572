//! End-to-end tests of the `upkeep` binary: exit codes, output formats,
//! colour, and what happens with paths that are missing or files that
//! cannot be read.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const CLEAN: &str = "use std.metrics.node\nfleet linux = hosts where os == \"linux\"\npolicy p on linux {\n  every 1m\n  warn when 1 - disk.free / disk.size > 80% for 5m\n}\n";
const BROKEN: &str = "policy p on f {\n  every 5\n  warn x > 1\n}\n";

fn upkeep() -> Command {
    let mut cmd = Command::cargo_bin("upkeep").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn clean_file_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ok.upk", CLEAN);
    upkeep().arg("check").arg(&file).assert().success().stderr("checked 1 file: no problems\n");
}

#[test]
fn errors_exit_one_and_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.upk", BROKEN);
    upkeep()
        .args(["check", "--format", "short"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("error[E0014]").and(predicate::str::contains("error[E0017]")),
        )
        .stderr("checked 1 file: 2 errors\n");
}

#[test]
fn folders_are_searched_recursively_for_upk_files_only() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.upk", CLEAN);
    write(dir.path(), "sub/deeper/b.upk", CLEAN);
    write(dir.path(), "sub/notes.txt", "not a policy {{{");
    write(dir.path(), ".hidden/c.upk", BROKEN);
    upkeep()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stderr("checked 2 files: no problems\n");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    upkeep()
        .args(["check", "does/not/exist.upk"])
        .assert()
        .code(2)
        .stderr("error: `does/not/exist.upk` does not exist\n");
}

#[test]
fn no_paths_or_an_unknown_flag_is_a_usage_error() {
    upkeep().arg("check").assert().code(2);
    upkeep().args(["check", "--frobnicate", "x"]).assert().code(2);
    upkeep().args(["check", "--format", "xml", "x"]).assert().code(2);
}

#[test]
fn files_that_are_not_utf8_or_unreadable_are_diagnostics_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = dir.path().join("latin1.upk");
    std::fs::write(&latin1, b"tenant caf\xe9\n").unwrap();
    upkeep().args(["check", "--format", "short"]).arg(&latin1).assert().code(1).stdout(
        predicate::str::contains("error[E0091]: ").and(predicate::str::contains("is not UTF-8")),
    );
    // Reading /proc/self/mem through read(2) fails with EIO: a file that exists but cannot be read.
    upkeep()
        .args(["check", "--format", "short", "/proc/self/mem"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[E0090]: cannot read"));
}

#[test]
fn json_format_is_one_object_per_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.upk", BROKEN);
    let out = upkeep()
        .args(["check", "--format", "json"])
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    let first = &lines[0];
    assert_eq!(first["file"], file.display().to_string());
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(2), Some(9)));
    assert_eq!(first["code"], "E0014");
    assert_eq!(first["severity"], "error");
    assert!(first["message"].as_str().unwrap().contains("duration"));
    assert!(first["help"].as_str().unwrap().contains("5m"));
    assert_eq!(lines[1]["code"], "E0017");
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.upk", BROKEN);
    write(dir.path(), "unclosed.upk", "policy p on f {\n");
    let out = upkeep()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif", "."])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let schema_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::options().build(&schema).unwrap();
    let problems: Vec<String> =
        validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["ruleId"], "E0014");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.upk"
    );
    // The unclosed brace points back to where it was opened.
    assert_eq!(results[2]["ruleId"], "E0012");
    assert!(results[2]["relatedLocations"].is_array());
    drop(file);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.upk", BROKEN);
    let escape = predicate::str::contains("\u{1b}[");
    // Not a terminal: plain.
    upkeep().arg("check").arg(&file).assert().code(1).stderr(escape.clone().not());
    upkeep()
        .args(["check", "--color", "always"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(escape.clone());
    upkeep()
        .args(["check", "--color", "never"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(escape.clone().not());
    upkeep().env("NO_COLOR", "1").arg("check").arg(&file).assert().code(1).stderr(escape.not());
}

#[test]
fn human_output_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.upk", BROKEN);
    let out = upkeep()
        .current_dir(dir.path())
        .args(["check", "--color", "never", "bad.upk"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn compile_emit_ast_prints_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.upk", CLEAN);
    let out = upkeep()
        .current_dir(dir.path())
        .args(["compile", "ok.upk", "--emit", "ast"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
    let spans = upkeep()
        .current_dir(dir.path())
        .args(["compile", "ok.upk", "--emit", "ast", "--spans"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(spans).unwrap().starts_with(&format!("file @0..{}\n", CLEAN.len())));
}

#[test]
fn compile_of_a_broken_file_reports_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.upk", BROKEN);
    upkeep()
        .current_dir(dir.path())
        .args(["compile", "bad.upk", "--emit", "ast", "--color", "never"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("E0014"));
}

#[test]
fn compile_emit_typed_shows_types_with_units() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.upk",
        "use std.metrics.node\nfleet linux = hosts where os == \"linux\"\npolicy p on linux {\n  every 1m\n  let eta = time_until(disk.free{mount=\"/\"} over 6h, 0B)\n  warn when eta < 3d\n  crit when rate(diskio.read over 5m) > 100MB/s\n}\n",
    );
    let out = upkeep()
        .current_dir(dir.path())
        .args(["compile", "p.upk", "--emit", "typed"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn check_sees_sibling_modules_and_deny_warnings_fails_on_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "upkeep.toml", "[package]\nname = \"t\"\n");
    write(dir.path(), "shared/fleets.upk", "fleet linux = hosts where os == \"linux\"\n");
    write(
        dir.path(),
        "clients/a.upk",
        "tenant a\nuse std.metrics.node\nuse shared.fleets\npolicy p on linux {\n  every 5m\n  warn when disk.free < 1GB for 1m\n}\n",
    );
    // Checking one file loads the module it uses; the warning does not fail…
    upkeep()
        .args(["check", "--format", "short"])
        .arg(dir.path().join("clients/a.upk"))
        .assert()
        .success()
        .stdout(predicate::str::contains("warning[W0001]"));
    // …unless warnings are denied.
    upkeep().args(["check", "--deny-warnings"]).arg(dir.path()).assert().code(1);
    write(dir.path(), "upkeep.toml", "[package]\nnom = 1\n");
    upkeep()
        .args(["check", "--format", "short"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[E0104]"));
}

const REPRESENTATIVE: &str = r#"use std.metrics.node
use std.actions.{run_script}
fleet db = hosts where role == "db"
policy disk_space on db {
  every 1m
  let used = 1 - disk.free{mount="/"} / disk.size{mount="/"}
  let eta = time_until(disk.free{mount="/"} over 6h, 0B)
  warn when used > 80% for 10m recover when used < 75%
  crit when used > 90% for 5m
  warn when eta < 3d for 30m message "{mount} on {host} fills in {eta}"
  on crit {
    run_script(host, "cleanup-temp") timeout 2m retry 2 backoff 30s
    verify used < 85% within 10m
  }
}
policy busy on db {
  every 30s
  let cpu = 1 - rate(cpu.seconds{mode="idle"} over 5m)
  warn when max(cpu, 0) > 90% and not (hour_of_day < 6) for 3 of 5 checks
  crit when quantile(0.95, cpu over 30m) > 95% or count(cpu > 99%) by (site) >= 3
}
"#;

#[test]
fn compile_emit_ir_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.upk", REPRESENTATIVE);
    let ir = upkeep()
        .current_dir(dir.path())
        .args(["compile", "p.upk", "--emit", "ir"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(ir).unwrap());
    upkeep()
        .current_dir(dir.path())
        .args(["compile", "p.upk", "--emit", "plan", "-o", "plan.json"])
        .assert()
        .success()
        .stdout("");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["policies"].as_array().unwrap().len(), 2);
    assert_eq!(plan["policies"][0]["remediations"][0]["steps"][0]["Run"]["timeout"], 120.0);
}

#[test]
fn compile_emit_clif_shows_the_jitted_batch_function() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.upk", REPRESENTATIVE);
    let out = upkeep()
        .current_dir(dir.path())
        .args(["compile", "p.upk", "--emit", "clif"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("; policy ").count(), 2, "{text}");
    assert!(text.contains("; policy disk_space (jit)"), "{text}");
    // The fixed batch signature: input columns, output columns, instance count.
    assert!(text.contains("function %evaluate(i64, i64, i64)"), "{text}");
}
