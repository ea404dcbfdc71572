//! Syntax errors as data.
//!
//! The syntax crate says *what* went wrong and *where*; the compiler's
//! diagnostics registry gives each [`SyntaxErrorKind`] its stable code and
//! renders it. Messages here speak the user's language: token sets are
//! described by what they mean ("an expression", "a policy clause").

use crate::span::Span;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub span: Span,
    /// Secondary locations with their labels, such as the `{` a missing `}` belongs to.
    pub related: Vec<(Span, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SyntaxErrorKind {
    BadChar(char),
    StrayPercent,
    UnterminatedString,
    UnknownEscape(char),
    UnclosedInterpolation,
    BadInterpolation(String),
    StrayCloseBrace,
    /// A token the grammar cannot use here.
    Unexpected {
        found: String,
        expected: Expected,
        after: Option<String>,
    },
    /// The file ended too early.
    UnexpectedEof {
        expected: Expected,
    },
    /// A `{`, `(` or `[` that is never closed.
    Unclosed {
        open: char,
    },
    /// A `}`, `)` or `]` that closes nothing.
    UnmatchedClose {
        close: char,
    },
    MissingDurationUnit {
        keyword: &'static str,
        number: String,
    },
    AssignInCondition,
    DoubleEqInMatcher,
    /// `warn used > 80%`: a level name followed by something other than `when`.
    MissingWhen {
        level: String,
    },
    /// `a < b < c`
    ChainedComparison,
    /// More brackets open at once than the limit.
    NestedTooDeeply {
        limit: usize,
    },
    /// More operators in one statement than the limit.
    TooManyOperators {
        limit: usize,
    },
    /// `evry 1m`: a word one typo away from a keyword where parsing failed.
    MisspelledKeyword {
        word: String,
        keyword: &'static str,
    },
    UnknownMetricKind(String),
    NumberInUnit(String),
    BadUnitExponent(String),
}

/// What the parser would have accepted, as the grammar's terminal names.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Expected(pub Vec<String>);

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, span: Span) -> Self {
        SyntaxError { kind, span, related: Vec::new() }
    }

    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    /// One sentence saying what is wrong.
    pub fn message(&self) -> String {
        use SyntaxErrorKind::*;
        match &self.kind {
            BadChar(c) => format!("unexpected character `{}`", c.escape_debug()),
            StrayPercent => "`%` must follow a number directly".into(),
            UnterminatedString => "this string is never closed".into(),
            UnknownEscape(c) => format!("unknown escape `\\{}` in a string", c.escape_debug()),
            UnclosedInterpolation => {
                "`{` in a string starts an interpolation that is never closed".into()
            }
            BadInterpolation(inner) => {
                format!("`{{{inner}}}` is not a name that can be interpolated")
            }
            StrayCloseBrace => "a single `}` in a string".into(),
            Unexpected { found, expected, after } => {
                let mut m = format!("expected {}", expected.describe());
                if let Some(after) = after {
                    let _ = write!(m, " after `{after}`");
                }
                let _ = write!(m, ", found {found}");
                m
            }
            UnexpectedEof { expected } => {
                format!("the file ends where {} was expected", expected.describe())
            }
            Unclosed { open } => format!("this `{open}` is never closed"),
            UnmatchedClose { close } => format!("this `{close}` closes nothing"),
            MissingDurationUnit { keyword, number } => format!(
                "expected a duration such as `{number}m` after `{keyword}`, found `{number}`"
            ),
            AssignInCondition => "`=` cannot compare values".into(),
            DoubleEqInMatcher => "label matchers use `=`, not `==`".into(),
            MissingWhen { level } => format!("expected `when` after the level `{level}`"),
            ChainedComparison => "comparisons cannot be chained".into(),
            MisspelledKeyword { word, .. } => format!("unexpected word `{word}`"),
            NestedTooDeeply { limit } => format!("brackets are nested more than {limit} deep"),
            TooManyOperators { limit } => format!("more than {limit} operators in one expression"),
            UnknownMetricKind(kind) => format!("unknown metric kind `{kind}`"),
            NumberInUnit(n) => format!("`{n}` cannot appear in a unit; only `1` can"),
            BadUnitExponent(e) => format!("`{e}` is not a valid unit exponent"),
        }
    }

    /// The text of the primary label, under the offending source.
    pub fn label(&self) -> String {
        use SyntaxErrorKind::*;
        match &self.kind {
            Unexpected { expected, .. } => format!("expected {} here", expected.describe_short()),
            UnexpectedEof { .. } => "the file ends here".into(),
            MissingDurationUnit { .. } => "this number has no unit".into(),
            MissingWhen { .. } => "`when` is missing before this".into(),
            ChainedComparison => "a second comparison".into(),
            MisspelledKeyword { keyword, .. } => format!("did you mean `{keyword}`?"),
            AssignInCondition => "this is `=`".into(),
            Unclosed { .. } => "opened here".into(),
            UnterminatedString => "string starts here".into(),
            _ => "here".into(),
        }
    }

    /// How to fix it, where that can be said.
    pub fn help(&self) -> Option<String> {
        use SyntaxErrorKind::*;
        Some(match &self.kind {
            BadChar(_) => "remove it, or put it inside a string".into(),
            StrayPercent => "write the percentage without a space, as in `80%`".into(),
            UnterminatedString => {
                "add a closing `\"`; strings cannot span lines (use `\\n`)".into()
            }
            UnknownEscape(_) => concat!(
                r#"write a backslash as `\\`, as in `"C:\\scripts"`; "#,
                r#"the known escapes are `\n`, `\t`, `\r`, `\"` and `\\`"#
            )
            .into(),
            UnclosedInterpolation | StrayCloseBrace => {
                "write a literal brace as `{{` or `}}`".into()
            }
            BadInterpolation(_) => {
                "interpolate a label, a `let` or a parameter by name, as in `{host}`".into()
            }
            Unexpected { expected, found, after } => return expected.hint(found, after.as_deref()),
            UnexpectedEof { expected } => return expected.hint("the end of the file", None),
            Unclosed { open } => format!("add the matching `{}`", closing(*open)),
            UnmatchedClose { .. } => "remove it, or add the opening bracket it belongs to".into(),
            MissingDurationUnit { number, .. } => format!(
                "add a unit: `{number}s`, `{number}m`, `{number}h` or `{number}d`; to count evaluations instead, write `for {number} checks`"
            ),
            AssignInCondition => "use `==` to compare; `=` only names things (`let x = …`)".into(),
            DoubleEqInMatcher => "write `{label=\"value\"}`".into(),
            MissingWhen { level } => format!("a level clause reads `{level} when CONDITION`"),
            ChainedComparison => "combine two comparisons with `and`: `a < b and b < c`".into(),
            MisspelledKeyword { keyword, .. } => {
                format!("`{keyword}` is a keyword; check the spelling")
            }
            NestedTooDeeply { .. } | TooManyOperators { .. } => {
                "split the expression into named parts with `let` or `fn`".into()
            }
            UnknownMetricKind(_) => "a metric is a `gauge`, a `counter` or a `state`".into(),
            NumberInUnit(_) => "write the scale as a unit (`KiB`), not a number".into(),
            BadUnitExponent(_) => "use a non-zero whole number, as in `m^2` or `s^-1`".into(),
        })
    }
}

