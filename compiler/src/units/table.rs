//! The unit table: built from `unit` declarations, it resolves the unit
//! suffix of a quantity literal (`1.5GiB`, `10MB/s`, `100/s`) and the unit
//! expressions of types (`gauge<bytes/s>`, `number<percent>`, `s^-1`).
//!
//! Declarations are read in order and a definition may only use units
//! declared before it, so a table never has cycles and every unit is
//! resolved once, when it is declared. A declaration that fails is
//! remembered as *broken*: later uses of its name report
//! [`UnitErrorKind::BrokenUnit`] (a follow-on error) rather than a
//! misleading "unknown unit".

use std::collections::HashMap;

use upkeep_grammar::Span;
use upkeep_grammar::ast::{
    BinaryOp, Expr, ExprKind, Quantity, UnaryOp, UnitDecl, UnitExpr, UnitName,
};

use super::error::{ScaleProblem, Suggestion, UndeclaredHint, UnitError, UnitErrorKind, nearest};
use super::{BaseId, Dimension, Scale, Unit};

/// Every unit in scope, in declaration order. See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct UnitTable {
    pub(super) entries: Vec<Entry>,
    index: HashMap<String, usize>,
    /// Entry index of each base dimension, by [`BaseId`].
    bases: Vec<usize>,
    /// Names whose declaration was rejected, with that declaration's span.
    broken: HashMap<String, Span>,
}

#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub name: String,
    pub unit: Unit,
    pub span: Span,
}

/// Each name's first declaration: its position in the list, and its span.
type Declared = HashMap<String, (usize, Span)>;

/// The declaration being evaluated, for explaining unknown names.
struct Context<'a> {
    name: &'a str,
    position: usize,
    declared: &'a Declared,
}

/// Why evaluating a definition stopped: an error to report, or a syntax
/// error (`ExprKind::Error`) that the parser has already reported.
type Failure = Option<UnitError>;

