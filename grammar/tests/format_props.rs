//! Properties of the formatter, on every shipped `.upk` file and on
//! generated programs:
//!
//! - it is idempotent: `fmt(fmt(x)) == fmt(x)`;
//! - it keeps the meaning: `parse(fmt(x))` is `parse(x)` up to spans;
//! - it keeps every comment: the multiset of comment texts is unchanged
//!   (up to trailing whitespace, which the formatter trims);
//! - it never panics, whatever the input.
//!
//! Plus snapshots of the output for deliberately ugly inputs.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use std::path::{Path, PathBuf};
use upkeep_grammar::{dump, format_source, parse};

// ---------------------------------------------------------------- the properties

fn tree(src: &str) -> String {
    dump::file(&parse(src).file).render(false)
}

fn comment_texts(src: &str) -> Vec<String> {
    let mut texts: Vec<String> =
        parse(src).comments.iter().map(|c| c.text.trim_end().to_string()).collect();
    texts.sort();
    texts
}

/// The first line where `a` and `b` differ, with a little context.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    let at = (0..la.len().max(lb.len())).find(|&i| la.get(i) != lb.get(i)).unwrap_or(0);
    let from = at.saturating_sub(3);
    format!(
        "first difference at line {}:\n--- left\n{}\n--- right\n{}",
        at + 1,
        la[from.min(la.len())..(at + 3).min(la.len())].join("\n"),
        lb[from.min(lb.len())..(at + 3).min(lb.len())].join("\n"),
    )
}

/// Checks all properties on a source that parses; returns the formatted text.
fn check_formatting(src: &str) -> Result<String, String> {
    let parsed = parse(src);
    if !parsed.errors.is_empty() {
        return Err(format!("the input does not parse: {:?}", parsed.errors));
    }
    let once = format_source(src).map_err(|e| format!("refused: {e:?}"))?;
    let reparsed = parse(&once);
    if !reparsed.errors.is_empty() {
        return Err(format!(
            "the output does not parse: {:?}\n--- output\n{once}",
            reparsed.errors
        ));
    }
    let (before, after) = (tree(src), tree(&once));
    if before != after {
        return Err(format!(
            "the tree changed; {}\n--- output\n{once}",
            first_difference(&before, &after)
        ));
    }
    let twice = format_source(&once).map_err(|e| format!("output refused: {e:?}"))?;
    if twice != once {
        return Err(format!(
            "not idempotent; {}\n--- output\n{once}",
            first_difference(&once, &twice)
        ));
    }
    if comment_texts(src) != comment_texts(&once) {
        return Err(format!(
            "comments changed: {:?} became {:?}\n--- output\n{once}",
            comment_texts(src),
            comment_texts(&once)
        ));
    }
    Ok(once)
}

// ---------------------------------------------------------------- shipped files

fn shipped_files() -> Vec<PathBuf> {
    upkeep_grammar::files::shipped_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

#[test]
fn every_shipped_file_formats_stably_keeping_its_tree_and_comments() {
    let files = shipped_files();
    assert!(!files.is_empty(), "no .upk files found");
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        if let Err(e) = check_formatting(&src) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------- generated programs

/// A program fragment as tokens; the separators are chosen later.
type Toks = Vec<String>;

fn toks(words: &[&str]) -> Toks {
    words.iter().map(|w| w.to_string()).collect()
}

fn cat(parts: impl IntoIterator<Item = Toks>) -> Toks {
    parts.into_iter().flatten().collect()
}

/// `a , b , c [,]`
fn comma_list(items: Vec<Toks>, trailing: bool) -> Toks {
    let mut out = Toks::new();
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        out.extend(item);
        if i + 1 < count || (trailing && count > 0) {
            out.push(",".into());
        }
    }
    out
}

fn opt(part: Option<Toks>) -> Toks {
    part.unwrap_or_default()
}

/// A generated expression and the grammar rung it parses at without
/// parentheses: 0 `if`, 1 `or`, 2 `and`, 3 `not`, 4 comparison, 5 `in`,
/// 6 `+ -`, 7 `* /`, 8 prefix `-`, 9 primary.
#[derive(Clone, Debug)]
struct Gen {
    toks: Toks,
    level: u8,
    /// A number without a unit, perhaps in parentheses: not allowed where a
    /// duration is expected.
    bare_number: bool,
}

impl Gen {
    fn new(toks: Toks, level: u8) -> Self {
        Gen { toks, level, bare_number: false }
    }
}

/// The tokens of `e` where the grammar wants rung `min`, in parentheses if
/// needed or if `extra` says so.
fn operand(e: Gen, min: u8, extra: bool) -> Toks {
    if e.level < min || extra { cat([toks(&["("]), e.toks, toks(&[")"])]) } else { e.toks }
}

fn extra_parens() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.15)
}

