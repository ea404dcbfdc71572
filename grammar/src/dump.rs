//! A generic view of the syntax tree: every node as a labelled [`Node`] with
//! its span and children.
//!
//! One walk over the AST serves three uses: `upkeep compile --emit ast`,
//! the corpus snapshots, and the span invariants checked on every parsed file
//! in the tests ([`check_spans`]). Comparing two dumps without spans is how
//! the formatter's round-trip property (`parse(fmt(x)) == parse(x)`) is
//! tested.

use crate::ast::*;
use crate::span::Span;
use std::fmt::Write;

/// One node of the generic tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub label: String,
    pub span: Span,
    pub children: Vec<Node>,
}

impl Node {
    fn new(label: impl Into<String>, span: Span) -> Self {
        Node { label: label.into(), span, children: Vec::new() }
    }

    fn with(mut self, child: Node) -> Self {
        self.children.push(child);
        self
    }

    fn with_all(mut self, children: impl IntoIterator<Item = Node>) -> Self {
        self.children.extend(children);
        self
    }

    fn with_opt(self, child: Option<Node>) -> Self {
        self.with_all(child)
    }

    /// An indented tree, one node per line; with `spans`, each line ends in `@start..end`.
    pub fn render(&self, spans: bool) -> String {
        let mut out = String::new();
        self.render_into(&mut out, 0, spans);
        out
    }

    fn render_into(&self, out: &mut String, depth: usize, spans: bool) {
        let _ = write!(out, "{:indent$}{}", "", self.label, indent = depth * 2);
        if spans {
            let _ = write!(out, " @{}..{}", self.span.start, self.span.end);
        }
        out.push('\n');
        for child in &self.children {
            child.render_into(out, depth + 1, spans);
        }
    }
}

/// Checks that every span lies inside the file, every child inside its
/// parent, and siblings in source order without overlap.
pub fn check_spans(root: &Node, len: usize) -> Result<(), String> {
    if root.span.end > len || root.span.start > root.span.end {
        return Err(format!("`{}` has span {:?} outside 0..{len}", root.label, root.span));
    }
    let mut previous_end = root.span.start;
    for child in &root.children {
        if !root.span.contains(child.span) {
            return Err(format!(
                "`{}` {:?} is not inside its parent `{}` {:?}",
                child.label, child.span, root.label, root.span
            ));
        }
        if child.span.start < previous_end {
            return Err(format!(
                "`{}` {:?} overlaps or precedes its previous sibling",
                child.label, child.span
            ));
        }
        previous_end = child.span.end;
        check_spans(child, len)?;
    }
    Ok(())
}

fn ident(kind: &str, id: &Ident) -> Node {
    Node::new(format!("{kind} {}", id.name), id.span)
}

fn names(kind: &str, span: Span, ids: &[Ident]) -> Node {
    Node::new(kind, span).with_all(ids.iter().map(|i| ident("name", i)))
}

/// The span covering a list of names; an empty list (`by ()`) is a point at
/// the end of its parent, so that it still lies inside it.
fn span_of(ids: &[Ident], parent: Span) -> Span {
    match (ids.first(), ids.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::point(parent.end),
    }
}

pub fn file(f: &File) -> Node {
    Node::new("file", f.span).with_all(f.items.iter().map(item))
}

