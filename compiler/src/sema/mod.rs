//! Semantic analysis of a package: names, types and units, and every rule
//! that can be checked before a policy runs.
//!
//! The order: syntax errors of every module; the module graph; scopes; the
//! unit table (from `std.units` and the package's own `unit` declarations);
//! signatures; then each declaration's body. A module with syntax errors is
//! not analysed further, so that its broken parts do not cause reports of
//! their own.

mod builtins;
mod decls;
mod env;
mod expr;
mod lower;
mod planner;
mod policy;
mod suggest;
mod typed;
mod types;
mod warnings;

pub use typed::typed_tree;
pub use types::{MetricKind, Ty};

use crate::diagnostics::{Code, Diagnostic, Label, SourceFile};
use crate::package::{ModuleId, Origin, Package};
use crate::resolve::{self, DeclKind, DeclRef};
use crate::units::{UnitError, UnitErrorKind, UnitTable};
use expr::{Cx, Names};
use std::collections::HashMap;
use std::sync::Arc;
use upkeep_grammar::Span;
use upkeep_grammar::ast::Item;

/// Every diagnostic of a package, in file and position order.
pub fn check_package(package: &Package) -> Vec<Diagnostic> {
    analyse(package).diagnostics
}

/// The checker's findings about a package.
#[derive(Debug, Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    /// Each module's expressions and their types, written as a person
    /// would (`number<bytes>`, `bool`), by span.
    pub types: HashMap<ModuleId, Vec<(Span, String)>>,
}

/// Checks a package and, if it has no errors, compiles it to a [`Plan`].
pub fn compile(package: &Package) -> (Vec<Diagnostic>, Option<crate::plan::Plan>) {
    let (analysis, plan) = analyse_and_plan(package, true);
    (analysis.diagnostics, plan)
}

/// Checks a package and records the type of every expression.
pub fn analyse(package: &Package) -> Analysis {
    analyse_and_plan(package, false).0
}

fn analyse_and_plan(package: &Package, want_plan: bool) -> (Analysis, Option<crate::plan::Plan>) {
    let mut out = Vec::new();
    let mut types: HashMap<ModuleId, Vec<(Span, String)>> = HashMap::new();
    for module in &package.modules {
        out.extend(module.parsed.errors.iter().map(|e| Diagnostic::from_syntax(e, &module.file)));
    }
    resolve::check_cycles(package, &mut out);
    let scopes = resolve::build_scopes(package, &mut out);
    let units = unit_table(package, &mut out);
    let env = env::build(package, scopes, units, &mut out);
    // The types of the policies' `let`s, for the units of their values.
    let mut lets = planner::LetTypes::new();
    for module in &package.modules {
        if !module.parsed.errors.is_empty() {
            continue;
        }
        for (index, item) in module.parsed.file.items.iter().enumerate() {
            let decl =
                |kind| DeclRef { module: module.id, item: index, kind, name_span: item.span() };
            let names = match item {
                Item::Fleet(_) => Names::HostLabels,
                Item::Policy(_) | Item::Task(_) => Names::Policy,
                _ => Names::Plain,
            };
            let mut cx = Cx::new(&env, module, &mut out, names);
            match item {
                Item::Fleet(f) => decls::check_fleet(&mut cx, f),
                Item::Calendar(c) => {
                    crate::check::calendar::check_calendar(c, &module.file, cx.out)
                }
                Item::Action(a) => decls::check_action(&mut cx, a, decl(DeclKind::Action)),
                Item::Fn(f) => decls::check_fn(&mut cx, f, decl(DeclKind::Fn)),
                Item::Policy(p) => policy::check_policy(&mut cx, p, index),
                Item::Task(t) => policy::check_task(&mut cx, t),
                Item::Apply(a) => decls::check_apply(&mut cx, a),
                Item::Test(t) => decls::check_test(&mut cx, t),
                Item::Metric(m) => {
                    if let Some(l) = &m.lookback {
                        cx.expect_duration(l, "lookback");
                    }
                }
                Item::Tenant(_) | Item::Use(_) | Item::Unit(_) | Item::Error(_) => {}
            }
            decls::check_tenancy(&mut cx);
            if want_plan {
                lets.extend(planner::let_types(module.id, item, &cx.types));
            }
            let recorded: Vec<(Span, String)> =
                cx.types.drain(..).map(|(span, ty)| (span, ty.written(&env.units))).collect();
            types.entry(module.id).or_default().extend(recorded);
        }
    }
    // Stdlib problems are bugs of Upkeep, not the user's; they are still shown.
    out.sort_by(|a, b| {
        (&a.file.name, a.primary.span.start).cmp(&(&b.file.name, b.primary.span.start))
    });
    out.dedup_by(|a, b| {
        a.code == b.code && a.primary.span == b.primary.span && Arc::ptr_eq(&a.file, &b.file)
    });
    let failed = out.iter().any(|d| d.severity == crate::Severity::Error);
    let plan = if want_plan && !failed {
        match planner::build(&env, &lets) {
            Ok(plan) => Some(plan),
            Err(errors) => {
                for (file, e) in errors {
                    out.push(Diagnostic::error(
                        Code::NotCompilable,
                        &file,
                        e.message,
                        Label::new(e.span, "cannot be compiled yet"),
                    ));
                }
                None
            }
        }
    } else {
        None
    };
    (Analysis { diagnostics: out, types }, plan)
}

