//! The investigations that run many sessions to answer one question, as
//! text: an adaptive comparison in one line ([`adaptive_line`]), a
//! statistical bisection ([`bisect_terminal`], [`bisect_markdown`]) and
//! the attribution of a change to individual settings
//! ([`attribution_terminal`], [`attribution_markdown`]).
//!
//! As everywhere in this crate the figures come from the model's report
//! types as the analysis produced them; these functions only choose words
//! and format through [`crate::units`]. The HTML pages of `perfwatch-html`
//! use the same pieces ([`metric_name`], [`metric_unit`], [`term_name`],
//! [`factor_value`], [`effect_pct`], [`signed_duration`]).

mod adaptive;
mod attribution;
mod bisect;

pub use adaptive::{adaptive_line, adaptive_sentence};
pub use attribution::{attribution_markdown, attribution_terminal, design_text, term_where};
pub use bisect::{
    bisect_conclusion, bisect_effort, bisect_endpoints_line, bisect_markdown, bisect_terminal,
    short_endpoints, suspect_reason,
};

use crate::printable::printable;
use crate::units::{
    format_change_ci, format_change_pct, format_duration, is_unbounded, unit_for_key,
};
use perfwatch_model::investigation::Term;
use perfwatch_model::metric::Unit;
use perfwatch_model::Metric;

/// The prefix of a metric key that names a stage's total time.
const STAGE_PREFIX: &str = "stage:";

/// A metric key in words: `wall_s` → `wall time`, `stage:job/fetch` →
/// `stage job/fetch`, another known metric by its label, anything else
/// as it is (shown [`printable`]).
pub fn metric_name(metric: &str) -> String {
    if let Some(path) = metric.strip_prefix(STAGE_PREFIX) {
        return format!("stage {}", printable(path));
    }
    match metric.parse::<Metric>() {
        Ok(m) => m.label().to_string(),
        Err(_) => printable(metric).into_owned(),
    }
}

/// The unit of a bisected or compared metric: a stage's total time is in
/// seconds, other keys as [`unit_for_key`] says.
pub fn metric_unit(metric: &str) -> Unit {
    if metric.starts_with(STAGE_PREFIX) {
        Unit::Seconds
    } else {
        unit_for_key(metric)
    }
}

/// An effect's name: the setting, or `A × B` for an interaction (raw: each
/// renderer escapes it its own way).
pub fn term_name(term: &Term) -> String {
    term.factors.join(" × ")
}

/// A setting's value in words: the value, or `unset` (raw).
pub fn factor_value(value: Option<&str>) -> &str {
    value.unwrap_or("unset")
}

/// A wall-time effect, a ratio, as a change with its interval:
/// `+38.0% [+34.0%, +42.0%]` (1.38 is +38 %); a term that is not
/// significant reads `no effect [-2.0%, +1.5%]`.
pub fn effect_pct(term: &Term) -> String {
    let ci = format_change_ci(term.ci_low, term.ci_high);
    if term.significant {
        format!("{} {ci}", format_change_pct((term.estimate - 1.0) * 100.0))
    } else {
        format!("no effect {ci}")
    }
}

/// A duration that is a difference: `+452 ms`, `-1.20 s`, `0 s`.
pub fn signed_duration(seconds: f64) -> String {
    if seconds > 0.0 && !is_unbounded(seconds) {
        format!("+{}", format_duration(seconds))
    } else {
        format_duration(seconds)
    }
}

/// An effect in seconds with its interval: `+420 ms [+400 ms, +440 ms]`;
/// a term that is not significant reads `no effect [-10.0 ms, +5.00 ms]`.
pub fn effect_seconds(term: &Term) -> String {
    let ci = format!(
        "[{}, {}]",
        signed_duration(term.ci_low),
        signed_duration(term.ci_high)
    );
    if term.significant {
        format!("{} {ci}", signed_duration(term.estimate))
    } else {
        format!("no effect {ci}")
    }
}

/// `text` with its first letter in upper case: a sentence that starts a
/// paragraph (`First bad commit: …`).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `N thing` or `N things`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(estimate: f64, lo: f64, hi: f64, significant: bool) -> Term {
        perfwatch_testkit::investigation::stage_term(&["A", "B"], estimate, lo, hi, significant)
    }

    #[test]
    fn metric_keys_read_as_words() {
        assert_eq!(metric_name("wall_s"), "wall time");
        assert_eq!(metric_name("stage:job/fetch"), "stage job/fetch");
        assert_eq!(metric_name("stage:a\x1bb"), "stage a\\u{1b}b");
        assert_eq!(metric_unit("stage:job"), Unit::Seconds);
        assert_eq!(metric_unit("wall_s"), Unit::Seconds);
    }

    #[test]
    fn wall_effects_are_changes_in_percent() {
        assert_eq!(
            effect_pct(&term(1.38, 1.34, 1.42, true)),
            "+38.0% [+34.0%, +42.0%]"
        );
        assert_eq!(
            effect_pct(&term(0.99, 0.98, 1.015, false)),
            "no effect [-2.0%, +1.5%]"
        );
        assert_eq!(term_name(&term(1.0, 1.0, 1.0, false)), "A × B");
    }

    #[test]
    fn stage_effects_are_signed_durations() {
        assert_eq!(
            effect_seconds(&term(0.42, 0.4, 0.44, true)),
            "+420 ms [+400 ms, +440 ms]"
        );
        assert_eq!(signed_duration(-1.2), "-1.20 s");
        assert_eq!(signed_duration(0.0), "0 s");
    }
}
