//! Snapshot tests of every renderer, from deterministic fixtures.

mod app_metrics;
mod demo_fixture;
mod demo_terminal;
mod fixture;
mod formats;
mod hostile_names;
mod investigation;
mod judgement;
mod relative;
mod relative_fixture;
mod service;
mod service_fixture;
mod terminal;
mod widths;
