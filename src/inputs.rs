//! Finding and reading the files a command works on.

use crate::UsageError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upkeep_compiler::{Code, Diagnostic, Label, SourceFile};
use upkeep_grammar::Span;
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

/// Reads a file for checking. A file that cannot be read or is not UTF-8
/// becomes a diagnostic, so that one bad file does not hide the others.
pub fn read(path: &Path) -> Result<Arc<SourceFile>, Box<Diagnostic>> {
    // `./a.upk` from walking `.` reads better, and is a valid SARIF URI, as `a.upk`.
    let name = path.strip_prefix(".").unwrap_or(path).display().to_string();
    let problem = |code, message: String| {
        let file = SourceFile::new(name.clone(), "");
        Box::new(Diagnostic::error(code, &file, message, Label::new(Span::point(0), "this file")))
    };
    let bytes = std::fs::read(path)
        .map_err(|e| problem(Code::UnreadableFile, format!("cannot read `{name}`: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        problem(
            Code::NotUtf8,
            format!(
                "`{name}` is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(SourceFile::new(name, text))
}
