//! What the checker knows about a package before it checks any body:
//! the unit table, and the signature of every metric, function, action and
//! template policy, computed once.

use super::types::{MetricKind, Ty};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::package::{Module, ModuleId, Package};
use crate::resolve::{DeclKind, DeclRef, Scopes};
use crate::units::{Dimension, UnitTable};
use std::collections::HashMap;
use upkeep_grammar::ast::{Item, Param, TypeExpr};

/// A metric as declared.
#[derive(Clone, Debug)]
pub struct MetricInfo {
    pub kind: MetricKind,
    pub dim: Dimension,
    /// What one exporter unit is in base units (`percent`: 0.01).
    pub scale: f64,
    pub labels: Vec<String>,
}

/// A parameter list, typed.
#[derive(Clone, Debug, Default)]
pub struct Signature {
    pub params: Vec<(String, Ty, bool /* has a default */)>,
    pub ret: Option<Ty>,
}

#[derive(Debug)]
pub struct Env<'p> {
    /// The package being checked, for lookups that need its modules.
    pub package: &'p Package,
    pub scopes: Scopes,
    pub units: UnitTable,
    pub metrics: HashMap<(ModuleId, usize), MetricInfo>,
    pub signatures: HashMap<(ModuleId, usize), Signature>,
    /// Labels a host may carry (from series or the inventory): the usual
    /// inventory columns and every label a fleet of the package filters on.
    pub host_labels: std::collections::BTreeSet<String>,
}

/// The inventory columns every host may have.
pub const INVENTORY_LABELS: &[&str] = &["host", "client", "site", "role", "os"];

/// Labels every series has, whatever its metric declares: they come from
/// the scrape target or the agent, not the exporter.
pub const TARGET_LABELS: &[&str] = &["host", "client", "instance", "job"];

impl<'p> Env<'p> {
    pub fn metric(&self, d: DeclRef) -> Option<&MetricInfo> {
        self.metrics.get(&(d.module, d.item))
    }

    pub fn signature(&self, d: DeclRef) -> Option<&Signature> {
        self.signatures.get(&(d.module, d.item))
    }

    /// The duration dimension (seconds); dimensionless if `std.units` is broken.
    pub fn seconds(&self) -> Dimension {
        self.units.seconds().unwrap_or_else(Dimension::one)
    }

    pub fn duration(&self) -> Ty {
        Ty::Number(self.seconds())
    }
}

/// Computes metric and signature tables, reporting bad type annotations.
pub fn build<'p>(
    package: &'p Package,
    scopes: Scopes,
    units: UnitTable,
    out: &mut Vec<Diagnostic>,
) -> Env<'p> {
    let mut env = Env {
        package,
        scopes,
        units,
        metrics: HashMap::new(),
        signatures: HashMap::new(),
        host_labels: INVENTORY_LABELS.iter().map(|s| s.to_string()).collect(),
    };
    for module in &package.modules {
        for (index, item) in module.parsed.file.items.iter().enumerate() {
            match item {
                Item::Metric(m) => {
                    let Some(kind) = MetricKind::parse(&m.kind.name) else { continue };
                    let (dim, scale) = unit_of(&env, module, m.unit.as_ref(), out);
                    let labels = m.labels.iter().map(|l| l.name.name.clone()).collect();
                    env.metrics.insert((module.id, index), MetricInfo { kind, dim, scale, labels });
                }
                Item::Fleet(f) => {
                    if let Some(filter) = &f.filter {
                        names_in(filter, &mut env.host_labels);
                    }
                }
                Item::Fn(f) => {
                    let sig = signature(&env, module, &f.params, f.ret.as_ref(), out);
                    env.signatures.insert((module.id, index), sig);
                }
                Item::Action(a) => {
                    let sig = signature(&env, module, &a.params, None, out);
                    env.signatures.insert((module.id, index), sig);
                }
                Item::Policy(p) => {
                    if let Some(params) = &p.params {
                        let sig = signature(&env, module, params, None, out);
                        env.signatures.insert((module.id, index), sig);
                    }
                }
                _ => {}
            }
        }
    }
    env
}

