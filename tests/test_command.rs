//! `upkeep test`: the tests of the bundled example and of the standard
//! library's templates pass; a failing expectation is reported with what
//! was expected and what happened, and exits 1.

use assert_cmd::Command;
use std::path::Path;

fn upkeep() -> Command {
    Command::cargo_bin("upkeep").unwrap()
}

fn stdout_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn every_test_of_the_example_passes() {
    let (code, out) = stdout_of(upkeep().args(["test", "examples/msp"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with(" passed, 0 failed\n"), "{out}");
    // Each test block of the example ran: one `ok` line per `test`.
    let blocks = std::fs::read_dir("examples/msp")
        .unwrap()
        .flat_map(|d| walk(&d.unwrap().path()))
        .map(|p| std::fs::read_to_string(p).unwrap().matches("\ntest ").count())
        .sum::<usize>();
    assert!(blocks >= 5);
    assert_eq!(out.lines().filter(|l| l.starts_with("ok ")).count(), blocks, "{out}");
}

#[test]
fn every_template_test_of_the_standard_library_passes() {
    let (code, out) = stdout_of(upkeep().args(["test", "--stdlib"]));
    assert_eq!(code, 0, "{out}");
    let blocks = include_str!("../stdlib/std/policies.upk").matches("\ntest ").count();
    assert!(blocks >= 9);
    assert_eq!(out.lines().filter(|l| l.starts_with("ok ")).count(), blocks, "{out}");
}

fn walk(path: &Path) -> Vec<std::path::PathBuf> {
    if path.is_dir() {
        std::fs::read_dir(path).unwrap().flat_map(|d| walk(&d.unwrap().path())).collect()
    } else if path.extension().is_some_and(|e| e == "upk") {
        vec![path.to_path_buf()]
    } else {
        Vec::new()
    }
}

const POLICY: &str = r#"use std.metrics.node
fleet linux = hosts where os == "linux"

policy memory on linux {
  every 1m
  let available = mem.available / mem.total
  warn when available < 10% for 5m
  message "{host}: {available} available"
}

test memory {
  series mem.total{host="a1", os="linux"} = 16GiB
  series mem.available{host="a1", os="linux"} = "2147483648-67108864x30" every 1m
  expect ok on {host="a1"} at 0m
  expect warn pending on {host="a1"} at 8m
  expect warn firing on {host="a1"} at 11m
  expect warn firing on {host="a1"} at 12m
}
"#;

#[test]
fn a_failed_expectation_shows_expected_and_actual_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("memory.upk");
    std::fs::write(&file, POLICY).unwrap();
    let (code, out) = stdout_of(upkeep().arg("test").arg(&file));
    assert_eq!(code, 1, "{out}");
    // 2048 MiB - 64 MiB a minute (notation values are in the metric's own
    // unit, bytes, as an exporter writes them): below 10% of 16 GiB (1638.4 MiB) from 7m,
    // so pending at 7m and firing at 12m, not 11m.
    insta::assert_snapshot!(out.replace(&dir.path().display().to_string(), "[dir]"));
}
