//! Findings: diagnoses drawn from a session's raw iterations and spans,
//! each with its evidence, an estimated saving per run and what to do.
//!
//! | kind | fires when | estimated saving per run (`impact_s`) |
//! |---|---|---|
//! | [`bottleneck`] | the stage with the largest self time holds ≥ 40 % of wall time (red) and something else was found | half its self time, what halving it would save — a yardstick, never counted by the health score |
//! | [`fixed_wait`] | a stage's calls last a near-constant (CV < 2 %), round time while the tree idles | wait − the condition's time seen in another variant; without one, half the wait (stated in the evidence) |
//! | [`polling`] (`polling_granularity`) | calls end on multiples of an interval, idle | half the interval per call, or what another variant shows |
//! | [`cold_start`] | the first call in each run (or the first run) is > 2× the typical one | first − typical |
//! | [`memory_growth`] | RSS rises across runs or along the timeline (a service's: from ready to the stop), significantly and without levelling off | 0 (memory, not time); the slope is the evidence |
//! | [`retries`] | failed calls are repeated under the same parent | the time in failed attempts |
//! | [`idle`] | CPU time < 30 % of wall (whole run), or a stage idles | half the idle stage's time (overlap is possible, not certain); whole run: half the idle time unless stage findings explain it; 0 for a deliberate wait |
//! | [`noisy_stage`] | one stage holds > 50 % of the wall-time variance, CV ≥ 10 % | mean − median of the stage (its slow tail) |
//! | [`gpu`] (four kinds) | the GPU waits for input or for copies, its memory is nearly full, or grows across a stage's calls | see [`gpu`]; 0 for the memory rules |
//! | [`service`] (`slow_startup`) | a service's median start-up is ≥ 1 s | what a faster-starting variant of the session shows (the difference of medians); 0 without one |
//! | [`service`] (`saturation_knee`) | across a `concurrency` or `rate` scan (≥ 3 variants) throughput rises < 10 % beyond a value while p99 latency grows ≥ 3× | 0 (a capacity statement) |
//! | [`service`] (`low_cache_hit_rate`) | a `…hit_rate`/`…hit_ratio` gauge, or hits against lookups or misses counters, gives a median hit rate < 0.5 | 0 |
//! | [`service`] (`load_errors`) | ≥ 1 % of the due requests were not served (4xx, 5xx, errors, timeouts, drops), or any timed out | 0 (failures, not time) |
//!
//! The kinds are listed once, in [`RuleKind`] ([`RULE_KINDS`] for their
//! keys). **Every finding's text states the saving it is ranked and
//! scored by**: a finding that claims a saving says `save about <impact_s>
//! per run` in its recommendation; one that claims none (`impact_s` = 0)
//! states no saving.
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
//! * a deliberate wait — nothing in the runs computes and no cause of
//!   waiting was found — keeps its `idle` findings as information, with
//!   no saving (see [`idle`]);
//! * a `bottleneck` alone (or with nothing but a deliberate wait) is
//!   dropped: a healthy program has a largest stage too, and that is no
//!   finding.
//!
//! Then the variants' findings are merged: **a cause seen in several
//! variants is one finding**, with each variant's figures in `variants`
//! and the worst variant's in front (see [`merge`]).
//!
//! The result is ranked by `impact_s`, then confidence — the findings that
//! name a cause first, the `bottleneck` (where the time goes, not why)
//! after them.
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
pub mod gpu;
pub mod grid;
pub mod idle;
pub mod kind;
pub mod memory_growth;
pub mod merge;
pub mod noisy_stage;
pub mod options;
pub mod polling;
mod reconcile;
pub mod retries;
pub mod service;
pub mod timeline;
pub mod trend;
pub mod waiting;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use bottleneck::{rank_stages, Rating, StageRank};
pub use kind::{RuleKind, RULE_KINDS};
pub use options::{FindingOptions, FindingOptionsError};

