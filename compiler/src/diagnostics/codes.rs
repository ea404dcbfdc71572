//! The registry of diagnostic codes: the one place where codes are given out.
//!
//! A code, once released, means the same thing forever: never renumber,
//! never reuse a retired code (mark it retired in `docs/diagnostics.md`
//! instead). The tests check codes are unique and listed in order.

macro_rules! registry {
    ($($variant:ident = $code:literal, $slug:literal, $summary:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed: `E0014`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// A short kebab-case name, used as the SARIF rule name.
            pub fn slug(self) -> &'static str {
                match self {
                    $(Code::$variant => $slug,)*
                }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }
    };
}

registry! {
    // Lexical problems.
    BadChar = "E0001", "unexpected-character", "a character that starts no token";
    StrayPercent = "E0002", "stray-percent", "a `%` that does not follow a number";
    UnterminatedString = "E0003", "unterminated-string", "a string without its closing quote";
    UnknownEscape = "E0004", "unknown-escape", "an unknown backslash escape in a string";
    UnclosedInterpolation = "E0005", "unclosed-interpolation", "a `{` in a string that is never closed";
    BadInterpolation = "E0006", "bad-interpolation", "an interpolation that is not a name";
    StrayCloseBrace = "E0007", "stray-close-brace", "a single `}` in a string";
    // Syntax.
    UnexpectedToken = "E0010", "unexpected-token", "a token the grammar cannot use here";
    UnexpectedEof = "E0011", "unexpected-end-of-file", "the file ends in the middle of something";
    UnclosedDelimiter = "E0012", "unclosed-delimiter", "a `{`, `(` or `[` that is never closed";
    UnmatchedDelimiter = "E0013", "unmatched-delimiter", "a `}`, `)` or `]` that closes nothing";
    MissingDurationUnit = "E0014", "missing-duration-unit", "a duration written without a unit";
    AssignInCondition = "E0015", "assign-in-condition", "`=` used to compare";
    DoubleEqInMatcher = "E0016", "double-eq-in-matcher", "`==` in a label matcher";
    MissingWhen = "E0017", "missing-when", "a level clause without `when`";
    ChainedComparison = "E0018", "chained-comparison", "comparisons chained as `a < b < c`";
    UnknownMetricKind = "E0019", "unknown-metric-kind", "a metric kind other than gauge, counter or state";
    NumberInUnit = "E0020", "number-in-unit", "a number other than `1` in a unit expression";
    BadUnitExponent = "E0021", "bad-unit-exponent", "a unit exponent that is not a non-zero integer";
    MisspelledKeyword = "E0022", "misspelled-keyword", "a word one typo away from a keyword";
    TooComplex = "E0023", "too-complex", "an expression nested too deeply or with too many operators";
    // Files.
    UnreadableFile = "E0090", "unreadable-file", "a file that cannot be read";
    NotUtf8 = "E0091", "not-utf8", "a file that is not valid UTF-8";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_well_formed_and_in_order() {
        let mut seen = HashSet::new();
        let mut previous = "";
        for code in Code::ALL {
            let s = code.as_str();
            assert!(
                s.len() == 5 && s.starts_with('E') && s[1..].chars().all(|c| c.is_ascii_digit()),
                "{s}"
            );
            assert!(seen.insert(s), "{s} is used twice");
            assert!(seen.insert(code.slug()), "slug {} is used twice", code.slug());
            assert!(s > previous, "{s} is out of order");
            previous = s;
        }
    }
}