fn item(it: &Item) -> Node {
    match it {
        Item::Tenant(d) => Node::new("tenant", d.span).with(ident("name", &d.name)),
        Item::Use(d) => Node::new("use", d.span)
            .with(ident("path", &d.path))
            .with_opt(d.names.as_ref().map(|n| names("names", span_of(n, d.span), n))),
        Item::Metric(d) => Node::new("metric", d.span)
            .with(ident("name", &d.name))
            .with(ident("kind", &d.kind))
            .with_opt(d.unit.as_ref().map(unit))
            .with_all(d.labels.iter().map(|l| {
                Node::new("label", l.span)
                    .with(ident("name", &l.name))
                    .with_opt(l.source.as_ref().map(|s| ident("source", s)))
            }))
            .with_opt(d.source.as_ref().map(|s| string("from", s)))
            .with_opt(d.lookback.as_ref().map(|e| labelled("lookback", e))),
        Item::Unit(d) => Node::new("unit", d.span)
            .with(match &d.name {
                UnitName::Ident(i) => ident("name", i),
                UnitName::Symbol(s) => string("symbol", s),
            })
            .with_opt(d.value.as_ref().map(expr)),
        Item::Fleet(d) => Node::new("fleet", d.span)
            .with(ident("name", &d.name))
            .with_opt(d.filter.as_ref().map(|e| labelled("where", e))),
        Item::Calendar(d) => Node::new("calendar", d.span)
            .with(ident("name", &d.name))
            .with(calendar(&d.spec))
            .with_opt(d.zone.as_ref().map(|z| string("zone", z))),
        Item::Action(d) => Node::new("action", d.span)
            .with(ident("name", &d.name))
            .with_all(d.params.iter().map(param))
            .with(action_body(&d.body, d.span)),
        Item::Fn(d) => Node::new("fn", d.span)
            .with(ident("name", &d.name))
            .with_all(d.params.iter().map(param))
            .with_opt(d.ret.as_ref().map(|t| type_expr("returns", t)))
            .with(expr(&d.body)),
        Item::Policy(d) => {
            let node =
                Node::new(if d.params.is_some() { "policy template" } else { "policy" }, d.span)
                    .with(ident("name", &d.name))
                    .with_all(d.params.iter().flatten().map(param));
            node.with(ident("on", &d.fleet)).with_all(d.clauses.iter().map(clause))
        }
        Item::Apply(d) => Node::new("apply", d.span)
            .with(ident("policy", &d.policy))
            .with_all(d.args.iter().map(arg))
            .with(ident("on", &d.fleet)),
        Item::Task(d) => Node::new("task", d.span)
            .with(ident("name", &d.name))
            .with(ident("on", &d.fleet))
            .with_all(d.clauses.iter().map(clause)),
        Item::Test(d) => Node::new("test", d.span)
            .with(ident("name", &d.name))
            .with_all(d.items.iter().map(test_item)),
        Item::Error(span) => Node::new("error", *span),
    }
}

fn calendar(spec: &CalendarSpec) -> Node {
    match spec {
        CalendarSpec::Daily { time } => {
            let n = time_range(time);
            Node::new("daily", n.span).with(n)
        }
        CalendarSpec::Weekly { days, time } => {
            let mut span = span_of(days, Span::default());
            let t = time.as_ref().map(time_range);
            if let Some(t) = &t {
                span = span.to(t.span);
            }
            Node::new("weekly", span)
                .with(names("days", span_of(days, Span::default()), days))
                .with_opt(t)
        }
        CalendarSpec::Monthly { nth, day, time } => {
            let t = time.as_ref().map(time_range);
            let mut span = nth.span;
            if let Some(d) = day {
                span = span.to(d.span);
            }
            if let Some(t) = &t {
                span = span.to(t.span);
            }
            Node::new("monthly", span)
                .with(ident("nth", nth))
                .with_opt(day.as_ref().map(|d| ident("day", d)))
                .with_opt(t)
        }
        CalendarSpec::Cron { schedule, duration } => {
            Node::new("cron", schedule.span.to(duration.span))
                .with(string("schedule", schedule))
                .with(labelled("for", duration))
        }
    }
}

fn time_range(t: &TimeRange) -> Node {
    match t {
        TimeRange::Between(a, b) => Node::new("between", a.span.to(b.span))
            .with(Node::new(format!("time {}", a.text), a.span))
            .with(Node::new(format!("time {}", b.text), b.span)),
        TimeRange::For(a, d) => Node::new("starting", a.span.to(d.span))
            .with(Node::new(format!("time {}", a.text), a.span))
            .with(labelled("for", d)),
    }
}

fn action_body(body: &ActionBody, parent: Span) -> Node {
    match body {
        ActionBody::Exec { argv } => {
            let span = match (argv.first(), argv.last()) {
                (Some(a), Some(b)) => a.span.to(b.span),
                _ => Span::point(parent.end),
            };
            Node::new("exec", span).with_all(argv.iter().map(expr))
        }
        ActionBody::Webhook { url, body } => {
            let span = body.as_ref().map_or(url.span, |b| url.span.to(b.span));
            Node::new("webhook", span)
                .with(expr(url))
                .with_opt(body.as_ref().map(|b| labelled("body", b)))
        }
        ActionBody::Notify { channel } => Node::new("notify", channel.span).with(expr(channel)),
    }
}

fn param(p: &Param) -> Node {
    Node::new("param", p.span)
        .with(ident("name", &p.name))
        .with_opt(p.ty.as_ref().map(|t| type_expr("type", t)))
        .with_opt(p.default.as_ref().map(|d| labelled("default", d)))
}

