//! The lane code of one group of instances: every IR operation of
//! `ir::semantics`, on `f64x2`, branch-free.
//!
//! A node's value has two forms, each built only when something needs it:
//!
//! - a **number** (`f64x2`): what inputs, constants, arithmetic, `min`,
//!   `max` and `if` produce, and what outputs store;
//! - a **truth** — two disjoint lane masks, *is true* and *is false*
//!   (neither: unknown): what comparisons and `and`/`or`/`not` produce and
//!   consume. On masks, Kleene logic is plain bitwise logic (`and`: true
//!   if both true, false if either false; `or` the dual; `not` swaps the
//!   masks), so a chain of conditions costs one or two instructions per
//!   operator instead of a round trip through 1.0/0.0/NaN each time.
//!
//! A truth becomes a number as 1.0, +0.0 or the canonical NaN; a number
//! becomes a truth as "known and non-zero" / "equal to zero". Compares
//! are ordered (false when either side is NaN), so NaN never sets a mask.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{ConstantData, InstBuilder, MemFlagsData, Type, Value, types};
use cranelift_frontend::FunctionBuilder;

use crate::ir::{BinaryOp, Graph, Node, UnaryOp, ValueId};

/// The lane type: two instances.
pub(super) const LANES: Type = types::F64X2;

const SIGN_BIT: u64 = 1 << 63;
/// The NaN unknowns are materialised as: the interpreter's `f64::NAN`.
const UNKNOWN: f64 = f64::NAN;

/// A condition as lane masks (`i64x2`, as compares produce them: all ones
/// or all zeros per lane); a lane in neither is unknown. Kept as integers
/// so that the logic on them needs no conversions.
#[derive(Clone, Copy)]
struct Truth {
    is_true: Value,
    is_false: Value,
}

/// The forms of one node's value built so far.
#[derive(Clone, Copy, Default)]
struct Forms {
    number: Option<Value>,
    truth: Option<Truth>,
}

impl Forms {
    fn of_number(number: Value) -> Forms {
        Forms { number: Some(number), truth: None }
    }

    fn of_truth(truth: Truth) -> Forms {
        Forms { number: None, truth: Some(truth) }
    }
}

/// Emits lane code into the current block of `b`.
pub(super) struct Lanes<'a, 'f> {
    b: &'a mut FunctionBuilder<'f>,
    forms: Vec<Forms>,
}

impl<'a, 'f> Lanes<'a, 'f> {
    pub(super) fn new(b: &'a mut FunctionBuilder<'f>) -> Self {
        Lanes { b, forms: Vec::new() }
    }

    /// Lowers every live node of `graph`, with `inputs[k]` the loaded
    /// lanes of column `k`, and returns the number of each output.
    pub(super) fn instance(
        &mut self,
        graph: &Graph,
        live: &[bool],
        inputs: &[Option<Value>],
    ) -> Vec<Value> {
        self.forms = vec![Forms::default(); graph.nodes.len()];
        for (at, node) in graph.nodes.iter().enumerate() {
            if !live[at] {
                continue;
            }
            let forms = match *node {
                Node::Const(c) => Forms::of_number(self.splat(c)),
                Node::Input(k) => Forms::of_number(
                    inputs[k as usize].unwrap_or_else(|| unreachable!("live inputs are loaded")),
                ),
                Node::Unary(UnaryOp::Not, a) => {
                    let Truth { is_true, is_false } = self.truth(a);
                    Forms::of_truth(Truth { is_true: is_false, is_false: is_true })
                }
                Node::Unary(op, a) => {
                    let a = self.number(a);
                    let number = self.unary(op, a);
                    Forms::of_number(number)
                }
                Node::Binary(op, a, b) => self.binary(op, a, b),
                Node::Select(c, a, b) => {
                    let c = self.truth(c);
                    let (a, b) = (self.number(a), self.number(b));
                    // Unknown unless `c` is true (→ a) or false (→ b).
                    let nan = self.splat(UNKNOWN);
                    let (is_true, is_false) = (self.as_lanes(c.is_true), self.as_lanes(c.is_false));
                    let unless_true = self.b.ins().bitselect(is_false, b, nan);
                    let number = self.b.ins().bitselect(is_true, a, unless_true);
                    Forms::of_number(number)
                }
            };
            self.forms[at] = forms;
        }
        graph.outputs.iter().map(|&id| self.number(id)).collect()
    }

