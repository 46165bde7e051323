//! Options of the HTML renderers.

/// What a report page shows beyond the sessions themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Page title; by default derived from the sessions' benchmarks.
    pub title: Option<String>,
    /// Health score 0..=100 computed by the analysis, shown with the
    /// headline figures when given.
    pub health_score: Option<u8>,
}

/// How much the dashboard writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardOptions {
    /// Title of the index page; `perfwatch dashboard` by default.
    pub title: Option<String>,
    /// How many of the newest sessions get a page of their own (every page
    /// inlines the chart library, about 100 KiB). Sessions where a history
    /// series detected a change point, and baseline sessions, get one too.
    /// `None` writes a page for every session.
    pub session_pages: Option<usize>,
}

impl DashboardOptions {
    /// Newest sessions with a page by default: enough to cover recent work
    /// while 1,000 sessions stay within a few MiB.
    pub const DEFAULT_SESSION_PAGES: usize = 25;
}

impl Default for DashboardOptions {
    fn default() -> Self {
        DashboardOptions {
            title: None,
            session_pages: Some(Self::DEFAULT_SESSION_PAGES),
        }
    }
}
