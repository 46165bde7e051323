//! Findings: diagnoses drawn from a session's raw iterations and spans,
//! each with its evidence, an estimated saving per run and what to do.
//!
//! | kind | fires when | estimated saving per run (`impact_s`) |
//! |---|---|---|
//! | [`bottleneck`] | the stage with the largest self time holds ≥ 40 % of wall time (red) and something else was found | 0: where time goes is not a saving; the evidence says what halving it would give |
//! | [`fixed_wait`] | a stage's calls last a near-constant (CV < 2 %), round time while the tree idles | wait − the condition's time seen in another variant; without one, half the wait (stated in the evidence) |
//! | [`polling`] (`polling_granularity`) | calls end on multiples of an interval, idle | half the interval per call, or what another variant shows |
//! | [`cold_start`] | the first call in each run (or the first run) is > 2× the typical one | first − typical |
//! | [`memory_growth`] | RSS rises across runs or along the timeline, significantly and without levelling off | 0 (memory, not time); the slope is the evidence |
//! | [`retries`] | failed calls are repeated under the same parent | the time in failed attempts |
//! | [`idle`] | CPU time < 30 % of wall (whole run), or a stage idles | half the idle stage's time (overlap is possible, not certain); whole run: half the idle time unless stage findings explain it |
//! | [`noisy_stage`] | one stage holds > 50 % of the wall-time variance, CV ≥ 10 % | mean − median of the stage (its slow tail) |
//!
//! Only counted iterations are read (warm-ups and timeouts are excluded;
//! the cross-run cold start also looks at warm-ups). Every rule is a pure
//! function of the data and [`FindingOptions`]; [`diagnose`] runs them per
//! variant, then reconciles overlapping findings so that one cause is told
//! once:
//!
//! * `polling_granularity` wins over `fixed_wait` on the same stage (its
//!   evidence is more specific);
//! * a stage `idle` finding is dropped when the stage, or a stage below it,
//!   has a waiting finding; `cold_start` and `noisy_stage` findings on a
//!   stage are dropped when a stage below it explains them;
//! * the whole-run `idle` finding keeps its evidence but claims no saving
//!   when stage findings already estimate the waits;
//! * a `bottleneck` alone is dropped: a healthy program has a largest
//!   stage too, and that is no finding.
//!
//! The result is ranked by `impact_s`, then confidence.
//!
//! ```
//! use perfwatch_analysis::findings::{diagnose, FindingOptions};
//! # let export: perfwatch_model::SessionExport = serde_json::from_str(r#"{"schema":"perfwatch.session.v1",
//! #   "session":{"id":"1","started_at":"","benchmark":"b","command":{"argv":["x"]},"git":null,
//! #   "host":{"os":"linux"},"perfwatch_version":"0","status":"complete"},"variants":[]}"#).unwrap();
//! for f in diagnose(&export, &FindingOptions::default()) {
//!     println!("{:.3} s/run  {}  → {}", f.impact_s, f.title, f.recommendation);
//! }
//! ```

pub mod bottleneck;
pub mod cold_start;
pub(crate) mod context;
pub mod fixed_wait;
pub(crate) mod format;
pub mod grid;
pub mod idle;
pub mod memory_growth;
pub mod noisy_stage;
pub mod options;
pub mod polling;
pub mod retries;
pub mod timeline;
pub mod trend;
pub mod waiting;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use bottleneck::{rank_stages, Rating, StageRank};
pub use options::{FindingOptions, FindingOptionsError, RULE_KINDS};

use context::{is_below, VariantData};
use perfwatch_model::{Finding, SessionExport};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A rule: all variants, the one to diagnose, options → findings.
type Rule = fn(&[VariantData], usize, &FindingOptions) -> Vec<Finding>;

/// Every rule with its kind, in the order they run.
const RULES: [(&str, Rule); 8] = [
    ("fixed_wait", fixed_wait::find),
    ("polling_granularity", polling::find),
    ("cold_start", cold_start::find),
    ("retries", retries::find),
    ("idle", idle::find),
    ("noisy_stage", noisy_stage::find),
    ("memory_growth", memory_growth::find),
    ("bottleneck", bottleneck::find),
];

