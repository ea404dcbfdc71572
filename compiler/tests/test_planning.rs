//! Planning `test` blocks: the policies a test runs, its series generators
//! (evaluated here through their graphs) and its expectations.

use upkeep_compiler::ir::{Graph, interp};
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::{Expect, ExpectPlan, Generator, Plan, TestPlan};
use upkeep_compiler::sema;

fn compile(src: &str) -> Plan {
    let loader = Loader::load_sources(&[("main", src)]);
    let (diagnostics, plan) = sema::compile(&loader.packages[0]);
    let rendered: Vec<String> = diagnostics.iter().map(upkeep_compiler::render::short).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
    plan.expect("a plan")
}

fn test<'p>(plan: &'p Plan, name: &str) -> &'p TestPlan {
    plan.tests.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no test {name}"))
}

/// A generator graph's value at `t` seconds, with `now` at `now`.
fn at(graph: &Graph, t: f64, now: f64) -> f64 {
    let columns = [[t], [now]];
    let inputs: Vec<&[f64]> = columns[..graph.inputs as usize].iter().map(|c| &c[..]).collect();
    let mut out = [0.0];
    interp::eval(graph, &inputs, &mut [&mut out[..]], 1).unwrap();
    out[0]
}

fn expr(g: &Generator) -> &Graph {
    match g {
        Generator::Expr(graph) => graph,
        other => panic!("not an expression: {other:?}"),
    }
}

/// The example of docs/language.md §8, with the imports it needs.
const DOCS_EXAMPLE: &str = r#"use std.metrics.node
use std.actions.{run_script, page}
fleet db_servers = hosts where role == "db"

policy disk_space on db_servers {
  every 1m
  let used = 1 - disk.free{mount="/"} / disk.size{mount="/"}
  warn when used > 80% for 10m
  crit when used > 90% for 5m
  on crit {
    run_script(host, "cleanup-temp") timeout 2m
  }
  escalate {
    after 1h page("acme-oncall")
  }
}

test disk_space {
  // 100 GB, 30 GB free, losing 1 GB a minute; someone frees 20 GB at 30m.
  series disk.size{host="db1", role="db", mount="/"} = 100GB
  series disk.free{host="db1", role="db", mount="/"} = if t < 30m then 30GB - 1GB * t / 1m else 50GB every 1m for 1h
  expect ok on {host="db1"} at 5m
  expect warn pending on {host="db1"} at 11m
  expect warn firing on {host="db1"} at 21m
  expect crit firing on {host="db1"} at 26m
  expect action run_script on {host="db1"} at 26m
  expect event resolved on {host="db1"} at 30m
  expect ok on {host="db1"} at 31m
  expect no action page
}
"#;

#[test]
fn the_documented_test_becomes_series_and_expectations() {
    let plan = compile(DOCS_EXAMPLE);
    let t = test(&plan, "disk_space");
    assert_eq!((t.module.as_str(), t.line, t.tenant.clone()), ("main", 18, None));
    assert_eq!(t.policies.len(), 1);
    assert_eq!(t.policies[0], plan.policies[0], "a plain policy runs as planned");

    let [size, free] = &t.series[..] else { panic!("{:?}", t.series) };
    assert_eq!(
        (size.metric.as_str(), size.every, size.duration, size.line),
        ("disk.size", None, None, 20)
    );
    let host_role_mount = [("host", "db1"), ("role", "db"), ("mount", "/")];
    let labels: Vec<(&str, &str)> =
        free.labels.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect();
    assert_eq!(labels, host_role_mount);
    assert_eq!(at(expr(&size.values), 0.0, 0.0), 100e9, "in bytes");
    assert_eq!(expr(&free.values).inputs, 1, "t only");
    let free_at = |t: f64| at(expr(&free.values), t, f64::NAN);
    assert_eq!([free_at(0.0), free_at(600.0), free_at(2400.0)], [30e9, 20e9, 50e9]);
    assert_eq!((free.every, free.duration, free.line), (Some(60.0), Some(3600.0), 21));

    let e = &t.expectations;
    assert_eq!(e.len(), 8);
    let on_db1 = vec![("host".to_string(), "=".to_string(), "db1".to_string())];
    assert_eq!(
        e[0],
        ExpectPlan {
            what: Expect::Ok,
            on: on_db1.clone(),
            at: Some(300.0),
            line: 22,
            text: r#"expect ok on {host="db1"} at 5m"#.into(),
        }
    );
    let state =
        |level: &str, state: &str| Expect::State { level: level.into(), state: state.into() };
    assert_eq!(e[1].what, state("warn", "pending"));
    assert_eq!((e[2].what.clone(), e[2].at), (state("warn", "firing"), Some(1260.0)));
    assert_eq!(e[3].what, state("crit", "firing"));
    assert_eq!((e[4].what.clone(), &e[4].on), (Expect::Action("run_script".into()), &on_db1));
    assert_eq!((e[5].what.clone(), e[5].at), (Expect::Event("resolved".into()), Some(1800.0)));
    assert_eq!(e[6].what, Expect::Ok);
    assert_eq!(
        (e[7].what.clone(), e[7].on.len(), e[7].at, e[7].line),
        (Expect::NoAction(Some("page".into())), 0, None, 29)
    );
}