    /// Node `id` as a number: 1.0 / +0.0 / NaN for a truth.
    fn number(&mut self, id: ValueId) -> Value {
        let forms = self.forms[id.0 as usize];
        if let Some(number) = forms.number {
            return number;
        }
        let Truth { is_true, is_false } =
            forms.truth.unwrap_or_else(|| unreachable!("operands of live nodes are lowered"));
        let (one, nan) = (self.splat(1.0), self.splat(UNKNOWN));
        let (is_true, is_false) = (self.as_lanes(is_true), self.as_lanes(is_false));
        let true_or_unknown = self.b.ins().bitselect(is_true, one, nan);
        // +0.0 is all zero bits: clearing the false lanes makes them false.
        let number = self.b.ins().band_not(true_or_unknown, is_false);
        self.forms[id.0 as usize].number = Some(number);
        number
    }

    /// Node `id` as a truth: true where known and non-zero, false where
    /// zero (either sign).
    fn truth(&mut self, id: ValueId) -> Truth {
        let forms = self.forms[id.0 as usize];
        if let Some(truth) = forms.truth {
            return truth;
        }
        let x = forms.number.unwrap_or_else(|| unreachable!("operands of live nodes are lowered"));
        let zero = self.splat(0.0);
        let magnitude = self.abs(x);
        // |x| > 0 is false for NaN and for ±0: "known and non-zero".
        let truth = Truth {
            is_true: self.b.ins().fcmp(FloatCC::GreaterThan, magnitude, zero),
            is_false: self.b.ins().fcmp(FloatCC::Equal, x, zero),
        };
        self.forms[id.0 as usize].truth = Some(truth);
        truth
    }

    /// A constant in both lanes, from the constant pool (bit pattern kept,
    /// NaN payloads included). Cranelift hoists these out of the loop.
    fn splat(&mut self, c: f64) -> Value {
        self.splat_bits(c.to_bits())
    }

    fn splat_bits(&mut self, bits: u64) -> Value {
        let bytes = bits.to_le_bytes();
        let data: ConstantData = bytes.iter().chain(&bytes).copied().collect();
        let handle = self.b.func.dfg.constants.insert(data);
        self.b.ins().vconst(LANES, handle)
    }

    /// A lane mask (all ones where `cc` holds) viewed as `f64x2`, so it can
    /// drive `bitselect` (lowered to a blend) and bitwise operations on
    /// numbers.
    fn mask(&mut self, cc: FloatCC, x: Value, y: Value) -> Value {
        let m = self.b.ins().fcmp(cc, x, y);
        self.as_lanes(m)
    }

    /// An `i64x2` mask viewed as `f64x2` (no instruction on x86).
    fn as_lanes(&mut self, mask: Value) -> Value {
        self.b.ins().bitcast(LANES, MemFlagsData::new(), mask)
    }

    /// `|x|` with a constant mask (`fabs` would rebuild the mask in every
    /// iteration).
    fn abs(&mut self, x: Value) -> Value {
        let magnitude = self.splat_bits(!SIGN_BIT);
        self.b.ins().band(x, magnitude)
    }

    fn unary(&mut self, op: UnaryOp, a: Value) -> Value {
        match op {
            UnaryOp::Neg => {
                let sign = self.splat_bits(SIGN_BIT);
                self.b.ins().bxor(a, sign)
            }
            UnaryOp::Abs => self.abs(a),
            UnaryOp::Floor => self.b.ins().floor(a),
            UnaryOp::Ceil => self.b.ins().ceil(a),
            UnaryOp::Not => unreachable!("`not` is lowered on truths"),
        }
    }

