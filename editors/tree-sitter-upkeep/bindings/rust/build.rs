//! Compiles the generated parser (`src/parser.c`, committed) and the
//! hand-written external scanner (`src/scanner.c`) into the crate. Only a C
//! compiler is needed: the tree-sitter CLI is not.

use std::path::Path;

fn main() {
    let src = Path::new("src");
    let files = [src.join("parser.c"), src.join("scanner.c")];
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-changed={}", src.join("tree_sitter").display());

    let mut build = cc::Build::new();
    build.std("c11").include(src).files(&files);
    // Generated code: its unused parameters and the like are not ours to fix.
    build.warnings(false);
    #[cfg(target_env = "msvc")]
    build.flag("-utf-8");
    build.compile("tree-sitter-upkeep");
}
