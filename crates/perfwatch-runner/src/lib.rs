//! Spawns and measures commands for perfwatch.

pub mod source;