    fn binary(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> Forms {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let (x, y) = (self.truth(a), self.truth(b));
                // `and`: true if both are, false if either is; `or` the dual.
                let ins = self.b.ins();
                let truth = if op == BinaryOp::And {
                    let is_true = ins.band(x.is_true, y.is_true);
                    Truth { is_true, is_false: self.b.ins().bor(x.is_false, y.is_false) }
                } else {
                    let is_true = ins.bor(x.is_true, y.is_true);
                    Truth { is_true, is_false: self.b.ins().band(x.is_false, y.is_false) }
                };
                Forms::of_truth(truth)
            }
            BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Eq
            | BinaryOp::Ne => {
                let (x, y) = (self.number(a), self.number(b));
                let truth = self.compare(op, x, y);
                Forms::of_truth(truth)
            }
            _ => {
                let (x, y) = (self.number(a), self.number(b));
                let number = self.arithmetic(op, x, y);
                Forms::of_number(number)
            }
        }
    }

    /// A comparison as masks: each ordered, so NaN on either side sets
    /// neither and the result is unknown.
    fn compare(&mut self, op: BinaryOp, x: Value, y: Value) -> Truth {
        let mut masks = |holds, fails| Truth {
            is_true: self.b.ins().fcmp(holds, x, y),
            is_false: self.b.ins().fcmp(fails, x, y),
        };
        match op {
            BinaryOp::Lt => masks(FloatCC::LessThan, FloatCC::GreaterThanOrEqual),
            BinaryOp::Le => masks(FloatCC::LessThanOrEqual, FloatCC::GreaterThan),
            BinaryOp::Gt => masks(FloatCC::GreaterThan, FloatCC::LessThanOrEqual),
            BinaryOp::Ge => masks(FloatCC::GreaterThanOrEqual, FloatCC::LessThan),
            _ => {
                // Ordered "not equal" is `<` or `>`: x86 has no vector
                // compare for it. `==` is ordered already.
                let equal = self.b.ins().fcmp(FloatCC::Equal, x, y);
                let less = self.b.ins().fcmp(FloatCC::LessThan, x, y);
                let greater = self.b.ins().fcmp(FloatCC::GreaterThan, x, y);
                let differ = self.b.ins().bor(less, greater);
                if op == BinaryOp::Eq {
                    Truth { is_true: equal, is_false: differ }
                } else {
                    Truth { is_true: differ, is_false: equal }
                }
            }
        }
    }

    fn arithmetic(&mut self, op: BinaryOp, a: Value, b: Value) -> Value {
        match op {
            BinaryOp::Add => self.b.ins().fadd(a, b),
            BinaryOp::Sub => self.b.ins().fsub(a, b),
            BinaryOp::Mul => self.b.ins().fmul(a, b),
            BinaryOp::Div => {
                // Division by either zero is unknown (all ones is a NaN);
                // a NaN divisor already gives NaN.
                let quotient = self.b.ins().fdiv(a, b);
                let zero = self.splat(0.0);
                let by_zero = self.mask(FloatCC::Equal, b, zero);
                self.b.ins().bor(by_zero, quotient)
            }
            // `b < a ? b : a` is exactly `minpd b, a`; `b > a ? b : a` is
            // `maxpd b, a` (both keep `a` on ties such as -0/+0). A NaN on
            // either side is then forced, as `minpd` alone would return `a`.
            BinaryOp::Min | BinaryOp::Max => {
                let b_wins = match op {
                    BinaryOp::Min => self.mask(FloatCC::LessThan, b, a),
                    _ => self.mask(FloatCC::LessThan, a, b),
                };
                let picked = self.b.ins().bitselect(b_wins, b, a);
                let unknown = self.mask(FloatCC::Unordered, a, b);
                self.b.ins().bor(unknown, picked)
            }
            _ => unreachable!("{op:?} is lowered on truths"),
        }
    }
}