/// Diagnoses every variant of a session; findings carry their variant and
/// come ranked by estimated saving per run, largest first.
pub fn diagnose(export: &SessionExport, opts: &FindingOptions) -> Vec<Finding> {
    let data: Vec<VariantData> = export.variants.iter().map(VariantData::new).collect();
    let mut out = Vec::new();
    for i in 0..data.len() {
        let found: Vec<Finding> = RULES
            .iter()
            .filter(|(kind, _)| opts.enabled(kind))
            .flat_map(|(_, rule)| rule(&data, i, opts))
            .collect();
        out.extend(reconcile(found));
    }
    for f in &mut out {
        if !f.impact_s.is_finite() || f.impact_s < 0.0 {
            f.impact_s = 0.0;
        }
        f.confidence = if f.confidence.is_finite() {
            f.confidence.clamp(0.0, 1.0)
        } else {
            0.0
        };
        f.evidence.retain(|_, v| v.is_finite());
    }
    out.sort_by(rank);
    out
}

/// Ranking: impact, then confidence, descending; then by name for a
/// stable order.
fn rank(a: &Finding, b: &Finding) -> Ordering {
    b.impact_s
        .total_cmp(&a.impact_s)
        .then(b.confidence.total_cmp(&a.confidence))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.variant.cmp(&b.variant))
        .then_with(|| a.stage.cmp(&b.stage))
}

/// Tells each cause once (see the module documentation).
fn reconcile(mut fs: Vec<Finding>) -> Vec<Finding> {
    let stages_of = |fs: &[Finding], kinds: &[&str]| -> Vec<String> {
        fs.iter()
            .filter(|f| kinds.contains(&f.kind.as_str()))
            .filter_map(|f| f.stage.clone())
            .collect()
    };
    let polled = stages_of(&fs, &["polling_granularity"]);
    fs.retain(|f| {
        !(f.kind == "fixed_wait" && f.stage.as_ref().is_some_and(|s| polled.contains(s)))
    });

    let waits = stages_of(&fs, &["fixed_wait", "polling_granularity"]);
    let idles = stages_of(&fs, &["idle"]);
    fs.retain(|f| match (f.kind.as_str(), &f.stage) {
        ("idle", Some(s)) => {
            !waits.iter().any(|w| w == s || is_below(w, s)) && !idles.iter().any(|w| is_below(w, s))
        }
        _ => true,
    });

    let colds: Vec<(String, f64)> = fs
        .iter()
        .filter(|f| f.kind == "cold_start")
        .filter_map(|f| Some((f.stage.clone()?, f.impact_s)))
        .collect();
    let noisy = stages_of(&fs, &["noisy_stage"]);
    fs.retain(|f| match (f.kind.as_str(), &f.stage) {
        ("cold_start", Some(s)) => !colds
            .iter()
            .any(|(c, impact)| is_below(c, s) && *impact >= 0.5 * f.impact_s),
        ("noisy_stage", Some(s)) => !noisy.iter().any(|n| is_below(n, s)),
        _ => true,
    });

    let stage_waits = fs.iter().any(|f| {
        matches!(
            f.kind.as_str(),
            "fixed_wait" | "polling_granularity" | "idle"
        ) && f.stage.is_some()
    });
    if stage_waits {
        for f in fs
            .iter_mut()
            .filter(|f| f.kind == "idle" && f.stage.is_none())
        {
            f.impact_s = 0.0;
            f.evidence.insert("explained_by_stage_findings".into(), 1.0);
        }
    }

    if fs.iter().all(|f| f.kind == "bottleneck") {
        fs.clear();
    }
    fs
}

/// A finding of `kind` about `stage` in variant `v`, to be filled in.
pub(crate) fn finding(kind: &str, v: &VariantData, stage: Option<&str>) -> Finding {
    Finding {
        kind: kind.to_string(),
        title: String::new(),
        stage: stage.map(str::to_string),
        evidence: BTreeMap::new(),
        impact_s: 0.0,
        confidence: 0.0,
        recommendation: String::new(),
        effort: None,
        variant: Some(v.name.to_string()),
    }
}
