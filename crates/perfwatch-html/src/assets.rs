//! The static assets inlined into every page, embedded at build time.
//!
//! They are public so that other front ends (the live dashboard of the
//! server) inline exactly the same files, and so that tests can elide them
//! from snapshots.

/// uPlot's minified script (`dist/uPlot.iife.min.js`, npm `uplot` 1.6.32).
pub const UPLOT_JS: &str = include_str!("../assets/vendor/uplot/uPlot.iife.min.js");

/// uPlot's stylesheet (`dist/uPlot.min.css`).
pub const UPLOT_CSS: &str = include_str!("../assets/vendor/uplot/uPlot.min.css");

/// uPlot's licence text (MIT), repeated in a comment before its script.
pub const UPLOT_LICENSE: &str = include_str!("../assets/vendor/uplot/LICENSE");

/// The version of the vendored uPlot.
pub const UPLOT_VERSION: &str = "1.6.32";

/// perfwatch's own stylesheet: layout, tables, light and dark themes.
pub const REPORT_CSS: &str = include_str!("../assets/report.css");

/// perfwatch's own script: formatting, sortable tables, theme toggle and
/// every chart.
pub const REPORT_JS: &str = include_str!("../assets/report.js");

/// The live page's script (`perfwatch serve` only): follows the server's
/// event stream and swaps in the page's newer content.
pub const LIVE_JS: &str = include_str!("../assets/live.js");

#[cfg(test)]
mod tests {
    use super::*;

    /// An inlined asset must never contain the text that would end its
    /// element early.
    #[test]
    fn assets_cannot_end_their_elements() {
        for (name, text, end) in [
            ("uPlot.js", UPLOT_JS, "</script"),
            ("report.js", REPORT_JS, "</script"),
            ("live.js", LIVE_JS, "</script"),
            ("license", UPLOT_LICENSE, "*/"),
            ("uPlot.css", UPLOT_CSS, "</style"),
            ("report.css", REPORT_CSS, "</style"),
        ] {
            assert!(
                !text.to_ascii_lowercase().contains(end),
                "{name} contains {end}"
            );
            assert!(!text.contains("<!--"), "{name} contains <!--");
        }
    }

    #[test]
    fn vendored_version_matches_the_script_banner() {
        assert!(UPLOT_JS.starts_with(&format!(
            "/*! https://github.com/leeoniya/uPlot (v{UPLOT_VERSION}) */"
        )));
    }
}
