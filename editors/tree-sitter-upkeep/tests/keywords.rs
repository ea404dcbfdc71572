//! One source of truth for reserved words: `KEYWORDS` in
//! grammar/src/token.rs. Every editor grammar keeps its own copy of the list
//! (each says so in a comment next to it), and these tests fail as soon as a
//! copy differs.

mod common;

use common::{crate_dir, editors_dir, read};
use std::collections::BTreeSet;
use upkeep_grammar::token::KEYWORDS;

/// Compares a copy of the keyword list with the lexer's, naming the words
/// missing and the words extra, and rejecting duplicates.
fn assert_same(source: &str, copy: &[String]) {
    let expected: BTreeSet<&str> = KEYWORDS.iter().copied().collect();
    let actual: BTreeSet<&str> = copy.iter().map(String::as_str).collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{source} is out of step with KEYWORDS in grammar/src/token.rs: missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(copy.len(), actual.len(), "{source} lists a keyword twice");
}

/// The text between `start` and the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not found")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("{end:?} not found after {start:?}"));
    &text[from..from + len]
}

/// The single-quoted words of a JavaScript or Vim list literal.
fn quoted_words(list: &str) -> Vec<String> {
    list.split('\'').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn tree_sitter_grammar_js() {
    let grammar = read(&crate_dir().join("grammar.js"));
    assert_same("grammar.js", &quoted_words(between(&grammar, "const KEYWORDS = [", "];")));
}

#[test]
fn tree_sitter_generated_grammar() {
    // The committed parser must have been regenerated after the list changed:
    // every all-lowercase string of src/grammar.json is a keyword.
    let json: serde_json::Value =
        serde_json::from_str(&read(&crate_dir().join("src/grammar.json")))
            .expect("grammar.json is JSON");
    let mut strings = BTreeSet::new();
    let mut stack = vec![&json];
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Object(map) => {
                if map.get("type").and_then(|t| t.as_str()) == Some("STRING")
                    && let Some(s) = map.get("value").and_then(|v| v.as_str())
                    && s.chars().all(|c| c.is_ascii_lowercase())
                {
                    strings.insert(s.to_string());
                }
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert_same(
        "src/grammar.json (regenerate with `tree-sitter generate --abi 14`)",
        &strings.into_iter().collect::<Vec<_>>(),
    );
}

#[test]
fn textmate_grammar() {
    let path = editors_dir().join("vscode/syntaxes/upkeep.tmLanguage.json");
    let json: serde_json::Value =
        serde_json::from_str(&read(&path)).expect("the TextMate grammar is JSON");
    let pattern =
        json["repository"]["keywords"]["match"].as_str().expect("repository.keywords.match");
    let words: Vec<String> = between(pattern, "(?:", ")").split('|').map(str::to_string).collect();
    assert_same("syntaxes/upkeep.tmLanguage.json (repository.keywords)", &words);
}

#[test]
fn vim_syntax() {
    let syntax = read(&editors_dir().join("vim/syntax/upkeep.vim"));
    let list = between(&syntax, "let s:keywords = [", "]");
    assert_same("vim/syntax/upkeep.vim (s:keywords)", &quoted_words(list));
}

#[test]
fn highlight_query_mentions_every_keyword() {
    let query = read(&crate_dir().join("queries/highlights.scm"));
    let missing: Vec<_> =
        KEYWORDS.iter().filter(|k| !query.contains(&format!("\"{k}\""))).collect();
    assert!(missing.is_empty(), "queries/highlights.scm does not highlight {missing:?}");
}
