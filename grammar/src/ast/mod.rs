//! The syntax tree of an Upkeep file.
//!
//! Every node carries the [`Span`] of the source it came from. The tree keeps
//! what the formatter needs to print the file back (literal spellings, raw
//! string text) but not parentheses or comments: parentheses follow from
//! precedence, and comments are kept beside the tree (see [`crate::Parsed`]).

mod decl;
mod expr;

pub use decl::*;
pub use expr::*;

use crate::span::Span;

/// A name as written: a plain identifier, a dotted path (`disk.free`,
/// `std.metrics.node`), or a keyword used where any word is allowed
/// (a label name, a named argument).
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Ident { name: name.into(), span }
    }
}

/// One `.upk` file: a module.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    pub span: Span,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Tenant(TenantDecl),
    Use(UseDecl),
    Metric(MetricDecl),
    Unit(UnitDecl),
    Fleet(FleetDecl),
    Calendar(CalendarDecl),
    Action(ActionDecl),
    Fn(FnDecl),
    Policy(PolicyDecl),
    Apply(ApplyDecl),
    Task(TaskDecl),
    Test(TestDecl),
    /// A declaration that did not parse; its errors are in [`crate::Parsed::errors`].
    Error(Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Tenant(d) => d.span,
            Item::Use(d) => d.span,
            Item::Metric(d) => d.span,
            Item::Unit(d) => d.span,
            Item::Fleet(d) => d.span,
            Item::Calendar(d) => d.span,
            Item::Action(d) => d.span,
            Item::Fn(d) => d.span,
            Item::Policy(d) => d.span,
            Item::Apply(d) => d.span,
            Item::Task(d) => d.span,
            Item::Test(d) => d.span,
            Item::Error(span) => *span,
        }
    }
}
