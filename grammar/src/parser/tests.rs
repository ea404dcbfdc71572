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
