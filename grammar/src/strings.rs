//! The meaning of string literals: escapes and `{name}` interpolation.
//!
//! Two flavours exist. *Template* strings (in expressions and messages)
//! interpolate `{name}` and write a literal brace as `{{` or `}}`. *Plain*
//! strings (label matcher values, regexes, time zones, cron schedules) take
//! braces and backslashes literally, except `\"` and `\\`, so that a regex
//! such as `"\d{2}"` means what it says.

use crate::ast::{Ident, StrLit, StrPart};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::span::Span;

/// A plain string: no interpolation.
pub fn plain(raw: &str, span: Span) -> StrLit {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next)) if next == '"' || next == '\\' => {
                text.push(next);
                chars.next();
            }
            _ => text.push(c),
        }
    }
    StrLit { raw: raw.to_string(), parts: vec![StrPart::Text(text)], span }
}

/// A template string: escapes and `{name}` interpolations. Problems are
/// pushed to `errors`; the literal is still returned so parsing goes on.
pub fn template(raw: &str, span: Span, errors: &mut Vec<SyntaxError>) -> StrLit {
    // Offsets into `raw` map to the source after the opening quote.
    let base = span.start + 1;
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut iter = raw.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        match c {
            '\\' => match iter.next() {
                Some((_, 'n')) => text.push('\n'),
                Some((_, 't')) => text.push('\t'),
                Some((_, 'r')) => text.push('\r'),
                Some((_, '"')) => text.push('"'),
                Some((_, '\\')) => text.push('\\'),
                Some((j, other)) => {
                    errors.push(SyntaxError::new(
                        SyntaxErrorKind::UnknownEscape(other),
                        Span::new(base + i, base + j + other.len_utf8()),
                    ));
                    text.push(other);
                }
                None => text.push('\\'),
            },
            '{' if iter.peek().map(|p| p.1) == Some('{') => {
                iter.next();
                text.push('{');
            }
            '}' if iter.peek().map(|p| p.1) == Some('}') => {
                iter.next();
                text.push('}');
            }
            '{' => {
                let rest = &raw[i + 1..];
                // A `{` before the next `}` means this one was never closed.
                let close = rest.find(['{', '}']).filter(|&c| rest.as_bytes()[c] == b'}');
                let Some(close) = close else {
                    errors.push(SyntaxError::new(
                        SyntaxErrorKind::UnclosedInterpolation,
                        Span::new(base + i, base + i + 1),
                    ));
                    text.push('{');
                    continue;
                };
                let inner = &rest[..close];
                let trimmed = inner.trim();
                let lead = inner.len() - inner.trim_start().len();
                let name_span = Span::new(base + i + 1 + lead, base + i + 1 + lead + trimmed.len());
                if is_name(trimmed) {
                    if !text.is_empty() {
                        parts.push(StrPart::Text(std::mem::take(&mut text)));
                    }
                    parts.push(StrPart::Interp(Ident::new(trimmed, name_span)));
                } else {
                    errors.push(SyntaxError::new(
                        SyntaxErrorKind::BadInterpolation(inner.to_string()),
                        Span::new(base + i, base + i + close + 2),
                    ));
                }
                // Skip the interpolation's characters, including the `}`.
                while let Some(&(j, _)) = iter.peek() {
                    if j > i + close + 1 {
                        break;
                    }
                    iter.next();
                }
            }
            '}' => {
                errors.push(SyntaxError::new(
                    SyntaxErrorKind::StrayCloseBrace,
                    Span::new(base + i, base + i + 1),
                ));
                text.push('}');
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(StrPart::Text(text));
    }
    StrLit { raw: raw.to_string(), parts, span }
}

/// An identifier or dotted path: what `{…}` may contain.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|seg| {
            let mut chars = seg.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(raw: &str) -> (Vec<StrPart>, Vec<SyntaxErrorKind>) {
        let mut errors = Vec::new();
        let lit = template(raw, Span::new(0, raw.len() + 2), &mut errors);
        (lit.parts, errors.into_iter().map(|e| e.kind).collect())
    }

    #[test]
    fn interpolation_splits_text_and_names() {
        let (p, e) = parts("{mount} on {host} fills in {eta}");
        assert!(e.is_empty());
        assert_eq!(p.len(), 5);
        assert_eq!(p[0], StrPart::Interp(Ident::new("mount", Span::new(2, 7))));
        assert_eq!(p[1], StrPart::Text(" on ".into()));
    }

    #[test]
    fn doubled_braces_and_escapes_are_literal() {
        let (p, e) = parts(r#"{{x}} \"q\" a\nb"#);
        assert!(e.is_empty());
        assert_eq!(p, vec![StrPart::Text("{x} \"q\" a\nb".into())]);
    }

    #[test]
    fn bad_interpolations_are_errors_not_panics() {
        let (_, e) = parts("{1x} {");
        assert_eq!(
            e,
            vec![
                SyntaxErrorKind::BadInterpolation("1x".into()),
                SyntaxErrorKind::UnclosedInterpolation
            ]
        );
        let (_, e) = parts("a } \\q é{");
        assert_eq!(e.len(), 3);
    }

    #[test]
    fn plain_strings_keep_regex_escapes() {
        let lit = plain(r#"\d{2}\"\\"#, Span::new(0, 10));
        assert_eq!(lit.as_plain().as_deref(), Some("\\d{2}\"\\"));
    }
}
