//! Upkeep compiler.
