//! Names: what each module declares, what it imports, and what a name in a
//! module refers to.
//!
//! Every declaration except tests shares one namespace per module (a policy
//! and a fleet cannot both be called `web`); tests live apart, because a
//! test is usually named after the policy it tests. `use m` imports every
//! declaration of `m`; `use m.{a, b}` imports those names only.

mod graph;

pub use graph::check_cycles;

use crate::diagnostics::{Code, Diagnostic, Label};
use crate::package::{ModuleId, Origin, Package};
use crate::suggest;
use std::collections::HashMap;
use std::sync::Arc;
use upkeep_grammar::Span;
use upkeep_grammar::ast::{Ident, Item, UnitName};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclKind {
    Metric,
    Unit,
    Fleet,
    Calendar,
    Action,
    Fn,
    Policy,
    Task,
    Test,
}

impl DeclKind {
    pub fn describe(self) -> &'static str {
        match self {
            DeclKind::Metric => "metric",
            DeclKind::Unit => "unit",
            DeclKind::Fleet => "fleet",
            DeclKind::Calendar => "calendar",
            DeclKind::Action => "action",
            DeclKind::Fn => "function",
            DeclKind::Policy => "policy",
            DeclKind::Task => "task",
            DeclKind::Test => "test",
        }
    }
}

/// A declaration: which module, which item, what kind, where its name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeclRef {
    pub module: ModuleId,
    pub item: usize,
    pub kind: DeclKind,
    pub name_span: Span,
}

/// What one module can see.
#[derive(Debug, Default)]
pub struct ModuleScope {
    pub declared: HashMap<String, DeclRef>,
    pub tests: HashMap<String, DeclRef>,
    pub imported: HashMap<String, DeclRef>,
    /// The `tenant` this module belongs to, if any.
    pub tenant: Option<String>,
}

impl ModuleScope {
    pub fn lookup(&self, name: &str) -> Option<DeclRef> {
        self.declared.get(name).or_else(|| self.imported.get(name)).copied()
    }

    /// Every visible name, for did-you-mean.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.declared.keys().chain(self.imported.keys()).map(String::as_str)
    }

    /// The visible name closest to `name`, among declarations of `kinds`.
    pub fn suggest(&self, name: &str, kinds: &[DeclKind]) -> Option<String> {
        let candidates = self
            .declared
            .iter()
            .chain(self.imported.iter())
            .filter(|(_, d)| kinds.contains(&d.kind))
            .map(|(n, _)| n.as_str());
        suggest::closest(name, candidates).map(str::to_string)
    }
}

/// The scopes of every module in a package.
#[derive(Debug, Default)]
pub struct Scopes {
    pub modules: HashMap<ModuleId, ModuleScope>,
}

impl Scopes {
    pub fn of(&self, module: ModuleId) -> &ModuleScope {
        static EMPTY: std::sync::OnceLock<ModuleScope> = std::sync::OnceLock::new();
        self.modules.get(&module).unwrap_or_else(|| EMPTY.get_or_init(ModuleScope::default))
    }
}

/// The name a declaration is known by, with its kind.
pub fn declared_name(item: &Item) -> Option<(&Ident, DeclKind)> {
    Some(match item {
        Item::Metric(d) => (&d.name, DeclKind::Metric),
        Item::Unit(d) => match &d.name {
            UnitName::Ident(i) => (i, DeclKind::Unit),
            UnitName::Symbol(_) => return None,
        },
        Item::Fleet(d) => (&d.name, DeclKind::Fleet),
        Item::Calendar(d) => (&d.name, DeclKind::Calendar),
        Item::Action(d) => (&d.name, DeclKind::Action),
        Item::Fn(d) => (&d.name, DeclKind::Fn),
        Item::Policy(d) => (&d.name, DeclKind::Policy),
        Item::Task(d) => (&d.name, DeclKind::Task),
        Item::Test(d) => (&d.name, DeclKind::Test),
        Item::Tenant(_) | Item::Use(_) | Item::Apply(_) | Item::Error(_) => return None,
    })
}