/// The closing bracket for an opening one.
pub fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

const DECLARATION_STARTS: &[&str] = &["\"policy\"", "\"fleet\"", "\"use\"", "\"tenant\""];
const CLAUSE_STARTS: &[&str] = &["\"every\"", "\"let\"", "\"nodata\"", "\"escalate\""];
const EXPRESSION_STARTS: &[&str] = &["Quantity", "Ident", "\"(\"", "\"-\""];
const OPERATORS: &[&str] = &["\"+\"", "\"*\"", "\"and\""];

impl Expected {
    fn has(&self, terminal: &str) -> bool {
        self.0.iter().any(|t| t == terminal)
    }

    fn has_all(&self, terminals: &[&str]) -> bool {
        terminals.iter().all(|t| self.has(t))
    }

    /// The expected set in words: the most specific category that covers it.
    pub fn describe(&self) -> String {
        if self.has_all(DECLARATION_STARTS) {
            return "a declaration such as `policy`, `fleet` or `use`".into();
        }
        if self.has_all(CLAUSE_STARTS) {
            return "a policy clause such as `every 1m`, `let x = …` or `warn when …`".into();
        }
        if self.has("\"verify\"") && self.has("\"cooldown\"") {
            return "an action call or a guard such as `verify`, `cooldown` or `at most`".into();
        }
        if self.has("\"series\"") && self.has("\"expect\"") {
            return "`series` or `expect`".into();
        }
        if self.has_all(EXPRESSION_STARTS) {
            return "an expression".into();
        }
        if self.has("\"after\"") && self.0.len() <= 2 {
            return "an escalation step such as `after 15m page(\"oncall\")`".into();
        }
        let mut names: Vec<String> = self
            .0
            .iter()
            .filter(|t| !(self.has_all(OPERATORS) && is_operator(t)))
            .map(|t| describe_terminal(t))
            .collect();
        if self.has_all(OPERATORS) {
            names.push("an operator".into());
        }
        names.dedup();
        match names.len() {
            0 => "nothing more".into(),
            1 => names.remove(0),
            n if n <= 4 => {
                let last = names.pop().unwrap_or_default();
                format!("{} or {last}", names.join(", "))
            }
            _ => format!("{}, or another token", names[..3].join(", ")),
        }
    }