#[test]
fn texts_notation_and_now_in_series() {
    let plan = compile(
        r#"use std.metrics.node
use std.metrics.blackbox
fleet linux = hosts where os == "linux"
policy unit_failed on linux {
  crit when systemd.unit{unit="nginx.service"} == "failed"
}
test unit_failed {
  series systemd.unit{host="web1", unit="nginx.service"} = "failed"
  series disk.free{host="web1", mount="/"} = "0+10x100 _x3 5"
  series cert.expiry{host="web1"} = now - t + 21d every 5m for 6h
  expect crit on {host="web1", unit=~"nginx.*"}
}
"#,
    );
    let t = test(&plan, "unit_failed");
    assert_eq!(t.series[0].values, Generator::Text("failed".into()));
    assert_eq!(t.series[1].values, Generator::Notation("0+10x100 _x3 5".into()));
    let expiry = expr(&t.series[2].values);
    assert_eq!(expiry.inputs, 2, "t and now");
    // A test started at 1000 s after the epoch, 10 minutes in.
    assert_eq!(at(expiry, 600.0, 1600.0), 1000.0 + 21.0 * 86400.0);
    let e = &t.expectations[0];
    assert_eq!(e.what, Expect::State { level: "crit".into(), state: "firing".into() });
    assert_eq!(e.on[1], ("unit".into(), "=~".into(), "nginx.*".into()));
}

