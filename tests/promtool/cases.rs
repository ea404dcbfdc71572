//! The cases of the promtool cross-check: each one alerting rule written
//! as an Upkeep policy and as a Prometheus rule, with its input series, and
//! the helpers that build series (steps, counters, per-minute values).

// ---------------------------------------------------------------- cases

/// Where the samples sit relative to the evaluations, which both tools run
/// at every whole minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grid {
    /// At the whole minutes: each evaluation sees the sample taken at its
    /// own time. promtool gets `interval: 1m` and the expanding notation.
    On,
    /// At 30 s past each minute, halfway between two evaluations, so no
    /// sample is ever on the edge of a window or of the 5m lookback, where
    /// Prometheus 2 (closed at the start) and Upkeep (open) disagree.
    /// promtool gets `interval: 30s` with a missing sample (`_`) on every
    /// whole minute.
    Halfway,
}

/// A difference between the tools that a case shows on purpose. Both are
/// about evaluations where the instance's series has no sample in the last
/// 5m: Prometheus then has no value, so the alert is not firing, while
/// Upkeep fires. The case's rules have no `for` (which Prometheus would
/// restart), so Prometheus's alerts are Upkeep's minus those evaluations,
/// and promtool must agree with that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    /// None: the firing times must be the same.
    Nothing,
    /// A series that stops: Upkeep's condition becomes unknown and the
    /// instance stays as it was (firing); Prometheus's 5m lookback finds no
    /// sample and the alert resolves.
    Staleness,
    /// `count(x over 5m)` of a window without samples is 0 in Upkeep, so
    /// `< 3` holds; `count_over_time(x[5m])` has no value.
    EmptyCount,
}

/// One input series: the Prometheus name and labels, and one value per
/// minute (`None`: no sample that minute).
#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub(crate) name: &'static str,
    pub(crate) labels: Vec<(&'static str, &'static str)>,
    pub(crate) values: Vec<Option<f64>>,
}

/// One Prometheus alerting rule: the level it stands for (the alert's
/// `severity` label), its expression, `for` and `keep_firing_for`.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) severity: &'static str,
    pub(crate) expr: &'static str,
    pub(crate) hold: Option<&'static str>,
    pub(crate) keep: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub(crate) struct Case {
    /// The policy's name and the alert's name.
    pub(crate) name: &'static str,
    /// What the case checks, for the failure report.
    pub(crate) about: &'static str,
    /// Metric declarations beyond `std.metrics.node`.
    pub(crate) decls: &'static str,
    /// The policy's clauses after `every 1m`.
    pub(crate) clauses: &'static str,
    pub(crate) rules: Vec<Rule>,
    /// Upkeep label name → Prometheus label name, from the metrics'
    /// `labels(mount = mountpoint)`.
    pub(crate) renames: &'static [(&'static str, &'static str)],
    pub(crate) grid: Grid,
    pub(crate) series: Vec<Series>,
    /// How many times an instance starts firing at some level in Upkeep's
    /// run: a case whose data stopped exercising it fails here.
    pub(crate) firings: usize,
    pub(crate) known: Known,
}

/// No sample (in [`steps`]).
pub(crate) const GAP: f64 = f64::NAN;

/// Piecewise constant values: `(n, v)` is n minutes of v; [`GAP`] is n
/// minutes without samples.
pub(crate) fn steps(parts: &[(usize, f64)]) -> Vec<Option<f64>> {
    parts
        .iter()
        .flat_map(|&(n, v)| std::iter::repeat_n(if v.is_nan() { None } else { Some(v) }, n))
        .collect()
}

/// `n` values, the m-th `f(m)`.
pub(crate) fn by_minute(n: usize, f: impl Fn(usize) -> f64) -> Vec<Option<f64>> {
    (0..n).map(|m| Some(f(m))).collect()
}

pub(crate) fn series(
    name: &'static str,
    labels: &[(&'static str, &'static str)],
    values: Vec<Option<f64>>,
) -> Series {
    Series { name, labels: labels.to_vec(), values }
}

pub(crate) fn rule(severity: &'static str, expr: &'static str, hold: Option<&'static str>) -> Rule {
    Rule { severity, expr, hold, keep: None }
}

/// A counter that starts at `start` and grows by `per_minute(m)` before the
/// sample of minute m (m ≥ 1); `reset: Some((m, v))` sets it to v at minute
/// m, as a restarted process does.
pub(crate) fn counter(
    n: usize,
    start: f64,
    per_minute: impl Fn(usize) -> f64,
    reset: Option<(usize, f64)>,
) -> Vec<Option<f64>> {
    let mut value = start;
    (0..n)
        .map(|m| {
            if m > 0 {
                value += per_minute(m);
            }
            if let Some((at, to)) = reset
                && at == m
            {
                value = to;
            }
            Some(value)
        })
        .collect()
}