    /// A shorter form for labels.
    pub fn describe_short(&self) -> String {
        let full = self.describe();
        match full.find(" such as") {
            Some(i) => full[..i].to_string(),
            None => full,
        }
    }

    /// Hints for the common mistakes that show up as an unexpected token.
    fn hint(&self, found: &str, after: Option<&str>) -> Option<String> {
        let found_keyword = found
            .strip_prefix('`')
            .and_then(|f| f.strip_suffix('`'))
            .filter(|f| crate::token::KEYWORDS.contains(f));
        let names_something = matches!(
            after,
            Some(
                "tenant"
                    | "metric"
                    | "unit"
                    | "fleet"
                    | "calendar"
                    | "action"
                    | "fn"
                    | "policy"
                    | "apply"
                    | "task"
                    | "test"
                    | "let"
            )
        );
        if let Some(keyword) = found_keyword
            && names_something
            && self.has("Ident")
        {
            return Some(format!(
                "`{keyword}` is a keyword and cannot be used as a name; choose another name"
            ));
        }
        if after == Some("in") && self.0.len() == 1 && self.has("\"[\"") {
            return Some(
                "after a value, `in` tests membership in a list, as in `role in [\"db\", \"web\"]`"
                    .into(),
            );
        }
        if self.0.len() == 1 && self.has("\"{\"") {
            return Some("a body goes between `{` and `}`".into());
        }
        if self.has("\"when\"") && !self.has("Ident") {
            return Some(
                "a level clause reads `LEVEL when CONDITION`, as in `warn when used > 80%`".into(),
            );
        }
        if self.has("\"}\"") && found == "the end of the file" {
            return Some("a `}` is missing".into());
        }
        if self.has_all(DECLARATION_STARTS) {
            return Some("every declaration starts with a keyword: `tenant`, `use`, `metric`, `unit`, `fleet`, `calendar`, `action`, `fn`, `policy`, `apply`, `task` or `test`".into());
        }
        None
    }
}

fn is_operator(terminal: &str) -> bool {
    matches!(
        terminal,
        "\"+\""
            | "\"-\""
            | "\"*\""
            | "\"/\""
            | "\"and\""
            | "\"or\""
            | "\"==\""
            | "\"!=\""
            | "\"<\""
            | "\"<=\""
            | "\">\""
            | "\">=\""
            | "\"in\""
            | "\"not\""
            | "\"=\""
    )
}

fn describe_terminal(terminal: &str) -> String {
    match terminal {
        "Ident" => "a name".into(),
        "Quantity" => "a number".into(),
        "Ordinal" => "an ordinal such as `2nd`".into(),
        "Time" => "a time of day such as `22:00`".into(),
        "Str" => "a string".into(),
        quoted => format!("`{}`", quoted.trim_matches('"')),
    }
}
