//! The units of a policy's `let` values, for messages: each `let` has the
//! type the checker inferred for it, and the runtime renders its value by
//! that type's unit (`render::value`: `s` as a duration, `bytes` as `9.3
//! GB`, `B/s`, any other unit after the number).

use super::super::types::Ty;
use crate::package::ModuleId;
use crate::units::UnitTable;
use std::collections::HashMap;
use upkeep_grammar::Span;
use upkeep_grammar::ast::{ClauseKind, Item};

/// The checker's type of each `let`'s value, by the module and span of
/// the value.
pub type LetTypes = HashMap<(ModuleId, Span), Ty>;

/// The types of the `let`s of `item` (a policy), from the types the
/// checker recorded while checking it (`(span, type)`, inner expressions
/// before outer ones: the last type of a span is the whole expression's).
pub fn let_types(module: ModuleId, item: &Item, recorded: &[(Span, Ty)]) -> LetTypes {
    let Item::Policy(p) = item else { return LetTypes::new() };
    p.clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Let { value, .. } => {
                let ty = recorded.iter().rev().find(|(span, _)| *span == value.span)?;
                Some(((module, value.span), ty.1.clone()))
            }
            _ => None,
        })
        .collect()
}

/// A value's unit as the runtime's messages read it: `s` for a duration,
/// `bytes` for a size, `B/s` for a throughput, the empty text for a plain
/// number (a ratio or a count: they share the dimension, so it cannot tell
/// them apart) or anything but a number, else the unit as people write it
/// (`celsius`, `1/s`).
pub fn unit_of(ty: &Ty, units: &UnitTable) -> String {
    let dim = match ty {
        Ty::Number(dim) | Ty::Series { dim, .. } => dim,
        _ => return String::new(),
    };
    let seconds = units.seconds();
    let bytes = units.bytes();
    let throughput = bytes.as_ref().zip(seconds.as_ref()).and_then(|(b, s)| b.div(s).ok());
    if dim.is_dimensionless() {
        String::new()
    } else if Some(dim) == seconds.as_ref() {
        "s".into()
    } else if Some(dim) == bytes.as_ref() {
        "bytes".into()
    } else if Some(dim) == throughput.as_ref() {
        "B/s".into()
    } else {
        units.display_friendly(dim)
    }
}
