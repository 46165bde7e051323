//! `run --live` / `ab --live`: the run shown as it happens, in the
//! terminal and on the team server.
//!
//! The runner feeds a [`LiveHub`] (its observer and sink); the
//! hub keeps a `perfwatch_app::live::LiveRun` and hands out
//! `perfwatch.live.v1` snapshots. The [`View`] draws them in the terminal
//! ([`draw`], [`terminal`]); the [`Poster`] sends them to the server of
//! `--push`. Both read on their own threads, never the runner's.

pub mod draw;
mod hub;
mod notices;
mod poster;
pub mod terminal;
mod view;

pub use hub::LiveHub;
pub use notices::Notices;
pub use poster::Poster;
pub use view::{View, ViewParts};