impl UnitTable {
    /// Builds a table from declarations in source order, collecting every
    /// error. A rejected declaration is left out of the table.
    pub fn from_declarations<'a>(
        decls: impl IntoIterator<Item = &'a UnitDecl>,
    ) -> (UnitTable, Vec<UnitError>) {
        let decls: Vec<&UnitDecl> = decls.into_iter().collect();
        // Position and span of each name's first declaration, to explain
        // forward references. Positions, not spans, decide what is "later":
        // the declarations may come from several files.
        let mut declared: Declared = HashMap::new();
        for (position, decl) in decls.iter().enumerate() {
            if let Ok((name, _)) = decl_name(decl) {
                declared.entry(name).or_insert((position, decl.span));
            }
        }
        let mut table = UnitTable::default();
        let mut errors = Vec::new();
        for (position, decl) in decls.into_iter().enumerate() {
            if let Err(Some(e)) = table.declare_with(decl, position, &declared) {
                errors.push(e);
            }
        }
        (table, errors)
    }

    /// Adds one declaration to the table (a user's `unit celsius` after the
    /// standard units) and returns its error, if there is one to report.
    /// A rejected name is remembered as broken; a definition containing a
    /// syntax error is rejected without an error of its own (the parser has
    /// reported it). Unlike [`from_declarations`](Self::from_declarations),
    /// this cannot tell a forward reference from an unknown name.
    pub fn declare(&mut self, decl: &UnitDecl) -> Option<UnitError> {
        self.declare_with(decl, 0, &HashMap::new()).err().flatten()
    }

    fn declare_with(
        &mut self,
        decl: &UnitDecl,
        position: usize,
        declared: &Declared,
    ) -> Result<(), Failure> {
        let (name, name_span) = decl_name(decl).map_err(Some)?;
        if let Some(first) = self
            .index
            .get(&name)
            .map(|&i| self.entries[i].span)
            .or_else(|| self.broken.get(&name).copied())
        {
            return Err(Some(UnitError::new(
                UnitErrorKind::DuplicateUnit { name, first },
                name_span,
            )));
        }
        let unit = match &decl.value {
            None => {
                // Ids cannot run out: four billion declarations do not fit in memory.
                let id = BaseId(u32::try_from(self.bases.len()).unwrap_or(u32::MAX));
                self.bases.push(self.entries.len());
                Ok(Unit { scale: Scale::ONE, dim: Dimension::base(id) })
            }
            Some(expr) => {
                self.definition(expr, &Context { name: &name, position, declared }).and_then(
                    |unit| finish_scale(unit).map_err(|kind| Some(UnitError::new(kind, expr.span))),
                )
            }
        };
        match unit {
            Ok(unit) => {
                self.index.insert(name.clone(), self.entries.len());
                self.entries.push(Entry { name, unit, span: decl.span });
                Ok(())
            }
            Err(failure) => {
                self.broken.insert(name, decl.span);
                Err(failure)
            }
        }
    }

    /// The unit of a declared name or symbol.
    pub fn lookup(&self, name: &str) -> Option<&Unit> {
        self.index.get(name).map(|&i| &self.entries[i].unit)
    }

    /// Every declared name, in declaration order (for did-you-mean).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// Whether `name` was declared but its declaration rejected.
    pub fn is_broken(&self, name: &str) -> bool {
        self.broken.contains_key(name)
    }

    /// The base dimension declared as `unit NAME`, if any.
    pub fn base(&self, name: &str) -> Option<BaseId> {
        let &i = self.index.get(name)?;
        let pos = self.bases.iter().position(|&b| b == i)?;
        Some(BaseId(u32::try_from(pos).ok()?))
    }

    /// The name a base dimension was declared with.
    pub fn base_name(&self, id: BaseId) -> Option<&str> {
        let &i = self.bases.get(usize::try_from(id.0).ok()?)?;
        Some(self.entries[i].name.as_str())
    }

    /// The dimension of durations (`seconds`), if the table declares it.
    pub fn seconds(&self) -> Option<Dimension> {
        self.base("seconds").map(Dimension::base)
    }

    /// The dimension of sizes (`bytes`), if the table declares it.
    pub fn bytes(&self) -> Option<Dimension> {
        self.base("bytes").map(Dimension::base)
    }

    /// The value of a quantity literal in base units, and its dimension:
    /// `1.5GiB` is `(1610612736.0, bytes)`, `250ms` is `(0.25, seconds)`,
    /// `20%` is `(0.2, 1)`. `span` is the literal's span; errors point into it.
    pub fn quantity(&self, q: &Quantity, span: Span) -> Result<(f64, Dimension), UnitError> {
        let number = Scale::parse(&q.number).map_err(|_| {
            UnitError::new(UnitErrorKind::InvalidNumber { text: q.number.clone() }, span)
        })?;
        let Some(suffix) = &q.unit else { return Ok((number.to_f64(), Dimension::one())) };
        let unit = self.suffix(suffix, suffix_start(q, span), span)?;
        // One rounding: the exact product of number and scale, then to f64.
        let value = (number * unit.scale).to_f64();
        if value.is_finite() {
            Ok((value, unit.dim))
        } else {
            Err(UnitError::new(UnitErrorKind::InvalidNumber { text: q.text() }, span))
        }
    }

    /// The unit of a quantity suffix as the lexer gives it: a name or
    /// symbol (`GiB`, `%`), a rate (`MB/s`) or a bare `/s` (`100/s`).
    /// `start` is the suffix's offset in the source, when known, so that an
    /// error points at the bad part; otherwise errors get `fallback`.
    pub fn suffix(
        &self,
        text: &str,
        start: Option<usize>,
        fallback: Span,
    ) -> Result<Unit, UnitError> {
        let mut offset = 0;
        let mut unit = Unit::one();
        for (i, part) in text.split('/').enumerate() {
            let span = start.map_or(fallback, |s| {
                let from = s.saturating_add(offset);
                Span::new(from, from.saturating_add(part.len()))
            });
            offset += part.len() + 1;
            if i == 0 && part.is_empty() {
                continue; // `100/s`: nothing before the slash.
            }
            let this = self.named(part, span)?;
            let combined = if i == 0 { Ok(this.clone()) } else { unit.div(this) };
            unit = combined.map_err(|kind| UnitError::new(kind, fallback))?;
        }
        Ok(unit)
    }

    /// Evaluates a unit expression from a type: `bytes/s`, `s^-1`, `1`.
    pub fn eval(&self, expr: &UnitExpr) -> Result<Unit, UnitError> {
        let at = |kind| UnitError::new(kind, expr.span());
        match expr {
            UnitExpr::Name(id) => self.named(&id.name, id.span).cloned(),
            UnitExpr::One(_) => Ok(Unit::one()),
            UnitExpr::Mul(a, b) => self.eval(a)?.mul(&self.eval(b)?).map_err(at),
            UnitExpr::Div(a, b) => self.eval(a)?.div(&self.eval(b)?).map_err(at),
            UnitExpr::Pow(base, n, _) => self.eval(base)?.powi(*n).map_err(at),
        }
    }

    /// A name used as a unit, or the error for an unknown or broken one.
    fn named(&self, name: &str, span: Span) -> Result<&Unit, UnitError> {
        if let Some(unit) = self.lookup(name) {
            return Ok(unit);
        }
        let kind = if self.is_broken(name) {
            UnitErrorKind::BrokenUnit { name: name.to_string() }
        } else {
            UnitErrorKind::UnknownUnit {
                name: name.to_string(),
                suggestions: self.suggestions(name),
            }
        };
        Err(UnitError::new(kind, span))
    }

    /// Up to two declared names close to `name`, with their meaning.
    pub fn suggestions(&self, name: &str) -> Vec<Suggestion> {
        nearest(name, self.names())
            .into_iter()
            .filter_map(|n| Some(Suggestion { name: n.to_string(), meaning: self.meaning(n)? }))
            .collect()
    }

    /// The value of a definition's expression, before the final check
    /// that the scale is positive and finite.
    fn definition(&self, expr: &Expr, cx: &Context<'_>) -> Result<Unit, Failure> {
        let fail = |kind| Err(Some(UnitError::new(kind, expr.span)));
        let not_a_unit = |found| fail(UnitErrorKind::NotAUnitExpression { found });
        match &expr.kind {
            ExprKind::Quantity(q) => {
                let number = Scale::parse(&q.number).map_err(|_| {
                    Some(UnitError::new(
                        UnitErrorKind::InvalidNumber { text: q.number.clone() },
                        expr.span,
                    ))
                })?;
                let unit = match &q.unit {
                    None => Unit::one(),
                    Some(suffix) => self
                        .suffix(suffix, suffix_start(q, expr.span), expr.span)
                        .map_err(|e| Some(undeclared(e, cx)))?,
                };
                Ok(Unit { scale: number * unit.scale, dim: unit.dim })
            }
            ExprKind::Name(id) => {
                self.named(&id.name, id.span).cloned().map_err(|e| Some(undeclared(e, cx)))
            }
            ExprKind::Binary { op: op @ (BinaryOp::Mul | BinaryOp::Div), lhs, rhs } => {
                let a = self.definition(lhs, cx)?;
                let b = self.definition(rhs, cx)?;
                let result =
                    if *op == BinaryOp::Mul { a.mul_unchecked(&b) } else { a.div_unchecked(&b) };
                result.or_else(fail)
            }
            ExprKind::Binary { op: BinaryOp::Add, .. } => not_a_unit("an addition"),
            ExprKind::Binary { op: BinaryOp::Sub, .. } => not_a_unit("a subtraction"),
            ExprKind::Binary { op: BinaryOp::And | BinaryOp::Or, .. } => {
                not_a_unit("a logical expression")
            }
            ExprKind::Binary { .. } => not_a_unit("a comparison"),
            ExprKind::Unary { op: UnaryOp::Neg, .. } => {
                fail(UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Negative })
            }
            ExprKind::Unary { op: UnaryOp::Not, .. } => not_a_unit("a `not` expression"),
            ExprKind::Str(_) => not_a_unit("a string"),
            ExprKind::Bool(_) => not_a_unit("a boolean"),
            ExprKind::Selector { .. } => not_a_unit("a metric selector"),
            ExprKind::Call { .. } => not_a_unit("a function call"),
            ExprKind::If { .. } => not_a_unit("an `if` expression"),
            ExprKind::In { .. } => not_a_unit("an `in` test"),
            ExprKind::List(_) => not_a_unit("a list"),
            ExprKind::Record(_) => not_a_unit("a record"),
            ExprKind::Error => Err(None),
        }
    }
}