const NAMES: &[&str] = &[
    "x",
    "used",
    "eta",
    "host",
    "disk.free",
    "a_b",
    "t",
    "now",
    "mount",
    "std.x.y",
    "_z9",
    "role",
];
const KEYWORD_NAMES: &[&str] =
    &["at", "for", "if", "by", "over", "in", "not", "true", "changes", "message", "labels", "on"];
const LEVELS: &[&str] = &["warn", "crit", "info"];
const TIME_QUANTITIES: &[&str] = &["5m", "1h", "30s", "2d", "250ms", "1w"];

fn name() -> BoxedStrategy<String> {
    prop::sample::select(NAMES).prop_map(String::from).boxed()
}

/// A label, argument or key name: any word, keywords included.
fn any_name() -> BoxedStrategy<String> {
    prop_oneof![3 => name(), 1 => prop::sample::select(KEYWORD_NAMES).prop_map(String::from)]
        .boxed()
}

/// Escapes and characters beyond ASCII in template strings.
const TEMPLATE_ESCAPES: &[&str] = &["\\n", "\\t", "\\\"", "\\\\", "é→"];

/// What plain strings take literally (braces, regex escapes) or escape.
const PLAIN_ODDITIES: &[&str] = &["\\d{2}", "\\\"", "\\\\", "{", "}", "é"];

fn template_string() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => "[a-z ]{1,5}",
        1 => Just("{{".to_string()),
        1 => Just("}}".to_string()),
        2 => name().prop_map(|n| format!("{{{n}}}")),
        1 => name().prop_map(|n| format!("{{ {n} }}")),
        1 => prop::sample::select(TEMPLATE_ESCAPES).prop_map(String::from),
        1 => "[a-z]{20,40}",
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| format!("\"{}\"", pieces.concat())).boxed()
}

/// A string without interpolation: matcher values, zones, `from`, cron.
fn plain_string() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        4 => "[a-z/ .*]{1,6}",
        1 => prop::sample::select(PLAIN_ODDITIES).prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| format!("\"{}\"", pieces.concat())).boxed()
}

fn quantity() -> BoxedStrategy<Gen> {
    let with_unit = prop::sample::select(
        &["20%", "1.5GiB", "500MB", "250ms", "10m", "3d", "10MB/s", "100/s", "0B", "2EiB"][..],
    )
    .prop_map(|q| Gen::new(toks(&[q]), 9));
    let bare = prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        Just("0.5".to_string()),
        Just("1e6".to_string()),
    ]
    .prop_map(|q| Gen { toks: vec![q], level: 9, bare_number: true });
    prop_oneof![with_unit, bare].boxed()
}

/// `label op value` pairs of a selector or a test's label set, in braces.
fn matcher_set() -> BoxedStrategy<Toks> {
    let matcher = (
        any_name(),
        prop::sample::select(&["=", "!=", "=~", "!~"][..]),
        prop_oneof![plain_string(), name()],
    )
        .prop_map(|(label, op, value)| vec![label, op.to_string(), value]);
    (prop::collection::vec(matcher, 0..4), any::<bool>())
        .prop_map(|(ms, trailing)| cat([toks(&["{"]), comma_list(ms, trailing), toks(&["}"])]))
        .boxed()
}

fn leaf() -> BoxedStrategy<Gen> {
    prop_oneof![
        3 => quantity(),
        2 => template_string().prop_map(|s| Gen::new(vec![s], 9)),
        1 => any::<bool>().prop_map(|b| Gen::new(toks(&[if b { "true" } else { "false" }]), 9)),
        4 => name().prop_map(|n| Gen::new(vec![n], 9)),
        2 => (name(), matcher_set()).prop_map(|(m, set)| Gen::new(cat([vec![m], set]), 9)),
        1 => name().prop_map(|f| Gen::new(vec![f, "(".into(), ")".into()], 9)),
    ]
    .boxed()
}

/// A duration operand: anything but a bare number.
fn as_duration(e: Gen) -> Gen {
    if e.bare_number { Gen::new(toks(&["15m"]), 9) } else { e }
}

/// Binary operators with their rung and the rungs of their operands.
const BINARY: &[(&str, u8, u8, u8)] = &[
    ("or", 1, 1, 2),
    ("and", 2, 2, 3),
    ("==", 4, 5, 5),
    ("!=", 4, 5, 5),
    ("<", 4, 5, 5),
    ("<=", 4, 5, 5),
    (">", 4, 5, 5),
    (">=", 4, 5, 5),
    ("+", 6, 6, 7),
    ("-", 6, 6, 7),
    ("*", 7, 7, 8),
    ("/", 7, 7, 8),
];

