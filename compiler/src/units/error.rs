//! Unit errors: one kind per mistake, each with a message and a help line,
//! and the did-you-mean search behind the suggestions.
//!
//! Kinds are distinct so that the checker can give each its own stable
//! diagnostic code ([`UnitErrorKind::id`] is a stable slug). Messages are
//! short and lower-case, as the rest of the compiler's; the help says what
//! to write instead.

use upkeep_grammar::Span;

/// A unit mistake at a place in the source.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub struct UnitError {
    pub kind: UnitErrorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum UnitErrorKind {
    /// A quantity suffix or a unit in a type names no declared unit:
    /// `5mins`, `gauge<byte>`. An empty `name` is a missing unit after `/`.
    UnknownUnit { name: String, suggestions: Vec<Suggestion> },
    /// A unit definition uses a name that is not declared before it.
    UndeclaredInDefinition { name: String, hint: UndeclaredHint },
    /// The same unit name declared a second time; `first` is the first
    /// declaration, which is the one kept.
    DuplicateUnit { name: String, first: Span },
    /// A definition that is not numbers and units joined by `*` and `/`;
    /// `found` says what it is instead ("a string", "a function call").
    NotAUnitExpression { found: &'static str },
    /// A definition whose scale is zero or negative (`0 * s`, `-s`, `s / 0`).
    NonPositiveScale { problem: ScaleProblem },
    /// A dimension exponent beyond ±127 (`s^200`).
    ExponentOverflow,
    /// A scale too large or too small for an `f64` (`1e300 * 1e300 * B`).
    ScaleOutOfRange,
    /// A literal number that is not finite or not a number (`1e400`).
    InvalidNumber { text: String },
    /// A quoted unit symbol that cannot be a name: empty, with spaces,
    /// digits, operators or an interpolation.
    InvalidSymbol { symbol: String },
    /// A use of a unit whose own declaration was rejected. The cause has
    /// been reported already; the checker may hide this one.
    BrokenUnit { name: String },
}

/// Why a scale is not positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleProblem {
    Zero,
    /// Unary minus anywhere in a definition.
    Negative,
}

/// What to tell the user about an undeclared name in a definition.
#[derive(Clone, Debug, PartialEq)]
pub enum UndeclaredHint {
    /// Declared further down the file (at this span): order matters.
    DeclaredLater(Span),
    /// `unit x = 2 * x`.
    Itself,
    /// Close names that are declared (may be empty).
    Suggest(Vec<Suggestion>),
}

/// A known unit close to a misspelled one, with what it means
/// (`1e9 bytes`), so that `Gb` can be told apart from `GB` and `Gbit`.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub name: String,
    pub meaning: String,
}

impl UnitErrorKind {
    /// A stable identifier for the kind, for diagnostic codes and tests.
    pub fn id(&self) -> &'static str {
        match self {
            UnitErrorKind::UnknownUnit { .. } => "unknown-unit",
            UnitErrorKind::UndeclaredInDefinition { .. } => "undeclared-in-unit-definition",
            UnitErrorKind::DuplicateUnit { .. } => "duplicate-unit",
            UnitErrorKind::NotAUnitExpression { .. } => "not-a-unit-expression",
            UnitErrorKind::NonPositiveScale { .. } => "non-positive-scale",
            UnitErrorKind::ExponentOverflow => "exponent-overflow",
            UnitErrorKind::ScaleOutOfRange => "scale-out-of-range",
            UnitErrorKind::InvalidNumber { .. } => "invalid-number",
            UnitErrorKind::InvalidSymbol { .. } => "invalid-unit-symbol",
            UnitErrorKind::BrokenUnit { .. } => "broken-unit",
        }
    }
}

impl UnitError {
    pub fn new(kind: UnitErrorKind, span: Span) -> Self {
        UnitError { kind, span }
    }

    /// Whether this error only follows from another one already reported.
    pub fn is_follow_on(&self) -> bool {
        matches!(self.kind, UnitErrorKind::BrokenUnit { .. })
    }