impl Unit {
    /// `mul` for intermediate results of a definition, where a zero scale
    /// (`0 * s`) is allowed until the end.
    fn mul_unchecked(&self, other: &Unit) -> Result<Unit, UnitErrorKind> {
        let dim = self.dim.mul(&other.dim).map_err(|_| UnitErrorKind::ExponentOverflow)?;
        Ok(Unit { scale: self.scale * other.scale, dim })
    }

    fn div_unchecked(&self, other: &Unit) -> Result<Unit, UnitErrorKind> {
        let dim = self.dim.div(&other.dim).map_err(|_| UnitErrorKind::ExponentOverflow)?;
        let scale = self
            .scale
            .checked_div(other.scale)
            .ok_or(UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero })?;
        Ok(Unit { scale, dim })
    }
}

/// The final check of a definition: a zero scale is a zero unit, and an
/// infinite, NaN or underflowed scale cannot be represented.
fn finish_scale(unit: Unit) -> Result<Unit, UnitErrorKind> {
    if unit.scale.is_exact() && unit.scale.is_zero() {
        Err(UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero })
    } else if unit.scale.is_valid_scale() {
        Ok(unit)
    } else {
        Err(UnitErrorKind::ScaleOutOfRange)
    }
}

/// Turns an unknown name inside a definition into the definition's own
/// error kind, explaining forward and self references.
fn undeclared(e: UnitError, cx: &Context<'_>) -> UnitError {
    let UnitErrorKind::UnknownUnit { name: missing, suggestions } = e.kind else { return e };
    let hint = if missing == cx.name {
        UndeclaredHint::Itself
    } else {
        match cx.declared.get(&missing) {
            Some(&(at, later)) if at > cx.position => UndeclaredHint::DeclaredLater(later),
            _ => UndeclaredHint::Suggest(suggestions),
        }
    };
    UnitError::new(UnitErrorKind::UndeclaredInDefinition { name: missing, hint }, e.span)
}

