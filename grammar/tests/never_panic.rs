//! The front end never panics, whatever it is given, and every tree it
//! returns — even for broken input — keeps the span invariants.
//!
//! Inputs: arbitrary strings, token soup built from the language's own
//! vocabulary, and shipped `.upk` files with random edits. Case counts are
//! fixed so CI time is bounded; `fuzz/` runs the same targets for longer.

use proptest::prelude::*;
use std::path::Path;
use upkeep_grammar::{dump, lexer, parse, token::KEYWORDS};

fn parse_and_check(src: &str) {
    let lexed = lexer::lex(src);
    for (l, _, r) in &lexed.tokens {
        assert!(l <= r && *r <= src.len());
    }
    let parsed = parse(src);
    for e in &parsed.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= src.len(), "{e:?} outside the input");
        // Messages and help are built for every error without panicking.
        let _ = (e.message(), e.label(), e.help());
    }
    dump::check_spans(&dump::file(&parsed.file), src.len()).unwrap();
}

const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ".",
    "..",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    "=~",
    "!~",
    "+",
    "-",
    "*",
    "/",
    "^",
    "=>",
    "->",
    "%",
    "$",
    "x",
    "disk.free",
    "warn",
    "crit",
    "5",
    "5m",
    "80%",
    "1.5GiB",
    "10MB/s",
    "2nd",
    "22:00",
    "\"s\"",
    "\"{host}\"",
    "\"{\"",
    "\"",
    "// c\n",
    "\n",
    " ",
    "é",
    "\\",
];

fn token_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(PIECES).prop_map(str::to_string),
        prop::sample::select(KEYWORDS).prop_map(|k| format!(" {k} ")),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

fn shipped_sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut out = Vec::new();
    for dir in ["ok", "err"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for e in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                out.push(text);
            }
        }
    }
    out
}

/// A random edit: delete, duplicate or insert at a byte position (moved to
/// a character boundary).
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, String),
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, edits: &[Edit]) -> String {
    for edit in edits {
        let len = s.len().max(1);
        match edit {
            Edit::Delete(a, n) => {
                let a = boundary(&s, a % len);
                let b = boundary(&s, a + n % 16);
                s.replace_range(a..b, "");
            }
            Edit::Duplicate(a, n) => {
                let a = boundary(&s, a % len);
                let b = boundary(&s, a + n % 32);
                let copy = s[a..b].to_string();
                s.insert_str(b, &copy);
            }
            Edit::Insert(a, text) => {
                let a = boundary(&s, a % len);
                s.insert_str(a, text);
            }
        }
    }
    s
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Edit::Duplicate(a, n)),
        (any::<usize>(), prop::sample::select(PIECES))
            .prop_map(|(a, p)| Edit::Insert(a, p.to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        parse_and_check(&src);
    }

    #[test]
    fn token_soup_never_panics(src in token_soup()) {
        parse_and_check(&src);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn edited_corpus_files_never_panic(index in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
        let sources = shipped_sources();
        prop_assume!(!sources.is_empty());
        let src = apply(index.get(&sources).clone(), &edits);
        parse_and_check(&src);
    }
}

#[test]
fn pathological_inputs() {
    for src in [
        String::new(),
        "{".repeat(10_000),
        "(".repeat(10_000),
        "-".repeat(10_000) + "1",
        "not ".repeat(5_000) + "x",
        "policy p on f { warn when ".to_string()
            + &"(".repeat(2_000)
            + "x"
            + &")".repeat(2_000)
            + " }",
        "\"".repeat(3),
        "\u{0}\u{feff}\u{10ffff}".into(),
    ] {
        parse_and_check(&src);
    }
}

/// Huge inputs run on a thread with a small stack: the limits keep every
/// pass shallow, whatever the input. (Debug builds use much more stack per
/// frame than release builds, so this is the stricter setting.)
#[test]
fn deep_inputs_are_refused_without_using_much_stack() {
    let inputs = vec![
        "(".repeat(100_000) + "x" + &")".repeat(100_000),
        "fn f() = ".to_string() + &"x + ".repeat(100_000) + "x",
        "fn f() = ".to_string() + &"- ".repeat(100_000) + "x",
        "fn f() = ".to_string() + &"if a then ".repeat(50_000) + "1" + &" else 2".repeat(50_000),
    ];
    let worker = std::thread::Builder::new().stack_size(256 * 1024).spawn(move || {
        for src in inputs {
            let parsed = parse(&src);
            assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors.first());
            assert!(parsed.errors[0].message().contains("more than"));
            let formatted = upkeep_grammar::format_source(&src);
            assert!(formatted.is_err());
        }
    });
    worker.unwrap().join().unwrap();
}

#[test]
fn the_deepest_allowed_inputs_are_handled_on_a_small_stack() {
    let at_limit = [
        "fn f() = ".to_string() + &"(".repeat(64) + "x" + &")".repeat(64),
        "fn f() = ".to_string() + &"x + ".repeat(255) + "x",
    ];
    let worker = std::thread::Builder::new().stack_size(1024 * 1024).spawn(move || {
        for src in at_limit {
            let parsed = parse(&src);
            assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
            dump::check_spans(&dump::file(&parsed.file), src.len()).unwrap();
            let once = upkeep_grammar::format_source(&src).unwrap();
            assert_eq!(upkeep_grammar::format_source(&once).unwrap(), once);
        }
    });
    worker.unwrap().join().unwrap();
}
