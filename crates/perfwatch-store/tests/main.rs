//! Integration tests of the SQLite store: one binary, one module per theme.

mod store;
