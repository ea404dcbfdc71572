//! Upkeep's own health on `GET /metrics`, in the Prometheus text format
//! 0.0.4: what the HTTP side counted (requests, samples, bad lines,
//! refusals, reloads), what the engine thread last published (samples
//! applied and dropped, evaluations and their duration, events, actions by
//! outcome, checkpoints), and one `upkeep_instance_state` series per level
//! of every instance that is not ok, as Prometheus's `ALERTS` series.

use crate::sink::Counts;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use upkeep_runtime::engine::{ActiveInstance, EngineStats};

/// What the engine thread publishes after each step (read by `/metrics`,
/// `/api/v1/alerts`, `/readyz`).
#[derive(Clone, Debug, Default)]
pub struct Published {
    pub instances: Vec<ActiveInstance>,
    pub engine: EngineStats,
    /// Events written, by (policy, level, kind).
    pub events: Counts,
    /// Wall time of the engine's clock steps.
    pub steps: Histogram,
    /// The engine's event time, and the clock's time at the last step.
    pub engine_time: f64,
    pub clock_time: f64,
    /// Samples held until their time is due.
    pub pending: usize,
    /// Samples applied after the evaluations of their time had run.
    pub late: u64,
    pub checkpoints: u64,
    pub policies: usize,
}

/// A histogram with fixed buckets (seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

const BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: [0; BUCKETS.len()], sum: 0.0, count: 0 }
    }
}

