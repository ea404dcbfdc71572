//! Lowering: policies compile to plans whose graphs compute what the
//! conditions say, in base units, with missing data unknown.

use upkeep_compiler::ir::interp;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::{HoldPlan, InputSpec, Plan, PolicyPlan, WindowFn};
use upkeep_compiler::sema;

fn compile(src: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", src)]);
    let (diagnostics, plan) = sema::compile(&loader.packages[0]);
    let rendered: Vec<String> = diagnostics.iter().map(upkeep_compiler::render::short).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
    plan.expect("a plan")
}

/// Evaluates a policy's graph for instances given as one row of inputs each.
fn run(p: &PolicyPlan, rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = rows.len();
    let columns: Vec<Vec<f64>> =
        (0..p.inputs.len()).map(|k| rows.iter().map(|r| r[k]).collect()).collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut outputs = vec![vec![0.0; n]; p.graph.outputs.len()];
    let mut refs: Vec<&mut [f64]> = outputs.iter_mut().map(Vec::as_mut_slice).collect();
    interp::eval(&p.graph, &inputs, &mut refs, n).unwrap();
    outputs
}

const DISK: &str = r#"
use std.metrics.node
fleet linux = hosts where os == "linux"
policy disk on linux {
  every 30s
  let used = 1 - disk.free{mount="/"} / disk.size{mount="/"}
  warn when used > 80% for 10m recover when used < 75% for 5m
  crit when used > 90% and load1 > 4 for 3 of 5 checks
}
"#;

#[test]
fn a_policy_compiles_to_columns_levels_and_holds() {
    let plan = compile(DISK);
    let p = plan.policies.iter().find(|p| p.name == "disk").unwrap();
    assert_eq!(p.every, 30.0);
    // Three metric columns, then the fleet's `os == "linux"`.
    assert_eq!(p.inputs.len(), 4, "{:?}", p.inputs);
    assert!(
        matches!(&p.inputs[0], InputSpec::Latest(s) if s.metric == "disk.free" && s.matchers[0].2 == "/")
    );
    assert_eq!(p.levels[0].hold, HoldPlan::Seconds(600.0));
    assert_eq!(p.levels[0].recover.map(|r| r.1), Some(300.0));
    assert_eq!(p.levels[1].hold, HoldPlan::OfChecks(3, 5));
    // free, size, load, os: 5 of 100 free (95% used) with load 6; 30 of 100; a missing size.
    let out = run(
        p,
        &[vec![5.0, 100.0, 6.0, 1.0], vec![30.0, 100.0, 6.0, 1.0], vec![5.0, f64::NAN, 6.0, 0.0]],
    );
    let warn = &out[p.levels[0].condition];
    let crit = &out[p.levels[1].condition];
    assert_eq!(warn[..2], [1.0, 0.0]);
    assert_eq!(crit[..2], [1.0, 0.0]);
    assert!(warn[2].is_nan() && crit[2].is_nan(), "missing data is unknown");
    let used = p.values.iter().find(|(n, _)| n == "used").unwrap().1;
    assert!((out[used][0] - 0.95).abs() < 1e-12);
    assert_eq!(out[p.fleet_filter.expect("linux has a filter")], [1.0, 1.0, 0.0]);
}

#[test]
fn units_are_folded_into_constants_and_metric_scales() {
    let plan = compile(
        r#"
use std.metrics.node
fleet linux = hosts
metric cpu.busy: gauge<percent> from "cpu_busy_percent"
policy p on linux {
  every 1m
  warn when cpu.busy > 90% or disk.free < 1.5GiB or rate(diskio.read over 5m) > 10MB/s
}
"#,
    );
    let busy = plan.metrics.iter().find(|m| m.name == "cpu.busy").unwrap();
    assert_eq!(busy.scale, 0.01, "samples of 0..100 become 0..1");
    let p = &plan.policies[0];
    let consts: Vec<f64> = p
        .graph
        .nodes
        .iter()
        .filter_map(|n| if let upkeep_compiler::ir::Node::Const(c) = n { Some(*c) } else { None })
        .collect();
    assert!(
        consts.contains(&0.9) && consts.contains(&1610612736.0) && consts.contains(&10_000_000.0),
        "{consts:?}"
    );
    assert!(p.inputs.iter().any(|i| matches!(i, InputSpec::Window { function: WindowFn::Rate, seconds, .. } if *seconds == 300.0)));
}

#[test]
fn templates_are_planned_once_per_apply_with_their_arguments() {
    let plan = compile(
        r#"
use std.metrics.node
fleet linux = hosts
policy disk_at(mount: text = "/", limit: number<percent> = 80%) on linux {
  every 1m
  warn when 1 - disk.free{mount=mount} / disk.size{mount=mount} > limit
}
apply disk_at() on linux
apply disk_at(mount: "/data", limit: 95%) on linux
"#,
    );
    let names: Vec<&str> = plan.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["disk_at()", r#"disk_at(mount: "/data", limit: 95%)"#]);
    let second = &plan.policies[1];
    assert!(matches!(&second.inputs[0], InputSpec::Latest(s) if s.matchers[0].2 == "/data"));
    let out = run(second, &[vec![3.0, 100.0], vec![10.0, 100.0]]);
    assert_eq!(out[second.levels[0].condition], [1.0, 0.0], "97% > 95%, 90% is not");
}

#[test]
fn text_tests_become_label_columns_and_plans_round_trip_through_json() {
    let plan = compile(
        r#"
use std.metrics.node
fleet linux = hosts
policy p on linux {
  every 1m
  crit when role == "db" and disk.free < 1GB
}
"#,
    );
    let p = &plan.policies[0];
    assert!(p.inputs.iter().any(|i| matches!(i, InputSpec::TextEq(..))));
    let json = serde_json::to_string(&plan).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn the_example_package_compiles() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/msp");
    let files = upkeep_grammar::files::upk_files(&root);
    let loader = Loader::load(&files);
    let (diagnostics, plan) = sema::compile(&loader.packages[0]);
    assert!(
        diagnostics.is_empty(),
        "{:?}",
        diagnostics.iter().map(upkeep_compiler::render::short).collect::<Vec<_>>()
    );
    let plan = plan.unwrap();
    assert!(plan.policies.len() >= 30, "{}", plan.policies.len());
    for p in &plan.policies {
        p.graph.validate().unwrap();
        assert_eq!(p.graph.inputs as usize, p.inputs.len());
    }
}

#[test]
fn applied_instances_are_named_by_their_arguments_whatever_the_layout() {
    let plan = compile(
        "use std.metrics.node\nfleet linux = hosts\npolicy t(limit: number<percent> = 80%) on linux {\n  every 1m\n  warn when 1 - disk.free / disk.size > limit\n}\napply t(\n  limit: 90%\n)\n  on linux\n",
    );
    assert_eq!(plan.policies[0].name, "t(limit: 90%)");
}
