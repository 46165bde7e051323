//! Snapshot tests of every renderer, from one deterministic fixture.

mod fixture;
mod formats;
mod terminal;
