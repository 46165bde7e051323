//! Integration tests of perfwatch-otlp: one binary, one module per theme.

mod harness;
mod python_e2e;
mod receiver;
