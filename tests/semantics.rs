//! One-line tests of the checker's diagnostics: a small package in, the
//! short rendering of its diagnostics out. Each expectation was read and
//! judged right by a person; change one only when the message should change.

use upkeep_compiler::{check_sources, render};

/// Declarations most cases need: node metrics, a fleet, actions, a calendar.
const PRELUDE: &str = r#"
use std.metrics.node
fleet linux = hosts where os == "linux"
calendar nights = daily 01:00..05:00 in "Europe/Berlin"
action restart(host: host, service: text) = exec ["systemctl", "restart", service]
"#;

/// Checks `body` (prefixed with the prelude) and renders every diagnostic
/// that points into it, one per line, with line numbers relative to `body`.
fn check(body: &str) -> String {
    let source = format!("{PRELUDE}{body}");
    let offset = PRELUDE.lines().count();
    let diagnostics = check_sources(&[("main", &source)]);
    diagnostics
        .iter()
        .map(|d| {
            let line = render::short(d);
            // main.upk:LINE:COL → LINE relative to the body.
            let mut parts = line.splitn(3, ':');
            let (file, l, rest) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or("0"),
                parts.next().unwrap_or(""),
            );
            let l: usize = l.parse().unwrap_or(0);
            format!("{file}:{}:{rest}", l.saturating_sub(offset))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn policy(clauses: &str) -> String {
    check(&format!("policy p on linux {{\n{clauses}\n}}\n"))
}

#[test]
fn a_clean_policy_has_no_diagnostics() {
    assert_eq!(
        policy(
            "  every 1m\n  let used = 1 - disk.free{mount=\"/\"} / disk.size{mount=\"/\"}\n  warn when used > 80% for 10m recover when used < 75%\n  crit when used > 90% for 5m"
        ),
        ""
    );
}

#[test]
fn the_whole_stdlib_checks_clean() {
    let uses: String =
        upkeep_compiler::package::stdlib::paths().map(|p| format!("use {p}\n")).collect();
    let diagnostics = check_sources(&[("main", &uses)]);
    let rendered: Vec<String> = diagnostics.iter().map(render::short).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
}

#[test]
fn the_examples_check_clean_with_no_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&root).into_iter().flatten() {
        if entry.path().extension().is_some_and(|e| e == "upk") {
            files.push(entry.into_path());
        }
    }
    assert!(files.len() >= 5);
    let diagnostics = upkeep_compiler::check_paths(&files);
    let rendered: Vec<String> = diagnostics.iter().map(render::short).collect();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
}

macro_rules! cases {
    ($($name:ident: $src:expr => $expected:expr;)*) => {
        $(
            #[test]
            fn $name() {
                assert_eq!($src, $expected);
            }
        )*
    };
}

