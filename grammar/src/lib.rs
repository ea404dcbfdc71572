//! The syntax of the Upkeep policy language: lexer, parser, syntax tree,
//! and the tools that work on syntax alone (the tree printer and the
//! formatter).
//!
//! The entry point is [`parse`]; it never panics and always returns a tree,
//! with every problem as a [`SyntaxError`].

pub mod ast;
pub mod dump;
pub mod error;
pub mod files;
pub mod format;
pub mod lexer;
mod parser;
pub mod span;
pub mod strings;
pub mod token;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use format::format_source;
pub use parser::{Parsed, parse};
pub use span::Span;
