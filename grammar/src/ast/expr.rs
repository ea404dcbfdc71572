//! Expressions, string literals and the small sub-languages inside them
//! (label matchers, unit expressions, types).

use super::Ident;
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number with an optional unit: `5`, `20%`, `1.5GiB`, `10MB/s`.
    Quantity(Quantity),
    Str(StrLit),
    Bool(bool),
    /// A name: a let, a parameter, a label, a metric (`disk.free`), `now`.
    Name(Ident),
    /// A metric with label matchers: `disk.free{mount="/"}`.
    Selector {
        metric: Ident,
        matchers: Vec<Matcher>,
    },
    /// `f(args)`, optionally grouped across instances: `count(x) by (client)`.
    Call {
        func: Ident,
        args: Vec<Arg>,
        by: Option<Vec<Ident>>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `x in [a, b]` or `x not in [a, b]`.
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    List(Vec<Expr>),
    /// `{ key: value, … }`, as in webhook bodies.
    Record(Vec<Field>),
    /// An expression that did not parse.
    Error,
}

/// A numeric literal with its unit suffix, kept as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The digits: `1.5`.
    pub number: String,
    /// The unit suffix: `GiB`, `%`, `MB/s`, `/s`; `None` for a plain number.
    pub unit: Option<String>,
}

impl Quantity {
    /// Splits a quantity token such as `1.5GiB` into number and unit.
    pub fn from_token(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        // An exponent belongs to the number only when digits follow it (`1e6`, not `2EiB`).
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            let mut j = i + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            if j < bytes.len() && bytes[j].is_ascii_digit() {
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        let (number, unit) = text.split_at(i);
        Quantity { number: number.to_string(), unit: (!unit.is_empty()).then(|| unit.to_string()) }
    }

    /// The literal as written.
    pub fn text(&self) -> String {
        format!("{}{}", self.number, self.unit.as_deref().unwrap_or(""))
    }
}

/// A string literal. `raw` is the text between the quotes as written;
/// `parts` is its meaning: text and `{name}` interpolations.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub raw: String,
    pub parts: Vec<StrPart>,
    pub span: Span,
}

impl StrLit {
    /// The value of a string with no interpolation, or `None`.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(_) => return None,
            }
        }
        Some(out)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    /// `{name}`: a label, a let or a parameter, rendered with its unit.
    Interp(Ident),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter. Comparisons do not chain.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        }
    }
}

/// A call argument: positional or named (`at: 1d`), optionally windowed
/// (`disk.free over 6h`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub over: Option<Expr>,
    pub span: Span,
}

/// `label op "value"` inside `metric{…}` or a test's label set.
#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    pub label: Ident,
    pub op: MatchOp,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    Eq,
    Ne,
    Re,
    NotRe,
}

impl MatchOp {
    pub fn symbol(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        }
    }
}

/// `key: value` in a record or a `labels { … }` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A unit expression inside a type: `bytes`, `bytes/s`, `requests/(h*host)`.
#[derive(Clone, Debug, PartialEq)]
pub enum UnitExpr {
    Name(Ident),
    /// The dimensionless `1`.
    One(Span),
    Mul(Box<UnitExpr>, Box<UnitExpr>),
    Div(Box<UnitExpr>, Box<UnitExpr>),
    Pow(Box<UnitExpr>, i32, Span),
}

impl UnitExpr {
    pub fn span(&self) -> Span {
        match self {
            UnitExpr::Name(id) => id.span,
            UnitExpr::One(span) | UnitExpr::Pow(_, _, span) => *span,
            UnitExpr::Mul(a, b) | UnitExpr::Div(a, b) => a.span().to(b.span()),
        }
    }
}

/// A type as written: `text`, `number<bytes>`, `gauge<percent>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub unit: Option<UnitExpr>,
    pub span: Span,
}
