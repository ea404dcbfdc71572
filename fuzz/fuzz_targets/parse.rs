//! The parser accepts any text, and every tree it returns keeps the span
//! invariants (inside the file, children inside parents, in order).
#![no_main]

use libfuzzer_sys::fuzz_target;
use upkeep_grammar::{dump, parse};

fuzz_target!(|src: &str| {
    let parsed = parse(src);
    for e in &parsed.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= src.len());
        let _ = (e.message(), e.help());
    }
    if let Err(problem) = dump::check_spans(&dump::file(&parsed.file), src.len()) {
        panic!("span invariant broken: {problem}");
    }
});
