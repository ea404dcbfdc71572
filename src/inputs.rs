//! Finding and reading the files a command works on.

use crate::UsageError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upkeep_compiler::{Diagnostic, SourceFile};
use walkdir::WalkDir;

/// Expands the paths given on the command line: files as they are, folders
/// into their `*.upk` files (recursively, sorted, hidden folders skipped).
/// A path that does not exist is a usage error.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "upk")
                })
                .map(|e| e.into_path())
                .collect();
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(UsageError(format!("`{}` does not exist", path.display())));
        }
    }
    Ok(files)
}

/// Reads a file: see [`upkeep_compiler::package::read_source`].
pub fn read(path: &Path) -> Result<Arc<SourceFile>, Box<Diagnostic>> {
    upkeep_compiler::package::read_source(path)
}
