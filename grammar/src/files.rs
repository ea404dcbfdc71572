//! Finding Upkeep source files on disk: one walk for the command line, the
//! tests and the tools, so they all agree on what a package's files are.

use std::path::{Path, PathBuf};

/// Every `*.upk` file under `dir` (or `dir` itself if it is one), sorted,
/// skipping folders whose names start with `.` (`.git`, editor state).
/// Unreadable folders are skipped; symbolic links are followed, with a
/// bound on depth so a link cycle cannot loop forever.
pub fn upk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, 0, &mut out);
    out.sort();
    out
}

/// How deep folders may nest: far beyond any real package.
const MAX_DEPTH: usize = 64;

fn walk(path: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "upk") {
            out.push(path.to_path_buf());
        }
        return;
    }
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    for entry in entries.flatten() {
        let child = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if child.is_dir() && hidden {
            continue;
        }
        walk(&child, depth + 1, out);
    }
}

/// The `.upk` files the project ships, for tests: the conformance corpus,
/// the examples and the standard library, under the repository `root`.
pub fn shipped_files(root: &Path) -> Vec<PathBuf> {
    ["tests/corpus/ok", "examples", "stdlib"]
        .iter()
        .flat_map(|dir| upk_files(&root.join(dir)))
        .collect()
}
