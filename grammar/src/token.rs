//! The token set of Upkeep, as a logos lexer.
//!
//! The keyword table [`KEYWORDS`] is the single source of truth for reserved
//! words: the editor grammars are tested against it, and a unit test checks
//! that it and the lexer agree.

use logos::Logos;
use std::fmt;

/// Every reserved word of the language, in the order they are documented.
#[rustfmt::skip]
pub const KEYWORDS: &[&str] = &[
    // declarations
    "tenant", "use", "metric", "unit", "fleet", "calendar", "action", "fn", "policy", "apply",
    "task", "test", "from", "lookback",
    // policy clauses
    "on", "every", "jitter", "let", "when", "for", "checks", "of", "recover", "keep", "nodata",
    "flapping", "changes", "message", "labels", "escalate", "after", "quiet", "pause", "during",
    "depends",
    // remediation guards
    "timeout", "retry", "backoff", "verify", "within", "cooldown", "at", "most", "per",
    "concurrency", "dry", "run",
    // expressions
    "and", "or", "not", "if", "then", "else", "in", "over", "by", "true", "false",
    // fleets, calendars and actions
    "hosts", "where", "daily", "weekly", "monthly", "cron", "exec", "webhook", "body", "notify",
    // tests
    "series", "expect", "no",
];