fn expr() -> BoxedStrategy<Gen> {
    leaf()
        .prop_recursive(4, 48, 5, |inner| {
            prop_oneof![
                6 => binary(inner.clone()),
                1 => prefix("-", 8, inner.clone()),
                1 => prefix("not", 3, inner.clone()),
                1 => if_then_else(inner.clone()),
                1 => in_list(inner.clone()),
                2 => call(inner.clone()),
                1 => list(inner.clone()),
                1 => record(inner.clone()),
                1 => parenthesised(inner),
            ]
        })
        .boxed()
}

fn binary(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    let sides = (inner.clone(), inner, extra_parens(), extra_parens());
    (prop::sample::select(BINARY), sides)
        .prop_map(|((op, level, left, right), (a, b, pa, pb))| {
            Gen::new(cat([operand(a, left, pa), toks(&[op]), operand(b, right, pb)]), level)
        })
        .boxed()
}

fn prefix(op: &'static str, level: u8, inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    (inner, extra_parens())
        .prop_map(move |(a, p)| Gen::new(cat([toks(&[op]), operand(a, level, p)]), level))
        .boxed()
}

fn if_then_else(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    (inner.clone(), inner.clone(), inner)
        .prop_map(|(c, t, e)| {
            let words = [toks(&["if"]), c.toks, toks(&["then"]), t.toks, toks(&["else"]), e.toks];
            Gen::new(cat(words), 0)
        })
        .boxed()
}

/// `a, b, c` of up to `max` expressions.
fn items(inner: BoxedStrategy<Gen>, max: usize) -> BoxedStrategy<Toks> {
    (prop::collection::vec(inner, 0..max), any::<bool>())
        .prop_map(|(items, trailing)| {
            comma_list(items.into_iter().map(|e| e.toks).collect(), trailing)
        })
        .boxed()
}

fn in_list(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    (inner.clone(), extra_parens(), any::<bool>(), items(inner, 4))
        .prop_map(|(value, p, negated, list)| {
            let op = if negated { toks(&["not", "in"]) } else { toks(&["in"]) };
            Gen::new(cat([operand(value, 6, p), op, toks(&["["]), list, toks(&["]"])]), 5)
        })
        .boxed()
}

fn call(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    let arg = (
        prop::option::weighted(0.3, any_name()),
        inner.clone(),
        prop::option::weighted(0.3, inner.prop_map(as_duration)),
    )
        .prop_map(|(name, value, over)| {
            cat([
                opt(name.map(|n| vec![n, ":".into()])),
                value.toks,
                opt(over.map(|d| cat([toks(&["over"]), d.toks]))),
            ])
        });
    let callee = prop_oneof![4 => name(), 1 => Just("changes".to_string())];
    let by = prop::option::weighted(0.2, names_in("(", ")", any_name()));
    (callee, prop::collection::vec(arg, 0..4), any::<bool>(), by)
        .prop_map(|(f, args, trailing, by)| {
            let by = by.map(|names| cat([toks(&["by"]), names]));
            Gen::new(
                cat([vec![f, "(".into()], comma_list(args, trailing), toks(&[")"]), opt(by)]),
                9,
            )
        })
        .boxed()
}

fn list(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    items(inner, 12).prop_map(|list| Gen::new(cat([toks(&["["]), list, toks(&["]"])]), 9)).boxed()
}

fn record(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    let key = prop_oneof![3 => any_name(), 1 => plain_string()];
    (prop::collection::vec((key, inner), 0..6), any::<bool>())
        .prop_map(|(fields, trailing)| {
            let fields =
                fields.into_iter().map(|(k, v)| cat([vec![k, ":".into()], v.toks])).collect();
            Gen::new(cat([toks(&["{"]), comma_list(fields, trailing), toks(&["}"])]), 9)
        })
        .boxed()
}

fn parenthesised(inner: BoxedStrategy<Gen>) -> BoxedStrategy<Gen> {
    inner
        .prop_map(|e| Gen {
            toks: cat([toks(&["("]), e.toks, toks(&[")"])]),
            level: 9,
            bare_number: e.bare_number,
        })
        .boxed()
}

fn e() -> BoxedStrategy<Toks> {
    expr().prop_map(|e| e.toks).boxed()
}

fn duration() -> BoxedStrategy<Toks> {
    prop_oneof![
        2 => prop::sample::select(TIME_QUANTITIES).prop_map(|q| toks(&[q])),
        1 => expr().prop_map(|e| as_duration(e).toks),
    ]
    .boxed()
}

/// A duration where the grammar takes only a primary (calendars).
fn primary_duration() -> BoxedStrategy<Toks> {
    expr().prop_map(|e| operand(as_duration(e), 9, false)).boxed()
}

fn keyword_then(keyword: &'static str, part: BoxedStrategy<Toks>) -> BoxedStrategy<Toks> {
    part.prop_map(move |t| cat([toks(&[keyword]), t])).boxed()
}