fn type_expr(kind: &str, t: &TypeExpr) -> Node {
    Node::new(format!("{kind} {}", t.name.name), t.span).with_opt(t.unit.as_ref().map(unit))
}

fn unit(u: &UnitExpr) -> Node {
    match u {
        UnitExpr::Name(i) => ident("unit", i),
        UnitExpr::One(span) => Node::new("unit 1", *span),
        UnitExpr::Mul(a, b) => Node::new("unit *", u.span()).with(unit(a)).with(unit(b)),
        UnitExpr::Div(a, b) => Node::new("unit /", u.span()).with(unit(a)).with(unit(b)),
        UnitExpr::Pow(a, n, span) => Node::new(format!("unit ^{n}"), *span).with(unit(a)),
    }
}

fn clause(c: &Clause) -> Node {
    let node = |label: &str| Node::new(label, c.span);
    match &c.kind {
        ClauseKind::Every { interval, jitter } => node("every")
            .with(expr(interval))
            .with_opt(jitter.as_ref().map(|j| labelled("jitter", j))),
        ClauseKind::Let { name, value } => node("let").with(ident("name", name)).with(expr(value)),
        ClauseKind::Level(l) => node("level")
            .with(ident("name", &l.level))
            .with(expr(&l.cond))
            .with_opt(l.hold.as_ref().map(hold))
            .with_opt(l.recover.as_ref().map(|r| {
                let span = r.hold.as_ref().map_or(r.cond.span, |h| r.cond.span.to(h.span));
                Node::new("recover", span)
                    .with(expr(&r.cond))
                    .with_opt(r.hold.as_ref().map(|h| labelled("for", h)))
            }))
            .with_opt(l.message.as_ref().map(|m| string("message", m))),
        ClauseKind::Keep(e) => node("keep").with(expr(e)),
        ClauseKind::Nodata { after, outcome } => {
            node("nodata").with(expr(after)).with(ident("then", outcome))
        }
        ClauseKind::Flapping { changes, window } => {
            node("flapping").with(labelled("changes", changes)).with(labelled("in", window))
        }
        ClauseKind::Message(m) => node("message").with(string("text", m)),
        ClauseKind::Labels(fields) => node("labels").with_all(fields.iter().map(field)),
        ClauseKind::On { level, steps } => {
            node("on").with(ident("level", level)).with_all(steps.iter().map(step))
        }
        ClauseKind::Escalate(steps) => {
            node("escalate").with_all(steps.iter().map(|s| {
                Node::new("after", s.span).with(expr(&s.after)).with(action_call(&s.call))
            }))
        }
        ClauseKind::Quiet(cal) => node("quiet during").with(ident("calendar", cal)),
        ClauseKind::Pause(cal) => node("pause during").with(ident("calendar", cal)),
        ClauseKind::Depends { policy, on } => node("depends on")
            .with(ident("policy", policy))
            .with_opt(on.as_ref().map(|l| names("by", span_of(l, c.span), l))),
        ClauseKind::During(cal) => node("during").with(ident("calendar", cal)),
        ClauseKind::When(e) => node("when").with(expr(e)),
        ClauseKind::Step(s) => step(s),
        ClauseKind::Error => node("error"),
    }
}

fn hold(h: &Hold) -> Node {
    match h {
        Hold::Duration(d) => labelled("for", d),
        Hold::Checks(n) => Node::new("for checks", n.span).with(expr(n)),
        Hold::OfChecks(n, m) => {
            Node::new("for of checks", n.span.to(m.span)).with(expr(n)).with(expr(m))
        }
    }
}

fn step(s: &Step) -> Node {
    let node = |label: &str| Node::new(label, s.span);
    match &s.kind {
        StepKind::Run(call) => action_call(call),
        StepKind::Verify { cond, within } => {
            node("verify").with(expr(cond)).with(labelled("within", within))
        }
        StepKind::Cooldown(d) => node("cooldown").with(expr(d)),
        StepKind::AtMost { count, per, then_escalate } => {
            node(if *then_escalate { "at most then escalate" } else { "at most" })
                .with(expr(count))
                .with(labelled("per", per))
        }
        StepKind::AtMostOfFleet(share) => node("at most of fleet").with(expr(share)),
        StepKind::Concurrency(n) => node("concurrency").with(expr(n)),
        StepKind::DryRun => node("dry run"),
        StepKind::Error => node("error"),
    }
}

