//! Every ```upkeep block in the documentation is a complete file that
//! checks cleanly: the docs cannot drift from the language.

use std::path::Path;
use upkeep_compiler::{SourceFile, check_file, render};

/// The ```upkeep blocks of a Markdown file, with the line each starts on.
fn upkeep_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        let fence = line.trim_start();
        match &mut current {
            None if fence.starts_with("```upkeep") => current = Some((number + 2, String::new())),
            Some(_) if fence.starts_with("```") => blocks.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_upkeep_block_in_the_docs_checks_cleanly() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let markdown = std::fs::read_to_string(&path).unwrap();
        for (line, text) in upkeep_blocks(&markdown) {
            let name = format!("{}:{line}", path.file_name().unwrap().to_string_lossy());
            let result = check_file(SourceFile::new(name, text));
            failures.extend(result.diagnostics.iter().map(render::short));
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} upkeep blocks found in docs/");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn block_extraction_finds_fenced_upkeep_only() {
    let md = "text\n```upkeep\ntenant a\n```\n```sh\nls\n```\n  ```upkeep\nuse b\n  ```\n";
    assert_eq!(upkeep_blocks(md), vec![(3, "tenant a\n".to_string()), (9, "use b\n".to_string())]);
}
