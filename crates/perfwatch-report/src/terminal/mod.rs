//! Terminal output: the run summary, comparison tables, the stage
//! breakdown, the application metrics, a parameter scan's table, the relative summary, findings and
//! the session list. Every table fits the width (see `table.rs`). Colour only when
//! [`TerminalOptions::color`] asks for it; lines fit
//! [`TerminalOptions::width`].

mod app_metrics;
mod comparisons;
mod findings;
mod judgement;
mod options;
mod relative;
mod scan;
mod service;
mod session;
mod sessions;
mod stage_matrix;
mod stages;
mod table;
mod wrap;

pub use app_metrics::render_app_metrics;
pub use comparisons::render_comparisons;
pub use findings::render_findings;
pub use judgement::{render_gate, render_health};
pub use options::{SortOrder, TerminalOptions};
pub use relative::render_relative_summary;
pub use scan::render_scan_table;
pub use session::{render_session, TerminalRenderer};
pub use sessions::{render_sessions, SessionListRow};
pub use stage_matrix::render_stage_matrix;
pub use stages::render_stages;

// The pieces other renderers of terminal text (the investigations) share.
pub(crate) use options::Palette;
pub(crate) use table::{fit_columns, write_table, Column, Give};
pub(crate) use wrap::{cut, pack, shorten_path, wrap};
