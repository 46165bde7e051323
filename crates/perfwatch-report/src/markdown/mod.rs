//! GitHub-flavoured Markdown: the session report and its sections, with
//! user strings escaped.

mod escape;
mod relative;
mod sections;
mod service;
mod session;
mod summary;
mod table;

pub use escape::{code_span, escape_markdown};
pub use relative::render_relative_summary_markdown;
pub use sections::{
    render_app_metrics_markdown, render_comparisons_markdown, render_findings_markdown,
    render_stages_markdown,
};
pub use service::render_service_markdown;
pub use session::MarkdownRenderer;
pub use summary::render_ci_summary;

// Shared with the Markdown of the investigations.
pub(crate) use table::{write_table, Align};
