//! The benchmark conditions written by hand in Rust over the same columns,
//! with the same tri-state semantics as the IR (`docs/semantics.md`): what
//! a careful programmer would write, and what the JIT is measured against.
//! Each helper is the IR operation's definition (`ir::semantics`), inlined.
//! Built for the default target (x86-64 with SSE2, 2 lanes of `f64`), as
//! Rust programs usually are; the JIT compiles for the host CPU.

/// Evaluates a condition for every row of the columns into `out`.
pub type BatchFn = fn(&[&[f64]], &mut [f64]);

const UNKNOWN: f64 = f64::NAN;

// Written for the optimiser: `|` and `&` on `bool` instead of `||` and
// `&&`, so that there is no short-circuit branch, and every `if` picks
// between two values it has already computed (a select, not a jump).
// LLVM then vectorises the loops. The straightforward version with `||`
// and early returns is 3–8 times slower on this data (random outcomes
// defeat the branch predictor): that is not the practical limit.

#[inline(always)]
fn unknown2(a: f64, b: f64) -> bool {
    a.is_nan() | b.is_nan()
}

#[inline(always)]
fn compare(a: f64, b: f64, holds: bool) -> f64 {
    let value = if holds { 1.0 } else { 0.0 };
    if unknown2(a, b) { UNKNOWN } else { value }
}

#[inline(always)]
fn gt(a: f64, b: f64) -> f64 {
    compare(a, b, a > b)
}

#[inline(always)]
fn lt(a: f64, b: f64) -> f64 {
    compare(a, b, a < b)
}

#[inline(always)]
fn div(a: f64, b: f64) -> f64 {
    let quotient = a / b;
    if b == 0.0 { UNKNOWN } else { quotient }
}

#[inline(always)]
fn min(a: f64, b: f64) -> f64 {
    let smaller = if b < a { b } else { a };
    if unknown2(a, b) { UNKNOWN } else { smaller }
}

#[inline(always)]
fn max(a: f64, b: f64) -> f64 {
    let larger = if b > a { b } else { a };
    if unknown2(a, b) { UNKNOWN } else { larger }
}

#[inline(always)]
fn and(a: f64, b: f64) -> f64 {
    let if_no_false = if unknown2(a, b) { UNKNOWN } else { 1.0 };
    if (a == 0.0) | (b == 0.0) { 0.0 } else { if_no_false }
}

#[inline(always)]
fn or(a: f64, b: f64) -> f64 {
    // Known and non-zero: `abs` makes it one comparison.
    let truthy = |x: f64| x.abs() > 0.0;
    let if_no_true = if unknown2(a, b) { UNKNOWN } else { 0.0 };
    if truthy(a) | truthy(b) { 1.0 } else { if_no_true }
}

/// E1: `x > 90`.
pub fn e1(columns: &[&[f64]], out: &mut [f64]) {
    let [x] = columns else { panic!("E1 reads 1 column") };
    for (o, &x) in out.iter_mut().zip(*x) {
        *o = gt(x, 90.0);
    }
}

/// E2: `(cpu > 90% and mem < 1GiB) or load / cores > 2`, `cpu` in percent.
pub fn e2(columns: &[&[f64]], out: &mut [f64]) {
    let [cpu, mem, load, cores] = columns else { panic!("E2 reads 4 columns") };
    let n = out.len();
    let (cpu, mem, load, cores) = (&cpu[..n], &mem[..n], &load[..n], &cores[..n]);
    for i in 0..n {
        out[i] = or(
            and(gt(cpu[i] * 0.01, 0.9), lt(mem[i], 1073741824.0)),
            gt(div(load[i], cores[i]), 2.0),
        );
    }
}

/// E3: see `jit::samples::e3`.
pub fn e3(columns: &[&[f64]], out: &mut [f64]) {
    let [cpu, iowait, load1, load5, cores, disk_free, disk_size, temp] = columns else {
        panic!("E3 reads 8 columns")
    };
    let n = out.len();
    let (cpu, iowait, load1, load5) = (&cpu[..n], &iowait[..n], &load1[..n], &load5[..n]);
    let (cores, disk_free, disk_size, temp) =
        (&cores[..n], &disk_free[..n], &disk_size[..n], &temp[..n]);
    for i in 0..n {
        let overloaded = and(
            gt(max(cpu[i], iowait[i]), 80.0),
            gt(div((load1[i] - load5[i]).abs(), cores[i]), 0.5),
        );
        let starved = lt(min(div(disk_free[i], disk_size[i]), 1.0 - div(iowait[i], 100.0)), 0.1);
        let thermal = or(gt(temp[i], 85.0), gt((temp[i] - 60.0).abs() * 2.0, max(load1[i], 30.0)));
        out[i] = or(overloaded, and(starved, thermal));
    }
}
