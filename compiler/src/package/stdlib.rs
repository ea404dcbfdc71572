//! The standard library, embedded at build time from `stdlib/` (see
//! `compiler/build.rs`).

include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));

/// The source of a stdlib module, by module path (`std.units`).
pub fn source(path: &str) -> Option<&'static str> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, src)| *src)
}

/// Every stdlib module path.
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(p, _)| *p)
}

/// The module every package sees without a `use`: the units.
pub const PRELUDE: &str = "std.units";

#[cfg(test)]
mod tests {
    #[test]
    fn the_stdlib_is_embedded_and_has_units() {
        assert!(super::source(super::PRELUDE).is_some_and(|s| s.contains("unit bytes")));
        assert!(super::paths().any(|p| p == "std.metrics.node"));
    }
}
