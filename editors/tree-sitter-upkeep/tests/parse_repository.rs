//! The grammar must parse every valid `.upk` file without an ERROR or a
//! MISSING node. Files are found when the test runs, so new examples are
//! checked as soon as they exist.

mod common;

use common::{problems, read, repo_root};
use std::path::PathBuf;
use walkdir::WalkDir;

/// Folders of valid files, relative to the repository's root.
const FOLDERS: &[&str] =
    &["examples", "stdlib", "tests/corpus/ok", "editors/fixtures", "editors/vscode/test/scopes"];

fn upk_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = FOLDERS
        .iter()
        .map(|f| repo_root().join(f))
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| WalkDir::new(dir).sort_by_file_name())
        .map(|entry| entry.expect("a readable directory entry").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "upk"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_valid_file_parses_without_error_nodes() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut rejected_by_upkeep = Vec::new();
    for file in upk_files() {
        let src = read(&file);
        let name = file.strip_prefix(repo_root()).unwrap_or(&file).display().to_string();
        // A file the real parser rejects is not a valid file: skipped, with a
        // note, as its errors are not this grammar's to find.
        if !upkeep_grammar::parse(&src).is_ok() {
            rejected_by_upkeep.push(name);
            continue;
        }
        checked += 1;
        let tree = common::parse(&src);
        failures.extend(problems(tree.root_node()).into_iter().map(|p| format!("{name}:{p}")));
    }
    assert!(
        failures.is_empty(),
        "tree-sitter-upkeep fails on valid files:\n{}",
        failures.join("\n")
    );
    assert!(
        checked >= 10,
        "only {checked} files checked; rejected by the Upkeep parser: {rejected_by_upkeep:?}"
    );
    #[allow(clippy::print_stderr)]
    for name in &rejected_by_upkeep {
        eprintln!("skipped {name}: the Upkeep parser rejects it, so it is not a valid file");
    }
}

#[test]
fn the_parser_is_generated_with_abi_14() {
    // Older editor runtimes (Neovim 0.10, Helix, Zed) load ABI 14 but not 15.
    assert_eq!(common::language().abi_version(), 14);
}

#[test]
fn invalid_input_is_not_silently_accepted() {
    for src in [
        "policy p on f { warn when }",
        "fleet = hosts",
        "policy p on f { let = 1 }",
        "test t { expect }",
    ] {
        assert!(
            !problems(common::parse(src).root_node()).is_empty(),
            "{src:?} should not parse cleanly"
        );
    }
}
