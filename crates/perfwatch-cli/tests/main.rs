//! Integration tests of the `perfwatch` binary: one test binary (see
//! `Cargo.toml`), one module per area, a fluent harness in `util`.
//!
//! Every test works in its own temporary directory, which is the commands'
//! working directory and holds the history database (`PERFWATCH_DB`).
//! Tests never assert on timing: they check what was stored and printed,
//! and wait for conditions by polling with a bound.

mod util;

mod frozen;
mod gpu;
mod nested_cargo;

mod ab;
mod bad_input;
mod command_forms;
mod compare;
mod concurrency;
mod config;
mod config_validation;
mod consistency;
mod db_copy;
mod demo_proof;
mod disk_full;
mod failures;
mod figures;
mod gate_report;
mod history_detect;
mod hooks;
mod hostile_text;
mod hyperfine_flags;
mod hyperfine_interop;
mod import_hyperfine;
mod interrupt;
mod investigate;
mod live_push;
mod live_view;
mod markdown_summary;
mod orphan;
mod postgres;
mod push;
mod real_browser;
mod regression;
mod rss;
mod run_basics;
mod serve;
mod serve_alerts;
mod serve_monitor;
mod serve_schemathesis;
mod serve_team;
mod service;
mod shell_calibration;
mod snapshots;
mod span;