impl Histogram {
    pub fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str) {
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(self.counts) {
            cumulative += n;
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

/// What the HTTP side counts, behind one lock (a few map updates per request).
#[derive(Debug, Default)]
pub struct Counters {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(&'static str, u16), u64>,
    samples: BTreeMap<&'static str, u64>,
    bad_lines: BTreeMap<&'static str, u64>,
    refused: BTreeMap<&'static str, u64>,
    reloads: BTreeMap<&'static str, u64>,
}

impl Counters {
    fn with(&self, f: impl FnOnce(&mut Inner)) {
        let mut inner = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut inner);
    }

    pub fn request(&self, endpoint: &'static str, code: u16) {
        self.with(|i| *i.requests.entry((endpoint, code)).or_default() += 1);
    }

    /// Samples decoded and queued for the engine, by format.
    pub fn samples(&self, format: &'static str, n: u64, bad_lines: u64) {
        self.with(|i| {
            *i.samples.entry(format).or_default() += n;
            *i.bad_lines.entry(format).or_default() += bad_lines;
        });
    }

    /// Samples refused before the engine, by reason.
    pub fn refused(&self, reason: &'static str, n: u64) {
        if n > 0 {
            self.with(|i| *i.refused.entry(reason).or_default() += n);
        }
    }

    pub fn reload(&self, result: &'static str) {
        self.with(|i| *i.reloads.entry(result).or_default() += 1);
    }
}

/// Which series a caller sees: all, or one tenant's instance states.
pub enum View<'a> {
    All,
    Tenant(&'a str),
}

/// The exposition text.
pub fn render(
    published: &Published,
    counters: &Counters,
    manual_clock: bool,
    view: View,
) -> String {
    let mut out = String::with_capacity(4096 + published.instances.len() * 128);
    if let View::All = view {
        counters.with(|c| health(&mut out, published, c, manual_clock));
    }
    help(
        &mut out,
        "upkeep_instance_state",
        "gauge",
        "1 per level of each instance that is not ok.",
    );
    for a in &published.instances {
        if let View::Tenant(t) = view
            && a.tenant.as_deref() != Some(t)
        {
            continue;
        }
        for l in &a.levels {
            out.push_str("upkeep_instance_state{");
            label(&mut out, "tenant", a.tenant.as_deref().unwrap_or(""));
            label(&mut out, "policy", &a.policy);
            label(&mut out, "level", l.level);
            label(&mut out, "state", l.state);
            for (k, v) in &a.labels {
                let reserved = ["tenant", "policy", "level", "state"].contains(&k.as_str());
                let name = if reserved { format!("exported_{k}") } else { k.clone() };
                label(&mut out, &name, v);
            }
            out.pop();
            out.push_str("} 1\n");
        }
    }
    out
}

fn health(out: &mut String, p: &Published, c: &Inner, manual_clock: bool) {
    let counter = |out: &mut String, name: &str, text: &str, rows: &[(String, u64)]| {
        help(out, name, "counter", text);
        for (labels, v) in rows {
            let _ = writeln!(out, "{name}{labels} {v}");
        }
    };
    let by = |key: &str, map: &BTreeMap<&'static str, u64>| -> Vec<(String, u64)> {
        map.iter().map(|(k, v)| (format!("{{{key}=\"{k}\"}}"), *v)).collect()
    };
    let requests: Vec<(String, u64)> = c
        .requests
        .iter()
        .map(|((e, code), v)| (format!("{{endpoint=\"{e}\",code=\"{code}\"}}"), *v))
        .collect();
    counter(out, "upkeep_http_requests_total", "HTTP requests by endpoint and status.", &requests);
    let text = "Samples decoded and queued for the engine, by format.";
    counter(out, "upkeep_samples_received_total", text, &by("format", &c.samples));
    let text = "Lines (or remote-write series) rejected as malformed, by format.";
    counter(out, "upkeep_bad_lines_total", text, &by("format", &c.bad_lines));
    let text = "Samples refused before the engine, by reason.";
    counter(out, "upkeep_samples_refused_total", text, &by("reason", &c.refused));
    counter(out, "upkeep_reloads_total", "Reloads by result.", &by("result", &c.reloads));
    let e = &p.engine;
    let engine_rows = |rows: &[(&str, u64)]| -> Vec<(String, u64)> {
        rows.iter().map(|(k, v)| (format!("{{reason=\"{k}\"}}"), *v)).collect()
    };
    let text = "Samples applied to a series some policy reads.";
    counter(out, "upkeep_samples_applied_total", text, &[(String::new(), e.samples)]);
    let text = "Samples of metrics no policy reads.";
    counter(out, "upkeep_samples_unused_total", text, &[(String::new(), e.unused)]);
    let dropped = engine_rows(&[
        ("out_of_order", e.out_of_order),
        ("untimed", e.untimed),
        ("out_of_range", e.out_of_range),
    ]);
    counter(out, "upkeep_samples_dropped_total", "Samples the engine dropped.", &dropped);
    let text = "Samples applied after the evaluations of their time had run.";
    counter(out, "upkeep_samples_late_total", text, &[(String::new(), p.late)]);
    let text = "Rows evaluated (one instance at one time).";
    counter(out, "upkeep_evaluations_total", text, &[(String::new(), e.evaluations)]);
    let mut kinds: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut actions: BTreeMap<(String, String), u64> = BTreeMap::new();
    for ((policy, _level, kind), n) in &p.events {
        *kinds.entry((policy.clone(), kind.clone())).or_default() += n;
        if ["action", "held", "succeeded", "failed", "interrupted"].contains(&kind.as_str()) {
            *actions.entry((policy.clone(), kind.clone())).or_default() += n;
        }
    }
    let rows = |m: &BTreeMap<(String, String), u64>, key: &str| -> Vec<(String, u64)> {
        m.iter()
            .map(|((policy, k), v)| {
                (format!("{{policy=\"{}\",{key}=\"{k}\"}}", escape(policy)), *v)
            })
            .collect()
    };
    counter(
        out,
        "upkeep_events_total",
        "Events written, by policy and kind.",
        &rows(&kinds, "kind"),
    );
    let text = "Actions decided (action), held by a guard (held), and their outcomes.";
    counter(out, "upkeep_actions_total", text, &rows(&actions, "outcome"));
    let text = "Checkpoints of the state saved by this process.";
    counter(out, "upkeep_checkpoints_total", text, &[(String::new(), p.checkpoints)]);
    let name = "upkeep_evaluation_step_seconds";
    let text = "Wall time of one clock step: the samples due applied, the evaluations due run.";
    help(out, name, "histogram", text);
    p.steps.render(out, name);
    let gauges = [
        ("upkeep_engine_time_seconds", "The engine's event time.", p.engine_time),
        ("upkeep_clock_time_seconds", "The clock's time at the last step.", p.clock_time),
        ("upkeep_pending_samples", "Samples held until their time is due.", p.pending as f64),
        ("upkeep_policies", "Policies of the running package.", p.policies as f64),
        ("upkeep_clock_manual", "1 when the manual test clock is on.", f64::from(manual_clock)),
    ];
    for (name, text, value) in gauges {
        help(out, name, "gauge", text);
        let value = if value.is_finite() { value } else { f64::NAN };
        let _ = writeln!(out, "{name} {value}");
    }
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

/// `name="value",` with the value escaped as the text format requires.
fn label(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "{name}=\"{}\",", escape(value));
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(tenant: Option<&str>, labels: &[(&str, &str)]) -> ActiveInstance {
        ActiveInstance {
            policy: "disk".into(),
            tenant: tenant.map(Into::into),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            levels: vec![
                upkeep_runtime::engine::LevelStatus {
                    level: "warn",
                    state: "firing",
                    since: Some(60.0),
                },
                upkeep_runtime::engine::LevelStatus {
                    level: "crit",
                    state: "pending",
                    since: Some(120.0),
                },
            ],
        }
    }

    #[test]
    fn instance_states_are_series_and_views_filter_them() {
        let p = Published {
            instances: vec![
                instance(Some("acme"), &[("host", "db\"1"), ("state", "x")]),
                instance(None, &[]),
            ],
            ..Published::default()
        };
        let counters = Counters::default();
        counters.request("write", 204);
        let all = render(&p, &counters, false, View::All);
        assert!(all.contains(
            "upkeep_instance_state{tenant=\"acme\",policy=\"disk\",level=\"warn\",\
             state=\"firing\",host=\"db\\\"1\",exported_state=\"x\"} 1\n"
        ));
        assert!(all.contains("upkeep_instance_state{tenant=\"\",policy=\"disk\",level=\"crit\""));
        assert!(all.contains("upkeep_http_requests_total{endpoint=\"write\",code=\"204\"} 1\n"));
        assert!(all.contains("upkeep_evaluation_step_seconds_bucket{le=\"+Inf\"} 0\n"));
        let acme = render(&p, &counters, false, View::Tenant("acme"));
        assert_eq!(acme.matches("upkeep_instance_state{").count(), 2);
        assert!(!acme.contains("tenant=\"\"") && !acme.contains("upkeep_http_requests_total"));
    }

    #[test]
    fn histograms_are_cumulative() {
        let mut h = Histogram::default();
        h.observe(0.0002);
        h.observe(0.02);
        h.observe(50.0);
        let mut out = String::new();
        h.render(&mut out, "x");
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"));
        assert!(out.contains("x_bucket{le=\"0.025\"} 2\n"));
        assert!(out.contains("x_bucket{le=\"10\"} 2\nx_bucket{le=\"+Inf\"} 3\n"));
        assert!(out.contains("x_count 3\n"));
    }
}
