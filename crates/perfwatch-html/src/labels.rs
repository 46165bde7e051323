//! Words for metric keys on the page. Figures themselves are formatted by
//! `perfwatch_report::units`, the implementation the terminal and Markdown
//! use too.

use perfwatch_model::Metric;

/// A human label for a metric key: `wall time`, `total time`, `cache hits`.
pub(crate) fn metric_label(metric: &str) -> String {
    match metric.parse::<Metric>() {
        Ok(m) => m.label().to_string(),
        Err(_) if metric == "total_s" => "total time".to_string(),
        Err(_) if metric == "self_s" => "self time".to_string(),
        Err(_) => metric.replace('_', " "),
    }
}

/// The first characters of a git commit, as the terminal shows them.
pub(crate) fn short_commit(commit: &str) -> &str {
    perfwatch_report::format::short_id(commit, perfwatch_report::format::SHORT_COMMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_metric_keys() {
        assert_eq!(metric_label("wall_s"), "wall time");
        assert_eq!(metric_label("total_s"), "total time");
        assert_eq!(metric_label("cache_hits"), "cache hits");
        assert_eq!(short_commit("0123456789abcdef"), "0123456");
    }
}
