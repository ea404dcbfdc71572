//! Front-end throughput on a package of 1,000 policy files.
//!
//! The files are the example package's policies, repeated with renamed
//! declarations (about 1 KB and 5–10 policies' worth of syntax each, the size
//! of a typical policy file). Three measurements in one run, so that the
//! ratios hold on a noisy machine: lexing alone (the baseline: the least any
//! front end must do), parsing, and `check_file` (parse + diagnostics).
//!
//! Run: `cargo bench -p upkeep-compiler --bench front_end`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use upkeep_compiler::{SourceFile, check_file};

const FILES: usize = 1000;

/// 1,000 policy files built from the shipped example package.
fn package() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/msp");
    let mut seeds = Vec::new();
    for dir in ["provider", "clients"] {
        let mut entries: Vec<_> =
            std::fs::read_dir(root.join(dir)).unwrap().flatten().map(|e| e.path()).collect();
        entries.sort();
        seeds.extend(entries.into_iter().map(|p| std::fs::read_to_string(p).unwrap()));
    }
    (0..FILES)
        .map(|i| seeds[i % seeds.len()].replace("policy ", &format!("policy v{i}_")))
        .collect()
}

fn front_end(c: &mut Criterion) {
    let files = package();
    let bytes: usize = files.iter().map(String::len).sum();
    let mut group = c.benchmark_group("front_end_1000_files");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("lex", FILES), |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| upkeep_grammar::lexer::lex(black_box(f)).tokens.len())
                .sum::<usize>()
        })
    });
    group.bench_function(BenchmarkId::new("parse", FILES), |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| upkeep_grammar::parse(black_box(f)).file.items.len())
                .sum::<usize>()
        })
    });
    group.bench_function(BenchmarkId::new("check", FILES), |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| {
                    check_file(SourceFile::new("bench.upk", black_box(f.as_str())))
                        .diagnostics
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

/// A typical policy file: a fleet, a disk policy with a forecast, a
/// remediation with guards and escalation, using the stdlib's metrics and
/// actions; `i` varies the names and thresholds.
fn typical_policy(i: usize) -> String {
    format!(
        r#"use std.metrics.node
use std.actions.{{run_script, open_ticket, page}}

fleet f{i} = hosts where role == "db" and site != "lab{i}"

policy disk_{i} on f{i} {{
  every 1m
  let used = 1 - disk.free{{mount="/"}} / disk.size{{mount="/"}}
  let eta = time_until(disk.free{{mount="/"}} over 6h, 0B)
  warn when used > {w}% for 10m recover when used < {r}%
  crit when used > 95% for 5m
  warn when eta < 3d for 30m message "{{mount}} on {{host}} fills in {{eta}}"
  nodata 15m => warn
  on crit {{
    run_script(host, "cleanup-temp") timeout 2m retry 2 backoff 30s
    verify used < 90% within 10m
    cooldown 1h
    at most 3 per 1d then escalate
  }}
  escalate {{
    after 15m open_ticket(queue: "NOC", priority: "high")
    after 1h page("oncall")
  }}
}}
"#,
        w = 80 + i % 10,
        r = 70 + i % 10,
    )
}

/// Parse and full check (names, types, units) of a package of 1,000 policy
/// files, against parsing alone in the same run.
fn check_package(c: &mut Criterion) {
    let files: Vec<(String, String)> =
        (0..FILES).map(|i| (format!("p{i}"), typical_policy(i))).collect();
    let sources: Vec<(&str, &str)> = files.iter().map(|(p, s)| (p.as_str(), s.as_str())).collect();
    let mut group = c.benchmark_group("package_1000_policies");
    group.sample_size(10);
    group.bench_function("parse_only", |b| {
        b.iter(|| {
            sources
                .iter()
                .map(|(_, s)| upkeep_grammar::parse(black_box(s)).file.items.len())
                .sum::<usize>()
        })
    });
    group.bench_function("parse_and_check", |b| {
        b.iter(|| upkeep_compiler::check_sources(black_box(&sources)).len())
    });
    group.finish();
    assert!(
        upkeep_compiler::check_sources(&sources).is_empty(),
        "the generated package must check clean"
    );
}

criterion_group!(benches, front_end, check_package);
criterion_main!(benches);
