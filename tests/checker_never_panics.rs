//! The checker never panics on a program the parser accepts — or on one it
//! does not. Inputs: the example package and the corpus with random edits
//! (token swaps, deletions, duplications), checked as one package with the
//! stdlib. Case counts are fixed so CI time is bounded.

use proptest::prelude::*;
use std::path::Path;
use upkeep_compiler::{check_sources, render};

fn sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples/msp/provider", "examples/msp/clients", "tests/corpus/ok"] {
        let mut entries: Vec<_> =
            std::fs::read_dir(root.join(dir)).unwrap().flatten().map(|e| e.path()).collect();
        entries.sort();
        out.extend(
            entries
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "upk"))
                .map(|p| std::fs::read_to_string(p).unwrap()),
        );
    }
    out
}

const WORDS: &[&str] = &[
    "disk.free",
    "disk.size",
    "diskio.read",
    "now",
    "host",
    "used",
    "1GB",
    "80%",
    "5m",
    "3",
    "\"x\"",
    "true",
    "+",
    "-",
    "*",
    "/",
    "<",
    ">",
    "==",
    "and",
    "or",
    "not",
    "(",
    ")",
    "over",
    "rate",
    "avg",
    "time_until",
    "predict",
    "count",
    "by",
    "warn",
    "crit",
    "when",
    "for",
    "checks",
    "of",
    "let",
    "every",
    "on",
    "{",
    "}",
    ",",
    "1/s",
    "MB/s",
    "timeout",
    "verify",
    "within",
    "at",
    "most",
    "per",
    "fleet",
    "if",
    "then",
    "else",
    "in",
    "[",
    "]",
];

fn edit(src: &str, at: usize, action: u8, word: &str) -> String {
    let tokens: Vec<&str> = src.split_inclusive(char::is_whitespace).collect();
    if tokens.is_empty() {
        return word.to_string();
    }
    let i = at % tokens.len();
    let mut out: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
    match action % 3 {
        0 => out[i] = format!("{word} "),
        1 => {
            out.remove(i);
        }
        _ => out.insert(i, format!("{word} ")),
    }
    out.concat()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn edited_programs_never_panic_the_checker(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), prop::sample::select(WORDS)), 1..5),
    ) {
        let all = sources();
        let mut src = file.get(&all).clone();
        for (at, action, word) in edits {
            src = edit(&src, at, action, word);
        }
        // As the main module of a package with a sibling, so `use` and
        // cross-module lookups are exercised too.
        let diagnostics = check_sources(&[("main", &src), ("provider.library", &all[0])]);
        for d in &diagnostics {
            let _ = render::graphical(d, render::Style::Plain);
            prop_assert!(d.primary.span.end <= d.file.text.len());
        }
    }
}
