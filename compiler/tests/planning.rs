//! Planning beyond the policies' own conditions: each policy's fleet filter
//! as an output of its graph, the units of its values, and calendars as
//! rules the runtime evaluates.
//! (Test blocks: `test_planning.rs`.)

use std::collections::HashMap;
use upkeep_compiler::ir::interp;
use upkeep_compiler::package::Loader;
use upkeep_compiler::plan::{
    ActionBodyPlan, CalendarRule, DayWindow, InputSpec, Plan, PolicyPlan, TextSource, WindowEnd,
};
use upkeep_compiler::sema;

fn compile(sources: &[(&str, &str)]) -> Plan {
    let loader = Loader::load_sources(sources);
    let (diagnostics, plan) = sema::compile(&loader.packages[0]);
    let rendered: Vec<String> = diagnostics.iter().map(upkeep_compiler::render::short).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
    plan.expect("a plan")
}

fn policy<'p>(plan: &'p Plan, name: &str) -> &'p PolicyPlan {
    plan.policies.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no policy {name}"))
}

/// The fleet filter's value for one host: its text-test columns filled from
/// the host's labels (NaN for a label it lacks), every other column 1.
fn member(p: &PolicyPlan, labels: &[(&str, &str)]) -> f64 {
    let labels: HashMap<&str, &str> = labels.iter().copied().collect();
    let text = |t: &TextSource| match t {
        TextSource::Label(l) => labels.get(l.as_str()).map(|v| v.to_string()),
        TextSource::Const(c) => Some(c.clone()),
        TextSource::State(_) => panic!("a fleet filter reads no state"),
    };
    let columns: Vec<Vec<f64>> = p
        .inputs
        .iter()
        .map(|spec| match spec {
            InputSpec::TextEq(a, b) => match (text(a), text(b)) {
                (Some(a), Some(b)) => vec![if a == b { 1.0 } else { 0.0 }],
                _ => vec![f64::NAN],
            },
            _ => vec![1.0],
        })
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut outputs = vec![vec![0.0]; p.graph.outputs.len()];
    let mut refs: Vec<&mut [f64]> = outputs.iter_mut().map(Vec::as_mut_slice).collect();
    interp::eval(&p.graph, &inputs, &mut refs, 1).unwrap();
    outputs[p.fleet_filter.expect("a fleet filter")][0]
}

#[test]
fn a_fleet_filter_is_an_output_over_host_labels() {
    let plan = compile(&[(
        "main",
        r#"
use std.metrics.node
fleet db = hosts where role == "db" and site != "lab"
fleet everything = hosts
policy db_disk on db {
  // A `let` named like a label the fleet reads: the fleet still reads the label.
  let role = disk.free{mount="/"}
  warn when role < 1GB
}
policy any_disk on everything {
  warn when disk.free < 1GB
}
"#,
    )]);
    let p = policy(&plan, "db_disk");
    let filter = p.fleet_filter.expect("db has a filter");
    assert_ne!(filter, p.levels[0].condition);
    let labels: Vec<&InputSpec> =
        p.inputs.iter().filter(|s| matches!(s, InputSpec::TextEq(..))).collect();
    assert_eq!(
        labels,
        [
            &InputSpec::TextEq(TextSource::Label("role".into()), TextSource::Const("db".into())),
            &InputSpec::TextEq(TextSource::Label("site".into()), TextSource::Const("lab".into())),
        ]
    );
    assert_eq!(member(p, &[("role", "db"), ("site", "fra")]), 1.0);
    assert_eq!(member(p, &[("role", "db"), ("site", "lab")]), 0.0);
    assert_eq!(member(p, &[("role", "web"), ("site", "fra")]), 0.0);
    assert!(member(p, &[("role", "db")]).is_nan(), "an unknown site is unknown, not a match");
    assert_eq!(policy(&plan, "any_disk").fleet_filter, None, "`hosts` alone: every host");
}

#[test]
fn a_fleet_from_another_module_is_lowered_where_it_is_declared() {
    let plan = compile(&[
        (
            "lib",
            r#"
fn windows_like(os: text) -> bool = os in ["windows", "windows-server"]
fleet win = hosts where windows_like(os) and role not in ["sql", "lab"]
"#,
        ),
        (
            "main",
            r#"
use std.metrics.node
use lib.{win}
policy full(floor: number<bytes> = 1GB) on win {
  warn when disk.free < floor
}
apply full(floor: 2GB) on win
"#,
        ),
    ]);
    let p = policy(&plan, "full(floor: 2GB)");
    assert_eq!(member(p, &[("os", "windows-server"), ("role", "dc")]), 1.0);
    assert_eq!(member(p, &[("os", "windows"), ("role", "sql")]), 0.0);
    assert_eq!(member(p, &[("os", "linux"), ("role", "dc")]), 0.0);
}

