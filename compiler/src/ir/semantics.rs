//! The meaning of each IR operation on one value: the single definition
//! the interpreter uses and the JIT must match bit for bit. Written
//! without `f64::min`/`max`/`mul_add`, whose treatment of NaN and signed
//! zeros differs between platforms, so that the JIT can reproduce it with
//! plain compares and selects.

use super::{BinaryOp, UnaryOp};

fn known(x: f64) -> bool {
    !x.is_nan()
}

/// `1.0`, `0.0`, or NaN when either side is unknown.
fn compare(a: f64, b: f64, holds: bool) -> f64 {
    if known(a) && known(b) { if holds { 1.0 } else { 0.0 } } else { f64::NAN }
}

pub fn apply_unary(op: UnaryOp, a: f64) -> f64 {
    match op {
        UnaryOp::Neg => -a,
        UnaryOp::Abs => a.abs(),
        UnaryOp::Not => {
            if !known(a) {
                f64::NAN
            } else if a == 0.0 {
                1.0
            } else {
                0.0
            }
        }
        UnaryOp::Floor => a.floor(),
        UnaryOp::Ceil => a.ceil(),
    }
}

pub fn apply_binary(op: BinaryOp, a: f64, b: f64) -> f64 {
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => {
            if b == 0.0 {
                f64::NAN
            } else {
                a / b
            }
        }
        BinaryOp::Min => {
            if !known(a) || !known(b) {
                f64::NAN
            } else if b < a {
                b
            } else {
                a
            }
        }
        BinaryOp::Max => {
            if !known(a) || !known(b) {
                f64::NAN
            } else if b > a {
                b
            } else {
                a
            }
        }
        BinaryOp::Lt => compare(a, b, a < b),
        BinaryOp::Le => compare(a, b, a <= b),
        BinaryOp::Gt => compare(a, b, a > b),
        BinaryOp::Ge => compare(a, b, a >= b),
        BinaryOp::Eq => compare(a, b, a == b),
        BinaryOp::Ne => compare(a, b, a != b),
        // Kleene logic: false wins `and`, true wins `or`, whatever the other side.
        BinaryOp::And => {
            if a == 0.0 || b == 0.0 {
                0.0
            } else if !known(a) || !known(b) {
                f64::NAN
            } else {
                1.0
            }
        }
        BinaryOp::Or => {
            let truthy = |x: f64| known(x) && x != 0.0;
            if truthy(a) || truthy(b) {
                1.0
            } else if !known(a) || !known(b) {
                f64::NAN
            } else {
                0.0
            }
        }
    }
}

/// `if c then a else b`; unknown when `c` is unknown.
pub fn apply_select(c: f64, a: f64, b: f64) -> f64 {
    if !known(c) {
        f64::NAN
    } else if c != 0.0 {
        a
    } else {
        b
    }
}
