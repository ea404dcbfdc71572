//! promtool's expanding notation, for test series written as a string:
//! `series disk.free = "0+10x100 _x3 stale 5"`.
//!
//! [`expand`] turns the notation into one value per sample (`None`: no
//! sample). It follows the `input_series` values of `promtool test rules`
//! (<https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/#series>),
//! as Prometheus's own lexer and grammar read them (`lexValueSequence`,
//! `scanNumber` and the `series_item` rules of `promql/parser`):
//!
//! | term | values | count |
//! |---|---|---|
//! | `a` | a | 1 |
//! | `axn` | a, a, …, a | n + 1 |
//! | `a+bxn` | a, a+b, a+2b, …, a+nb | n + 1 |
//! | `a-bxn` | a, a−b, a−2b, …, a−nb | n + 1 |
//! | `_` | missing | 1 |
//! | `_xn` | missing, …, missing | n (not n + 1) |
//! | `stale` | missing (see below) | 1 |
//!
//! - Terms are separated by runs of spaces, tabs, carriage returns and line
//!   feeds; nothing is allowed between the parts of one term (`1 + 2x3` is
//!   three bad terms, as in promtool).
//! - `a` may carry a sign (`-5`, `+5`) and `b` takes one sign, the `+` or
//!   `-` that joins it (`1+-2x3` is refused). Numbers are decimal, with an
//!   optional fraction and exponent: `7`, `.5`, `1.`, `2.5e-3`, `1E6`;
//!   `Inf` and `NaN` in any case (`-Inf`, `+inf`, `Inf+0x3`). A number too
//!   large for an `f64` (`1e400`) is refused, as Go's `ParseFloat` does.
//! - The sequence of `a±bxn` is built as promtool builds it, by adding `b`
//!   to the previous value (not `a + i·b`), so the rounding is the same.
//! - `n` is a whole number in decimal digits (`x0` is allowed: `5x0` is one
//!   value, `_x0` none); it may not be signed, fractional or an exponent.
//! - Letters and digits after a word are part of it, as in promtool's lexer:
//!   `Infx3`, `stalex2` and the step of `1+Infx2` are unknown words; write
//!   `Inf+0x3`. So neither `Inf` nor `NaN` can be a step.
//!
//! Differences, all deliberate:
//!
//! - **`stale`** is promtool's staleness marker: the series ends there, and
//!   instant lookups stop seeing the sample before it. Here it is a missing
//!   sample (`None`), like `_`: the runtime's samples have no staleness
//!   markers. Values built from it (`stale+1x2`) are missing too.
//! - `NaN` is a present sample whose value is NaN (`Some(NaN)`), as in
//!   promtool; what the caller does with it is the caller's business.
//! - Integers with a leading zero are decimal (`010` is ten). promtool reads
//!   them through Go's `ParseInt(s, 0, 64)`, which makes `010` octal eight.
//! - Native histograms (`{{schema:0 sum:5 …}}`) are not supported.
//! - The expansion is refused beyond [`MAX_VALUES`] values in all, before
//!   anything that large is allocated: `0+1x1000000000` is an error, not a
//!   16 GB vector.

/// The most values one string may expand to: a sample every second for
/// almost four months. At 16 bytes a value, this caps a series at 160 MB.
pub const MAX_VALUES: usize = 10_000_000;

