//! The SQLite backend.
//!
//! One file, write-ahead logging, one immediate transaction per write, a
//! versioned schema (see [`SCHEMA_VERSION`] and [`APPLICATION_ID`]).

mod access;
mod baselines;
mod deliveries;
mod fail;
mod handle;
mod header;
mod iterations;
mod open;
mod schema;
mod series;
mod sessions;
mod spans;
mod store_impl;

pub use handle::SqliteStore;
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
