//! Self-contained, offline HTML reports and a dashboard for perfwatch.
//!
//! Every page this crate writes is one file that opens from disk with no
//! network: the chart library ([uPlot], MIT, vendored), the styles and the
//! scripts are inlined, and a strict Content-Security-Policy
//! ([`CONTENT_SECURITY_POLICY`]) forbids any request even by accident. The
//! data travels inside the page as JSON in a
//! `<script type="application/json" id="perfwatch-data">` element, escaped so
//! that no stage name can end that element.
//!
//! The investigations have a page each: [`render_bisect`] (the steps of a
//! bisection on a commit axis) and [`render_attribution`] (the effects of
//! the settings as bars with their intervals).
//!
//! Renderers never compute statistics: every figure comes from the model
//! types ([`SessionExport`], [`HistorySeries`]) as the analysis produced it,
//! and is formatted by `perfwatch_report::units`, the implementation the
//! terminal and Markdown use (the page script follows the same rules for
//! chart labels, checked against `perfwatch_report::units::samples`).
//!
//! ```
//! use perfwatch_html::{render_report, HtmlOptions};
//!
//! let mut page = Vec::new();
//! render_report(&[], &HtmlOptions::default(), &mut page).unwrap();
//! let page = String::from_utf8(page).unwrap();
//! assert!(page.contains("id=\"perfwatch-data\""));
//! assert!(page.contains("default-src 'none'"));
//! ```
//!
//! [uPlot]: https://github.com/leeoniya/uPlot
//! [`SessionExport`]: perfwatch_model::SessionExport

mod alerts_view;
pub mod assets;
mod attribution_view;
mod bisect_plot;
mod bisect_view;
mod compare_view;
mod dashboard;
mod effect_bars;
mod escape;
mod findings_view;

mod history_pick;
mod history_view;
mod labels;
mod latency_plot;
mod options;
mod page;
mod payload;
mod ratio_plot;
mod report;
mod service_view;
mod session_view;
mod stages_view;

pub use alerts_view::AlertRow;
pub use attribution_view::render_attribution;
pub use bisect_view::render_bisect;
pub use dashboard::{
    render_dashboard, render_dashboard_with, render_live_dashboard, render_session_page,
    session_file_name,
};
pub use escape::{escape_html, json_for_script};
pub use options::{DashboardOptions, HtmlOptions};
pub use page::{CONTENT_SECURITY_POLICY, LIVE_CONTENT_SECURITY_POLICY};
pub use perfwatch_model::{HistoryPoint, HistorySeries};
pub use report::render_report;