fn arg() -> BoxedStrategy<Toks> {
    (prop::option::weighted(0.3, any_name()), e(), prop::option::weighted(0.3, duration()))
        .prop_map(|(name, value, over)| {
            cat([
                opt(name.map(|n| vec![n, ":".into()])),
                value,
                opt(over.map(|d| cat([toks(&["over"]), d]))),
            ])
        })
        .boxed()
}

fn args() -> BoxedStrategy<Toks> {
    (prop::collection::vec(arg(), 0..4), any::<bool>())
        .prop_map(|(args, trailing)| comma_list(args, trailing))
        .boxed()
}

fn names_in(
    open: &'static str,
    close: &'static str,
    word: BoxedStrategy<String>,
) -> BoxedStrategy<Toks> {
    (prop::collection::vec(word, 0..4), any::<bool>())
        .prop_map(move |(names, trailing)| {
            let names = names.into_iter().map(|n| vec![n]).collect();
            cat([toks(&[open]), comma_list(names, trailing), toks(&[close])])
        })
        .boxed()
}

// ------------------------------------------------ types and units

/// A unit expression and its shape: 0 atom, 1 power, 2 product or quotient.
fn unit_expr() -> BoxedStrategy<Toks> {
    let wrap = |(t, shape): (Toks, u8), max: u8| {
        if shape > max { cat([toks(&["("]), t, toks(&[")"])]) } else { t }
    };
    let atom = prop_oneof![
        4 => prop::sample::select(&["bytes", "s", "h", "host", "requests", "percent"][..])
            .prop_map(|n| (toks(&[n]), 0u8)),
        1 => Just((toks(&["1"]), 0u8)),
    ];
    atom.prop_recursive(3, 12, 2, move |inner| {
        prop_oneof![
            (inner.clone(), any::<bool>(), 1u8..4).prop_map(move |(base, negative, n)| {
                let sign = if negative { toks(&["-"]) } else { Toks::new() };
                (cat([wrap(base, 0), toks(&["^"]), sign, vec![n.to_string()]]), 1)
            }),
            (inner.clone(), prop::sample::select(&["*", "/"][..]), inner.clone())
                .prop_map(move |(a, op, b)| (cat([a.0, toks(&[op]), wrap(b, 1)]), 2)),
        ]
    })
    .prop_map(|(t, _)| t)
    .boxed()
}

fn type_expr() -> BoxedStrategy<Toks> {
    (
        prop::sample::select(&["number", "gauge", "text", "labels", "duration"][..]),
        prop::option::of(unit_expr()),
    )
        .prop_map(|(n, unit)| {
            cat([toks(&[n]), opt(unit.map(|u| cat([toks(&["<"]), u, toks(&[">"])])))])
        })
        .boxed()
}

fn params() -> BoxedStrategy<Toks> {
    let param =
        (name(), prop::option::weighted(0.6, type_expr()), prop::option::weighted(0.3, e()))
            .prop_map(|(n, ty, default)| {
                cat([
                    vec![n],
                    opt(ty.map(|t| cat([toks(&[":"]), t]))),
                    opt(default.map(|d| cat([toks(&["="]), d]))),
                ])
            });
    (prop::collection::vec(param, 0..4), any::<bool>())
        .prop_map(|(ps, trailing)| cat([toks(&["("]), comma_list(ps, trailing), toks(&[")"])]))
        .boxed()
}

// ------------------------------------------------ declarations

fn time_range() -> BoxedStrategy<Toks> {
    let time = || prop::sample::select(&["22:00", "01:00", "7:30", "05:00"][..]);
    prop_oneof![
        (time(), time()).prop_map(|(a, b)| toks(&[a, "..", b])),
        (time(), primary_duration()).prop_map(|(a, d)| cat([toks(&[a, "for"]), d])),
    ]
    .boxed()
}

fn calendar() -> BoxedStrategy<Toks> {
    let day = || prop::sample::select(&["mon", "tue", "sat", "sun"][..]);
    let spec = prop_oneof![
        time_range().prop_map(|t| cat([toks(&["daily"]), t])),
        (prop::collection::vec(day(), 1..4), prop::option::of(time_range())).prop_map(
            |(days, t)| {
                let days = comma_list(days.into_iter().map(|d| toks(&[d])).collect(), false);
                cat([toks(&["weekly"]), days, opt(t)])
            }
        ),
        (
            prop::sample::select(&["1st", "2nd", "3rd", "4th", "last"][..]),
            prop::option::of(day()),
            prop::option::of(time_range()),
        )
            .prop_map(|(nth, d, t)| {
                cat([toks(&["monthly", nth]), opt(d.map(|d| toks(&[d]))), opt(t)])
            }),
        (plain_string(), primary_duration()).prop_map(|(s, d)| cat([
            toks(&["cron"]),
            vec![s],
            toks(&["for"]),
            d
        ])),
    ];
    (name(), spec, prop::option::of(plain_string()))
        .prop_map(|(n, spec, zone)| {
            cat([
                vec!["calendar".into(), n, "=".into()],
                spec,
                opt(zone.map(|z| vec!["in".into(), z])),
            ])
        })
        .boxed()
}