/// What is wrong, where: the offending token and its byte offset in the
/// text given to [`expand`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem}: `{token}` at byte {offset}")]
pub struct NotationError {
    pub problem: Problem,
    pub token: String,
    pub offset: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("unexpected character in a series")]
    UnexpectedCharacter,
    #[error("expected a number, `_` or `stale`")]
    ExpectedValue,
    #[error("unknown word in a series (the words are `stale`, `Inf` and `NaN`)")]
    UnknownWord,
    #[error("bad number")]
    BadNumber,
    #[error("expected a repetition count: a whole number of decimal digits")]
    BadCount,
    #[error("an increment needs a repetition count, as in `1+2x5`")]
    MissingCount,
    #[error("unexpected text after a complete term")]
    TrailingText,
    #[error("the series expands to more than {MAX_VALUES} values")]
    TooManyValues,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind<'a> {
    Add,
    Sub,
    Times,
    Blank,
    Number(&'a str),
    Word(&'a str),
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind<'a>,
    text: &'a str,
    offset: usize,
}

impl Token<'_> {
    fn error(&self, problem: Problem) -> NotationError {
        NotationError { problem, token: self.text.to_string(), offset: self.offset }
    }
}

/// Expands promtool's notation into one value per sample, `None` where the
/// notation has no sample (`_`, `stale`). See the [module](self) for the
/// exact rules.
pub fn expand(text: &str) -> Result<Vec<Option<f64>>, NotationError> {
    let mut values = Vec::new();
    for (offset, term) in terms(text) {
        let tokens = lex(term, offset)?;
        let item = parse(&tokens)?;
        let count = item.count();
        if count > (MAX_VALUES - values.len()) as u128 {
            let problem = Problem::TooManyValues;
            return Err(NotationError { problem, token: term.to_string(), offset });
        }
        item.push_into(&mut values);
    }
    Ok(values)
}

/// The terms of `text` with their byte offsets, split at promtool's spaces.
fn terms(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    text.split(is_space).filter(|term| !term.is_empty()).map(move |term| {
        // `split` yields subslices of `text`, so the pointer difference is
        // the offset.
        (term.as_ptr() as usize - text.as_ptr() as usize, term)
    })
}

/// One term's tokens, as promtool's `lexValueSequence` cuts them.
fn lex(term: &str, base: usize) -> Result<Vec<Token<'_>>, NotationError> {
    let bytes = term.as_bytes();
    let alnum = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let next_is_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        let kind = match c {
            b'+' | b'-' | b'x' | b'_' => {
                i += 1;
                match c {
                    b'+' => Kind::Add,
                    b'-' => Kind::Sub,
                    b'x' => Kind::Times,
                    _ => Kind::Blank,
                }
            }
            c if c.is_ascii_digit() || (c == b'.' && next_is_digit) => {
                i = scan_number(bytes, i, digits);
                // A number may be followed by `x`, or by anything but a
                // letter, digit or underscore.
                if bytes.get(i) != Some(&b'x') && alnum(i) {
                    while alnum(i) {
                        i += 1;
                    }
                    let (problem, token) = (Problem::BadNumber, term[start..i].to_string());
                    return Err(NotationError { problem, token, offset: base + start });
                }
                Kind::Number(&term[start..i])
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                while alnum(i) || bytes.get(i) == Some(&b':') {
                    i += 1;
                }
                let word = &term[start..i];
                if word.eq_ignore_ascii_case("inf") || word.eq_ignore_ascii_case("nan") {
                    Kind::Number(word)
                } else {
                    Kind::Word(word)
                }
            }
            _ => {
                let len = term[start..].chars().next().map_or(1, char::len_utf8);
                let token = term[start..start + len].to_string();
                let problem = Problem::UnexpectedCharacter;
                return Err(NotationError { problem, token, offset: base + start });
            }
        };
        tokens.push(Token { kind, text: &term[start..i], offset: base + start });
    }
    Ok(tokens)
}

/// promtool's `scanNumber` for series: digits, an optional `.` and digits,
/// an optional exponent `e` with an optional sign and digits. Returns where
/// the number ends; whether it is well formed is for the parser to say.
fn scan_number(bytes: &[u8], at: usize, digits: impl Fn(usize) -> usize) -> usize {
    let mut i = digits(at);
    if bytes.get(i) == Some(&b'.') {
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(i);
    }
    i
}

