//! Fixes for unit mismatches, where one can be computed (as Numbat does):
//! "divide by `disk.size` to get a ratio", "add a unit to `40`".

use super::env::Env;
use super::expr::metric_name;
use super::types::Ty;
use crate::package::Module;
use crate::resolve::DeclKind;
use upkeep_grammar::ast::{Expr, ExprKind, Quantity};

/// Metric name endings that usually hold the whole a part is measured against.
const WHOLES: &[&str] = &["size", "total", "limit", "capacity", "max", "commit_limit"];

pub fn mismatch_fix(
    env: &Env<'_>,
    module: &Module,
    a: &Ty,
    b: &Ty,
    lhs: &Expr,
    rhs: &Expr,
) -> Option<String> {
    let (Ty::Number(da), Ty::Number(db)) = (a, b) else {
        return match (a, b) {
            (Ty::Text, Ty::Number(_)) | (Ty::Number(_), Ty::Text) => {
                Some("text and numbers do not compare; a state metric's value is text: compare it with a string".into())
            }
            _ => None,
        };
    };
    // A bare number next to a quantity with a unit: a forgotten unit.
    for (bare, other, other_ty) in [(lhs, rhs, db), (rhs, lhs, da)] {
        if let ExprKind::Quantity(Quantity { number, unit: None }) = &bare.kind {
            let _ = other;
            if !other_ty.is_dimensionless() {
                let unit = env.units.display(other_ty);
                return Some(format!("give `{number}` a unit: it is compared with {unit}"));
            }
        }
    }
    // A part against a ratio: divide the part by its whole.
    for (part, ratio_side, part_dim, ratio_dim) in [(lhs, rhs, da, db), (rhs, lhs, db, da)] {
        if !ratio_dim.is_dimensionless() || part_dim.is_dimensionless() {
            continue;
        }
        let _ = ratio_side;
        let whole = metric_name(part).and_then(|name| whole_of(env, module, name));
        let unit = env.units.display(part_dim);
        return Some(match whole {
            Some(w) => format!(
                "`{}` is in {unit}: divide it by `{w}` to get a ratio",
                metric_name(part).unwrap_or("it")
            ),
            None => format!(
                "one side is in {unit} and the other is a ratio: divide by a total in {unit} to get a ratio, or compare with a quantity in {unit}"
            ),
        });
    }
    None
}

/// `disk.free` → `disk.size`: a visible metric with the same prefix, the
/// same unit and a name that means "the whole".
fn whole_of(env: &Env<'_>, module: &Module, part: &str) -> Option<String> {
    let (prefix, _) = part.rsplit_once('.')?;
    let scope = env.scopes.of(module.id);
    let part_decl = scope.lookup(part)?;
    let part_dim = &env.metric(part_decl)?.dim;
    let mut candidates: Vec<&str> = scope
        .names()
        .filter(|n| n.starts_with(prefix) && *n != part)
        .filter(|n| {
            n.rsplit_once('.').is_some_and(|(p, last)| p == prefix && WHOLES.contains(&last))
        })
        .collect();
    candidates.sort();
    candidates.into_iter().find_map(|n| {
        let d = scope.lookup(n).filter(|d| d.kind == DeclKind::Metric)?;
        (env.metric(d)?.dim == *part_dim).then(|| n.to_string())
    })
}