/// The units of `std.units` followed by the package's own.
fn unit_table(package: &Package, out: &mut Vec<Diagnostic>) -> UnitTable {
    let mut modules: Vec<_> = package.modules.iter().collect();
    modules.sort_by_key(|m| {
        (m.path != crate::package::stdlib::PRELUDE, m.origin == Origin::User, m.path.clone())
    });
    let decls: Vec<(&Arc<SourceFile>, &upkeep_grammar::ast::UnitDecl)> =
        modules
            .iter()
            .filter(|m| m.parsed.errors.is_empty())
            .flat_map(|m| {
                m.parsed.file.items.iter().filter_map(move |i| {
                    if let Item::Unit(u) = i { Some((&m.file, u)) } else { None }
                })
            })
            .collect();
    let (table, errors) = UnitTable::from_declarations(decls.iter().map(|(_, u)| *u));
    for e in errors {
        // Find the file whose declaration the error is in.
        let file = decls.iter().find(|(_, u)| u.span.contains(e.span)).map(|(f, _)| Arc::clone(f));
        if let Some(file) = file {
            out.push(unit_error(&file, &e));
        }
    }
    table
}

/// A unit error as a diagnostic.
pub fn unit_error(file: &Arc<SourceFile>, e: &UnitError) -> Diagnostic {
    let code = match &e.kind {
        UnitErrorKind::UnknownUnit { .. } | UnitErrorKind::BrokenUnit { .. } => Code::UnknownUnit,
        UnitErrorKind::UndeclaredInDefinition { .. } => Code::UndeclaredInUnitDefinition,
        UnitErrorKind::DuplicateUnit { .. } => Code::DuplicateUnit,
        UnitErrorKind::NotAUnitExpression { .. } => Code::NotAUnitExpression,
        UnitErrorKind::NonPositiveScale { .. } => Code::NonPositiveScale,
        UnitErrorKind::ExponentOverflow => Code::UnitExponentOverflow,
        UnitErrorKind::ScaleOutOfRange => Code::UnitScaleOutOfRange,
        UnitErrorKind::InvalidNumber { .. } => Code::InvalidNumber,
        UnitErrorKind::InvalidSymbol { .. } => Code::InvalidUnitSymbol,
    };
    let mut d = Diagnostic::error(code, file, e.message(), Label::new(e.span, "here"));
    d.help = e.help();
    if let UnitErrorKind::DuplicateUnit { first, .. } = &e.kind {
        d = d.with_secondary(Label::new(*first, "first declared here"));
    }
    d
}