use context::VariantData;
use perfwatch_model::{Finding, SessionExport};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A rule: all variants, the one to diagnose, options → findings.
type Rule = fn(&[VariantData], usize, &FindingOptions) -> Vec<Finding>;

/// Every rule with its kind, in the order they run.
const RULES: [(RuleKind, Rule); 16] = [
    (RuleKind::FixedWait, fixed_wait::find),
    (RuleKind::PollingGranularity, polling::find),
    (RuleKind::ColdStart, cold_start::find),
    (RuleKind::Retries, retries::find),
    (RuleKind::Idle, idle::find),
    (RuleKind::NoisyStage, noisy_stage::find),
    (RuleKind::MemoryGrowth, memory_growth::find),
    (RuleKind::GpuInputBound, gpu::input_bound::find),
    (RuleKind::GpuMemoryNearCapacity, gpu::capacity::find),
    (RuleKind::GpuTransferWait, gpu::transfer::find),
    (RuleKind::GpuMemoryGrowth, gpu::growth::find),
    (RuleKind::SlowStartup, service::startup::find),
    (RuleKind::SaturationKnee, service::knee::find),
    (RuleKind::LowCacheHitRate, service::cache::find),
    (RuleKind::LoadErrors, service::errors::find),
    (RuleKind::Bottleneck, bottleneck::find),
];

/// Diagnoses every variant of a session: one finding per cause, carrying
/// the variant where it matters most (and every variant that shows it in
/// `variants`), ranked (see the module documentation).
pub fn diagnose(export: &SessionExport, opts: &FindingOptions) -> Vec<Finding> {
    let data = variant_data(export);
    let per_variant: Vec<Vec<Finding>> = (0..data.len())
        .map(|i| {
            let found: Vec<Finding> = RULES
                .iter()
                .filter(|(kind, _)| opts.enabled(kind.key()))
                .flat_map(|(_, rule)| rule(&data, i, opts))
                .collect();
            let mut found = reconcile::reconcile(found);
            idle::deliberate(&data[i], &mut found, opts);
            reconcile::drop_lone_bottleneck(&mut found);
            found.iter_mut().for_each(sanitize);
            found
        })
        .collect();
    let mut out = merge::across_variants(per_variant);
    out.sort_by(rank);
    out
}

/// What the rules read of every variant, with its scan parameters from
/// the session's variant list.
fn variant_data(export: &SessionExport) -> Vec<VariantData<'_>> {
    export
        .variants
        .iter()
        .map(|v| {
            let spec = export.session.variants.iter().find(|s| s.name == v.name);
            VariantData::new(v).with_parameters(spec.map_or(&[][..], |s| &s.parameters))
        })
        .collect()
}

/// Non-finite or negative savings become 0, confidence is clamped to
/// `[0, 1]`, non-finite evidence is dropped.
fn sanitize(f: &mut Finding) {
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

/// Ranking: findings that name a cause before the bottleneck; then
/// impact, then confidence, descending; then by name for a stable order.
pub fn rank(a: &Finding, b: &Finding) -> Ordering {
    let yardstick = |f: &Finding| RuleKind::Bottleneck.is(&f.kind);
    yardstick(a)
        .cmp(&yardstick(b))
        .then(b.impact_s.total_cmp(&a.impact_s))
        .then(b.confidence.total_cmp(&a.confidence))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.variant.cmp(&b.variant))
        .then_with(|| a.stage.cmp(&b.stage))
}

/// A finding of `kind` about `stage` in variant `v`, to be filled in.
pub(crate) fn finding(kind: RuleKind, v: &VariantData, stage: Option<&str>) -> Finding {
    Finding {
        kind: kind.key().to_string(),
        title: String::new(),
        stage: stage.map(str::to_string),
        evidence: BTreeMap::new(),
        impact_s: 0.0,
        confidence: 0.0,
        recommendation: String::new(),
        effort: None,
        variant: Some(v.name.to_string()),
        variants: Vec::new(),
    }
}
