//! Packages and modules: which files make up a program, and what `use`
//! refers to.
//!
//! One file is one module. A **package** is a folder of modules whose root
//! holds an `upkeep.toml` manifest; a module's path is its file path from the
//! root with `.` for `/` and without `.upk` (`provider/library.upk` is
//! `provider.library`). A file outside any package is a package of its own
//! folder. Modules under `std.` come from the standard library embedded in
//! the binary, and a package cannot define its own.
//!
//! Loading starts from the files the user named and follows `use` on demand,
//! so checking one file of a package still sees its siblings.

mod loader;
mod manifest;
pub mod stdlib;

pub use loader::{Loader, find_root, read_source};
pub use manifest::Manifest;

use crate::diagnostics::SourceFile;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use upkeep_grammar::Parsed;

/// An index into [`Package::modules`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleId(pub usize);

/// Where a module comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The embedded standard library.
    Stdlib,
    /// A file of the user's package.
    User,
}

#[derive(Debug)]
pub struct Module {
    pub id: ModuleId,
    /// `provider.library`, `std.units`.
    pub path: String,
    pub file: Arc<SourceFile>,
    pub parsed: Parsed,
    pub origin: Origin,
    /// Whether the user named this file (or a folder holding it), as opposed
    /// to it being loaded because something uses it.
    pub requested: bool,
}

/// Every module loaded for one package, the stdlib modules it uses included.
#[derive(Debug, Default)]
pub struct Package {
    /// The folder holding `upkeep.toml`, or the folder of a lone file.
    pub root: PathBuf,
    pub manifest: Option<Manifest>,
    pub modules: Vec<Module>,
    pub by_path: HashMap<String, ModuleId>,
}

impl Package {
    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0]
    }

    pub fn get(&self, path: &str) -> Option<&Module> {
        self.by_path.get(path).map(|id| self.module(*id))
    }

    /// User modules first, in path order, then stdlib modules.
    pub fn ordered(&self) -> Vec<&Module> {
        let mut all: Vec<&Module> = self.modules.iter().collect();
        all.sort_by(|a, b| {
            (a.origin == Origin::Stdlib, &a.path).cmp(&(b.origin == Origin::Stdlib, &b.path))
        });
        all
    }
}