fn metric() -> BoxedStrategy<Toks> {
    let label = (any_name(), prop::option::of(any_name()))
        .prop_map(|(n, s)| cat([vec![n], opt(s.map(|s| vec!["=".into(), s]))]));
    (
        name(),
        prop::sample::select(&["gauge", "counter", "state"][..]),
        prop::option::of(unit_expr()),
        prop::option::of((prop::collection::vec(label, 0..3), any::<bool>())),
        prop::option::of(plain_string()),
        prop::option::of(duration()),
    )
        .prop_map(|(n, kind, unit, labels, from, lookback)| {
            cat([
                vec!["metric".into(), n, ":".into(), kind.into()],
                opt(unit.map(|u| cat([toks(&["<"]), u, toks(&[">"])]))),
                opt(labels.map(|(ls, trailing)| {
                    cat([toks(&["labels", "("]), comma_list(ls, trailing), toks(&[")"])])
                })),
                opt(from.map(|s| vec!["from".into(), s])),
                opt(lookback.map(|d| cat([toks(&["lookback"]), d]))),
            ])
        })
        .boxed()
}

fn action() -> BoxedStrategy<Toks> {
    let body = prop_oneof![
        (prop::collection::vec(e(), 0..8), any::<bool>()).prop_map(|(argv, trailing)| {
            cat([toks(&["exec", "["]), comma_list(argv, trailing), toks(&["]"])])
        }),
        (e(), prop::option::of(e())).prop_map(|(url, body)| {
            cat([toks(&["webhook"]), url, opt(body.map(|b| cat([toks(&["body"]), b])))])
        }),
        keyword_then("notify", e()),
    ];
    (name(), prop::option::of(params()), body)
        .prop_map(|(n, ps, body)| cat([vec!["action".into(), n], opt(ps), toks(&["="]), body]))
        .boxed()
}

fn item() -> BoxedStrategy<Toks> {
    prop_oneof![
        1 => name().prop_map(|n| vec!["tenant".into(), n]),
        1 => use_decl(),
        1 => metric(),
        1 => unit_decl(),
        1 => fleet(),
        1 => calendar(),
        1 => action(),
        1 => fn_decl(),
        3 => (name(), prop::option::of(params()), name(), clauses()).prop_map(
            |(n, ps, fleet, body)| {
                cat([vec!["policy".into(), n], opt(ps), vec!["on".into(), fleet], body])
            }
        ),
        1 => (name(), args(), name()).prop_map(|(n, a, fleet)| {
            cat([vec!["apply".into(), n, "(".into()], a, vec![")".into(), "on".into(), fleet]])
        }),
        2 => (name(), name(), clauses()).prop_map(|(n, fleet, body)| {
            cat([vec!["task".into(), n, "on".into(), fleet], body])
        }),
        2 => (name(), prop::collection::vec(test_item(), 0..5)).prop_map(|(n, items)| {
            cat([vec!["test".into(), n, "{".into()], cat(items), toks(&["}"])])
        }),
    ]
    .boxed()
}

/// `keyword part`, or nothing.
fn optional(keyword: &str, part: Option<Toks>) -> Toks {
    part.map(|p| cat([toks(&[keyword]), p])).unwrap_or_default()
}

fn use_decl() -> BoxedStrategy<Toks> {
    (name(), prop::option::of(names_in("{", "}", name())))
        .prop_map(|(path, names)| cat([vec!["use".into(), path], optional(".", names)]))
        .boxed()
}

fn unit_decl() -> BoxedStrategy<Toks> {
    (prop_oneof![name(), plain_string()], prop::option::of(e()))
        .prop_map(|(n, value)| cat([vec!["unit".into(), n], optional("=", value)]))
        .boxed()
}

fn fleet() -> BoxedStrategy<Toks> {
    (name(), prop::option::of(e()))
        .prop_map(|(n, filter)| {
            cat([vec!["fleet".into(), n], toks(&["=", "hosts"]), optional("where", filter)])
        })
        .boxed()
}

fn fn_decl() -> BoxedStrategy<Toks> {
    (name(), params(), prop::option::of(type_expr()), e())
        .prop_map(|(n, ps, ret, body)| {
            cat([vec!["fn".into(), n], ps, optional("->", ret), toks(&["="]), body])
        })
        .boxed()
}

// ------------------------------------------------ bodies

fn clauses() -> BoxedStrategy<Toks> {
    prop::collection::vec(clause(), 0..8)
        .prop_map(|cs| cat([toks(&["{"]), cat(cs), toks(&["}"])]))
        .boxed()
}

