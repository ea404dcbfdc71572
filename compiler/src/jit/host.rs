//! The target the JIT compiles for: the host CPU as `cranelift-native`
//! detects it (SSE4.1 gives `roundpd` for `floor`/`ceil`, AVX the
//! three-operand encodings), at one of two optimisation levels. Detecting
//! the CPU and building the flags costs more than compiling a small
//! condition, so each level's ISA is built once per process and shared.

use std::sync::OnceLock;

use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};

use super::JitError;

/// Cranelift's optimisation level for evaluator code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptLevel {
    /// No mid-end optimisation: the fastest compile.
    None,
    /// `opt_level = "speed"`: e-graph rewrites, GVN, LICM. The default.
    Speed,
}

impl OptLevel {
    fn setting(self) -> &'static str {
        match self {
            OptLevel::None => "none",
            OptLevel::Speed => "speed",
        }
    }
}

/// The host ISA at `opt`, built on first use.
pub(crate) fn host_isa(opt: OptLevel) -> Result<OwnedTargetIsa, JitError> {
    static NONE: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    static SPEED: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    let cell = match opt {
        OptLevel::None => &NONE,
        OptLevel::Speed => &SPEED,
    };
    cell.get_or_init(|| build_isa(opt)).clone().map_err(JitError::Host)
}

fn build_isa(opt: OptLevel) -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name: &str, value: &str| {
        flags.set(name, value).map_err(|e| format!("cranelift setting {name}={value}: {e}"))
    };
    set(&mut flags, "opt_level", opt.setting())?;
    // The verifier checks our own CLIF: on in debug builds (and so in the
    // tests), off in release builds, where compile latency counts.
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    // What cranelift-jit requires (see `JITBuilder::with_flags`).
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    let builder =
        cranelift_native::builder().map_err(|e| format!("this host is not supported: {e}"))?;
    builder.finish(settings::Flags::new(flags)).map_err(|e| format!("cranelift ISA: {e}"))
}