/// A declaration's name and its span; symbols must be usable as names.
fn decl_name(decl: &UnitDecl) -> Result<(String, Span), UnitError> {
    match &decl.name {
        UnitName::Ident(id) => Ok((id.name.clone(), id.span)),
        UnitName::Symbol(lit) => match lit.as_plain() {
            Some(s) if is_valid_symbol(&s) => Ok((s, lit.span)),
            _ => Err(UnitError::new(
                UnitErrorKind::InvalidSymbol { symbol: lit.raw.clone() },
                lit.span,
            )),
        },
    }
}

/// A symbol cannot contain what would make it ambiguous in a literal or a
/// unit expression: space, digits, operators, parentheses, dots, braces.
fn is_valid_symbol(s: &str) -> bool {
    !s.is_empty()
        && !s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || c.is_ascii_digit() || "*/^().{}\"\\".contains(c)
        })
}

/// Where a literal's unit suffix starts in the source, when the span
/// matches the literal's text (it always does for parsed literals).
fn suffix_start(q: &Quantity, span: Span) -> Option<usize> {
    let unit_len = q.unit.as_ref().map_or(0, String::len);
    (span.end >= span.start && span.len() == q.number.len() + unit_len)
        .then(|| span.start.saturating_add(q.number.len()))
}
