//! Parser tests on small inputs; the corpus tests live in `tests/`.

use crate::dump;
use crate::parse;

fn errors(src: &str) -> Vec<String> {
    parse(src).errors.iter().map(|e| e.message()).collect()
}

#[test]
fn design_example_parses_with_valid_spans() {
    let src = include_str!("../../../tests/corpus/ok/design_example.upk");
    let parsed = parse(src);
    assert_eq!(errors(src), Vec::<String>::new());
    let tree = dump::file(&parsed.file);
    dump::check_spans(&tree, src.len()).unwrap();
    assert_eq!(parsed.comments.len(), 5);
}

#[test]
fn empty_lists_keep_sound_spans() {
    for src in [
        "use m.{}",
        "action a() = exec []",
        "policy p on f { depends on q by () }",
        "policy p on f { let x = count(y) by () }",
        "metric m: gauge<1/s>",
        "metric m: gauge<s^2/h>",
    ] {
        let parsed = parse(src);
        assert!(parsed.errors.is_empty(), "{src}: {:?}", parsed.errors);
        dump::check_spans(&dump::file(&parsed.file), src.len())
            .unwrap_or_else(|e| panic!("{src}: {e}"));
    }
}

#[test]
fn typo_suggestions_only_where_the_keyword_fits() {
    let codes =
        |src: &str| -> Vec<String> { parse(src).errors.iter().map(|e| e.message()).collect() };
    // `host` is one letter from `hosts`, but here it is an argument.
    let got = codes("policy p on f {\n on crit {\n  run_script(host \"x\")\n }\n}");
    assert!(got.iter().all(|m| !m.contains("unexpected word")), "{got:?}");
    // Where `hosts` is expected, `host` is its typo.
    assert_eq!(codes("fleet f = host where a == \"b\""), vec!["unexpected word `host`"]);
}