fn rule(spec: &str) -> (CalendarRule, Option<String>) {
    let plan = compile(&[("main", &format!("calendar c = {spec}\n"))]);
    assert_eq!(plan.calendars.len(), 1);
    let c = &plan.calendars[0];
    assert_eq!((c.name.as_str(), c.module.as_str()), ("c", "main"));
    (c.rule.clone(), c.zone.clone())
}

fn minutes(start_minute: u32, end: u32) -> DayWindow {
    DayWindow { start_minute, end: WindowEnd::Minute(end) }
}

fn lasting(start_minute: u32, seconds: f64) -> DayWindow {
    DayWindow { start_minute, end: WindowEnd::Seconds(seconds) }
}

#[test]
fn every_calendar_form_becomes_a_rule() {
    let all: Vec<u8> = (0..7).collect();
    let whole_day = minutes(0, 1440);
    let cases = [
        (
            "daily 01:00..05:00",
            CalendarRule::Weekly { days: all.clone(), window: minutes(60, 300) },
        ),
        (
            "daily 23:30 for 6h",
            CalendarRule::Weekly { days: all.clone(), window: lasting(1410, 21600.0) },
        ),
        (
            "daily 22:00..00:00",
            CalendarRule::Weekly { days: all.clone(), window: minutes(1320, 1440) },
        ),
        ("daily 00:00..24:00", CalendarRule::Weekly { days: all, window: whole_day }),
        ("weekly sat,sun", CalendarRule::Weekly { days: vec![5, 6], window: whole_day }),
        ("weekly sun, mon", CalendarRule::Weekly { days: vec![0, 6], window: whole_day }),
        (
            "weekly mon,tue,wed,thu,fri 08:00..18:00",
            CalendarRule::Weekly { days: vec![0, 1, 2, 3, 4], window: minutes(480, 1080) },
        ),
        (
            "weekly wed 7:30 for 90m",
            CalendarRule::Weekly { days: vec![2], window: lasting(450, 5400.0) },
        ),
        (
            "monthly 2nd tue 22:00 for 4h",
            CalendarRule::MonthlyWeekday { nth: 2, weekday: 1, window: lasting(1320, 14400.0) },
        ),
        (
            "monthly last fri 18:00..23:59",
            CalendarRule::MonthlyWeekday { nth: -1, weekday: 4, window: minutes(1080, 1439) },
        ),
        ("monthly 4th sun", CalendarRule::MonthlyWeekday { nth: 4, weekday: 6, window: whole_day }),
        ("monthly 1st", CalendarRule::MonthlyDay { day: 1, window: whole_day }),
        (
            "monthly 28th 02:00..03:00",
            CalendarRule::MonthlyDay { day: 28, window: minutes(120, 180) },
        ),
        ("monthly last", CalendarRule::MonthlyDay { day: -1, window: whole_day }),
        (
            r#"cron "0 3 * * SUN" for 2h"#,
            CalendarRule::Cron { schedule: "0 3 * * SUN".into(), seconds: 7200.0 },
        ),
    ];
    for (spec, expected) in cases {
        assert_eq!(rule(spec), (expected, None), "{spec}");
    }
}

