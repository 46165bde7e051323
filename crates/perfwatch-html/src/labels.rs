//! Words for metric keys on the page. Figures themselves are formatted by
//! `perfwatch_report::units`, the implementation the terminal and Markdown
//! use too.

use perfwatch_model::metric::Unit;
use perfwatch_model::Metric;
use perfwatch_report::units::unit_for_key;

/// The prefix of the key of an application metric's history series
/// (`app:cache_hit_rate`): what the program reported of itself.
const APP_PREFIX: &str = "app:";

/// The name of an application metric, when `metric` is the key of one:
/// `app:cache_hit_rate` → `cache_hit_rate`.
pub(crate) fn app_metric_name(metric: &str) -> Option<&str> {
    metric.strip_prefix(APP_PREFIX)
}

/// A human label for a metric key: `wall time`, `total time`, `cache hits`;
/// an application metric by the name the program gave it
/// (`app:cache_hit_rate` → `cache_hit_rate`).
pub(crate) fn metric_label(metric: &str) -> String {
    if let Some(name) = app_metric_name(metric) {
        return name.to_string();
    }
    match metric.parse::<Metric>() {
        Ok(m) => m.label().to_string(),
        Err(_) if metric == "total_s" => "total time".to_string(),
        Err(_) if metric == "self_s" => "self time".to_string(),
        Err(_) => metric.replace('_', " "),
    }
}

/// The unit of a metric key's figures: an application metric's are plain
/// numbers whatever its name ends with (`app:latency_s` is not known to
/// be seconds); others as [`unit_for_key`] says.
pub(crate) fn metric_unit(metric: &str) -> Unit {
    if app_metric_name(metric).is_some() {
        Unit::Count
    } else {
        unit_for_key(metric)
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

    #[test]
    fn app_metrics_are_labelled_by_name_and_read_as_plain_numbers() {
        assert_eq!(metric_label("app:cache_hit_rate"), "cache_hit_rate");
        assert_eq!(metric_unit("app:cache_hit_rate"), Unit::Count);
        assert_eq!(metric_unit("app:latency_s"), Unit::Count);
        assert_eq!(metric_unit("app:heap_bytes"), Unit::Count);
        assert_eq!(metric_unit("wall_s"), Unit::Seconds);
        assert_eq!(metric_unit("total_s"), Unit::Seconds);
    }
}
