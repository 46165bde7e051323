//! The comparison view: metric by metric, then stage by stage, the ratio of
//! medians with its confidence interval drawn as an error bar on a shared
//! log scale, coloured by verdict and severity.

use crate::session_view::short;
use crate::stages_view::num;
use crate::units::{change_pct, format, metric_label, p_value, ratio, unit_of};
use maud::{html, Markup};
use perfwatch_model::{Comparison, SessionExport};

/// Width of an error bar in CSS pixels.
const BAR_W: f64 = 160.0;
/// Height of an error bar in CSS pixels.
const BAR_H: f64 = 18.0;

/// A log scale shared by every error bar of one table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LogScale {
    lo: f64,
    hi: f64,
}

impl LogScale {
    /// The smallest range holding 1 and every finite positive ratio and
    /// bound, padded by 8 % on each side.
    pub(crate) fn fit(cs: &[Comparison]) -> LogScale {
        let (mut lo, mut hi) = (1.0f64, 1.0f64);
        for v in cs.iter().flat_map(|c| [c.ratio, c.ci_low, c.ci_high]) {
            if v.is_finite() && v > 0.0 {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let (l, h) = (lo.ln(), hi.ln());
        let pad = ((h - l) * 0.08).max(0.05);
        LogScale {
            lo: (l - pad).exp(),
            hi: (h + pad).exp(),
        }
    }

    /// Position of `v` in 0..=BAR_W; values outside or not positive are
    /// clamped to the edges.
    pub(crate) fn x(self, v: f64) -> f64 {
        if !(v.is_finite() && v > 0.0) {
            return if v.is_nan() || v <= 0.0 { 0.0 } else { BAR_W };
        }
        let t = (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln());
        (t.clamp(0.0, 1.0) * BAR_W * 10.0).round() / 10.0
    }
}

/// The anchor of the comparison view of session `idx`.
pub(crate) fn compare_anchor(idx: usize) -> String {
    format!("compare-{idx}")
}

/// The comparison view of a session; empty without comparisons.
pub(crate) fn compare_section(idx: usize, s: &SessionExport) -> Markup {
    if s.comparisons.is_empty() {
        return html! {};
    }
    let mut ordered: Vec<&Comparison> =
        s.comparisons.iter().filter(|c| c.stage.is_none()).collect();
    ordered.extend(s.comparisons.iter().filter(|c| c.stage.is_some()));
    let scale = LogScale::fit(&s.comparisons);
    html! {
        section.comparison id=(compare_anchor(idx)) {
            h2 { "Comparison · " (s.session.benchmark) " · session " code { (short(&s.session.id)) } }
            p.hint {
                "Ratio of medians, candidate ÷ baseline, with its confidence interval (log scale "
                (ratio(scale.lo)) " to " (ratio(scale.hi)) "; the line marks 1×). "
                "Severity is only given to significant regressions. Click a header to sort."
            }
            div.table-wrap {
                table.sortable.compare {
                    thead {
                        tr {
                            th data-sort="num" { "What" }
                            th data-sort="text" { "Baseline → candidate" }
                            th.num data-sort="num" { "Baseline" }
                            th.num data-sort="num" { "Candidate" }
                            th data-sort="num" { "Ratio and CI" }
                            th.num data-sort="num" { "Change" }
                            th.num data-sort="num" { "p" }
                            th data-sort="num" { "Severity" }
                            th data-sort="text" { "Verdict" }
                        }
                    }
                    tbody {
                        @for (i, c) in ordered.iter().enumerate() {
                            (row(i, c, scale))
                        }
                    }
                }
            }
        }
    }
}

fn row(i: usize, c: &Comparison, scale: LogScale) -> Markup {
    let unit = unit_of(&c.metric);
    let sev = c.severity.key();
    let verdict = c.verdict.key();
    html! {
        tr class=(format!("verdict-{verdict}")) {
            td data-v=(i) {
                @match &c.stage {
                    Some(st) => { "stage " code { (st) } " · " (metric_label(&c.metric)) }
                    None => { (metric_label(&c.metric)) }
                }
            }
            td { (c.baseline) " → " (c.candidate) }
            td.num data-v=(num(c.baseline_median)) title=(format!("n = {}", c.baseline_n)) { (format(unit, c.baseline_median)) }
            td.num data-v=(num(c.candidate_median)) title=(format!("n = {}", c.candidate_n)) { (format(unit, c.candidate_median)) }
            td.ratio data-v=(num(c.ratio)) {
                (error_bar(c, scale))
                span.ratio-text { (ratio(c.ratio)) " · CI " (ratio(c.ci_low)) " – " (ratio(c.ci_high)) }
            }
            td.num data-v=(num(c.change_pct)) { (change_pct(c.change_pct)) }
            td.num data-v=(num(c.p_value)) { (p_value(c.p_value)) }
            td data-v=(c.severity as u8) { span class=(format!("badge sev-{sev}")) { (sev) } }
            td.verdict title=[c.note.as_deref()] {
                span class=(format!("badge verdict-{verdict}")) { (verdict) }
                @if let Some(n) = &c.note { br; span.sub { (n) } }
            }
        }
    }
}

fn error_bar(c: &Comparison, scale: LogScale) -> Markup {
    let one = scale.x(1.0);
    let (l, h, r) = (scale.x(c.ci_low), scale.x(c.ci_high), scale.x(c.ratio));
    let mid = BAR_H / 2.0;
    html! {
        svg class=(format!("errbar sev-{} verdict-{}", c.severity.key(), c.verdict.key()))
            width=(BAR_W) height=(BAR_H) viewBox=(format!("0 0 {BAR_W} {BAR_H}"))
            role="img" aria-label=(format!("ratio {}", ratio(c.ratio))) {
            line.ref x1=(one) y1="0" x2=(one) y2=(BAR_H) {}
            @if c.ci_low.is_finite() && c.ci_high.is_finite() {
                line.whisker x1=(l) y1=(mid) x2=(h) y2=(mid) {}
                line.whisker x1=(l) y1=(mid - 4.0) x2=(l) y2=(mid + 4.0) {}
                line.whisker x1=(h) y1=(mid - 4.0) x2=(h) y2=(mid + 4.0) {}
            }
            @if c.ratio.is_finite() {
                circle.dot cx=(r) cy=(mid) r="4" {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Severity, Verdict};

    fn cmp(ratio: f64, lo: f64, hi: f64) -> Comparison {
        Comparison {
            metric: "wall_s".into(),
            stage: None,
            baseline: "a".into(),
            candidate: "b".into(),
            baseline_median: 1.0,
            candidate_median: ratio,
            baseline_n: 10,
            candidate_n: 10,
            ratio,
            ci_low: lo,
            ci_high: hi,
            p_value: 0.01,
            change_pct: (ratio - 1.0) * 100.0,
            severity: Severity::Low,
            verdict: Verdict::Regressed,
            note: None,
            confidence: 0.95,
            primary: true,
            reference: perfwatch_model::Reference::Variant,
        }
    }

    #[test]
    fn scale_holds_one_and_every_bound() {
        let cs = [cmp(1.5, 1.2, 2.0), cmp(0.8, 0.7, 0.9)];
        let s = LogScale::fit(&cs);
        assert!(s.lo < 0.7 && s.hi > 2.0);
        assert!(s.x(1.0) > 0.0 && s.x(1.0) < BAR_W);
        assert!(s.x(0.7) < s.x(1.0) && s.x(1.0) < s.x(2.0));
    }

    #[test]
    fn scale_survives_bad_numbers() {
        let cs = [cmp(f64::NAN, -1.0, f64::INFINITY)];
        let s = LogScale::fit(&cs);
        assert!(s.lo < 1.0 && s.hi > 1.0);
        assert_eq!(s.x(f64::NAN), 0.0);
        assert_eq!(s.x(-2.0), 0.0);
        assert_eq!(s.x(f64::INFINITY), BAR_W);
        assert_eq!(s.x(1e9), BAR_W);
    }
}