fn signature(
    env: &Env<'_>,
    module: &Module,
    params: &[Param],
    ret: Option<&TypeExpr>,
    out: &mut Vec<Diagnostic>,
) -> Signature {
    let params = params
        .iter()
        .map(|p| {
            let ty = match &p.ty {
                Some(t) => type_of(env, module, t, out),
                None => {
                    out.push(
                        Diagnostic::error(
                            Code::UntypedParameter,
                            &module.file,
                            format!("parameter `{}` has no type", p.name.name),
                            Label::new(p.name.span, "add `: TYPE` here"),
                        )
                        .with_help(
                            "for example `mount: text`, `limit: number<percent>`, `hold: duration`",
                        ),
                    );
                    Ty::Unknown
                }
            };
            (p.name.name.clone(), ty, p.default.is_some())
        })
        .collect();
    Signature { params, ret: ret.map(|t| type_of(env, module, t, out)) }
}

/// The dimension of an optional unit annotation; a bad unit is reported
/// and counts as dimensionless.
fn dimension_of(
    env: &Env<'_>,
    module: &Module,
    unit: Option<&upkeep_grammar::ast::UnitExpr>,
    out: &mut Vec<Diagnostic>,
) -> Dimension {
    unit_of(env, module, unit, out).0
}

/// The dimension and scale of an optional unit annotation, evaluated once;
/// a bad unit is reported and counts as a plain number.
fn unit_of(
    env: &Env<'_>,
    module: &Module,
    unit: Option<&upkeep_grammar::ast::UnitExpr>,
    out: &mut Vec<Diagnostic>,
) -> (Dimension, f64) {
    match unit.map(|u| env.units.eval(u)) {
        None => (Dimension::one(), 1.0),
        Some(Ok(unit)) => (unit.dim, unit.scale.to_f64()),
        Some(Err(e)) => {
            out.push(crate::sema::unit_error(&module.file, &e));
            (Dimension::one(), 1.0)
        }
    }
}

/// The type an annotation names.
pub fn type_of(env: &Env<'_>, module: &Module, t: &TypeExpr, out: &mut Vec<Diagnostic>) -> Ty {
    let dim = |out: &mut Vec<Diagnostic>| dimension_of(env, module, t.unit.as_ref(), out);
    let no_unit = |ty: Ty, out: &mut Vec<Diagnostic>| {
        if let Some(u) = &t.unit {
            out.push(Diagnostic::error(
                Code::UnknownType,
                &module.file,
                format!("`{}` takes no unit", t.name.name),
                Label::new(u.span(), "remove this"),
            ));
        }
        ty
    };
    match t.name.name.as_str() {
        "number" => Ty::Number(dim(out)),
        "duration" => no_unit(env.duration(), out),
        "bool" => no_unit(Ty::Bool, out),
        "text" | "host" | "severity" => no_unit(Ty::Text, out),
        // Timestamps are seconds since the Unix epoch, as exporters report them.
        "timestamp" => no_unit(env.duration(), out),
        "labels" => no_unit(Ty::Labels, out),
        "gauge" => Ty::Series { kind: MetricKind::Gauge, dim: dim(out) },
        "counter" => Ty::Series { kind: MetricKind::Counter, dim: dim(out) },
        other => {
            let known = [
                "number",
                "duration",
                "bool",
                "text",
                "host",
                "severity",
                "timestamp",
                "labels",
                "gauge",
                "counter",
            ];
            let mut d = Diagnostic::error(
                Code::UnknownType,
                &module.file,
                format!("unknown type `{other}`"),
                Label::new(t.name.span, "not a type"),
            );
            d.help = Some(match crate::suggest::closest(other, known) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the types are {}", known.join(", ")),
            });
            out.push(d);
            Ty::Unknown
        }
    }
}

/// Whether a declaration is visible from a module as the given kinds.
pub fn lookup(env: &Env<'_>, module: ModuleId, name: &str, kinds: &[DeclKind]) -> Option<DeclRef> {
    env.scopes.of(module).lookup(name).filter(|d| kinds.contains(&d.kind))
}

/// Every plain name in a fleet filter: the host labels it reads.
fn names_in(e: &upkeep_grammar::ast::Expr, out: &mut std::collections::BTreeSet<String>) {
    use upkeep_grammar::ast::ExprKind;
    match &e.kind {
        ExprKind::Name(n) => {
            out.insert(n.name.clone());
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            names_in(lhs, out);
            names_in(rhs, out);
        }
        ExprKind::Unary { operand, .. } => names_in(operand, out),
        ExprKind::In { value, .. } => names_in(value, out),
        _ => {}
    }
}