cases! {
    unknown_module: check("use std.metrics.nod\n") => "main.upk:1:5: error[E0101]: there is no module `std.metrics.nod`";
    unknown_import: check("use std.actions.{restart_servic}\n") => "main.upk:1:18: error[E0106]: module `std.actions` has no declaration `restart_servic`";
    duplicate_definition: check("fleet linux = hosts\n") => "main.upk:1:7: error[E0105]: `linux` is declared twice in this module";
    unknown_name: policy("  warn when usd > 1") => "main.upk:2:13: error[E0201]: unknown name `usd`";
    unknown_metric: policy("  warn when disk.fre{mount=\"/\"} < 1GB") => "main.upk:2:13: error[E0202]: unknown metric `disk.fre`";
    unknown_label: policy("  warn when disk.free{mnt=\"/\"} < 1GB") => "main.upk:2:23: error[E0203]: metric `disk.free` has no label `mnt`";
    unknown_function: policy("  warn when averag(disk.free over 5m) < 1GB") => "main.upk:2:13: error[E0204]: unknown function `averag`";
    unknown_type: check("fn f(x: nmber) -> bool = true\n") => "main.upk:1:9: error[E0205]: unknown type `nmber`";
    dimension_mismatch_with_fix: policy("  warn when disk.free{mount=\"/\"} < 20%") => "main.upk:2:13: error[E0206]: cannot compare a number in bytes and a plain number";
    dimension_mismatch_add: policy("  let x = disk.free + 5m\n  warn when x > 1GB") => "main.upk:2:11: error[E0206]: cannot add a number in bytes and a duration";
    type_mismatch: check("fn f(x: text) -> bool = x + 1 > 2\n") => "main.upk:1:25: error[E0207]: `+` needs numbers, found text";
    not_a_condition: policy("  warn when disk.free") => "main.upk:2:13: error[E0208]: a level clause needs a condition, found a number in bytes";
    expected_duration: policy("  every 5GB") => "main.upk:2:9: error[E0209]: `every` needs a duration, found a number in bytes";
    expected_count: policy("  warn when disk.free < 1GB for 2.5 checks") => "main.upk:2:33: error[E0210]: `for … checks` needs a whole number, found `2.5`";
    counter_used_raw: policy("  warn when diskio.read > 10GB") => "main.upk:2:13: error[E0211]: `diskio.read` is a counter; its raw value only ever grows";
    wrong_series_kind: policy("  warn when rate(disk.free over 5m) > 1MB/s") => "main.upk:2:18: error[E0212]: `rate` is for counters; `disk.free` is a gauge";
    window_on_value: policy("  warn when avg(1GB over 5m) > 1GB") => "main.upk:2:17: error[E0213]: `avg` reads a window of a series, found a number in bytes";
    missing_window: policy("  warn when rate(diskio.read) > 1MB/s") => "main.upk:2:13: error[E0214]: `rate` needs a window";
    bad_arguments: policy("  on crit {\n    restart(host)\n  }") => "main.upk:3:5: error[E0215]: action `restart` needs `service`";
    untyped_parameter: check("fn f(x) = 1\n") => "main.upk:1:6: error[E0216]: parameter `x` has no type";
    unknown_interpolation: policy("  warn when disk.free < 1GB message \"{mountpoint} is full\"") => "main.upk:2:39: error[E0217]: `{mountpoint}` names nothing that can be shown here";
    unknown_unit: policy("  every 5mins") => "main.upk:2:10: error[E0220]: `mins` is not a unit";
    unknown_fleet: check("policy q on linx {\n  every 1m\n}\n") => "main.upk:1:13: error[E0301]: unknown fleet `linx`";
    unknown_calendar: policy("  quiet during night") => "main.upk:2:16: error[E0302]: unknown calendar `night`";
    unknown_action: policy("  on crit {\n    restrat(host, \"x\")\n  }") => "main.upk:3:5: error[E0303]: unknown action `restrat`";
    unknown_policy: policy("  depends on q") => "main.upk:2:14: error[E0304]: unknown policy `q`";
    unknown_level: policy("  critical when disk.free < 1GB") => "main.upk:2:3: error[E0305]: unknown level `critical`";
    unknown_state: check("policy t on linux {\n  every 1m\n}\ntest t {\n  expect warn fired at 5m\n}\n") => "main.upk:5:15: error[E0306]: unknown state `fired`";
    unknown_event_kind: check("policy t on linux {\n  every 1m\n}\ntest t {\n  expect event fired at 5m\n}\n") => "main.upk:5:16: error[E0306]: unknown event kind `fired`";
    checks_out_of_range: policy("  warn when disk.free < 1GB for 5 of 3 checks") => "main.upk:2:33: error[E0307]: `for 5 of 3 checks` asks for more checks than it looks at";
    expected_share: policy("  on crit {\n    at most 150% of fleet\n  }") => "main.upk:3:13: error[E0308]: `at most 150% of fleet` must be a share between 0% and 100%";
    not_a_template: check("policy q on linux {\n  every 1m\n}\napply q() on linux\n") => "main.upk:4:7: error[E0309]: `q` is not a template: it has no parameters";
    exec_arg_not_text: check("action a(n: number) = exec [\"echo\", n]\n") => "main.upk:1:37: error[E0310]: `exec` arguments are text, found a plain number";
    for_shorter_than_every: policy("  every 5m\n  warn when disk.free < 1GB for 1m") => "main.upk:3:33: warning[W0001]: `for` is shorter than the evaluation interval (`every 5m`)";
    unused_let: policy("  let x = disk.free") => "main.upk:2:7: warning[W0002]: `x` is never used";
    no_hysteresis: policy("  warn when disk.free < 1GB recover when disk.free > 500MB") => "main.upk:2:42: warning[W0003]: `recover when` overlaps the trigger: both can hold at once";
    inverted_levels: policy("  warn when disk.free < 1GB\n  crit when disk.free < 2GB") => "main.upk:3:13: warning[W0004]: `crit` triggers before `warn`: its threshold is the less severe one";
    percent_as_plain_number: check("metric busy: gauge<percent>\npolicy p on linux {\n  warn when busy > 90\n}\n")
        => "main.upk:3:20: warning[W0006]: `busy` is in percent, so `90` here means 9000%";
    fleet_never_matches: check("fleet f = hosts where role == \"db\" and role == \"web\"\n") => "main.upk:1:40: warning[W0005]: fleet `f` can never match: `role` cannot be both \"db\" and \"web\"";
}

