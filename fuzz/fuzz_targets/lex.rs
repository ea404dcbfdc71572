//! The lexer accepts any text and keeps every token inside it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    let lexed = upkeep_grammar::lexer::lex(src);
    for (start, _, end) in &lexed.tokens {
        assert!(start <= end && *end <= src.len());
    }
    for e in &lexed.errors {
        assert!(e.span.end <= src.len());
    }
});
