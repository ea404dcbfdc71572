//! Label-matcher regular expressions (E0414).
//!
//! `=~` and `!~` take a regular expression in RE2 syntax, as Prometheus
//! does, and the runtime anchors it as `^(?:…)$` so that it must match the
//! whole label value. Both the pattern as written and its anchored form must
//! compile: the first gives an error pointing at the offending character, the
//! second catches the rare pattern that only breaks once wrapped (a `(?x)`
//! comment that swallows the closing `)$`, a pattern at the size limit).
//!
//! Also home of [`span_in`], the map from offsets in a plain string's value
//! to source spans, which the cron checker shares.

use std::sync::Arc;

use upkeep_grammar::Span;
use upkeep_grammar::ast::{ExprKind, MatchOp, Matcher, StrLit};

use crate::{Code, Diagnostic, Label, SourceFile};

/// Checks that the regex of an `=~` or `!~` matcher compiles. Other matchers,
/// and values that are not plain strings, are left to the type checker.
pub fn check_matcher_regex(m: &Matcher, file: &Arc<SourceFile>, out: &mut Vec<Diagnostic>) {
    if !matches!(m.op, MatchOp::Re | MatchOp::NotRe) {
        return;
    }
    let ExprKind::Str(lit) = &m.value.kind else { return };
    let Some(pattern) = lit.as_plain() else { return };

    if let Err(err) = regex_syntax::Parser::new().parse(&pattern) {
        let (message, range) = match &err {
            regex_syntax::Error::Parse(e) => {
                (e.kind().to_string(), e.span().start.offset..e.span().end.offset)
            }
            regex_syntax::Error::Translate(e) => {
                (e.kind().to_string(), e.span().start.offset..e.span().end.offset)
            }
            // The error type is non-exhaustive: point at the whole pattern.
            other => (other.to_string(), 0..pattern.len()),
        };
        let mut d = Diagnostic::error(
            Code::BadRegex,
            file,
            format!("the regular expression does not compile: {message}"),
            Label::new(span_in(lit, range.start, range.end.max(range.start + 1)), message),
        );
        if let Some(fixed) = glob_fix(&pattern, &err) {
            d = d.with_help(format!("regular expressions, not globs: `{fixed}`"));
        }
        out.push(d);
        return;
    }

    // The pattern is fine on its own; now as the runtime will run it.
    if let Err(err) = regex::Regex::new(&anchored(&pattern)) {
        let message = match &err {
            regex::Error::CompiledTooBig(limit) => {
                format!("it is too large once compiled (over {limit} bytes)")
            }
            // A syntax error's text repeats the pattern; its last line is the reason.
            other => {
                let text = other.to_string();
                let last = text.lines().last().unwrap_or_default();
                last.strip_prefix("error: ").unwrap_or(last).to_string()
            }
        };
        out.push(
            Diagnostic::error(
                Code::BadRegex,
                file,
                format!("the regular expression does not compile when anchored: {message}"),
                Label::new(span_in(lit, 0, pattern.len()), "the runtime matches this as `^(?:…)$`"),
            )
            .with_help(
                "matchers must match the whole label value, so the pattern is wrapped in \
                 `^(?:` and `)$`; a `(?x)` comment or an unclosed construct can swallow them",
            ),
        );
    }
}

/// The pattern as the runtime compiles it: anchored at both ends.
pub fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}

/// `*web` as a regex: a glob `*` with nothing to repeat. Suggest `.*` for
/// every bare `*` when that makes the pattern compile.
fn glob_fix(pattern: &str, err: &regex_syntax::Error) -> Option<String> {
    let regex_syntax::Error::Parse(e) = err else { return None };
    // The parser reports a missing repetition as an empty span at the operator.
    let at = e.span().start.offset;
    if *e.kind() != regex_syntax::ast::ErrorKind::RepetitionMissing
        || !pattern.get(at..).is_some_and(|rest| rest.starts_with('*'))
    {
        return None;
    }
    let mut fixed = String::with_capacity(pattern.len() + 4);
    let mut previous = None;
    for c in pattern.chars() {
        if c == '*' && !matches!(previous, Some('.' | '\\' | ')' | ']')) {
            fixed.push('.');
        }
        fixed.push(c);
        previous = Some(c);
    }
    regex_syntax::Parser::new().parse(&fixed).is_ok().then_some(fixed)
}

/// The source span of bytes `start..end` of a plain string's *value*.
///
/// A plain string's value differs from its source text only where `\"` or
/// `\\` was written, each two bytes of source for one of value, so offsets
/// are mapped by walking the raw text the way the parser unescaped it. The
/// literal's span covers the quotes: the text starts one byte in. Offsets
/// past the end are clamped to the closing quote, so this never panics.
pub(crate) fn span_in(lit: &StrLit, start: usize, end: usize) -> Span {
    let base = lit.span.start + 1;
    let from = raw_offset(&lit.raw, start);
    let to = raw_offset(&lit.raw, end.max(start)).max(from);
    Span::new(base + from, base + to)
}

/// The offset in `raw` where byte `value_offset` of the unescaped value is.
fn raw_offset(raw: &str, value_offset: usize) -> usize {
    let bytes = raw.as_bytes();
    let (mut raw_at, mut value_at) = (0, 0);
    while raw_at < bytes.len() && value_at < value_offset {
        let escaped = bytes[raw_at] == b'\\' && matches!(bytes.get(raw_at + 1), Some(b'"' | b'\\'));
        raw_at += if escaped { 2 } else { 1 };
        value_at += 1;
    }
    raw_at.min(raw.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use upkeep_grammar::strings::plain;

    #[test]
    fn spans_skip_escapes() {
        // Source: `"a\"b"` at offset 10: value `a"b`.
        let lit = plain(r#"a\"b"#, Span::new(10, 16));
        assert_eq!(span_in(&lit, 0, 1), Span::new(11, 12));
        assert_eq!(span_in(&lit, 1, 2), Span::new(12, 14));
        assert_eq!(span_in(&lit, 2, 3), Span::new(14, 15));
        assert_eq!(span_in(&lit, 9, 99), Span::new(15, 15));
    }

    #[test]
    fn glob_stars_become_dot_stars() {
        let err = regex_syntax::Parser::new().parse("*web").unwrap_err();
        assert_eq!(glob_fix("*web", &err).as_deref(), Some(".*web"));
        let err = regex_syntax::Parser::new().parse("(*.db|web)").unwrap_err();
        assert_eq!(glob_fix("(*.db|web)", &err).as_deref(), Some("(.*.db|web)"));
        let err = regex_syntax::Parser::new().parse("+web").unwrap_err();
        assert_eq!(glob_fix("+web", &err), None);
    }
}