/// Full renderings, where labels and help carry the fix.
fn rendered(body: &str) -> String {
    let source = format!("{PRELUDE}{body}");
    check_sources(&[("main", &source)])
        .iter()
        .map(|d| render::graphical(d, render::Style::Plain))
        .collect()
}

#[test]
fn fixes_are_suggested_where_they_can_be_computed() {
    insta::assert_snapshot!(
        "ratio_needs_a_whole",
        rendered("policy p on linux {\n  warn when disk.free{mount=\"/\"} < 20%\n}\n")
    );
    insta::assert_snapshot!(
        "counter_needs_a_rate",
        rendered("policy p on linux {\n  warn when diskio.read > 10GB\n}\n")
    );
    insta::assert_snapshot!(
        "forgotten_unit",
        rendered("policy p on linux {\n  warn when disk.free < 500\n}\n")
    );
    insta::assert_snapshot!(
        "did_you_mean_metric",
        rendered("policy p on linux {\n  warn when disk.fre < 1GB\n}\n")
    );
}

fn package(modules: &[(&str, &str)]) -> String {
    check_sources(modules).iter().map(render::short).collect::<Vec<_>>().join("\n")
}

cases! {
    import_cycle: package(&[("a", "use b\n"), ("b", "use a\n")])
        => "b.upk:1:5: error[E0102]: modules use each other in a cycle: a -> b -> a";
    cross_tenant: package(&[
        ("acme", "tenant acme\nuse globex\npolicy p on web {\n  every 1m\n}\n"),
        ("globex", "tenant globex\nfleet web = hosts\n"),
    ]) => "acme.upk:3:13: error[E0312]: tenant `acme` uses `web`, a fleet of tenant `globex`";
    provider_wide_declarations_are_shared: package(&[
        ("acme", "tenant acme\nuse shared\npolicy p on web {\n  every 1m\n}\n"),
        ("shared", "fleet web = hosts\n"),
    ]) => "";
    apply_checks_arguments: check("policy t(limit: number<percent>, hold: duration = 5m) on linux {\n  warn when 1 - disk.free / disk.size > limit for hold\n}\napply t(limt: 80%) on linux\napply t(limit: 5m) on linux\n")
        => "main.upk:4:7: error[E0215]: policy `t` needs `limit`\nmain.upk:4:9: error[E0215]: policy `t` has no parameter `limt`\nmain.upk:5:16: error[E0215]: `limit` of policy `t` must be a plain number, found a duration";
    test_of_unknown_policy: check("test disk {\n  expect ok at 1m\n}\n")
        => "main.upk:1:6: error[E0313]: there is no policy `disk` to test";
    test_expectations_name_real_things: check("policy t on linux {\n  every 1m\n}\ntest t {\n  series disk.free{host=\"a\"} = 10GB - 1GB * t/1m every 1m for 20m\n  expect crit firing on {host=\"a\"} at 15m\n  expect action restart on {host=\"a\"} at 15m\n  expect action reboot\n}\n")
        => "main.upk:8:17: error[E0303]: unknown action `reboot`";
}
