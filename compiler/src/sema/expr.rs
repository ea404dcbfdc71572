//! Types of expressions: names, units, windows, calls and operators.

use super::builtins::{self, Input, Returns};
use super::env::{Env, TARGET_LABELS, lookup};
use super::types::{MetricKind, Ty};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::package::Module;
use crate::resolve::{DeclKind, DeclRef};
use crate::units::Dimension;
use std::collections::BTreeSet;
use upkeep_grammar::Span;
use upkeep_grammar::ast::{Arg, BinaryOp, Expr, ExprKind, Ident, MatchOp, Matcher, UnaryOp};

/// A `let` or a parameter in scope.
#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
    pub used: bool,
    pub is_let: bool,
}

/// What a name that is neither local nor declared may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// In a policy or task: a label of the instance (`host`, `mount`).
    Policy,
    /// In `fleet … where`: any host label (`role`, `site`), from series labels or the inventory.
    HostLabels,
    /// In a test's series: `t`, the time since the test started.
    TestSeries,
    /// Elsewhere (functions, actions): nothing more.
    Plain,
}

/// The checker's state inside one body.
pub struct Cx<'e, 'p> {
    pub env: &'e Env<'p>,
    pub module: &'p Module,
    pub out: &'e mut Vec<Diagnostic>,
    pub locals: Vec<Local>,
    pub names: Names,
    /// Labels of the metrics read so far: what `{label}` may interpolate.
    pub labels: BTreeSet<String>,
    /// Declarations referred to, for the tenancy check.
    pub referenced: Vec<(DeclRef, Span)>,
    /// The type of every expression checked, by span (for `--emit typed`).
    pub types: Vec<(Span, Ty)>,
}

impl<'e, 'p> Cx<'e, 'p> {
    pub fn new(
        env: &'e Env<'p>,
        module: &'p Module,
        out: &'e mut Vec<Diagnostic>,
        names: Names,
    ) -> Self {
        let labels = TARGET_LABELS.iter().map(|s| s.to_string()).collect();
        Cx {
            env,
            module,
            out,
            locals: Vec::new(),
            names,
            labels,
            referenced: Vec::new(),
            types: Vec::new(),
        }
    }

    pub fn error(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic::error(code, &self.module.file, message, Label::new(span, label)));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    pub fn bind(&mut self, name: &Ident, ty: Ty, is_let: bool) {
        self.locals.push(Local {
            name: name.name.clone(),
            ty,
            span: name.span,
            used: false,
            is_let,
        });
    }

    /// A declaration visible from this module, noted for the tenancy check.
    pub fn decl(&mut self, name: &Ident, kinds: &[DeclKind]) -> Option<DeclRef> {
        let found = lookup(self.env, self.module.id, &name.name, kinds)?;
        self.referenced.push((found, name.span));
        Some(found)
    }

