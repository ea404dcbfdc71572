//! The whole checker — modules, names, types and units, calendars — and
//! every diagnostic renderer never panic, whatever the source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upkeep_compiler::render::{self, Style};
use upkeep_compiler::check_sources;

fuzz_target!(|src: &str| {
    let diagnostics = check_sources(&[("main", src)]);
    for d in &diagnostics {
        assert!(d.primary.span.end <= d.file.text.len() || d.file.name.starts_with("<stdlib>"));
        let _ = render::graphical(d, Style::Plain);
        let _ = render::short(d);
    }
    let _ = render::to_json_lines(&diagnostics);
    let _ = render::to_sarif(&diagnostics, "0");
});