fn level_clause() -> BoxedStrategy<Toks> {
    let hold = prop_oneof![
        keyword_then("for", duration()),
        e().prop_map(|n| cat([toks(&["for"]), n, toks(&["checks"])])),
        (e(), e()).prop_map(|(n, m)| cat([toks(&["for"]), n, toks(&["of"]), m, toks(&["checks"])])),
    ];
    let recover = (e(), prop::option::of(duration())).prop_map(|(c, d)| {
        cat([toks(&["recover", "when"]), c, opt(d.map(|d| cat([toks(&["for"]), d])))])
    });
    (
        prop::sample::select(LEVELS),
        e(),
        prop::option::of(hold),
        prop::option::weighted(0.3, recover),
        prop::option::weighted(0.3, template_string()),
    )
        .prop_map(|(level, cond, hold, recover, message)| {
            cat([
                toks(&[level, "when"]),
                cond,
                opt(hold),
                opt(recover),
                opt(message.map(|m| vec!["message".into(), m])),
            ])
        })
        .boxed()
}

fn clause() -> BoxedStrategy<Toks> {
    let fields = (
        prop::collection::vec((prop_oneof![3 => any_name(), 1 => plain_string()], e()), 0..4),
        any::<bool>(),
    )
        .prop_map(|(fields, trailing)| {
            let fields = fields.into_iter().map(|(k, v)| cat([vec![k, ":".into()], v])).collect();
            cat([toks(&["labels", "{"]), comma_list(fields, trailing), toks(&["}"])])
        });
    prop_oneof![
        2 => (duration(), prop::option::of(duration())).prop_map(|(d, j)| {
            cat([toks(&["every"]), d, opt(j.map(|j| cat([toks(&["jitter"]), j])))])
        }),
        2 => (name(), e()).prop_map(|(n, v)| cat([vec!["let".into(), n, "=".into()], v])),
        4 => level_clause(),
        1 => keyword_then("keep", duration()),
        1 => (duration(), prop_oneof![Just("keep"), Just("warn"), Just("ok")])
            .prop_map(|(d, outcome)| cat([toks(&["nodata"]), d, toks(&["=>", outcome])])),
        1 => (e(), duration())
            .prop_map(|(n, d)| cat([toks(&["flapping"]), n, toks(&["changes", "in"]), d])),
        1 => template_string().prop_map(|m| vec!["message".into(), m]),
        1 => fields,
        2 => (prop::sample::select(LEVELS), prop::collection::vec(step(), 0..5))
            .prop_map(|(level, steps)| cat([toks(&["on", level, "{"]), cat(steps), toks(&["}"])])),
        1 => prop::collection::vec((duration(), action_call()), 0..3).prop_map(|steps| {
            let steps = steps.into_iter().map(|(d, call)| cat([toks(&["after"]), d, call]));
            cat([toks(&["escalate", "{"]), cat(steps), toks(&["}"])])
        }),
        1 => (prop::sample::select(&["quiet", "pause"][..]), name())
            .prop_map(|(kw, cal)| vec![kw.into(), "during".into(), cal]),
        1 => (name(), prop::option::of(names_in("(", ")", any_name()))).prop_map(|(p, by)| {
            cat([vec!["depends".into(), "on".into(), p], opt(by.map(|b| cat([toks(&["by"]), b])))])
        }),
        1 => name().prop_map(|cal| vec!["during".into(), cal]),
        1 => keyword_then("when", e()),
        2 => step(),
    ]
    .boxed()
}

fn action_call() -> BoxedStrategy<Toks> {
    let retry = (e(), prop::option::of(duration())).prop_map(|(n, b)| {
        cat([toks(&["retry"]), n, opt(b.map(|b| cat([toks(&["backoff"]), b])))])
    });
    (name(), args(), prop::option::weighted(0.3, duration()), prop::option::weighted(0.3, retry))
        .prop_map(|(a, args, timeout, retry)| {
            cat([
                vec![a, "(".into()],
                args,
                toks(&[")"]),
                opt(timeout.map(|t| cat([toks(&["timeout"]), t]))),
                opt(retry),
            ])
        })
        .boxed()
}

fn step() -> BoxedStrategy<Toks> {
    prop_oneof![
        3 => action_call(),
        1 => (e(), duration()).prop_map(|(c, d)| cat([toks(&["verify"]), c, toks(&["within"]), d])),
        1 => keyword_then("cooldown", duration()),
        1 => (e(), duration(), any::<bool>()).prop_map(|(n, d, then)| {
            let then = if then { toks(&["then", "escalate"]) } else { Toks::new() };
            cat([toks(&["at", "most"]), n, toks(&["per"]), d, then])
        }),
        1 => e().prop_map(|share| cat([toks(&["at", "most"]), share, toks(&["of", "fleet"])])),
        1 => keyword_then("concurrency", e()),
        1 => Just(toks(&["dry", "run"])),
    ]
    .boxed()
}

