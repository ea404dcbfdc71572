//! Cross-checks Upkeep against Prometheus. Each case is one alerting rule
//! written twice, as an Upkeep policy and as a Prometheus rule, with one set
//! of input series. `upkeep run` replays the series; the instances it
//! reports firing at each evaluation (every minute) become the `exp_alerts`
//! of a `promtool test rules` file over the same series, so promtool fails
//! on any minute where the two disagree.
//!
//! docs/promtool.md describes the mapping (names, labels, sample placement)
//! and the known differences. promtool comes from the Debian package
//! `prometheus`: scripts/install-promtool installs it when it is missing,
//! and the test fails if it still cannot be found, unless
//! `UPKEEP_SKIP_PROMTOOL=1` (for machines without apt) is set.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod cases;

use cases::*;
// ---------------------------------------------------------------- the test

#[test]
#[allow(clippy::print_stderr)]
fn upkeep_fires_when_promtool_does() {
    let Some(promtool) = find_promtool() else {
        eprintln!(
            "UPKEEP_SKIP_PROMTOOL=1 and promtool is not installed: the cross-check against \
             Prometheus was SKIPPED (run scripts/install-promtool to enable it)"
        );
        return;
    };
    let cases = cases();
    assert!(cases.len() >= 10);
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(names.insert(case.name), "two cases are called {}", case.name);
    }
    let root = tempfile::Builder::new().prefix("upkeep-promtool-").tempdir().unwrap();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|case| {
                let dir = root.path().join(case.name);
                let promtool = &promtool;
                scope.spawn(move || check_case(case, &dir, promtool).err())
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().expect("a case panicked")).collect()
    });
    // On failure, or when asked to, the generated files stay for a look.
    let kept = (!failures.is_empty() || std::env::var_os("UPKEEP_PROMTOOL_KEEP").is_some())
        .then(|| root.keep());
    if let Some(dir) = &kept {
        eprintln!("promtool cross-check: files kept in {}", dir.display());
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ between Upkeep and promtool:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// promtool's path: on PATH, or after scripts/install-promtool ran; `None`
/// only when it is missing and `UPKEEP_SKIP_PROMTOOL=1`.
fn find_promtool() -> Option<PathBuf> {
    let works =
        || Command::new("promtool").arg("--version").output().is_ok_and(|o| o.status.success());
    if works() {
        return Some(PathBuf::from("promtool"));
    }
    if std::env::var("UPKEEP_SKIP_PROMTOOL").is_ok_and(|v| v == "1") {
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-promtool");
    let status = Command::new("bash").arg(&script).stdin(std::process::Stdio::null()).status();
    assert!(
        works(),
        "promtool is not installed and {} could not install it ({status:?}); install the Debian \
         package `prometheus`, or set UPKEEP_SKIP_PROMTOOL=1 on a machine without apt",
        script.display()
    );
    Some(PathBuf::from("promtool"))
}

/// An alert as promtool lists it: its labels without `alertname`.
type Labels = BTreeMap<String, String>;

/// Runs one case through both tools; the error is the report.
fn check_case(case: &Case, dir: &Path, promtool: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).unwrap();
    let fail = |why: String| format!("case `{}` ({}): {why}", case.name, case.about);
    let minutes = case.series.iter().map(|s| s.values.len()).max().unwrap_or(0) as u64;
    assert!(
        case.known == Known::Nothing || case.rules.iter().all(|r| r.hold.is_none()),
        "case `{}`: a known difference is derived for rules without `for` only",
        case.name
    );

    std::fs::write(dir.join("policy.upk"), upkeep_source(case)).unwrap();
    std::fs::write(dir.join("input.prom"), upkeep_input(case)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_upkeep"))
        .args([
            "run",
            "policy.upk",
            "--input",
            "input.prom",
            "--format",
            "prom",
            "--color",
            "never",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    if !output.status.success() {
        return Err(fail(format!(
            "`upkeep run` failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let events = String::from_utf8(output.stdout).unwrap();
    std::fs::write(dir.join("events.jsonl"), &events).unwrap();
    let intervals = firing_intervals(case, &events).map_err(fail)?;
    let firings = intervals.len();
    if firings != case.firings {
        return Err(fail(format!(
            "Upkeep started firing {firings} times, the case expects {}: {}",
            case.firings,
            show(&intervals)
        )));
    }
    let expected: Vec<Vec<Labels>> = (0..minutes)
        .map(|m| {
            let t = m * 60;
            let mut firing: Vec<Labels> = intervals
                .iter()
                .filter(|i| i.from <= t && i.to.is_none_or(|to| t < to))
                .map(|i| i.labels.clone())
                .collect();
            if case.known != Known::Nothing {
                firing.retain(|labels| has_sample_within(case, labels, t, 300));
            }
            firing.sort();
            firing
        })
        .collect();
    if expected.iter().all(Vec::is_empty) || expected.iter().all(|e| !e.is_empty()) {
        return Err(fail(format!(
            "nothing to compare: the alerts never change ({})",
            show(&intervals)
        )));
    }

    std::fs::write(dir.join("rules.yml"), rule_file(case)).unwrap();
    std::fs::write(dir.join("test.yml"), test_file(case, &expected)).unwrap();
    let (ok, report) = promtool_test(promtool, dir, "test.yml");
    if !ok {
        return Err(fail(format!(
            "promtool disagrees with Upkeep's firing times ({})\n{report}",
            show(&intervals)
        )));
    }

    // The comparison must be able to fail: with one minute's alerts left
    // out, promtool has to object.
    let mut mutant = expected.clone();
    if let Some(first) = mutant.iter_mut().find(|e| !e.is_empty()) {
        first.clear();
    }
    std::fs::write(dir.join("mutant.yml"), test_file(case, &mutant)).unwrap();
    let (ok, report) = promtool_test(promtool, dir, "mutant.yml");
    if ok || !report.contains(case.name) {
        return Err(fail(format!(
            "promtool did not notice a missing alert in mutant.yml:\n{report}"
        )));
    }
    Ok(())
}

fn promtool_test(promtool: &Path, dir: &Path, file: &str) -> (bool, String) {
    let output =
        Command::new(promtool).args(["test", "rules", file]).current_dir(dir).output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), report)
}

// ---------------------------------------------------------------- Upkeep's side

fn upkeep_source(case: &Case) -> String {
    format!(
        "// Cross-check case `{}`: {}\nuse std.metrics.node\nfleet all = hosts\n{}\npolicy {} on all {{\n  every 1m\n  {}\n}}\n",
        case.name, case.about, case.decls, case.name, case.clauses
    )
}

/// The series in Prometheus's text format with millisecond times, in time
/// order.
fn upkeep_input(case: &Case) -> String {
    let offset_ms = match case.grid {
        Grid::On => 0,
        Grid::Halfway => 30_000,
    };
    let minutes = case.series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let mut text = String::new();
    for m in 0..minutes {
        for s in &case.series {
            if let Some(Some(v)) = s.values.get(m) {
                let _ = writeln!(text, "{} {v} {}", selector(s), m as u64 * 60_000 + offset_ms);
            }
        }
    }
    text
}

fn selector(s: &Series) -> String {
    let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{}{{{}}}", s.name, labels.join(","))
}

/// One firing stretch of one instance at one level, in Prometheus's terms:
/// the alert's labels, and `from` ≤ t < `to` in seconds.
#[derive(Clone, Debug)]
struct Interval {
    labels: Labels,
    from: u64,
    to: Option<u64>,
}

/// The firing stretches from Upkeep's `firing` and `resolved` events, with
/// the instance's labels renamed as Prometheus names them and the level as
/// `severity`.
fn firing_intervals(case: &Case, events: &str) -> Result<Vec<Interval>, String> {
    let mut intervals: Vec<Interval> = Vec::new();
    for line in events.lines() {
        let event: Value =
            serde_json::from_str(line).map_err(|e| format!("bad event {line}: {e}"))?;
        let kind = event["kind"].as_str().unwrap_or("");
        if kind != "firing" && kind != "resolved" {
            continue;
        }
        let ts = event["ts"].as_f64().ok_or_else(|| format!("event without ts: {line}"))?;
        if ts.fract() != 0.0 || ts < 0.0 || !(ts as u64).is_multiple_of(60) {
            return Err(format!("event off the minute grid: {line}"));
        }
        let mut labels = Labels::new();
        for (k, v) in event["instance"].as_object().ok_or_else(|| format!("no instance: {line}"))? {
            let name = case.renames.iter().find(|(u, _)| u == k).map_or(k.as_str(), |(_, p)| p);
            labels.insert(name.to_string(), v.as_str().unwrap_or_default().to_string());
        }
        let level = event["level"].as_str().ok_or_else(|| format!("no level: {line}"))?;
        labels.insert("severity".into(), level.into());
        let open = intervals.iter_mut().find(|i| i.labels == labels && i.to.is_none());
        match (kind, open) {
            ("firing", None) => intervals.push(Interval { labels, from: ts as u64, to: None }),
            ("resolved", Some(i)) => i.to = Some(ts as u64),
            _ => return Err(format!("`{kind}` out of turn: {line}")),
        }
    }
    Ok(intervals)
}

/// Whether a series of the alert's instance (one whose labels the alert
/// has) has a sample in `(t - span, t]`: with [`Known`] differences,
/// Prometheus has no value for the instance otherwise.
fn has_sample_within(case: &Case, labels: &Labels, t: u64, span: u64) -> bool {
    let offset = match case.grid {
        Grid::On => 0,
        Grid::Halfway => 30,
    };
    case.series
        .iter()
        .filter(|s| s.labels.iter().all(|(k, v)| labels.get(*k).is_some_and(|x| x == v)))
        .flat_map(|s| s.values.iter().enumerate().filter(|(_, v)| v.is_some()))
        .map(|(m, _)| m as u64 * 60 + offset)
        .any(|sample| sample <= t && sample + span > t)
}

fn show(intervals: &[Interval]) -> String {
    let parts: Vec<String> = intervals
        .iter()
        .map(|i| {
            let labels: Vec<String> = i.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let to = i.to.map_or("end".to_string(), |t| format!("{}m", t / 60));
            format!("{{{}}} firing {}m..{to}", labels.join(","), i.from / 60)
        })
        .collect();
    if parts.is_empty() { "never fired".into() } else { format!("Upkeep: {}", parts.join("; ")) }
}

// ---------------------------------------------------------------- promtool's side

/// A YAML string in single quotes.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn rule_file(case: &Case) -> String {
    let mut y = format!(
        "# Cross-check case `{}`: {}\ngroups:\n  - name: {}\n    rules:\n",
        case.name, case.about, case.name
    );
    for r in &case.rules {
        let _ = writeln!(y, "      - alert: {}\n        expr: {}", case.name, quoted(r.expr));
        if let Some(hold) = r.hold {
            let _ = writeln!(y, "        for: {hold}");
        }
        if let Some(keep) = r.keep {
            let _ = writeln!(y, "        keep_firing_for: {keep}");
        }
        let _ = writeln!(y, "        labels:\n          severity: {}", r.severity);
    }
    y
}

/// The promtool test: the input series and, for every minute of the run,
/// the alerts expected to be firing (`expected[m]`).
fn test_file(case: &Case, expected: &[Vec<Labels>]) -> String {
    let interval = match case.grid {
        Grid::On => "1m",
        Grid::Halfway => "30s",
    };
    let mut y = format!(
        "# Cross-check case `{}`: the alerts Upkeep fired, minute by minute.\nrule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - name: {}\n    interval: {interval}\n    input_series:\n",
        case.name, case.name
    );
    for s in &case.series {
        let values = match case.grid {
            Grid::On => expanding(&s.values),
            // Every 30 s: nothing on the minute, the sample halfway.
            Grid::Halfway => {
                expanding(&s.values.iter().flat_map(|v| [None, *v]).collect::<Vec<_>>())
            }
        };
        let _ = writeln!(
            y,
            "      - series: {}\n        values: {}",
            quoted(&selector(s)),
            quoted(&values)
        );
    }
    y += "    alert_rule_test:\n";
    for (m, alerts) in expected.iter().enumerate() {
        let _ = writeln!(y, "      - eval_time: {m}m\n        alertname: {}", case.name);
        if alerts.is_empty() {
            y += "        exp_alerts: []\n";
            continue;
        }
        y += "        exp_alerts:\n";
        for labels in alerts {
            let pairs: Vec<String> =
                labels.iter().map(|(k, v)| format!("{k}: {}", quoted(v))).collect();
            let _ = writeln!(y, "          - exp_labels: {{{}}}", pairs.join(", "));
        }
    }
    y
}

/// promtool's expanding notation for samples one interval apart: `_xN` for
/// N missing samples, `a+bxN` for a run of N+1 integers in steps of b (`axN`
/// when b is 0), other values as they are.
fn expanding(values: &[Option<f64>]) -> String {
    let exact = |v: f64| v.fract() == 0.0 && v.abs() < 9e15;
    let mut parts = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let Some(a) = values[i] else {
            let n = values[i..].iter().take_while(|v| v.is_none()).count();
            parts.push(if n == 1 { "_".to_string() } else { format!("_x{n}") });
            i += n;
            continue;
        };
        let step = match values.get(i + 1) {
            Some(Some(b)) if exact(a) && exact(*b) => b - a,
            _ => {
                parts.push(a.to_string());
                i += 1;
                continue;
            }
        };
        let mut j = i + 1;
        while let Some(Some(next)) = values.get(j + 1) {
            if !exact(*next) || next - values[j].unwrap_or(f64::NAN) != step {
                break;
            }
            j += 1;
        }
        let n = j - i;
        parts.push(match step {
            0.0 => format!("{a}x{n}"),
            s if s > 0.0 => format!("{a}+{s}x{n}"),
            s => format!("{a}-{}x{n}", -s),
        });
        i = j + 1;
    }
    parts.join(" ")
}

#[test]
fn expanding_notation_round_trips() {
    let v = |xs: &[f64]| {
        xs.iter().map(|x| if x.is_nan() { None } else { Some(*x) }).collect::<Vec<_>>()
    };
    assert_eq!(expanding(&v(&[1.0, 1.0, 1.0, 5.0, 5.0])), "1x2 5x1");
    assert_eq!(expanding(&v(&[0.0, 60.0, 120.0, GAP, GAP, 7.0])), "0+60x2 _x2 7");
    assert_eq!(expanding(&v(&[10.0, 8.0, 6.0, 0.5, 0.25])), "10-2x2 0.5 0.25");
    assert_eq!(expanding(&v(&[3.0])), "3");
}