#[test]
fn a_calendar_keeps_its_zone() {
    let (rule, zone) = rule(r#"weekly sat,sun in "Europe/Vienna""#);
    assert_eq!(zone.as_deref(), Some("Europe/Vienna"));
    assert!(matches!(rule, CalendarRule::Weekly { .. }));
}

#[test]
fn calendars_of_every_module_are_planned() {
    let plan = compile(&[
        ("lib", "calendar night = daily 00:30..04:30 in \"Europe/Berlin\"\n"),
        ("main", "use lib.{night}\ncalendar weekend = weekly sat,sun\n"),
    ]);
    let mut names: Vec<(&str, &str)> =
        plan.calendars.iter().map(|c| (c.module.as_str(), c.name.as_str())).collect();
    names.sort();
    assert_eq!(names, [("lib", "night"), ("main", "weekend")]);
}

/// Each `let` that becomes a value has the unit of its type, as the
/// runtime's messages read it; in the order of `values`. A gauge named by
/// a `let` (`free`) is a value, its latest sample; a text is not.
#[test]
fn let_values_carry_the_units_of_their_types() {
    let plan = compile(&[(
        "main",
        r#"
use std.metrics.node
use std.policies.{disk_space}
unit celsius
metric temp: gauge<celsius> labels(sensor) from "node_hwmon_temp_celsius"
fleet all = hosts
policy box on all {
  let uptime = clock.time - boot.time
  let free = disk.free{mount="/"}
  let low = min(disk.free{mount="/"} over 1h)
  let spare = 2 * disk.free{mount="/"} - 1GB
  let used = 1 - disk.free{mount="/"} / disk.size{mount="/"}
  let name = "box"
  let hot = avg(temp{sensor="cpu"} over 5m)
  let traffic = rate(net.rx over 5m)
  let errors = rate(net.rx_errors over 5m)
  let full = used > 90%
  warn when used > 80% and hot > 90celsius
  message "{name}: {uptime} {free} {low} {spare} {used} {hot} {traffic} {errors} {full}"
}
apply disk_space(mount: "/data") on all
"#,
    )]);
    let p = policy(&plan, "box");
    let units: Vec<(&str, &str)> = p
        .values
        .iter()
        .zip(&p.value_units)
        .map(|((name, _), unit)| (name.as_str(), unit.as_str()))
        .collect();
    assert_eq!(p.value_units.len(), p.values.len());
    assert_eq!(
        units,
        [
            ("uptime", "s"),
            ("free", "bytes"),
            ("low", "bytes"),
            ("spare", "bytes"),
            ("used", ""),
            ("hot", "celsius"),
            ("traffic", "B/s"),
            ("errors", "1/s"),
            ("full", ""),
        ]
    );
    // A template's lets have its types, in every instance.
    let applied = policy(&plan, r#"disk_space(mount: "/data")"#);
    assert_eq!(applied.value_units, ["", "s"], "{:?}", applied.values);
}

/// A template's text arguments are filled into its messages when planned;
/// labels and values stay for the runtime.
#[test]
fn template_text_arguments_are_filled_into_messages() {
    let plan = compile(&[(
        "main",
        r#"
use std.metrics.node
fleet all = hosts
policy unit_down(service: text) on all {
  let state = systemd.unit{unit=service}
  crit when state == "failed" message "{service} on {host} is {state}"
  message "{service} {{literal}}"
}
apply unit_down(service: "nginx.service") on all
"#,
    )]);
    let p = policy(&plan, "unit_down(service: \"nginx.service\")");
    assert_eq!(p.levels[0].message.as_deref(), Some("nginx.service on {host} is {state}"));
    assert_eq!(p.message.as_deref(), Some("nginx.service {{literal}}"));
}

/// Action declarations become templates over their parameters: one per
/// argv element, JSON with template leaves for a webhook body.
#[test]
fn actions_are_planned_as_templates_over_their_parameters() {
    let plan = compile(&[(
        "main",
        r#"
action restart(host: host, service: text, delay: text = "30") = exec ["systemctl", "restart", service, "--after={delay}s on {host}"]
action hook(url: text, queue: text) = webhook url body { queue: queue, tags: ["upkeep", "{queue}"], urgent: true }
action chat(channel: text) = notify "chat:{channel}"
"#,
    )]);
    let by_name = |n: &str| plan.actions.iter().find(|a| a.name == n).unwrap();
    let restart = by_name("restart");
    assert_eq!(
        restart.params,
        [
            ("host".to_string(), None),
            ("service".to_string(), None),
            ("delay".to_string(), Some("30".to_string()))
        ]
    );
    assert_eq!(
        restart.body,
        ActionBodyPlan::Exec {
            argv: vec![
                "systemctl".into(),
                "restart".into(),
                "{service}".into(),
                "--after={delay}s on {host}".into()
            ]
        }
    );
    let ActionBodyPlan::Webhook { url, body } = &by_name("hook").body else { panic!() };
    assert_eq!(url, "{url}");
    assert_eq!(
        body.as_ref().unwrap(),
        &serde_json::json!({"queue": "{queue}", "tags": ["upkeep", "{queue}"], "urgent": true})
    );
    assert_eq!(by_name("chat").body, ActionBodyPlan::Notify { channel: "chat:{channel}".into() });
}
