//! Loading a package: reading and parsing the named files, then following
//! `use` to the modules they need, and reporting what cannot be found.

use super::manifest::{FILE_NAME, Manifest};
use super::{Module, ModuleId, Origin, Package, stdlib};
use crate::diagnostics::{Code, Diagnostic, Label, SourceFile};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use upkeep_grammar::ast::{Item, UseDecl};
use upkeep_grammar::{Span, parse};

/// The package root of a file: the nearest folder at or above it holding
/// `upkeep.toml`, or else the file's own folder. Returns the root and
/// whether a manifest was found.
pub fn find_root(file: &Path) -> (PathBuf, bool) {
    let start = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        if d.join(FILE_NAME).is_file() {
            return (d.to_path_buf(), true);
        }
        dir = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    if Path::new(FILE_NAME).is_file() && start.is_relative() {
        return (PathBuf::new(), true);
    }
    (start, false)
}

/// Reads a file. A file that cannot be read or is not UTF-8 becomes a
/// diagnostic, so that one bad file does not hide the others.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, Box<Diagnostic>> {
    // `./a.upk` from walking `.` reads better, and is a valid SARIF URI, as `a.upk`.
    let name = path.strip_prefix(".").unwrap_or(path).display().to_string();
    let problem = |code, message: String| {
        let file = SourceFile::new(name.clone(), "");
        Box::new(Diagnostic::error(code, &file, message, Label::new(Span::point(0), "this file")))
    };
    let bytes = std::fs::read(path)
        .map_err(|e| problem(Code::UnreadableFile, format!("cannot read `{name}`: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        problem(Code::NotUtf8, format!("`{name}` is not UTF-8 (invalid byte at offset {at})"))
    })?;
    Ok(SourceFile::new(name, text))
}

/// Loads the packages that hold the given files.
#[derive(Debug, Default)]
pub struct Loader {
    pub packages: Vec<Package>,
    pub diagnostics: Vec<Diagnostic>,
    seen_files: HashSet<PathBuf>,
    /// Whether modules come from memory rather than the file system.
    memory: bool,
}

impl Loader {
    pub fn load(files: &[PathBuf]) -> Loader {
        let mut loader = Loader::default();
        let mut roots: Vec<(PathBuf, bool, Vec<&PathBuf>)> = Vec::new();
        for file in files {
            let (root, has_manifest) = find_root(file);
            match roots.iter_mut().find(|(r, _, _)| *r == root) {
                Some((_, _, list)) => list.push(file),
                None => roots.push((root, has_manifest, vec![file])),
            }
        }
        for (root, has_manifest, files) in roots {
            let package = loader.load_package(root, has_manifest, &files);
            loader.packages.push(package);
        }
        loader
    }

    fn load_package(&mut self, root: PathBuf, has_manifest: bool, files: &[&PathBuf]) -> Package {
        let mut package = Package { root: root.clone(), ..Package::default() };
        if has_manifest {
            package.manifest = self.read_manifest(&root.join(FILE_NAME));
        }
        for file in files {
            if let Some(path) = module_path(&root, file) {
                self.add_user_module(&mut package, file, path, true);
            }
        }
        self.finish_package(&mut package);
        package
    }

