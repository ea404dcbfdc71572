//! The evaluator IR of a plan as text, for `upkeep compile --emit ir`.

use super::{InputSpec, PolicyPlan, SeriesRef, TextSource};
use crate::ir::{Node, ValueId};
use std::fmt::Write;

fn series(s: &SeriesRef) -> String {
    if s.matchers.is_empty() {
        return s.metric.clone();
    }
    let m: Vec<String> = s.matchers.iter().map(|(l, op, v)| format!("{l}{op}{v:?}")).collect();
    format!("{}{{{}}}", s.metric, m.join(", "))
}

fn text(t: &TextSource) -> String {
    match t {
        TextSource::Label(l) => format!("label {l}"),
        TextSource::State(s) => format!("state {}", series(s)),
        TextSource::Const(c) => format!("{c:?}"),
    }
}

fn input(spec: &InputSpec) -> String {
    match spec {
        InputSpec::Latest(s) => format!("latest {}", series(s)),
        InputSpec::Window { function, series: s, seconds, param } => {
            let p = param.map(|p| format!(", {p}")).unwrap_or_default();
            format!("{function:?}({} over {seconds}s{p})", series(s)).to_lowercase()
        }
        InputSpec::WindowOfOutput { function, output, seconds, param } => {
            let p = param.map(|p| format!(", {p}")).unwrap_or_default();
            format!("{}(out{output} over {seconds}s{p})", format!("{function:?}").to_lowercase())
        }
        InputSpec::Ewma { series: s, alpha } => format!("ewma({}, {alpha})", series(s)),
        InputSpec::TextEq(a, b) => format!("text {} == {}", text(a), text(b)),
        InputSpec::Clock(c) => format!("clock {c:?}").to_lowercase(),
        InputSpec::Across { function, by, output } => {
            format!("{function}(out{output}) by ({})", by.join(", "))
        }
    }
}

fn v(id: ValueId) -> String {
    format!("v{}", id.0)
}

/// One policy's evaluator: inputs, nodes, outputs with what they mean.
pub fn policy_ir(p: &PolicyPlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "policy {} (module {}, fleet {}, every {}s, evaluator {})",
        p.name, p.module, p.fleet, p.every, p.evaluator
    );
    for (i, spec) in p.inputs.iter().enumerate() {
        let _ = writeln!(out, "  in{i} = {}", input(spec));
    }
    for (i, node) in p.graph.nodes.iter().enumerate() {
        let rhs = match *node {
            Node::Const(c) => format!("const {c}"),
            Node::Input(k) => format!("in{k}"),
            Node::Unary(op, a) => format!("{op:?} {}", v(a)).to_lowercase(),
            Node::Binary(op, a, b) => {
                format!("{} {} {}", format!("{op:?}").to_lowercase(), v(a), v(b))
            }
            Node::Select(c, a, b) => format!("select {} {} {}", v(c), v(a), v(b)),
        };
        let _ = writeln!(out, "  v{i} = {rhs}");
    }
    for (i, id) in p.graph.outputs.iter().enumerate() {
        let mut meaning: Vec<String> = Vec::new();
        for l in &p.levels {
            if l.condition == i {
                meaning.push(format!("{} when", l.level));
            }
            if l.recover.is_some_and(|(r, _)| r == i) {
                meaning.push(format!("{} recover", l.level));
            }
        }
        meaning.extend(p.values.iter().filter(|(_, o)| *o == i).map(|(n, _)| format!("let {n}")));
        if p.fleet_filter == Some(i) {
            meaning.push("fleet".into());
        }
        for on in &p.remediations {
            for step in &on.steps {
                if let super::StepPlan::Verify { condition, .. } = step
                    && *condition == i
                {
                    meaning.push(format!("on {} verify", on.level));
                }
            }
        }
        for spec in &p.inputs {
            match spec {
                InputSpec::WindowOfOutput { output, .. } if *output == i => {
                    meaning.push("windowed".into())
                }
                InputSpec::Across { output, .. } if *output == i => {
                    meaning.push("aggregated across instances".into())
                }
                _ => {}
            }
        }
        let note =
            if meaning.is_empty() { String::new() } else { format!("  // {}", meaning.join(", ")) };
        let _ = writeln!(out, "  out{i} = {}{note}", v(*id));
    }
    out
}
