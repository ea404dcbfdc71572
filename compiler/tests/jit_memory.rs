//! Compiled code is freed when its evaluator is dropped. `cranelift_jit`
//! leaks code memory unless told otherwise, one fresh executable mapping
//! (at least a page) per compiled function; so a thousand compile-and-drop
//! rounds without the free would leave at least 4 MB more executable
//! anonymous memory in the process. This measures it (the kernel merges
//! adjacent mappings, so their count would not show a leak; their size
//! does). It is the only test in this binary, so no other test's compiles
//! run alongside it.

use upkeep_compiler::jit::{CompiledEvaluator, samples};

/// Bytes of anonymous executable memory mapped in this process: where
/// JIT code lives.
fn jit_code_bytes() -> usize {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps is readable");
    maps.lines()
        .filter_map(|line| {
            // start-end perms offset dev inode [path]
            let fields: Vec<&str> = line.split_whitespace().collect();
            let anonymous = fields.len() == 5;
            let executable = fields.get(1).is_some_and(|perms| perms.contains('x'));
            let (start, end) = fields.first()?.split_once('-')?;
            let size =
                usize::from_str_radix(end, 16).ok()? - usize::from_str_radix(start, 16).ok()?;
            (anonymous && executable).then_some(size)
        })
        .sum()
}

#[test]
#[cfg(target_os = "linux")]
fn dropping_an_evaluator_frees_its_code() {
    let graph = samples::e3().graph;
    let (x, mut out) = (vec![1.0; 8], vec![0.0; 8]);
    let inputs: Vec<&[f64]> = (0..graph.inputs).map(|_| x.as_slice()).collect();
    // Warm up: the ISA, the allocator's arenas, thread-locals.
    for _ in 0..10 {
        CompiledEvaluator::compile(&graph).expect("compiles");
    }
    let alive = CompiledEvaluator::compile(&graph).expect("compiles");
    let before = jit_code_bytes();
    assert!(before > 0, "a live evaluator's code is an anonymous executable mapping");
    for _ in 0..1000 {
        let jit = CompiledEvaluator::compile(&graph).expect("compiles");
        jit.eval(&inputs, &mut [&mut out], 8).expect("shapes fit");
    }
    let after = jit_code_bytes();
    // A leak adds at least 1000 pages; a few pages of slack for whatever else maps code.
    assert!(
        after <= before + 16 * 4096,
        "{before} bytes of JIT code before 1000 compiles, {after} after: compiled code is leaking"
    );
    drop(alive);
}
