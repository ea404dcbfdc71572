//! Checking and rendering diagnostics in every format never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upkeep_compiler::render::{self, Style};
use upkeep_compiler::{SourceFile, check_file};

fuzz_target!(|src: &str| {
    let checked = check_file(SourceFile::new("fuzz.upk", src));
    for d in &checked.diagnostics {
        let _ = render::graphical(d, Style::Plain);
        let _ = render::short(d);
    }
    let _ = render::to_json_lines(&checked.diagnostics);
    let _ = render::to_sarif(&checked.diagnostics, "0");
});