fn action_call(c: &ActionCall) -> Node {
    Node::new("run", c.span)
        .with(ident("action", &c.action))
        .with_all(c.args.iter().map(arg))
        .with_opt(c.timeout.as_ref().map(|t| labelled("timeout", t)))
        .with_opt(c.retry.as_ref().map(|r| {
            let span = r.backoff.as_ref().map_or(r.count.span, |b| r.count.span.to(b.span));
            Node::new("retry", span)
                .with(expr(&r.count))
                .with_opt(r.backoff.as_ref().map(|b| labelled("backoff", b)))
        }))
}

fn test_item(t: &TestItem) -> Node {
    let node = |label: &str| Node::new(label, t.span);
    match &t.kind {
        TestItemKind::Series { metric, labels, value, every, duration } => node("series")
            .with(ident("metric", metric))
            .with_all(labels.iter().map(matcher))
            .with(expr(value))
            .with_opt(every.as_ref().map(|e| labelled("every", e)))
            .with_opt(duration.as_ref().map(|d| labelled("for", d))),
        TestItemKind::Expect { what, on, at } => {
            let head = match what {
                Expectation::State { level, state } => {
                    let span = state.as_ref().map_or(level.span, |s| level.span.to(s.span));
                    Node::new("state", span)
                        .with(ident("level", level))
                        .with_opt(state.as_ref().map(|s| ident("state", s)))
                }
                Expectation::Action(a) => ident("action", a),
                Expectation::NoAction(a) => match a {
                    Some(a) => ident("no action", a),
                    None => Node::new("no action", t.span),
                },
                Expectation::Event(e) => ident("event", e),
            };
            let head_is_point = matches!(what, Expectation::NoAction(None));
            let mut n = node("expect");
            if !head_is_point {
                n = n.with(head);
            }
            n.with_all(on.iter().flatten().map(matcher))
                .with_opt(at.as_ref().map(|a| labelled("at", a)))
        }
        TestItemKind::Error => node("error"),
    }
}

fn labelled(label: &str, e: &Expr) -> Node {
    Node::new(label, e.span).with(expr(e))
}

fn string(label: &str, s: &StrLit) -> Node {
    Node::new(format!("{label} {:?}", s.raw), s.span)
}

fn field(f: &Field) -> Node {
    Node::new(format!("field {}", f.key.name), f.span).with(expr(&f.value))
}

fn matcher(m: &Matcher) -> Node {
    Node::new(format!("match {} {}", m.label.name, m.op.symbol()), m.span).with(expr(&m.value))
}

fn arg(a: &Arg) -> Node {
    let label = match &a.name {
        Some(n) => format!("arg {}", n.name),
        None => "arg".into(),
    };
    Node::new(label, a.span)
        .with(expr(&a.value))
        .with_opt(a.over.as_ref().map(|o| labelled("over", o)))
}

pub fn expr(e: &Expr) -> Node {
    let node = |label: String| Node::new(label, e.span);
    match &e.kind {
        ExprKind::Quantity(q) => node(format!("quantity {}", q.text())),
        ExprKind::Str(s) => node(format!("string {:?}", s.raw)),
        ExprKind::Bool(b) => node(format!("bool {b}")),
        ExprKind::Name(n) => node(format!("name {}", n.name)),
        ExprKind::Selector { metric, matchers } => {
            node(format!("selector {}", metric.name)).with_all(matchers.iter().map(matcher))
        }
        ExprKind::Call { func, args, by } => node(format!("call {}", func.name))
            .with_all(args.iter().map(arg))
            .with_opt(by.as_ref().map(|b| names("by", span_of(b, e.span), b))),
        ExprKind::Unary { op, operand } => {
            node(format!("{op:?}").to_lowercase()).with(expr(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            node(op.symbol().to_string()).with(expr(lhs)).with(expr(rhs))
        }
        ExprKind::If { cond, then, otherwise } => {
            node("if".into()).with(expr(cond)).with(expr(then)).with(expr(otherwise))
        }
        ExprKind::In { value, list, negated } => {
            node(if *negated { "not in".into() } else { "in".into() })
                .with(expr(value))
                .with_all(list.iter().map(expr))
        }
        ExprKind::List(items) => node("list".into()).with_all(items.iter().map(expr)),
        ExprKind::Record(fields) => node("record".into()).with_all(fields.iter().map(field)),
        ExprKind::Error => node("error".into()),
    }
}
