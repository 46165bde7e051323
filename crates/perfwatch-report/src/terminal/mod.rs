//! Terminal output: the run summary, comparison tables, the stage
//! breakdown, findings and the session list. Colour only when
//! [`TerminalOptions::color`] asks for it.

mod comparisons;
mod findings;
mod options;
mod session;
mod sessions;
mod stages;
mod table;

pub use comparisons::render_comparisons;
pub use findings::render_findings;
pub use options::TerminalOptions;
pub use session::{render_session, TerminalRenderer};
pub use sessions::{render_sessions, SessionListRow};
pub use stages::render_stages;