/// A token. Payloads borrow from the source text.
#[rustfmt::skip]
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Tok<'src> {
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment(&'src str),

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", |lex| lex.slice())]
    Ident(&'src str),
    /// A number with an optional unit suffix: `5`, `0.5`, `20%`, `1.5GiB`, `10m`.
    /// A rate suffix (`10MB/s`) is attached by [`crate::lexer`].
    #[regex(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?([A-Za-z]+|%)?", |lex| lex.slice())]
    Quantity(&'src str),
    /// An ordinal in a calendar: `1st`, `2nd`, `3rd`, `4th`.
    #[regex(r"[0-9]+(st|nd|rd|th)", |lex| lex.slice(), priority = 10)]
    Ordinal(&'src str),
    /// A time of day: `22:00`, `7:30`.
    #[regex(r"[0-9][0-9]?:[0-9][0-9]", |lex| lex.slice())]
    Time(&'src str),
    /// A string literal; the payload is the text between the quotes, unescaped later.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |lex| { let s = lex.slice(); &s[1..s.len() - 1] })]
    Str(&'src str),
    /// A string that reaches the end of the line without its closing quote.
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, |lex| &lex.slice()[1..])]
    UnterminatedStr(&'src str),

    #[token("tenant")] KwTenant,
    #[token("use")] KwUse,
    #[token("metric")] KwMetric,
    #[token("unit")] KwUnit,
    #[token("fleet")] KwFleet,
    #[token("calendar")] KwCalendar,
    #[token("action")] KwAction,
    #[token("fn")] KwFn,
    #[token("policy")] KwPolicy,
    #[token("apply")] KwApply,
    #[token("task")] KwTask,
    #[token("test")] KwTest,
    #[token("from")] KwFrom,
    #[token("lookback")] KwLookback,
    #[token("on")] KwOn,
    #[token("every")] KwEvery,
    #[token("jitter")] KwJitter,
    #[token("let")] KwLet,
    #[token("when")] KwWhen,
    #[token("for")] KwFor,
    #[token("checks")] KwChecks,
    #[token("of")] KwOf,
    #[token("recover")] KwRecover,
    #[token("keep")] KwKeep,
    #[token("nodata")] KwNodata,
    #[token("flapping")] KwFlapping,
    #[token("changes")] KwChanges,
    #[token("message")] KwMessage,
    #[token("labels")] KwLabels,
    #[token("escalate")] KwEscalate,
    #[token("after")] KwAfter,
    #[token("quiet")] KwQuiet,
    #[token("pause")] KwPause,
    #[token("during")] KwDuring,
    #[token("depends")] KwDepends,
    #[token("timeout")] KwTimeout,
    #[token("retry")] KwRetry,
    #[token("backoff")] KwBackoff,
    #[token("verify")] KwVerify,
    #[token("within")] KwWithin,
    #[token("cooldown")] KwCooldown,
    #[token("at")] KwAt,
    #[token("most")] KwMost,
    #[token("per")] KwPer,
    #[token("concurrency")] KwConcurrency,
    #[token("dry")] KwDry,
    #[token("run")] KwRun,
    #[token("and")] KwAnd,
    #[token("or")] KwOr,
    #[token("not")] KwNot,
    #[token("if")] KwIf,
    #[token("then")] KwThen,
    #[token("else")] KwElse,
    #[token("in")] KwIn,
    #[token("over")] KwOver,
    #[token("by")] KwBy,
    #[token("true")] KwTrue,
    #[token("false")] KwFalse,
    #[token("hosts")] KwHosts,
    #[token("where")] KwWhere,
    #[token("daily")] KwDaily,
    #[token("weekly")] KwWeekly,
    #[token("monthly")] KwMonthly,
    #[token("cron")] KwCron,
    #[token("exec")] KwExec,
    #[token("webhook")] KwWebhook,
    #[token("body")] KwBody,
    #[token("notify")] KwNotify,
    #[token("series")] KwSeries,
    #[token("expect")] KwExpect,
    #[token("no")] KwNo,

    #[token("{")] LBrace,
    #[token("}")] RBrace,
    #[token("(")] LParen,
    #[token(")")] RParen,
    #[token("[")] LBracket,
    #[token("]")] RBracket,
    #[token(",")] Comma,
    #[token(":")] Colon,
    #[token(";")] Semi,
    #[token(".")] Dot,
    #[token("..")] DotDot,
    #[token("=")] Assign,
    #[token("==")] EqEq,
    #[token("!=")] NotEq,
    #[token("<")] Lt,
    #[token("<=")] LtEq,
    #[token(">")] Gt,
    #[token(">=")] GtEq,
    #[token("=~")] Match,
    #[token("!~")] NotMatch,
    #[token("+")] Plus,
    #[token("-")] Minus,
    #[token("*")] Star,
    #[token("/")] Slash,
    #[token("^")] Caret,
    #[token("=>")] FatArrow,
    #[token("->")] Arrow,
}

impl Tok<'_> {
    /// The keyword this token spells, if it is one.
    pub fn keyword(&self) -> Option<&'static str> {
        let text = self.fixed_text()?;
        text.chars().all(|c| c.is_ascii_lowercase()).then_some(text)
    }

    /// The text of tokens whose spelling is fixed (keywords and punctuation).
    #[rustfmt::skip]
    pub fn fixed_text(&self) -> Option<&'static str> {
        use Tok::*;
        Some(match self {
            Comment(_) | Ident(_) | Quantity(_) | Ordinal(_) | Time(_) | Str(_)
            | UnterminatedStr(_) => return None,
            KwTenant => "tenant", KwUse => "use", KwMetric => "metric", KwUnit => "unit",
            KwFleet => "fleet", KwCalendar => "calendar", KwAction => "action", KwFn => "fn",
            KwPolicy => "policy", KwApply => "apply", KwTask => "task", KwTest => "test", KwFrom => "from", KwLookback => "lookback",
            KwOn => "on", KwEvery => "every", KwJitter => "jitter", KwLet => "let",
            KwWhen => "when", KwFor => "for", KwChecks => "checks", KwOf => "of",
            KwRecover => "recover", KwKeep => "keep", KwNodata => "nodata",
            KwFlapping => "flapping", KwChanges => "changes", KwMessage => "message",
            KwLabels => "labels", KwEscalate => "escalate", KwAfter => "after",
            KwQuiet => "quiet", KwPause => "pause", KwDuring => "during",
            KwDepends => "depends", KwTimeout => "timeout", KwRetry => "retry",
            KwBackoff => "backoff", KwVerify => "verify", KwWithin => "within",
            KwCooldown => "cooldown", KwAt => "at", KwMost => "most", KwPer => "per",
            KwConcurrency => "concurrency", KwDry => "dry", KwRun => "run", KwAnd => "and",
            KwOr => "or", KwNot => "not", KwIf => "if", KwThen => "then", KwElse => "else",
            KwIn => "in", KwOver => "over", KwBy => "by", KwTrue => "true",
            KwFalse => "false", KwHosts => "hosts", KwWhere => "where", KwDaily => "daily",
            KwWeekly => "weekly", KwMonthly => "monthly", KwCron => "cron", KwExec => "exec",
            KwWebhook => "webhook", KwBody => "body", KwNotify => "notify",
            KwSeries => "series", KwExpect => "expect", KwNo => "no",
            LBrace => "{", RBrace => "}", LParen => "(", RParen => ")", LBracket => "[",
            RBracket => "]", Comma => ",", Colon => ":", Semi => ";", Dot => ".",
            DotDot => "..", Assign => "=", EqEq => "==", NotEq => "!=", Lt => "<",
            LtEq => "<=", Gt => ">", GtEq => ">=", Match => "=~", NotMatch => "!~",
            Plus => "+", Minus => "-", Star => "*", Slash => "/", Caret => "^",
            FatArrow => "=>", Arrow => "->",
        })
    }
}

impl fmt::Display for Tok<'_> {
    /// How a token is named in a diagnostic: keywords and punctuation in
    /// backticks, literals by what they are and what they say.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.fixed_text() {
            return write!(f, "`{text}`");
        }
        match self {
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Quantity(s) => write!(f, "`{s}`"),
            Tok::Ordinal(s) => write!(f, "`{s}`"),
            Tok::Time(s) => write!(f, "time `{s}`"),
            Tok::Str(_) | Tok::UnterminatedStr(_) => write!(f, "a string"),
            Tok::Comment(_) => write!(f, "a comment"),
            _ => Ok(()),
        }
    }
}