    /// The one-line message.
    pub fn message(&self) -> String {
        match &self.kind {
            UnitErrorKind::UnknownUnit { name, .. } if name.is_empty() => {
                "a unit is missing after `/`".to_string()
            }
            UnitErrorKind::UnknownUnit { name, .. } => format!("`{name}` is not a unit"),
            UnitErrorKind::UndeclaredInDefinition { name, .. } => {
                format!("`{name}` is not a declared unit")
            }
            UnitErrorKind::DuplicateUnit { name, .. } => format!("unit `{name}` is declared twice"),
            UnitErrorKind::NotAUnitExpression { found } => {
                format!("a unit is defined by numbers and units, not {found}")
            }
            UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero } => {
                "this unit would be zero".to_string()
            }
            UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Negative } => {
                "a unit cannot be negative".to_string()
            }
            UnitErrorKind::ExponentOverflow => "unit exponent out of range".to_string(),
            UnitErrorKind::ScaleOutOfRange => "unit scale out of range".to_string(),
            UnitErrorKind::InvalidNumber { text } => format!("`{text}` is not a finite number"),
            UnitErrorKind::InvalidSymbol { symbol } => format!("\"{symbol}\" cannot name a unit"),
            UnitErrorKind::BrokenUnit { name } => {
                format!("unit `{name}` has an invalid definition")
            }
        }
    }

    /// What to do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        Some(match &self.kind {
            UnitErrorKind::UnknownUnit { suggestions, .. } if !suggestions.is_empty() => {
                did_you_mean(suggestions)
            }
            UnitErrorKind::UnknownUnit { name, .. } if name.is_empty() => {
                "write the unit right after the slash: `10MB/s`, `100/s`".to_string()
            }
            UnitErrorKind::UnknownUnit { .. } => {
                "declare it with `unit NAME` (a new dimension) or `unit NAME = EXPR`".to_string()
            }
            UnitErrorKind::UndeclaredInDefinition { name, hint } => match hint {
                UndeclaredHint::DeclaredLater(_) => {
                    format!("`{name}` is declared further down; declare units before using them")
                }
                UndeclaredHint::Itself => "a unit cannot be defined in terms of itself".to_string(),
                UndeclaredHint::Suggest(s) if !s.is_empty() => did_you_mean(s),
                UndeclaredHint::Suggest(_) => {
                    format!("declare `{name}` first, with `unit {name}` or `unit {name} = EXPR`")
                }
            },
            UnitErrorKind::DuplicateUnit { .. } => {
                "remove this declaration or give the unit another name".to_string()
            }
            UnitErrorKind::NotAUnitExpression { .. } => {
                "join numbers and units with `*` and `/`: `unit KiB = 1024 * B`".to_string()
            }
            UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Zero } => {
                "a unit's scale must be a positive number".to_string()
            }
            UnitErrorKind::NonPositiveScale { problem: ScaleProblem::Negative } => {
                "a unit's scale must be positive; write values below zero, not units".to_string()
            }
            UnitErrorKind::ExponentOverflow => {
                "exponents of a unit's dimensions must stay within -128..127".to_string()
            }
            UnitErrorKind::ScaleOutOfRange => {
                "a scale must be representable as a 64-bit float, neither infinite nor zero"
                    .to_string()
            }
            UnitErrorKind::InvalidNumber { .. } => {
                "numbers must stay below about 1.8e308".to_string()
            }
            UnitErrorKind::InvalidSymbol { .. } => {
                "a symbol is a non-empty string without spaces, digits, `*`, `/`, `^`, `(`, `)`, `.` or `{`: `unit \"%\" = percent`"
                    .to_string()
            }
            UnitErrorKind::BrokenUnit { .. } => return None,
        })
    }
}

fn did_you_mean(suggestions: &[Suggestion]) -> String {
    let each: Vec<String> =
        suggestions.iter().map(|s| format!("`{}` ({})", s.name, s.meaning)).collect();
    format!("did you mean {}?", each.join(" or "))
}

/// The one or two names most likely meant by `name`, best first.
///
/// A candidate qualifies when it is, in order of preference:
/// 1. the same but for ASCII case (`Gb` → `GB`);
/// 2. within a third of the name's length in edits, at least one
///    (`mins` → `min`);
/// 3. a completion of it, when at least two characters were typed
///    (`Gb` → `Gbit`, `sec` → `seconds`);
/// 4. a prefix of it, ignoring case, with at most four characters more
///    (`hours` → `h`, `days` → `d`, `mbps` → `MB`).
///
/// Ties go to the smaller case-insensitive edit distance, then to the
/// earlier declaration. A second suggestion is only offered when it is as
/// good as the first or no worse than a completion, so that a near miss is
/// not diluted with guesses.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let len = name.chars().count();
    if len == 0 {
        return Vec::new();
    }
    let limit = (len / 3).max(1);
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, usize, usize, &str)> = candidates
        .into_iter()
        .enumerate()
        .filter(|(_, c)| *c != name && !c.is_empty())
        .filter_map(|(order, c)| {
            let c_lower = c.to_ascii_lowercase();
            let distance = strsim::osa_distance(name, c);
            let rank = if c_lower == lower {
                0
            } else if distance <= limit {
                distance
            } else if len >= 2 && c.starts_with(name) {
                limit + 1
            } else if lower.starts_with(&c_lower) && len.saturating_sub(c.chars().count()) <= 4 {
                limit + 2
            } else {
                return None;
            };
            Some((rank, strsim::osa_distance(&lower, &c_lower), order, c))
        })
        .collect();
    scored.sort_unstable();
    let Some(&(best, ..)) = scored.first() else { return Vec::new() };
    scored
        .iter()
        .enumerate()
        .take_while(|(i, (rank, ..))| *i == 0 || *rank == best || *rank <= limit + 1)
        .take(2)
        .map(|(_, (.., c))| *c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::nearest;

    const UNITS: &[&str] = &[
        "bytes", "seconds", "ratio", "count", "percent", "%", "B", "KB", "MB", "GB", "KiB", "GiB",
        "bit", "Gbit", "s", "ms", "m", "min", "h", "d", "w",
    ];

    fn near(name: &str) -> Vec<&'static str> {
        nearest(name, UNITS.iter().copied())
    }

    #[test]
    fn suggests_likely_typos_first() {
        assert_eq!(near("mins"), ["min"]);
        assert_eq!(near("Gb"), ["GB", "Gbit"]);
        assert_eq!(near("gib"), ["GiB"]);
        assert_eq!(near("byte"), ["bytes"]);
        assert_eq!(near("sec"), ["seconds"]);
        assert_eq!(near("hours"), ["h"]);
        assert_eq!(near("days"), ["d"]);
        assert_eq!(near("kb"), ["KB"]);
    }

    #[test]
    fn far_names_get_no_suggestion() {
        assert!(near("furlongs").is_empty());
        assert!(near("").is_empty());
        assert!(!near("min").contains(&"min"), "a name is not a suggestion for itself");
    }
}
