//! Terminal output: the run summary, comparison tables, the stage
//! breakdown, findings and the session list. Colour only when
//! [`TerminalOptions::color`] asks for it; lines fit
//! [`TerminalOptions::width`].

mod comparisons;
mod findings;
mod judgement;
mod options;
mod session;
mod sessions;
mod stage_matrix;
mod stages;
mod table;
mod wrap;

pub use comparisons::render_comparisons;
pub use findings::render_findings;
pub use judgement::{render_gate, render_health};
pub use options::TerminalOptions;
pub use session::{render_session, TerminalRenderer};
pub use sessions::{render_sessions, SessionListRow};
pub use stage_matrix::render_stage_matrix;
pub use stages::render_stages;