fn test_item() -> BoxedStrategy<Toks> {
    let series = (
        name(),
        prop::option::of(matcher_set()),
        e(),
        prop::option::of(duration()),
        prop::option::of(duration()),
    )
        .prop_map(|(m, labels, value, every, d)| {
            cat([
                vec!["series".into(), m],
                opt(labels),
                toks(&["="]),
                value,
                opt(every.map(|x| cat([toks(&["every"]), x]))),
                opt(d.map(|x| cat([toks(&["for"]), x]))),
            ])
        });
    let what = prop_oneof![
        (
            prop::sample::select(&["warn", "crit", "ok", "event"][..]),
            prop::option::of(prop::sample::select(
                &["firing", "pending", "flapping", "resolved"][..]
            )),
        )
            .prop_map(|(level, state)| cat([toks(&[level]), opt(state.map(|s| toks(&[s])))])),
        name().prop_map(|a| vec!["action".into(), a]),
        prop::option::of(name())
            .prop_map(|a| cat([toks(&["no", "action"]), opt(a.map(|a| vec![a]))])),
    ];
    let expect = (what, prop::option::of(matcher_set()), prop::option::of(e())).prop_map(
        |(what, on, at)| {
            cat([
                toks(&["expect"]),
                what,
                opt(on.map(|m| cat([toks(&["on"]), m]))),
                opt(at.map(|a| cat([toks(&["at"]), a]))),
            ])
        },
    );
    prop_oneof![series, expect].boxed()
}

// ------------------------------------------------ layout noise

/// What goes between two tokens: whitespace of every kind, blank lines and
/// comments, on their own lines or after code.
fn separator() -> BoxedStrategy<String> {
    let text = "[ a-z0-9/é\"{}]{0,12}";
    prop_oneof![
        30 => Just(" ".to_string()),
        2 => Just("  ".to_string()),
        6 => Just("\n".to_string()),
        2 => Just("\n\n".to_string()),
        1 => Just("\n\n\n    ".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("\r\n".to_string()),
        3 => text.prop_map(|t| format!(" //{t}\n")),
        3 => text.prop_map(|t| format!("\n  //{t}\n")),
        1 => text.prop_map(|t| format!("\n\n//{t}  \n\n")),
    ]
    .boxed()
}

fn with_layout(parts: Toks) -> BoxedStrategy<String> {
    let count = parts.len() + 1;
    prop::collection::vec(separator(), count)
        .prop_map(move |seps| {
            let mut out = seps[0].clone();
            for (tok, sep) in parts.iter().zip(&seps[1..]) {
                out.push_str(tok);
                out.push_str(sep);
            }
            out
        })
        .boxed()
}

fn program() -> BoxedStrategy<String> {
    prop::collection::vec(item(), 0..6).prop_flat_map(|items| with_layout(cat(items))).boxed()
}

fn config() -> Config {
    Config {
        cases: 256,
        // Failures print the generated source; no regression files in the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

fn to_case_error(result: Result<String, String>, src: &str) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("{e}\n--- source\n{src}"))),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn generated_programs_format_stably_keeping_tree_and_comments(src in program()) {
        to_case_error(check_formatting(&src), &src)?;
    }

    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        let _ = format_source(&src);
    }

    #[test]
    fn token_soup_never_panics_and_formats_well_when_it_parses(
        words in prop::collection::vec(prop::sample::select(SOUP), 0..40),
    ) {
        let src = words.join(" ");
        if format_source(&src).is_ok() {
            to_case_error(check_formatting(&src), &src)?;
        }
    }

    #[test]
    fn damaged_programs_never_panic_and_format_well_when_they_parse(
        (src, cut, len) in program().prop_flat_map(|s| {
            let n = s.len();
            (Just(s), 0..=n, 0usize..8)
        }),
    ) {
        let mut from = cut;
        while !src.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (from + len).min(src.len());
        while !src.is_char_boundary(to) {
            to += 1;
        }
        let damaged = format!("{}{}", &src[..from], &src[to..]);
        if format_source(&damaged).is_ok() {
            to_case_error(check_formatting(&damaged), &damaged)?;
        }
    }
}

/// Words for the token soup: keywords, punctuation and literals.
const SOUP: &[&str] = &[
    "policy", "p", "on", "f", "{", "}", "(", ")", "[", "]", ",", ":", "=", "==", "<", "-", "+",
    "*", "/", "not", "in", "if", "then", "else", "and", "or", "warn", "when", "x", "5m", "1",
    "\"s\"", "// c\n", "\n\n", "let", "every", "test", "expect", "series", "fleet", "hosts",
    "where", "use", "a.b", ".", "fn", "->", "over", "by", "message", "labels", "at", "most",
];

// ---------------------------------------------------------------- snapshots of ugly inputs

