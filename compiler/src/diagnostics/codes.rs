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
    // Modules and names.
    UnknownModule = "E0101", "unknown-module", "a `use` of a module that does not exist";
    ImportCycle = "E0102", "import-cycle", "modules that use each other in a cycle";
    ReservedModule = "E0103", "reserved-module", "a package module under `std.`, which belongs to the standard library";
    BadManifest = "E0104", "bad-manifest", "an `upkeep.toml` that cannot be read";
    DuplicateDefinition = "E0105", "duplicate-definition", "two declarations of the same name";
    UnknownImport = "E0106", "unknown-import", "a name imported from a module that does not declare it";
    AmbiguousImport = "E0107", "ambiguous-import", "the same name imported from two modules";
    // Types and units.
    UnknownName = "E0201", "unknown-name", "a name that is not a let, a parameter, a label or a metric";
    UnknownMetric = "E0202", "unknown-metric", "a metric that is not declared or imported";
    UnknownLabel = "E0203", "unknown-label", "a label matcher on a label the metric does not have";
    UnknownFunction = "E0204", "unknown-function", "a call of a function that does not exist";
    UnknownType = "E0205", "unknown-type", "a type annotation that names no type";
    DimensionMismatch = "E0206", "dimension-mismatch", "values of different units combined or compared";
    TypeMismatch = "E0207", "type-mismatch", "a value of the wrong type";
    NotACondition = "E0208", "not-a-condition", "a value where a condition (bool) is needed";
    ExpectedDuration = "E0209", "expected-duration", "a value where a duration is needed";
    ExpectedCount = "E0210", "expected-count", "a value where a whole number is needed";
    CounterUsedRaw = "E0211", "counter-used-raw", "a counter's raw value where its rate is meant";
    WrongSeriesKind = "E0212", "wrong-series-kind", "a window function on the wrong kind of metric";
    WindowOnValue = "E0213", "window-on-value", "a window over something that is not a series";
    MissingWindow = "E0214", "missing-window", "a window function without `over`";
    BadArguments = "E0215", "bad-arguments", "arguments that do not match the parameters";
    UntypedParameter = "E0216", "untyped-parameter", "a parameter without a type";
    UnknownInterpolation = "E0217", "unknown-interpolation", "a `{name}` in a string that names nothing";
    UnknownUnit = "E0220", "unknown-unit", "a unit that is not declared";
    UndeclaredInUnitDefinition = "E0221", "undeclared-in-unit-definition", "a unit defined in terms of one not declared before it";
    DuplicateUnit = "E0222", "duplicate-unit", "a unit declared twice";
    NotAUnitExpression = "E0223", "not-a-unit-expression", "a unit defined by something other than numbers and units";
    NonPositiveScale = "E0224", "non-positive-scale", "a unit whose scale is zero or negative";
    UnitExponentOverflow = "E0225", "unit-exponent-overflow", "a unit with a power beyond ±127";
    UnitScaleOutOfRange = "E0226", "unit-scale-out-of-range", "a unit scale too large or too small to represent";
    InvalidNumber = "E0227", "invalid-number", "a number that is not finite";
    InvalidUnitSymbol = "E0228", "invalid-unit-symbol", "a quoted unit symbol that cannot be used as a unit";
    // Policies, actions and tests.
    UnknownFleet = "E0301", "unknown-fleet", "a fleet that is not declared or imported";
    UnknownCalendar = "E0302", "unknown-calendar", "a calendar that is not declared or imported";
    UnknownAction = "E0303", "unknown-action", "an action that is not declared or imported";
    UnknownPolicy = "E0304", "unknown-policy", "a policy that is not declared or imported";
    UnknownLevel = "E0305", "unknown-level", "a level other than info, warn or crit";
    UnknownState = "E0306", "unknown-state", "an instance state that does not exist";
    ChecksOutOfRange = "E0307", "checks-out-of-range", "`for N of M checks` with N larger than M";
    ExpectedShare = "E0308", "expected-share", "a fleet share that is not between 0% and 100%";
    NotATemplate = "E0309", "not-a-template", "`apply` of a policy without parameters";
    ExecArgNotText = "E0310", "exec-arg-not-text", "an `exec` argument that is not text";
    BadAction = "E0311", "bad-action", "an action that cannot run";
    CrossTenant = "E0312", "cross-tenant", "a tenant's file using another tenant's declaration";
    TestOfUnknownPolicy = "E0313", "test-of-unknown-policy", "a test named after no policy";
    // Calendars and patterns.
    BadTimeOfDay = "E0400", "bad-time-of-day", "a time of day that is not `HH:MM` between 00:00 and 23:59";
    EmptyTimeRange = "E0401", "empty-time-range", "a time range that ends when it starts";
    UnknownWeekday = "E0402", "unknown-weekday", "a day of the week other than `mon` … `sun`";
    DuplicateWeekday = "E0403", "duplicate-weekday", "a day listed twice in a `weekly` calendar";
    BadOrdinal = "E0404", "bad-ordinal", "a monthly ordinal that is not `1st` … `28th` or `last`";
    NoFifthWeekday = "E0405", "no-fifth-weekday", "an nth weekday past the 4th, which not every month has";
    DayNotInEveryMonth = "E0406", "day-not-in-every-month", "a day of the month from the 29th on, which not every month has";
    BadWindowDuration = "E0407", "bad-window-duration", "a calendar window that is empty or longer than its period";
    UnknownTimeZone = "E0408", "unknown-time-zone", "a time zone that is not in the IANA time zone database";
    TimeZoneAbbreviation = "E0409", "time-zone-abbreviation", "an abbreviation or UTC offset where an IANA time zone is needed";
    CronFieldCount = "E0410", "cron-field-count", "a cron schedule without exactly five fields";
    BadCronField = "E0411", "bad-cron-field", "a cron field that is not a valid value, range, list or step";
    CronMacro = "E0412", "cron-macro", "a cron `@` macro such as `@daily`";
    CronNeverFires = "E0413", "cron-never-fires", "a cron schedule that matches no day of any year";
    BadRegex = "E0414", "bad-regex", "a label matcher regex that does not compile";
    // Compilation.
    NotCompilable = "E0501", "not-compilable", "a construct the checker accepts but the evaluator cannot compile yet";
    // Warnings.
    ForShorterThanEvery = "W0001", "for-shorter-than-every", "a `for` shorter than the evaluation interval";
    UnusedLet = "W0002", "unused-let", "a `let` that nothing uses";
    NoHysteresis = "W0003", "no-hysteresis", "a `recover when` that overlaps the trigger";
    InvertedLevels = "W0004", "inverted-levels", "a more severe level with a less severe threshold";
    FleetNeverMatches = "W0005", "fleet-never-matches", "a fleet whose condition contradicts itself";
    PercentAsPlainNumber = "W0006", "percent-as-plain-number", "a percent metric compared with a bare number";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_well_formed_and_in_order() {
        let mut seen = HashSet::new();
        let mut previous = "";
        // Errors in ascending order, then warnings in ascending order.
        for code in Code::ALL {
            let s = code.as_str();
            assert!(
                s.len() == 5
                    && (s.starts_with('E') || s.starts_with('W'))
                    && s[1..].chars().all(|c| c.is_ascii_digit()),
                "{s}"
            );
            assert!(seen.insert(s), "{s} is used twice");
            assert!(seen.insert(code.slug()), "slug {} is used twice", code.slug());
            assert!(s > previous, "{s} is out of order");
            previous = s;
        }
    }
}
