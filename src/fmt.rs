//! `upkeep fmt [--check] PATH…` (wired to the formatter once it lands).

use crate::Outcome;
use crate::args::FmtArgs;

pub fn run(_args: &FmtArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("the formatter is not wired yet")
}