    fn read_manifest(&mut self, path: &Path) -> Option<Manifest> {
        let file = match read_source(path) {
            Ok(file) => file,
            Err(d) => {
                self.diagnostics.push(*d);
                return None;
            }
        };
        match Manifest::parse(&file.text) {
            Ok(manifest) => Some(manifest),
            Err(e) => {
                let span = e.span().map_or(Span::point(0), |r| Span::new(r.start, r.end));
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::BadManifest,
                        &file,
                        format!("invalid `{FILE_NAME}`: {}", e.message()),
                        Label::new(span, "here"),
                    )
                    .with_help("a manifest reads `[package]` and then `name = \"my-package\"`"),
                );
                None
            }
        }
    }

    fn add_user_module(
        &mut self,
        package: &mut Package,
        file: &Path,
        path: String,
        requested: bool,
    ) -> Option<ModuleId> {
        if let Some(id) = package.by_path.get(&path) {
            if requested {
                package.modules[id.0].requested = true;
            }
            return Some(*id);
        }
        let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        if !self.seen_files.insert(canonical) {
            return None;
        }
        let source = match read_source(file) {
            Ok(source) => source,
            Err(d) => {
                self.diagnostics.push(*d);
                return None;
            }
        };
        Some(push_module(package, path, source, Origin::User, requested))
    }

    fn add_stdlib_module(&mut self, package: &mut Package, path: &str) -> Option<ModuleId> {
        if let Some(id) = package.by_path.get(path) {
            return Some(*id);
        }
        let text = stdlib::source(path)?;
        let source = SourceFile::new(format!("<stdlib>/{}.upk", path.replace('.', "/")), text);
        Some(push_module(package, path.to_string(), source, Origin::Stdlib, false))
    }

    /// Loads a package from memory: `(module path, source)` pairs, all
    /// requested. `use` resolves among them and the stdlib. For tests and
    /// for tools that hold files in memory (an editor, a fuzzer).
    pub fn load_sources(sources: &[(&str, &str)]) -> Loader {
        let mut loader = Loader::default();
        let mut package = Package::default();
        for (path, text) in sources {
            let file = SourceFile::new(format!("{}.upk", path.replace('.', "/")), *text);
            push_module(&mut package, path.to_string(), file, Origin::User, true);
        }
        loader.memory = true;
        loader.finish_package(&mut package);
        loader.packages.push(package);
        loader
    }

    fn finish_package(&mut self, package: &mut Package) {
        self.add_stdlib_module(package, stdlib::PRELUDE);
        // Follow `use` until nothing new is needed.
        let mut next = 0;
        while next < package.modules.len() {
            let uses: Vec<UseDecl> = package.modules[next]
                .parsed
                .file
                .items
                .iter()
                .filter_map(|i| if let Item::Use(u) = i { Some(u.clone()) } else { None })
                .collect();
            let from = ModuleId(next);
            for u in uses {
                self.resolve_use(package, from, &u);
            }
            next += 1;
        }
    }

    fn resolve_use(&mut self, package: &mut Package, from: ModuleId, u: &UseDecl) {
        let path = u.path.name.as_str();
        let found = if path == "std" || path.starts_with("std.") {
            self.add_stdlib_module(package, path)
        } else if self.memory {
            package.by_path.get(path).copied()
        } else {
            let file = package.root.join(format!("{}.upk", path.replace('.', "/")));
            if file.is_file() {
                self.add_user_module(package, &file, path.to_string(), false)
            } else {
                None
            }
        };
        if found.is_some() || package.by_path.contains_key(path) {
            return;
        }
        let importer = Arc::clone(&package.module(from).file);
        let mut d = Diagnostic::error(
            Code::UnknownModule,
            &importer,
            format!("there is no module `{path}`"),
            Label::new(u.path.span, "not found"),
        );
        let candidates = if self.memory {
            package.by_path.keys().cloned().collect()
        } else {
            known_modules(&package.root)
        };
        d.help = Some(match crate::suggest::closest(path, candidates.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "modules are named by their path from the package root ({}), with `.` for `/`; the standard library's start with `std.`",
                package.root.display()
            ),
        });
        self.diagnostics.push(d);
    }
}

fn push_module(
    package: &mut Package,
    path: String,
    file: Arc<SourceFile>,
    origin: Origin,
    requested: bool,
) -> ModuleId {
    let id = ModuleId(package.modules.len());
    let parsed = parse(&file.text);
    package.by_path.insert(path.clone(), id);
    package.modules.push(Module { id, path, file, parsed, origin, requested });
    id
}

/// The module path of `file` in the package at `root`, or `None` when the
/// file is not under it (which `find_root` rules out).
fn module_path(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).ok()?.with_extension("");
    let parts: Vec<String> =
        relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("."))
}

/// Every module a `use` could name: the stdlib's and the package's files.
fn known_modules(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = stdlib::paths().map(str::to_string).collect();
    let mut stack = vec![root.to_path_buf()];
    let mut visited = HashMap::new();
    while let Some(dir) = stack.pop() {
        if visited.insert(dir.clone(), ()).is_some() || visited.len() > 10_000 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "upk") {
                out.extend(module_path(root, &path));
            }
        }
    }
    out
}
