//! Syntax errors from the grammar crate, turned into coded diagnostics.

use super::{Code, Diagnostic, Label, SourceFile};
use std::sync::Arc;
use upkeep_grammar::{SyntaxError, SyntaxErrorKind};

/// The code of each kind of syntax error.
pub fn code_of(kind: &SyntaxErrorKind) -> Code {
    use SyntaxErrorKind as K;
    match kind {
        K::BadChar(_) => Code::BadChar,
        K::StrayPercent => Code::StrayPercent,
        K::UnterminatedString => Code::UnterminatedString,
        K::UnknownEscape(_) => Code::UnknownEscape,
        K::UnclosedInterpolation => Code::UnclosedInterpolation,
        K::BadInterpolation(_) => Code::BadInterpolation,
        K::StrayCloseBrace => Code::StrayCloseBrace,
        K::Unexpected { .. } => Code::UnexpectedToken,
        K::UnexpectedEof { .. } => Code::UnexpectedEof,
        K::Unclosed { .. } => Code::UnclosedDelimiter,
        K::UnmatchedClose { .. } => Code::UnmatchedDelimiter,
        K::MissingDurationUnit { .. } => Code::MissingDurationUnit,
        K::AssignInCondition => Code::AssignInCondition,
        K::DoubleEqInMatcher => Code::DoubleEqInMatcher,
        K::MissingWhen { .. } => Code::MissingWhen,
        K::ChainedComparison => Code::ChainedComparison,
        K::MisspelledKeyword { .. } => Code::MisspelledKeyword,
        K::NestedTooDeeply { .. } | K::TooManyOperators { .. } => Code::TooComplex,
        K::UnknownMetricKind(_) => Code::UnknownMetricKind,
        K::NumberInUnit(_) => Code::NumberInUnit,
        K::BadUnitExponent(_) => Code::BadUnitExponent,
    }
}

impl Diagnostic {
    pub fn from_syntax(error: &SyntaxError, file: &Arc<SourceFile>) -> Self {
        let mut d = Diagnostic::error(
            code_of(&error.kind),
            file,
            error.message(),
            Label::new(error.span, error.label()),
        );
        d.help = error.help();
        d.secondary =
            error.related.iter().map(|(span, text)| Label::new(*span, text.clone())).collect();
        d
    }
}