/// Formats `src`, checking the properties on the way.
fn formatted(src: &str) -> String {
    check_formatting(src).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn snapshot_crammed_policy() {
    let src = r#"tenant acme use std.metrics.node use std.actions.{ restart_service,run_script ,page, }
fleet db_servers=hosts where(role=="db")and(site!="lab")
calendar patch_night=monthly 2nd tue 22:00 for(4h)in "Europe/Berlin"
policy disk_space on db_servers{every 1m let used=(1-(disk.free{mount="/"}/disk.size{mount="/"}))
let eta  =  time_until( disk.free{ mount = "/" } over 6h , 0B )



warn when(used>80%)for 10m recover when used<75%
    crit when used > 90% for 5m warn when eta<3d for 30m message "{mount} on {host} fills in {eta}" nodata 15m=>warn
on crit{run_script(host,"cleanup-temp")timeout 2m retry 2 backoff 30s verify used<85% within 10m
cooldown 1h at most 3 per 1d}escalate{after 15m open_ticket(queue:"NOC",priority:high) after 1h  page("acme-oncall")}


quiet during patch_night}"#;
    insta::assert_snapshot!(formatted(src));
}

#[test]
fn snapshot_comments_everywhere() {
    let src = r##"   // File header.
// Second line.



tenant acme    // trailing, far away
policy p on f {   // after the brace


  // own line, after a blank that goes away
  every 1m // after every
  let x = 1 + // inside an expression, at a line end
      2
  let y =
    // own line inside an expression
    3

  // between clauses, after a blank that stays
  warn when x > 1 // first of two on one printed line
    for 5m // second of two
  on warn {
    // a comment in a block with a step
    page("x")
    // at the end of the block
  }
  on crit {
    // alone in a block
  }
  // at the end of the policy
} // after the closing brace
action w = webhook "https://x" body { // after the opening brace
  // before a field
  text: "hi", // after a field
  channel: "#ops"
  // before the closing brace
}
// at the end of the file


// after a blank, at the very end   "##;
    insta::assert_snapshot!(formatted(src));
}

#[test]
fn snapshot_long_lists_and_records() {
    let src = r#"action psa(host: host) = webhook "https://psa.example.net/api/v2/tickets" body { board: "NOC", summary: "{host} needs attention", tags: ["upkeep", "auto", "disk"], meta: { source: "upkeep", version: 1 } }
action short = webhook "https://x" body { a: 1, b: [1, 2] }
action cleanup(host: host) = exec ["/usr/local/bin/cleanup-temp-files", "--older-than", "7d", "--dry-run", "--verbose"]
fleet odd = hosts where site in ["berlin-1", "berlin-2", "hamburg-1", "munich-1", "cologne-1", "frankfurt-1"]
fleet nested = hosts where x in [[1, 2], ["a very long string that takes up a lot of the line width", "and another"]]
"#;
    insta::assert_snapshot!(formatted(src));
}

#[test]
fn snapshot_parentheses() {
    let src = r#"policy p on f {
  let a = ((x)) + ((y * z)) - (w - v)
  let b = (a / b) / (c / d) * -(-e)
  let c = not (x and y) or (not x) and (y or z)
  let d = (x < y) == (z in [1, 2]) and (v not in [3]) != false
  let e = (if x then 1 else 2) + (if y then (if z then 3 else 4) else 5)
  let f = if (a or b) then (c and d) else (e in [f])
  let g = - (a + b) * (c) / (- d)
  let h = (a + b) in [1] and not (a in [2]) and (not a) in [true]
  warn when (count(up == false over 5m) by (client)) >= (3) for (3) of (5) checks
}
"#;
    insta::assert_snapshot!(formatted(src));
}

#[test]
fn snapshot_templates_tasks_and_tests() {
    let src = r#"metric disk.free:gauge<bytes>labels(mount=mountpoint,device)from "node_filesystem_avail_bytes" lookback 5m
metric net.rx : counter < bytes / s >
unit KiB=1024*B unit "%" = 1/100
fn used(free:number<bytes>,size:number<bytes>)->number<ratio> =1-free/size
policy disk_space(mount:text="/",limit:number<ratio> = 80%)on all{warn when used(disk.free{mount=mount},disk.size{mount=mount})>limit message "disk {mount} on {host}: {{literal}}"
message "default" labels{ team:"ops", "x-prio" : 2 } depends on node_down by(host)}
apply disk_space(mount:"/data")on file_servers apply disk_space()on all
task patch on all{during patch_night when pending_updates>0 concurrency 2 at most 10% of fleet
apply_updates(host)timeout 1h dry run}
test disk_space{series disk.free{host="db1",mount="/"}=30GB-1GB*t/1m every 1m for 40m
expect warn firing on{host="db1"}at 21m expect no action expect event flapping expect action page on {} }"#;
    insta::assert_snapshot!(formatted(src));
}
