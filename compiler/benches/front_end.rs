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

criterion_group!(benches, front_end);
criterion_main!(benches);
