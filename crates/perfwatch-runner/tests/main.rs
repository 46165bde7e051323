//! Integration tests of the runner: real commands (`sh`, `python3`,
//! `sleep`, `dd`), generous bounds, no timing assertions.

mod harness;

mod env_and_order;
mod failures;
mod hooks;
mod kill;
mod measurement;
mod service;
mod shell_correction;
mod spans;
