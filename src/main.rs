//! `upkeep`: the command line of the Upkeep policy language.
//!
//! Thin by design: it parses arguments, finds files, calls the library
//! crates and maps outcomes to exit codes (0 clean, 1 problems found,
//! 2 usage errors).

mod args;
mod check;
mod compile;
mod fmt;
mod history;
mod inputs;
mod package;
mod report;
mod run;
mod serve;
mod sink;
mod test;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// How a command ended, as the exit code scripts and CI see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: nothing to report.
    Clean,
    /// Exit 1: the inputs have problems (diagnostics, unformatted files).
    Problems,
}

/// A mistake in how the command was called: exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::History(args) => history::run(&args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(error) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(2)
        }
    }
}