/// Builds every module's scope, reporting duplicate declarations and
/// imports of names a module does not declare.
pub fn build_scopes(package: &Package, diagnostics: &mut Vec<Diagnostic>) -> Scopes {
    let mut scopes = Scopes::default();
    for module in &package.modules {
        let mut scope = ModuleScope::default();
        for (index, item) in module.parsed.file.items.iter().enumerate() {
            if let Item::Tenant(t) = item {
                scope.tenant = Some(t.name.name.clone());
            }
            let Some((name, kind)) = declared_name(item) else { continue };
            let decl = DeclRef { module: module.id, item: index, kind, name_span: name.span };
            let table = if kind == DeclKind::Test { &mut scope.tests } else { &mut scope.declared };
            if let Some(first) = table.get(&name.name) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateDefinition,
                        &module.file,
                        format!("`{}` is declared twice in this module", name.name),
                        Label::new(name.span, format!("second {}", kind.describe())),
                    )
                    .with_secondary(Label::new(
                        first.name_span,
                        format!("first declared here, as a {}", first.kind.describe()),
                    ))
                    .with_help("rename one of them"),
                );
                continue;
            }
            table.insert(name.name.clone(), decl);
        }
        scopes.modules.insert(module.id, scope);
    }
    for module in &package.modules {
        let mut imported = HashMap::new();
        for item in &module.parsed.file.items {
            let Item::Use(u) = item else { continue };
            let Some(target) = package.by_path.get(&u.path.name) else { continue };
            let Some(target_scope) = scopes.modules.get(target) else { continue };
            match &u.names {
                None => {
                    for (n, d) in &target_scope.declared {
                        import(&mut imported, n, *d, u.path.span, module, package, diagnostics);
                    }
                }
                Some(names) => {
                    for name in names {
                        match target_scope.declared.get(&name.name) {
                            Some(d) => import(
                                &mut imported,
                                &name.name,
                                *d,
                                name.span,
                                module,
                                package,
                                diagnostics,
                            ),
                            None => diagnostics.push(unknown_import(
                                &module.file,
                                &u.path.name,
                                name,
                                target_scope,
                            )),
                        }
                    }
                }
            }
        }
        if let Some(scope) = scopes.modules.get_mut(&module.id) {
            scope.imported = imported;
        }
    }
    reserved_modules(package, diagnostics);
    scopes
}

/// Adds an import; the same name from two different declarations is an
/// error rather than a silent choice of the later `use`.
fn import(
    imported: &mut HashMap<String, DeclRef>,
    name: &str,
    decl: DeclRef,
    at: Span,
    module: &crate::package::Module,
    package: &Package,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match imported.get(name) {
        Some(existing) if *existing != decl => {
            let (a, b) = (&package.module(existing.module).path, &package.module(decl.module).path);
            diagnostics.push(
                Diagnostic::error(
                    Code::AmbiguousImport,
                    &module.file,
                    format!("`{name}` is imported from both `{a}` and `{b}`"),
                    Label::new(at, format!("imports `{name}` again")),
                )
                .with_help(format!(
                    "import it from one module only: list the names you need, as in `use {a}.{{…}}`"
                )),
            );
        }
        _ => {
            imported.insert(name.to_string(), decl);
        }
    }
}

fn unknown_import(
    file: &Arc<crate::SourceFile>,
    module: &str,
    name: &Ident,
    target: &ModuleScope,
) -> Diagnostic {
    let d = Diagnostic::error(
        Code::UnknownImport,
        file,
        format!("module `{module}` has no declaration `{}`", name.name),
        Label::new(name.span, "not declared there"),
    );
    match suggest::closest(&name.name, target.declared.keys().map(String::as_str)) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")),
        None => d.with_help(format!(
            "import the whole module with `use {module}` to see what it declares"
        )),
    }
}

/// A package file under `std/` would be shadowed by the standard library.
fn reserved_modules(package: &Package, diagnostics: &mut Vec<Diagnostic>) {
    for module in &package.modules {
        if module.origin == Origin::User
            && (module.path == "std" || module.path.starts_with("std."))
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::ReservedModule,
                    &module.file,
                    format!("`{}` is a standard library path", module.path),
                    Label::new(Span::point(0), "this file"),
                )
                .with_help("rename the folder: module paths starting with `std.` belong to the standard library"),
            );
        }
    }
}