#[test]
fn a_template_is_tested_with_its_defaults_on_its_own_fleet() {
    let plan = compile(
        r#"use std.metrics.node
fleet linux = hosts where os == "linux"
fleet db = hosts where role == "db"
policy full(mount: text = "/", limit: number<percent> = 80%) on linux {
  warn when 1 - disk.free{mount=mount} / disk.size{mount=mount} > limit
}
apply full(mount: "/data", limit: 95%) on db
test full {
  series disk.size{host="web1", os="linux", mount="/"} = 100GB
  series disk.free{host="web1", os="linux", mount="/"} = 15GB
  expect warn firing on {host="web1"}
}
"#,
    );
    let t = test(&plan, "full");
    assert_eq!(t.policies.len(), 1, "the apply is another instance, not part of the test");
    let p = &t.policies[0];
    assert_eq!((p.name.as_str(), p.fleet.as_str()), ("full()", "linux"));
    assert!(p.fleet_filter.is_some());
    let matchers: Vec<String> = p
        .inputs
        .iter()
        .filter_map(|s| match s {
            upkeep_compiler::plan::InputSpec::Latest(s) => Some(s.matchers[0].2.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(matchers, ["/", "/"], "the default mount");
    let consts: Vec<f64> = p
        .graph
        .nodes
        .iter()
        .filter_map(|n| if let upkeep_compiler::ir::Node::Const(c) = n { Some(*c) } else { None })
        .collect();
    assert!(consts.contains(&0.8) && !consts.contains(&0.95), "{consts:?}");
}

#[test]
fn a_template_without_defaults_cannot_be_tested() {
    let loader = Loader::load_sources(&[(
        "main",
        r#"use std.metrics.node
fleet linux = hosts
policy full(mount: text) on linux {
  warn when disk.free{mount=mount} < 1GB
}
test full {
  expect ok
}
"#,
    )]);
    let (diagnostics, plan) = sema::compile(&loader.packages[0]);
    assert!(plan.is_none());
    let messages: Vec<String> = diagnostics.iter().map(|d| d.message.clone()).collect();
    assert!(
        messages.iter().any(|m| m.contains("test `full` needs a default for parameter `mount`")),
        "{messages:?}"
    );
}

const DEPENDENCIES: &str = r#"use std.metrics.prometheus
fleet all_hosts = hosts
policy site_down on all_hosts {
  crit when count(up == 0) by (client, site) >= 3 for 2m
}
policy host_unreachable on all_hosts {
  crit when up == 0 for 3 checks
  depends on site_down by (client, site)
}
policy service_active(job: text = "node") on all_hosts {
  crit when up{job=job} == 0
  depends on host_unreachable
}
apply service_active(job: "windows") on all_hosts
policy sibling on all_hosts {
  warn when up == 0
  depends on site_down
}
policy unrelated on all_hosts {
  warn when up == 0
}
test host_unreachable {
  series up{host="h1", client="c", site="s"} = 0
  expect crit suppressed on {host="h1"}
}
test site_down {
  series up{host="h1", client="c", site="s"} = 0
  expect crit firing on {client="c", site="s"}
}
"#;

#[test]
fn a_test_runs_what_its_policy_depends_on_and_what_depends_on_it() {
    let plan = compile(DEPENDENCIES);
    let names =
        |t: &TestPlan| -> Vec<String> { t.policies.iter().map(|p| p.name.clone()).collect() };
    // Upwards site_down (it can suppress host_unreachable); downwards the
    // service instance; not the sibling nor the unrelated policy.
    assert_eq!(
        names(test(&plan, "host_unreachable")),
        ["host_unreachable", "site_down", r#"service_active(job: "windows")"#]
    );
    // Downwards, transitively: host_unreachable and through it the service.
    assert_eq!(
        names(test(&plan, "site_down")),
        ["site_down", "host_unreachable", r#"service_active(job: "windows")"#, "sibling"]
    );
}

#[test]
fn the_stdlib_tests_are_planned() {
    let plan = compile("use std.policies\n");
    let mut names: Vec<&str> = plan
        .tests
        .iter()
        .inspect(|t| assert_eq!(t.module, "std.policies"))
        .map(|t| t.name.as_str())
        .collect();
    names.sort();
    // Every one of them: none is left out.
    let written = include_str!("../../stdlib/std/policies.upk").matches("\ntest ").count();
    assert_eq!(names.len(), written);
    assert_eq!(
        names,
        [
            "backup_age",
            "cert_expiry",
            "cpu_saturation",
            "disk_space",
            "host_unreachable",
            "memory_pressure",
            "patch_age",
            "pending_reboot",
            "service_down",
            "windows_disk_space",
            "windows_service_down",
        ]
    );
    let disk = test(&plan, "disk_space");
    assert_eq!(disk.policies[0].name, "disk_space()");
    assert!(disk.expectations.len() > 10 && disk.series.len() == 4);
    // `if t >= 5m and t < 7m then "failed" else "active"`.
    let service = test(&plan, "service_down");
    let Generator::TextExpr { graph, texts } = &service.series[0].values else {
        panic!("{:?}", service.series[0].values)
    };
    assert_eq!(texts, &["failed", "active"]);
    let state_at = |t: f64| texts[at(graph, t, f64::NAN) as usize].as_str();
    assert_eq!(
        [state_at(0.0), state_at(300.0), state_at(390.0), state_at(420.0)],
        ["active", "failed", "failed", "active"]
    );
}

/// A state series whose text changes over time: an index into its texts,
/// each text once, chosen by nested `if`s.
#[test]
fn a_state_series_may_change_its_text_over_time() {
    let plan = compile(
        r#"use std.metrics.node
fleet linux = hosts where os == "linux"
policy unit_failed on linux {
  crit when systemd.unit{unit="nginx.service"} == "failed"
}
test unit_failed {
  series systemd.unit{host="web1", unit="nginx.service"} = if t < 5m then "active" else if t < 10m or t >= 20m then "failed" else "active" every 30s for 30m
  series systemd.unit{host="web2", unit="nginx.service"} = if now < 1h then "failed" else "active"
  expect crit on {host="web1"} at 6m
}
"#,
    );
    let t = test(&plan, "unit_failed");
    let Generator::TextExpr { graph, texts } = &t.series[0].values else {
        panic!("{:?}", t.series[0].values)
    };
    assert_eq!(texts, &["active", "failed"], "each text once, in the order written");
    assert_eq!(graph.inputs, 1, "t only");
    let index_at = |t: f64| at(graph, t, f64::NAN);
    assert_eq!(
        [index_at(0.0), index_at(300.0), index_at(600.0), index_at(1200.0)],
        [0.0, 1.0, 0.0, 1.0]
    );
    assert_eq!((t.series[0].every, t.series[0].duration), (Some(30.0), Some(1800.0)));
    let Generator::TextExpr { graph, .. } = &t.series[1].values else { panic!() };
    assert_eq!(graph.inputs, 2, "t and now");
}

/// A state series' value is a text or an `if` of texts: anything else
/// cannot be generated, and says so.
#[test]
fn a_state_series_of_something_else_is_an_error() {
    let loader = Loader::load_sources(&[(
        "main",
        r#"use std.metrics.node
fleet linux = hosts
policy unit_failed on linux {
  crit when systemd.unit{unit="nginx.service"} == "failed"
}
test unit_failed {
  series systemd.unit{host="web1", unit="nginx.service"} = if t < 5m then "active" else systemd.unit{unit="cron.service"}
  expect ok
}
"#,
    )]);
    let (diagnostics, plan) = sema::compile(&loader.packages[0]);
    let messages: Vec<String> = diagnostics.iter().map(|d| d.message.clone()).collect();
    assert!(plan.is_none(), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("a state series' value is a text")), "{messages:?}");
}