/// One term, parsed.
enum Item {
    Missing(u64),
    /// `a+bxn`: `n + 1` values from `first`, adding `step` each time;
    /// `first: None` for `stale`.
    Values {
        first: Option<f64>,
        step: f64,
        repeat: u64,
    },
}

impl Item {
    fn count(&self) -> u128 {
        match *self {
            Item::Missing(n) => u128::from(n),
            Item::Values { repeat, .. } => u128::from(repeat) + 1,
        }
    }

    fn push_into(&self, values: &mut Vec<Option<f64>>) {
        match *self {
            Item::Missing(n) => values.extend((0..n).map(|_| None)),
            Item::Values { first, step, repeat } => {
                let mut value = first;
                for _ in 0..=repeat {
                    values.push(value);
                    value = value.map(|v| v + step);
                }
            }
        }
    }
}

/// promtool's `series_item` rules over one term's tokens.
fn parse(tokens: &[Token<'_>]) -> Result<Item, NotationError> {
    let mut p = Parser { tokens, at: 0 };
    let item = if p.eat(Kind::Blank) {
        Item::Missing(if p.eat(Kind::Times) { p.count()? } else { 1 })
    } else {
        let first = p.value()?;
        let (step, repeat) = if p.eat(Kind::Times) {
            (0.0, p.count()?)
        } else if let Some(sign) = p.sign() {
            let step = sign * p.number()?;
            if !p.eat(Kind::Times) {
                return Err(p.error(Problem::MissingCount));
            }
            (step, p.count()?)
        } else {
            (0.0, 0)
        };
        Item::Values { first, step, repeat }
    };
    match p.tokens.get(p.at) {
        Some(extra) => Err(extra.error(Problem::TrailingText)),
        None => Ok(item),
    }
}

struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    at: usize,
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.at).copied()
    }

    fn eat(&mut self, kind: Kind<'_>) -> bool {
        let found = self.peek().is_some_and(|t| t.kind == kind);
        self.at += usize::from(found);
        found
    }

    /// An error at the next token, or at the last one when the term ends.
    fn error(&self, problem: Problem) -> NotationError {
        let at = self.at.min(self.tokens.len() - 1);
        self.tokens[at].error(problem)
    }

    /// `+` or `-`, as a factor.
    fn sign(&mut self) -> Option<f64> {
        if self.eat(Kind::Add) {
            Some(1.0)
        } else if self.eat(Kind::Sub) {
            Some(-1.0)
        } else {
            None
        }
    }

    /// `stale` (`None`), or a number with an optional sign.
    fn value(&mut self) -> Result<Option<f64>, NotationError> {
        if self.eat(Kind::Word("stale")) {
            return Ok(None);
        }
        let sign = self.sign().unwrap_or(1.0);
        Ok(Some(sign * self.number()?))
    }

    /// An unsigned number: decimal, `Inf` or `NaN`.
    fn number(&mut self) -> Result<f64, NotationError> {
        let Some(token @ Token { kind: Kind::Number(text), .. }) = self.peek() else {
            return Err(match self.peek() {
                Some(token @ Token { kind: Kind::Word(_), .. }) => {
                    token.error(Problem::UnknownWord)
                }
                _ => self.error(Problem::ExpectedValue),
            });
        };
        self.at += 1;
        if text.eq_ignore_ascii_case("inf") {
            return Ok(f64::INFINITY);
        }
        if text.eq_ignore_ascii_case("nan") {
            return Ok(f64::NAN);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(token.error(Problem::BadNumber)),
        }
    }

    /// A repetition count: decimal digits that fit in 64 bits, as Go's
    /// `ParseUint(s, 10, 64)` takes them.
    fn count(&mut self) -> Result<u64, NotationError> {
        if let Some(Token { kind: Kind::Number(text), .. }) = self.peek()
            && text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = text.parse()
        {
            self.at += 1;
            return Ok(n);
        }
        Err(self.error(Problem::BadCount))
    }
}