pub(crate) const FS: &str = "node_filesystem_avail_bytes";
pub(crate) const FS_SIZE: &str = "node_filesystem_size_bytes";
pub(crate) const LOAD: &str = "node_load1";
pub(crate) const MEM: &str = "node_memory_MemAvailable_bytes";
pub(crate) const MOUNT: &[(&str, &str)] = &[("mount", "mountpoint")];
pub(crate) const GB: f64 = 1e9;

pub(crate) fn cases() -> Vec<Case> {
    let h1 = [("host", "h1")];
    let h2 = [("host", "h2")];
    let h3 = [("host", "h3")];
    let fs = |host, mount, device, fstype| -> Vec<(&'static str, &'static str)> {
        vec![("host", host), ("mountpoint", mount), ("device", device), ("fstype", fstype)]
    };
    vec![
        Case {
            name: "threshold",
            about: "a threshold without `for`; `> 3` is false at exactly 3",
            decls: "",
            clauses: "warn when load1 > 3",
            rules: vec![rule("warn", "node_load1 > 3", None)],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(LOAD, &h1, steps(&[(5, 1.0), (5, 5.0), (5, 2.0), (3, 4.0), (12, 1.0)])),
                series(LOAD, &h2, steps(&[(8, 2.0), (1, 3.0), (6, 2.0), (1, 3.5), (14, 2.0)])),
            ],
            firings: 3,
            known: Known::Nothing,
        },
        Case {
            name: "hold_for",
            about: "`for 5m`: h1 fires, h2 holds 4m and never fires, h3 holds exactly 5m and fires once",
            decls: "",
            clauses: "warn when load1 > 3 for 5m",
            rules: vec![rule("warn", "node_load1 > 3", Some("5m"))],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(LOAD, &h1, steps(&[(3, 1.0), (12, 5.0), (15, 1.0)])),
                series(LOAD, &h2, steps(&[(10, 1.0), (5, 5.0), (15, 1.0)])),
                series(LOAD, &h3, steps(&[(10, 1.0), (6, 5.0), (14, 1.0)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "hold_flapping",
            about: "`for 3m` over a condition that flaps: each false evaluation restarts the hold",
            decls: "",
            clauses: "warn when load1 > 3 for 3m",
            rules: vec![rule("warn", "node_load1 > 3", Some("3m"))],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(
                    LOAD,
                    &h1,
                    steps(&[(2, 1.0), (3, 5.0), (1, 1.0), (4, 5.0), (1, 1.0), (6, 5.0), (13, 1.0)]),
                ),
                series(LOAD, &h2, by_minute(30, |m| if m % 2 == 0 { 5.0 } else { 1.0 })),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "hold_checks",
            about: "`for 3 checks` at `every 1m` is Prometheus's `for: 2m`",
            decls: "",
            clauses: "warn when load1 > 3 for 3 checks",
            rules: vec![rule("warn", "node_load1 > 3", Some("2m"))],
            renames: &[],
            grid: Grid::On,
            series: vec![series(
                LOAD,
                &h1,
                steps(&[(4, 1.0), (2, 5.0), (1, 1.0), (3, 5.0), (1, 1.0), (5, 5.0), (14, 1.0)]),
            )],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "avg_over_time",
            about: "`avg(x over 5m)` with `for 2m` (averages of these samples are whole numbers, the threshold \
                    is not); h2's one-sample spike does not move the average enough",
            decls: "",
            clauses: "warn when avg(load1 over 5m) > 3.5 for 2m",
            rules: vec![rule("warn", "avg_over_time(node_load1[5m]) > 3.5", Some("2m"))],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(LOAD, &h1, steps(&[(5, 1.0), (8, 6.0), (17, 1.0)])),
                series(LOAD, &h2, steps(&[(10, 1.0), (1, 10.0), (19, 1.0)])),
            ],
            firings: 1,
            known: Known::Nothing,
        },
        Case {
            name: "max_over_time",
            about: "`max(x over 10m)`: a single spike fires for the 10 minutes it stays in the window",
            decls: "",
            clauses: "warn when max(load1 over 10m) > 8",
            rules: vec![rule("warn", "max_over_time(node_load1[10m]) > 8", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(LOAD, &h1, steps(&[(5, 2.0), (1, 9.0), (14, 2.0), (1, 12.0), (14, 2.0)])),
                series(LOAD, &h2, steps(&[(10, 2.0), (1, 8.0), (24, 2.0)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "min_over_time",
            about: "`min(x over 5m)`: fires only when every sample of the window is high",
            decls: "",
            clauses: "warn when min(load1 over 5m) > 4",
            rules: vec![rule("warn", "min_over_time(node_load1[5m]) > 4", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![series(
                LOAD,
                &h1,
                steps(&[(3, 1.0), (8, 6.0), (1, 3.0), (6, 6.0), (12, 1.0)]),
            )],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "counter_rate",
            about: "`rate(c over 5m)`: a burst (h1) and a counter reset whose restart value counts as increase (h2); \
                    with samples halfway, Prometheus's extrapolation gives the same value on full windows",
            decls: "metric app.errors: counter from \"app_errors_total\"",
            clauses: "warn when rate(app.errors over 5m) > 3/s",
            rules: vec![rule("warn", "rate(app_errors_total[5m]) > 3", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(
                    "app_errors_total",
                    &h1,
                    counter(
                        35,
                        10_000.0,
                        |m| if (12..20).contains(&m) { 360.0 } else { 60.0 },
                        None,
                    ),
                ),
                series("app_errors_total", &h2, counter(35, 10_000.0, |_| 60.0, Some((12, 900.0)))),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "predict_linear",
            about: "`predict(x over 30m, at: 4h)` is `predict_linear(x[30m], 14400)`: / on h1 fills, then is cleaned up",
            decls: "",
            clauses: "crit when predict(disk.free over 30m, at: 4h) < 0B",
            rules: vec![rule(
                "crit",
                "predict_linear(node_filesystem_avail_bytes[30m], 14400) < 0",
                None,
            )],
            renames: MOUNT,
            grid: Grid::Halfway,
            series: vec![
                series(
                    FS,
                    &fs("h1", "/", "sda1", "ext4"),
                    by_minute(45, |m| match m {
                        0..10 => 20.0 * GB,
                        10..30 => 20.0 * GB - 0.2 * GB * (m - 9) as f64,
                        _ => 60.0 * GB,
                    }),
                ),
                series(FS, &fs("h1", "/data", "sdb1", "ext4"), steps(&[(45, 500.0 * GB)])),
                series(
                    FS,
                    &fs("h2", "/", "sda1", "xfs"),
                    by_minute(45, |m| 100.0 * GB - 0.01 * GB * m as f64),
                ),
            ],
            firings: 1,
            known: Known::Nothing,
        },
        Case {
            name: "deriv_slope",
            about: "`deriv(x over 10m)`: h1 rises 1/min (fires), h2 rises 0.5/min (stays below 0.01/s)",
            decls: "",
            clauses: "warn when deriv(load1 over 10m) > 0.01/s",
            rules: vec![rule("warn", "deriv(node_load1[10m]) > 0.01", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(LOAD, &h1, by_minute(35, |m| 1.0 + m.saturating_sub(10).min(8) as f64)),
                series(LOAD, &h2, by_minute(35, |m| 1.0 + 0.5 * m.min(20) as f64)),
            ],
            firings: 1,
            known: Known::Nothing,
        },
        Case {
            name: "disk_used",
            about: "arithmetic on two metrics, one instance per filesystem of two hosts, `for 2m`",
            decls: "",
            clauses: "let used = 1 - disk.free / disk.size\n  warn when used > 80% for 2m",
            rules: vec![rule(
                "warn",
                "1 - node_filesystem_avail_bytes / node_filesystem_size_bytes > 0.8",
                Some("2m"),
            )],
            renames: MOUNT,
            grid: Grid::On,
            series: vec![
                series(
                    FS,
                    &fs("h1", "/", "sda1", "ext4"),
                    steps(&[(5, 30.0 * GB), (6, 15.0 * GB), (19, 30.0 * GB)]),
                ),
                series(FS_SIZE, &fs("h1", "/", "sda1", "ext4"), steps(&[(30, 100.0 * GB)])),
                series(
                    FS,
                    &fs("h1", "/data", "sdb1", "ext4"),
                    steps(&[(12, 30.0 * GB), (2, 15.0 * GB), (16, 30.0 * GB)]),
                ),
                series(FS_SIZE, &fs("h1", "/data", "sdb1", "ext4"), steps(&[(30, 100.0 * GB)])),
                series(
                    FS,
                    &fs("h2", "/", "sda1", "ext4"),
                    steps(&[(20, 30.0 * GB), (10, 10.0 * GB)]),
                ),
                series(FS_SIZE, &fs("h2", "/", "sda1", "ext4"), steps(&[(30, 100.0 * GB)])),
                series(FS, &fs("h2", "/data", "sdb1", "ext4"), steps(&[(30, 50.0 * GB)])),
                series(FS_SIZE, &fs("h2", "/data", "sdb1", "ext4"), steps(&[(30, 100.0 * GB)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "label_matcher",
            about: "`{mount=\"/\", fstype!~\"tmpfs|overlay\"}`: /data and the overlay root are low but not selected",
            decls: "",
            clauses: "warn when disk.free{mount=\"/\", fstype!~\"tmpfs|overlay\"} < 5GB",
            rules: vec![rule(
                "warn",
                "node_filesystem_avail_bytes{mountpoint=\"/\",fstype!~\"tmpfs|overlay\"} < 5e9",
                None,
            )],
            renames: MOUNT,
            grid: Grid::On,
            series: vec![
                series(
                    FS,
                    &fs("h1", "/", "sda1", "ext4"),
                    steps(&[(10, 8.0 * GB), (10, 4.0 * GB), (10, 8.0 * GB)]),
                ),
                series(FS, &fs("h1", "/data", "sdb1", "ext4"), steps(&[(30, GB)])),
                series(FS, &fs("h2", "/", "overlay", "overlay"), steps(&[(30, GB)])),
                series(FS, &fs("h3", "/", "vda1", "xfs"), steps(&[(15, 9.0 * GB), (15, 2.0 * GB)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "both_conditions",
            about: "`and` of conditions on two metrics of the same host, `for 2m`",
            decls: "",
            clauses: "warn when load1 > 3 and mem.available < 1GB for 2m",
            rules: vec![rule(
                "warn",
                "node_load1 > 3 and node_memory_MemAvailable_bytes < 1e9",
                Some("2m"),
            )],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(LOAD, &h1, steps(&[(5, 1.0), (20, 5.0), (5, 1.0)])),
                series(MEM, &h1, steps(&[(10, 2.0 * GB), (10, 0.5 * GB), (10, 2.0 * GB)])),
                series(LOAD, &h2, steps(&[(30, 5.0)])),
                series(MEM, &h2, steps(&[(30, 2.0 * GB)])),
                series(LOAD, &h3, steps(&[(15, 1.0), (15, 5.0)])),
                series(MEM, &h3, steps(&[(30, 0.5 * GB)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "two_levels",
            about: "warn and crit on one policy are two rules of one alert name, told apart by `severity`",
            decls: "",
            clauses: "warn when load1 > 3 for 2m\n  crit when load1 > 6 for 1m",
            rules: vec![
                rule("warn", "node_load1 > 3", Some("2m")),
                rule("crit", "node_load1 > 6", Some("1m")),
            ],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(LOAD, &h1, steps(&[(3, 1.0), (5, 4.0), (4, 8.0), (3, 4.0), (15, 1.0)])),
                series(LOAD, &h2, steps(&[(5, 1.0), (3, 7.0), (22, 1.0)])),
            ],
            firings: 4,
            known: Known::Nothing,
        },
        Case {
            name: "by_site",
            about: "`count(cond) by (site)`: one instance per site, like `count by (site) (...)`",
            decls: "",
            clauses: "let busy = count(load1 > 3) by (site)\n  warn when busy >= 2 for 1m",
            rules: vec![rule("warn", "count by (site) (node_load1 > 3) >= 2", Some("1m"))],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(
                    LOAD,
                    &[("host", "h1"), ("site", "a")],
                    steps(&[(5, 1.0), (10, 5.0), (15, 1.0)]),
                ),
                series(
                    LOAD,
                    &[("host", "h2"), ("site", "a")],
                    steps(&[(8, 1.0), (10, 5.0), (12, 1.0)]),
                ),
                series(LOAD, &[("host", "h3"), ("site", "a")], steps(&[(30, 1.0)])),
                series(LOAD, &[("host", "h4"), ("site", "b")], steps(&[(20, 1.0), (10, 5.0)])),
                series(LOAD, &[("host", "h5"), ("site", "b")], steps(&[(22, 1.0), (8, 5.0)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "keep_firing",
            about: "`keep 3m` is `keep_firing_for: 3m`; a true condition inside the 3m restarts it",
            decls: "",
            clauses: "warn when load1 > 3\n  keep 3m",
            rules: vec![Rule { keep: Some("3m"), ..rule("warn", "node_load1 > 3", None) }],
            renames: &[],
            grid: Grid::On,
            series: vec![series(
                LOAD,
                &h1,
                steps(&[(3, 1.0), (2, 5.0), (2, 1.0), (1, 5.0), (5, 1.0), (2, 5.0), (15, 1.0)]),
            )],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "quantile_over_time",
            about: "`quantile(0.9, x over 10m)` interpolates between ranks as `quantile_over_time` does: \
                    two spikes in the window lift it above 6, one does not",
            decls: "",
            clauses: "warn when quantile(0.9, load1 over 10m) > 6",
            rules: vec![rule("warn", "quantile_over_time(0.9, node_load1[10m]) > 6", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(
                    LOAD,
                    &h1,
                    by_minute(35, |m| if [5, 8, 20].contains(&m) { 10.0 } else { 1.0 }),
                ),
                series(LOAD, &h2, steps(&[(35, 4.0)])),
            ],
            firings: 1,
            known: Known::Nothing,
        },
        Case {
            name: "value_changes",
            about: "`changes(x over 10m)`: h1 flips between 1 and 2 for a while, h2 steps up every 4 minutes",
            decls: "",
            clauses: "warn when changes(load1 over 10m) > 3",
            rules: vec![rule("warn", "changes(node_load1[10m]) > 3", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(
                    LOAD,
                    &h1,
                    by_minute(35, |m| if (10..16).contains(&m) && m % 2 == 0 { 2.0 } else { 1.0 }),
                ),
                series(LOAD, &h2, by_minute(35, |m| (m / 4) as f64)),
            ],
            firings: 1,
            known: Known::Nothing,
        },
        Case {
            name: "ratio_true",
            about: "`ratio_true(cond over 9m)` is the average of `cond` evaluated every minute, a subquery; \
                    `[8m30s:1m]` keeps Prometheus 2 from counting the evaluation 9m ago, as Upkeep's window \
                    is open there (9 evaluations: the share is never exactly 50%)",
            decls: "",
            clauses: "let busy = load1 > 3\n  warn when ratio_true(busy over 9m) > 50%",
            rules: vec![rule("warn", "avg_over_time((node_load1 > bool 3)[8m30s:1m]) > 0.5", None)],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(
                    LOAD,
                    &h1,
                    by_minute(40, |m| if (8..20).contains(&m) && m % 4 != 0 { 5.0 } else { 1.0 }),
                ),
                series(LOAD, &h2, by_minute(40, |m| if m % 5 >= 3 { 5.0 } else { 1.0 })),
            ],
            firings: 1,
            known: Known::Nothing,
        },
        Case {
            name: "either_condition",
            about: "`or` of conditions on two metrics: overlapping stretches make one alert",
            decls: "",
            clauses: "warn when load1 > 8 or mem.available < 0.5GB",
            rules: vec![rule(
                "warn",
                "node_load1 > 8 or node_memory_MemAvailable_bytes < 5e8",
                None,
            )],
            renames: &[],
            grid: Grid::On,
            series: vec![
                series(LOAD, &h1, steps(&[(5, 1.0), (5, 9.0), (20, 1.0)])),
                series(MEM, &h1, steps(&[(8, GB), (7, 0.2 * GB), (15, GB)])),
                series(LOAD, &h2, steps(&[(30, 1.0)])),
                series(MEM, &h2, steps(&[(20, GB), (5, 0.2 * GB), (5, GB)])),
            ],
            firings: 2,
            known: Known::Nothing,
        },
        Case {
            name: "stale_series",
            about: "known difference: h1 stops reporting while firing; Upkeep keeps firing (unknown is not false), \
                    Prometheus resolves once the last sample is more than 5m old",
            decls: "",
            clauses: "warn when load1 > 3",
            rules: vec![rule("warn", "node_load1 > 3", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(LOAD, &h1, steps(&[(3, 1.0), (7, 5.0), (20, GAP)])),
                series(LOAD, &h2, steps(&[(30, 1.0)])),
            ],
            firings: 1,
            known: Known::Staleness,
        },
        Case {
            name: "empty_window_count",
            about: "known difference: h1 sends nothing for 10 minutes; Upkeep counts its empty window as 0 \
                    (fires), Prometheus's `count_over_time` has no value (does not)",
            decls: "",
            clauses: "warn when count(load1 over 5m) < 3",
            rules: vec![rule("warn", "count_over_time(node_load1[5m]) < 3", None)],
            renames: &[],
            grid: Grid::Halfway,
            series: vec![
                series(LOAD, &h1, steps(&[(10, 1.0), (10, GAP), (10, 1.0)])),
                series(LOAD, &h2, steps(&[(30, 1.0)])),
            ],
            firings: 3,
            known: Known::EmptyCount,
        },
    ]
}
