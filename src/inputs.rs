//! Finding and reading the files a command works on.

use crate::UsageError;
use crate::args::Format;
use crate::report;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upkeep_compiler::SourceFile;
use upkeep_compiler::render::Style;

/// Expands the paths given on the command line: files as they are, folders
/// into their `*.upk` files (recursively, sorted, hidden folders skipped).
/// A path that does not exist is a usage error.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(upkeep_grammar::files::upk_files(path));
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(UsageError(format!("`{}` does not exist", path.display())));
        }
    }
    Ok(files)
}

/// Reads a file, or prints why it cannot be read and returns `None`.
pub fn read_or_report(path: &Path, style: Style) -> std::io::Result<Option<Arc<SourceFile>>> {
    match upkeep_compiler::package::read_source(path) {
        Ok(file) => Ok(Some(file)),
        Err(d) => {
            report::print(&[*d], Format::Human, style, 1)?;
            Ok(None)
        }
    }
}