    /// Reports an unknown name of the given kinds, with a suggestion.
    pub fn unknown(&mut self, code: Code, what: &str, name: &Ident, kinds: &[DeclKind]) {
        let mut suggestion = self.env.scopes.of(self.module.id).suggest(&name.name, kinds);
        if suggestion.is_none() && kinds.contains(&DeclKind::Fn) {
            suggestion = crate::suggest::closest(&name.name, builtins::names()).map(str::to_string);
        }
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => "declare it, or import the module that declares it with `use`".to_string(),
        };
        self.error(
            code,
            name.span,
            format!("unknown {what} `{}`", name.name),
            format!("no {what} of this name is visible here"),
        )
        .help = Some(help);
    }

    /// The type of an expression.
    pub fn infer(&mut self, e: &Expr) -> Ty {
        let ty = self.infer_kind(e);
        self.types.push((e.span, ty.clone()));
        ty
    }

    fn infer_kind(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Quantity(q) => match self.env.units.quantity(q, e.span) {
                Ok((_, dim)) => Ty::Number(dim),
                Err(err) => {
                    self.out.push(super::unit_error(&self.module.file, &err));
                    Ty::Unknown
                }
            },
            ExprKind::Str(s) => {
                self.check_interpolations(s);
                Ty::Text
            }
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Name(name) => self.name(name),
            ExprKind::Selector { metric, matchers } => self.selector(metric, matchers),
            ExprKind::Call { func, args, by } => self.call(e.span, func, args, by.as_deref()),
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                self.expect_bool(operand, "`not`");
                Ty::Bool
            }
            ExprKind::Unary { op: UnaryOp::Neg, operand } => match self.value(operand) {
                t @ (Ty::Number(_) | Ty::Unknown) => t,
                other => self.wrong_type(operand.span, "`-` needs a number", &other),
            },
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::If { cond, then, otherwise } => {
                self.expect_bool(cond, "`if`");
                let a = self.value(then);
                let b = self.value(otherwise);
                self.same(&a, &b, then.span, otherwise.span, "the two branches of `if`")
            }
            ExprKind::In { value, list, .. } => {
                let v = self.value(value);
                for item in list {
                    let t = self.value(item);
                    self.same(
                        &v,
                        &t,
                        value.span,
                        item.span,
                        "a value and the items it is looked for among",
                    );
                }
                Ty::Bool
            }
            ExprKind::List(items) => {
                let mut ty = Ty::Unknown;
                for item in items {
                    let t = self.value(item);
                    ty = if ty.is_unknown() {
                        t
                    } else {
                        self.same(&ty, &t, items[0].span, item.span, "the items of a list")
                    };
                }
                Ty::List(Box::new(ty))
            }
            ExprKind::Record(fields) => {
                for f in fields {
                    self.value(&f.value);
                }
                Ty::Record
            }
            ExprKind::Error => Ty::Unknown,
        }
    }

    /// The type of an expression used as a value: a gauge stands for its
    /// latest sample, a state metric for its text; a counter's raw value is
    /// meaningless, so using one is an error.
    pub fn value(&mut self, e: &Expr) -> Ty {
        match self.infer(e) {
            Ty::Series { kind: MetricKind::Gauge, dim } => Ty::Number(dim),
            Ty::Series { kind: MetricKind::State, .. } => Ty::Text,
            Ty::Series { kind: MetricKind::Counter, dim } => {
                let name = metric_name(e).unwrap_or("x");
                self.error(
                    Code::CounterUsedRaw,
                    e.span,
                    format!("`{name}` is a counter; its raw value only ever grows"),
                    "a counter",
                )
                .help = Some(format!(
                    "use its rate, as in `rate({name} over 5m)`, or `increase({name} over 1h)`"
                ));
                let _ = dim;
                Ty::Unknown
            }
            other => other,
        }
    }

    pub fn expect_bool(&mut self, e: &Expr, context: &str) {
        match self.value(e) {
            Ty::Bool | Ty::Unknown => {}
            other => {
                let described = other.describe(&self.env.units);
                self.error(
                    Code::NotACondition,
                    e.span,
                    format!("{context} needs a condition, found {described}"),
                    "not a condition",
                )
                .help = Some("compare it, as in `used > 80%`".into());
            }
        }
    }

    /// `for`, `every`, `within`…: a duration.
    pub fn expect_duration(&mut self, e: &Expr, keyword: &str) {
        let seconds = self.env.seconds();
        match self.value(e) {
            Ty::Unknown => {}
            Ty::Number(d) if d == seconds => {}
            other => {
                let described = other.describe(&self.env.units);
                self.error(
                    Code::ExpectedDuration,
                    e.span,
                    format!("`{keyword}` needs a duration, found {described}"),
                    "not a duration",
                )
                .help = Some("write a duration such as `30s`, `5m`, `2h` or `1d`".into());
            }
        }
    }

    /// `retry 2`, `at most 3 per …`: a plain whole number.
    pub fn expect_count(&mut self, e: &Expr, context: &str) -> Option<f64> {
        match self.value(e) {
            Ty::Unknown => return None,
            Ty::Number(d) if d.is_dimensionless() => {}
            other => {
                let described = other.describe(&self.env.units);
                self.error(
                    Code::ExpectedCount,
                    e.span,
                    format!("{context} needs a plain number, found {described}"),
                    "not a count",
                );
                return None;
            }
        }
        let ExprKind::Quantity(q) = &e.kind else { return None };
        let n = self.env.units.quantity(q, e.span).ok()?.0;
        if n < 0.0 || n.fract() != 0.0 {
            self.error(
                Code::ExpectedCount,
                e.span,
                format!("{context} needs a whole number, found `{}`", q.text()),
                "not a whole number",
            );
            return None;
        }
        Some(n)
    }

    pub fn expect_text(&mut self, e: &Expr, context: &str) {
        match self.value(e) {
            Ty::Text | Ty::Unknown => {}
            other => {
                let described = other.describe(&self.env.units);
                self.error(
                    Code::TypeMismatch,
                    e.span,
                    format!("{context} must be text, found {described}"),
                    "not text",
                )
                .help = Some("put it in a string with interpolation: `\"{name}\"`".into());
            }
        }
    }

    fn wrong_type(&mut self, span: Span, message: &str, found: &Ty) -> Ty {
        let described = found.describe(&self.env.units);
        self.error(Code::TypeMismatch, span, format!("{message}, found {described}"), "here");
        Ty::Unknown
    }

    fn name(&mut self, name: &Ident) -> Ty {
        if let Some(local) = self.locals.iter_mut().rev().find(|l| l.name == name.name) {
            local.used = true;
            return local.ty.clone();
        }
        if let Some(d) = self.decl(name, &[DeclKind::Metric]) {
            if let Some(m) = self.env.metric(d) {
                self.labels.extend(m.labels.iter().cloned());
                return Ty::Series { kind: m.kind, dim: m.dim.clone() };
            }
            return Ty::Unknown;
        }
        match (self.names, name.name.as_str()) {
            // Seconds since the Unix epoch, as timestamps in metrics are.
            (_, "now") => self.env.duration(),
            (_, "hour_of_day" | "day_of_week") => Ty::number(),
            (Names::TestSeries, "t") => self.env.duration(),
            (Names::HostLabels, _) => Ty::Text,
            (Names::Policy, label)
                if self.labels.contains(label) || self.env.host_labels.contains(label) =>
            {
                Ty::Text
            }
            _ => {
                let mut suggestion =
                    self.locals.iter().map(|l| l.name.as_str()).collect::<Vec<_>>();
                suggestion.extend(self.labels.iter().map(String::as_str));
                let near_local =
                    crate::suggest::closest(&name.name, suggestion).map(str::to_string);
                let near_decl =
                    self.env.scopes.of(self.module.id).suggest(&name.name, &[DeclKind::Metric]);
                let help = match near_local.or(near_decl) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a name is a `let`, a parameter, a label of the metrics used here, or a metric".into(),
                };
                self.error(
                    Code::UnknownName,
                    name.span,
                    format!("unknown name `{}`", name.name),
                    "not defined here",
                )
                .help = Some(help);
                Ty::Unknown
            }
        }
    }

    fn selector(&mut self, metric: &Ident, matchers: &[Matcher]) -> Ty {
        let Some(d) = self.decl(metric, &[DeclKind::Metric]) else {
            self.unknown(Code::UnknownMetric, "metric", metric, &[DeclKind::Metric]);
            for m in matchers {
                self.matcher_value(m);
            }
            return Ty::Unknown;
        };
        let Some(info) = self.env.metric(d).cloned() else { return Ty::Unknown };
        for m in matchers {
            let declared = info.labels.contains(&m.label.name)
                || TARGET_LABELS.contains(&m.label.name.as_str());
            if !declared {
                let near =
                    crate::suggest::closest(&m.label.name, info.labels.iter().map(String::as_str))
                        .map(str::to_string);
                let listed = if info.labels.is_empty() {
                    "none".to_string()
                } else {
                    info.labels.join(", ")
                };
                self.error(
                    Code::UnknownLabel,
                    m.label.span,
                    format!("metric `{}` has no label `{}`", metric.name, m.label.name),
                    "not a label of this metric",
                )
                .help = Some(match near {
                    Some(s) => format!("did you mean `{s}`? (its labels: {listed})"),
                    None => format!(
                        "its labels: {listed}; and every series has {}",
                        TARGET_LABELS.join(", ")
                    ),
                });
            }
            self.matcher_value(m);
            if matches!(m.op, MatchOp::Re | MatchOp::NotRe) {
                crate::check::pattern::check_matcher_regex(m, &self.module.file, self.out);
            }
        }
        self.labels.extend(info.labels.iter().cloned());
        Ty::Series { kind: info.kind, dim: info.dim }
    }

    fn matcher_value(&mut self, m: &Matcher) {
        if let ExprKind::Name(_) = m.value.kind {
            self.expect_text(&m.value, "a label matcher's value");
        }
    }

    /// Checks that every `{name}` in a string can be interpolated here.
    pub fn check_interpolations(&mut self, s: &upkeep_grammar::ast::StrLit) {
        if self.names == Names::Plain && self.locals.is_empty() {
            return;
        }
        for part in &s.parts {
            let upkeep_grammar::ast::StrPart::Interp(name) = part else { continue };
            let known = self.locals.iter().any(|l| l.name == name.name)
                || self.labels.contains(&name.name)
                || self.env.host_labels.contains(&name.name)
                || matches!(
                    name.name.as_str(),
                    "policy" | "level" | "tenant" | "value" | "instance"
                )
                || (self.names == Names::HostLabels)
                || lookup(self.env, self.module.id, &name.name, &[DeclKind::Metric]).is_some();
            if let Some(local) = self.locals.iter_mut().find(|l| l.name == name.name) {
                local.used = true;
            }
            if !known {
                let mut candidates: Vec<&str> =
                    self.locals.iter().map(|l| l.name.as_str()).collect();
                candidates.extend(self.labels.iter().map(String::as_str));
                let near = crate::suggest::closest(&name.name, candidates).map(str::to_string);
                self.error(
                    Code::UnknownInterpolation,
                    name.span,
                    format!("`{{{}}}` names nothing that can be shown here", name.name),
                    "unknown name",
                )
                .help = Some(match near {
                    Some(s) => format!("did you mean `{{{s}}}`?"),
                    None => "interpolate a label of the metrics used, a `let`, a parameter, or `policy`, `level`, `tenant`".into(),
                });
            }
        }
    }

    fn call(&mut self, span: Span, func: &Ident, args: &[Arg], by: Option<&[Ident]>) -> Ty {
        let windowed = args.iter().any(|a| a.over.is_some());
        if let Some(w) = builtins::windowed(&func.name).filter(|_| windowed) {
            return self.windowed_call(span, w, func, args);
        }
        if by.is_some() || (builtins::ACROSS.contains(&func.name.as_str()) && args.len() == 1) {
            if builtins::ACROSS.contains(&func.name.as_str()) {
                return self.across(func, args);
            }
            self.error(
                Code::BadArguments,
                func.span,
                format!("`{}` cannot group across instances with `by`", func.name),
                "no `by` here",
            )
            .help = Some(format!("`by (…)` goes with {}", builtins::ACROSS.join(", ")));
        }
        if builtins::windowed(&func.name).is_some()
            && !builtins::PLAIN.contains(&func.name.as_str())
        {
            self.error(
                Code::MissingWindow,
                span,
                format!("`{}` needs a window", func.name),
                "no `over` here",
            )
            .help = Some(format!(
                "write the window after the series, as in `{}(x over 5m)`",
                func.name
            ));
            return Ty::Unknown;
        }
        match func.name.as_str() {
            "abs" | "round" | "floor" | "ceil" => self.numeric_args(func, args, 1),
            "min" | "max" => self.numeric_args(func, args, args.len().max(2)),
            "ewma" => {
                let ty = self.numeric_args(func, &args[..args.len().min(1)], 1);
                if let Some(alpha) = args.get(1) {
                    self.expect_count_like(&alpha.value);
                }
                ty
            }
            "hour_of_day" | "day_of_week" => Ty::number(),
            _ => self.user_call(func, args),
        }
    }

    fn expect_count_like(&mut self, e: &Expr) {
        match self.value(e) {
            Ty::Number(d) if d.is_dimensionless() => {}
            Ty::Unknown => {}
            other => {
                self.wrong_type(e.span, "this needs a plain number", &other);
            }
        }
    }

    fn numeric_args(&mut self, func: &Ident, args: &[Arg], expected: usize) -> Ty {
        if args.len() != expected {
            self.error(
                Code::BadArguments,
                func.span,
                format!(
                    "`{}` takes {expected} argument{}, found {}",
                    func.name,
                    if expected == 1 { "" } else { "s" },
                    args.len()
                ),
                "here",
            );
        }
        let mut ty = Ty::Unknown;
        for a in args {
            let t = self.value(&a.value);
            if !matches!(t, Ty::Number(_) | Ty::Unknown) {
                self.wrong_type(a.value.span, &format!("`{}` needs numbers", func.name), &t);
                continue;
            }
            ty = if ty.is_unknown() {
                t
            } else {
                self.same(&ty, &t, args[0].value.span, a.value.span, "the arguments")
            };
        }
        ty
    }

    fn across(&mut self, func: &Ident, args: &[Arg]) -> Ty {
        let Some(arg) = args.first() else { return Ty::Unknown };
        if func.name == "count" {
            let t = self.value(&arg.value);
            if !matches!(t, Ty::Bool | Ty::Unknown) {
                self.wrong_type(
                    arg.value.span,
                    "`count(…) by` counts instances where a condition holds",
                    &t,
                );
            }
            return Ty::number();
        }
        match self.value(&arg.value) {
            t @ (Ty::Number(_) | Ty::Unknown) => t,
            other => {
                self.wrong_type(arg.value.span, &format!("`{}` needs numbers", func.name), &other)
            }
        }
    }

    fn windowed_call(
        &mut self,
        span: Span,
        w: &builtins::Windowed,
        func: &Ident,
        args: &[Arg],
    ) -> Ty {
        let Some(position) = args.iter().position(|a| a.over.is_some()) else { return Ty::Unknown };
        if position != w.leading {
            self.error(
                Code::BadArguments,
                args[position].span,
                format!("`over` belongs on argument {} of `{}`", w.leading + 1, func.name),
                "here",
            );
        }
        for a in &args[..position] {
            self.expect_count_like(&a.value);
        }
        let window = &args[position];
        if let Some(over) = &window.over {
            self.expect_duration(over, "over");
        }
        let input = if w.input == Input::Condition {
            self.expect_bool(&window.value, &format!("`{}`", func.name));
            Ty::number()
        } else {
            self.window_input(w, func, &window.value)
        };
        let trailing = &args[position + 1..];
        for (i, name) in w.trailing.iter().enumerate() {
            let Some(a) = trailing.get(i) else {
                self.error(
                    Code::BadArguments,
                    span,
                    format!("`{}` needs `{name}`", func.name),
                    "missing an argument",
                );
                continue;
            };
            match *name {
                "at" => self.expect_duration(&a.value, "at"),
                _ => {
                    let t = self.value(&a.value);
                    if let Ty::Number(dim) = &input {
                        self.same(
                            &Ty::Number(dim.clone()),
                            &t,
                            window.value.span,
                            a.value.span,
                            "the series and its threshold",
                        );
                    }
                }
            }
        }
        if trailing.len() > w.trailing.len() {
            self.error(
                Code::BadArguments,
                trailing[w.trailing.len()].span,
                format!("too many arguments to `{}`", func.name),
                "extra",
            );
        }
        let Ty::Number(dim) = input else { return Ty::Unknown };
        match w.returns {
            Returns::Same => Ty::Number(dim),
            Returns::PerSecond => {
                Ty::Number(dim.div(&self.env.seconds()).unwrap_or_else(|_| Dimension::one()))
            }
            Returns::Count | Returns::Ratio => Ty::number(),
            Returns::Duration => self.env.duration(),
        }
    }

    /// The series a window reads, checked against what the function needs.
    fn window_input(&mut self, w: &builtins::Windowed, func: &Ident, e: &Expr) -> Ty {
        match self.infer(e) {
            Ty::Series { kind, dim } => {
                let name = metric_name(e).unwrap_or("x");
                match (w.input, kind) {
                    (Input::Counter, MetricKind::Gauge) => {
                        self.error(
                            Code::WrongSeriesKind,
                            e.span,
                            format!("`{}` is for counters; `{name}` is a gauge", func.name),
                            "a gauge",
                        )
                        .help = Some(format!(
                            "for how fast a gauge changes use `deriv({name} over …)`; for its change use `delta`"
                        ));
                        Ty::Unknown
                    }
                    (Input::Gauge, MetricKind::Counter) => {
                        self.error(Code::CounterUsedRaw, e.span, format!("`{}` of a counter's raw values means little: `{name}` only ever grows", func.name), "a counter")
                            .help = Some(format!("take its rate first: `rate({name} over 5m)`"));
                        Ty::Unknown
                    }
                    (_, MetricKind::State) if w.input != Input::Any => {
                        self.error(
                            Code::WrongSeriesKind,
                            e.span,
                            format!(
                                "`{name}` is a state metric (text); `{}` needs numbers",
                                func.name
                            ),
                            "a state",
                        );
                        Ty::Unknown
                    }
                    _ => Ty::Number(dim),
                }
            }
            Ty::Unknown => Ty::Unknown,
            // A `let` computed at every evaluation is a series of its own:
            // the runtime keeps its window per instance.
            Ty::Number(dim) if w.input != Input::Counter && is_let(self, e) => Ty::Number(dim),
            other => {
                let described = other.describe(&self.env.units);
                self.error(Code::WindowOnValue, e.span, format!("`{}` reads a window of a series, found {described}", func.name), "not a series")
                    .help = Some("windows apply to metrics (`disk.free{mount=\"/\"} over 6h`) and to `let`s; name the value with `let` and window that".into());
                Ty::Unknown
            }
        }
    }

    fn user_call(&mut self, func: &Ident, args: &[Arg]) -> Ty {
        let Some(d) = self.decl(func, &[DeclKind::Fn]) else {
            self.unknown(Code::UnknownFunction, "function", func, &[DeclKind::Fn]);
            for a in args {
                self.infer(&a.value);
            }
            return Ty::Unknown;
        };
        let sig = self.env.signature(d).cloned().unwrap_or_default();
        self.check_args(func, &sig, args, "function");
        sig.ret.clone().unwrap_or(Ty::Unknown)
    }

    /// Arguments against parameters: count, names and types.
    pub fn check_args(
        &mut self,
        callee: &Ident,
        sig: &super::env::Signature,
        args: &[Arg],
        what: &str,
    ) {
        let mut filled = vec![false; sig.params.len()];
        for (i, a) in args.iter().enumerate() {
            let index = match &a.name {
                Some(n) => match sig.params.iter().position(|p| p.0 == n.name) {
                    Some(k) => k,
                    None => {
                        let near = crate::suggest::closest(
                            &n.name,
                            sig.params.iter().map(|p| p.0.as_str()),
                        )
                        .map(str::to_string);
                        self.error(
                            Code::BadArguments,
                            n.span,
                            format!("{what} `{}` has no parameter `{}`", callee.name, n.name),
                            "unknown parameter",
                        )
                        .help = Some(match near {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!(
                                "its parameters: {}",
                                sig.params
                                    .iter()
                                    .map(|p| p.0.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        });
                        self.infer(&a.value);
                        continue;
                    }
                },
                None if i < sig.params.len() => i,
                None => {
                    self.error(
                        Code::BadArguments,
                        a.span,
                        format!(
                            "{what} `{}` takes {} argument{}",
                            callee.name,
                            sig.params.len(),
                            if sig.params.len() == 1 { "" } else { "s" }
                        ),
                        "one too many",
                    );
                    self.infer(&a.value);
                    continue;
                }
            };
            filled[index] = true;
            let expected = sig.params[index].1.clone();
            let found = if matches!(expected, Ty::Series { .. }) {
                self.infer(&a.value)
            } else {
                self.value(&a.value)
            };
            if !compatible(&expected, &found) {
                let (e, f) = (expected.describe(&self.env.units), found.describe(&self.env.units));
                self.error(
                    Code::BadArguments,
                    a.value.span,
                    format!(
                        "`{}` of {what} `{}` must be {e}, found {f}",
                        sig.params[index].0, callee.name
                    ),
                    f.to_string(),
                );
            }
        }
        let missing: Vec<&str> = sig
            .params
            .iter()
            .zip(&filled)
            .filter(|(p, f)| !**f && !p.2)
            .map(|(p, _)| p.0.as_str())
            .collect();
        if !missing.is_empty() {
            self.error(
                Code::BadArguments,
                callee.span,
                format!(
                    "{what} `{}` needs {}",
                    callee.name,
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
                "missing arguments",
            );
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span) -> Ty {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.expect_bool(lhs, &format!("`{}`", op.symbol()));
                self.expect_bool(rhs, &format!("`{}`", op.symbol()));
                Ty::Bool
            }
            BinaryOp::Add | BinaryOp::Sub => {
                let (a, b) = (self.value(lhs), self.value(rhs));
                self.arith_same(op, &a, &b, lhs, rhs)
            }
            BinaryOp::Mul | BinaryOp::Div => {
                let (a, b) = (self.value(lhs), self.value(rhs));
                match (a, b) {
                    (Ty::Number(x), Ty::Number(y)) => {
                        let d = if op == BinaryOp::Mul { x.mul(&y) } else { x.div(&y) };
                        Ty::Number(d.unwrap_or_else(|_| Dimension::one()))
                    }
                    (Ty::Unknown, _) | (_, Ty::Unknown) => Ty::Unknown,
                    (x, y) => {
                        let bad =
                            if matches!(x, Ty::Number(_)) { (rhs.span, y) } else { (lhs.span, x) };
                        self.wrong_type(bad.0, &format!("`{}` needs numbers", op.symbol()), &bad.1)
                    }
                }
            }
            _ => {
                let (a, b) = (self.value(lhs), self.value(rhs));
                let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                match (&a, &b) {
                    (Ty::Text, Ty::Text) | (Ty::Bool, Ty::Bool) if ordering => {
                        self.error(
                            Code::TypeMismatch,
                            span,
                            format!(
                                "`{}` orders numbers and times; it cannot order {}",
                                op.symbol(),
                                a.describe(&self.env.units)
                            ),
                            "here",
                        );
                    }
                    _ => {
                        self.mismatch_check(op, &a, &b, lhs, rhs);
                        super::warnings::percent_as_plain_number(self, lhs, rhs);
                    }
                }
                Ty::Bool
            }
        }
    }

    fn arith_same(&mut self, op: BinaryOp, a: &Ty, b: &Ty, lhs: &Expr, rhs: &Expr) -> Ty {
        if !matches!(a, Ty::Number(_) | Ty::Unknown) {
            return self.wrong_type(lhs.span, &format!("`{}` needs numbers", op.symbol()), a);
        }
        if !matches!(b, Ty::Number(_) | Ty::Unknown) {
            return self.wrong_type(rhs.span, &format!("`{}` needs numbers", op.symbol()), b);
        }
        self.mismatch_check(op, a, b, lhs, rhs)
    }

    /// Two operands must have the same type and unit; if not, say what
    /// each side is and, where one is computable, how to fix it.
    fn mismatch_check(&mut self, op: BinaryOp, a: &Ty, b: &Ty, lhs: &Expr, rhs: &Expr) -> Ty {
        if a.is_unknown() || b.is_unknown() {
            return if a.is_unknown() { b.clone() } else { a.clone() };
        }
        if a == b {
            return a.clone();
        }
        let units = &self.env.units;
        let (la, lb) = (a.unit_label(units), b.unit_label(units));
        let help = super::suggest::mismatch_fix(self.env, self.module, a, b, lhs, rhs);
        let verb = match op {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "subtract",
            _ => "compare",
        };
        let d = Diagnostic::error(
            Code::DimensionMismatch,
            &self.module.file,
            format!("cannot {verb} {} and {}", a.describe(units), b.describe(units)),
            Label::new(lhs.span, format!("this is {la}")),
        )
        .with_secondary(Label::new(rhs.span, format!("this is {lb}")));
        self.out.push(match help {
            Some(h) => d.with_help(h),
            None => d.with_help(format!("both sides of `{}` need the same unit", op.symbol())),
        });
        Ty::Unknown
    }

    fn same(&mut self, a: &Ty, b: &Ty, sa: Span, sb: Span, what: &str) -> Ty {
        if a.is_unknown() || b.is_unknown() || a == b {
            return if a.is_unknown() { b.clone() } else { a.clone() };
        }
        let units = &self.env.units;
        let d = Diagnostic::error(
            Code::DimensionMismatch,
            &self.module.file,
            format!("{what} must have the same type and unit"),
            Label::new(sa, format!("this is {}", a.unit_label(units))),
        )
        .with_secondary(Label::new(sb, format!("this is {}", b.unit_label(units))));
        self.out.push(d);
        Ty::Unknown
    }
}

/// Whether `e` names a `let` in scope.
fn is_let(cx: &Cx<'_, '_>, e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Name(n) if cx.locals.iter().any(|l| l.is_let && l.name == n.name))
}

/// Whether a value of type `found` may be passed where `expected` is declared.
pub fn compatible(expected: &Ty, found: &Ty) -> bool {
    match (expected, found) {
        (Ty::Unknown, _) | (_, Ty::Unknown) => true,
        (Ty::Series { kind: a, dim: x }, Ty::Series { kind: b, dim: y }) => a == b && x == y,
        (a, b) => a == b,
    }
}

/// The metric an expression reads directly, for messages.
pub fn metric_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Name(n) => Some(&n.name),
        ExprKind::Selector { metric, .. } => Some(&metric.name),
        _ => None,
    }
}
