//! One variant's findings reconciled, so that one cause is told once (the
//! rules are listed in the [module documentation](super)).

use super::context::is_below;
use super::{idle, RuleKind};
use perfwatch_model::Finding;

/// The stages of the findings of `kinds`.
fn stages_of(fs: &[Finding], kinds: &[RuleKind]) -> Vec<String> {
    fs.iter()
        .filter(|f| kinds.iter().any(|k| k.is(&f.kind)))
        .filter_map(|f| f.stage.clone())
        .collect()
}

/// Tells each cause once (see the module documentation of
/// [`findings`](super)).
pub(crate) fn reconcile(mut fs: Vec<Finding>) -> Vec<Finding> {
    use RuleKind::{ColdStart, FixedWait, Idle, NoisyStage, PollingGranularity};

    let polled = stages_of(&fs, &[PollingGranularity]);
    fs.retain(|f| !(FixedWait.is(&f.kind) && f.stage.as_ref().is_some_and(|s| polled.contains(s))));

    let waits = stages_of(&fs, &[FixedWait, PollingGranularity]);
    let idles = stages_of(&fs, &[Idle]);
    fs.retain(|f| match &f.stage {
        Some(s) if Idle.is(&f.kind) => {
            !waits.iter().any(|w| w == s || is_below(w, s)) && !idles.iter().any(|w| is_below(w, s))
        }
        _ => true,
    });

    let colds: Vec<(String, f64)> = fs
        .iter()
        .filter(|f| ColdStart.is(&f.kind))
        .filter_map(|f| Some((f.stage.clone()?, f.impact_s)))
        .collect();
    let noisy = stages_of(&fs, &[NoisyStage]);
    fs.retain(|f| match &f.stage {
        Some(s) if ColdStart.is(&f.kind) => !colds
            .iter()
            .any(|(c, impact)| is_below(c, s) && *impact >= 0.5 * f.impact_s),
        Some(s) if NoisyStage.is(&f.kind) => !noisy.iter().any(|n| is_below(n, s)),
        _ => true,
    });

    let stage_waits = fs.iter().any(|f| {
        [FixedWait, PollingGranularity, Idle]
            .iter()
            .any(|k| k.is(&f.kind))
            && f.stage.is_some()
    });
    if stage_waits {
        for f in fs
            .iter_mut()
            .filter(|f| Idle.is(&f.kind) && f.stage.is_none())
        {
            idle::explained(f);
        }
    }
    fs
}

/// Drops a `bottleneck` that nothing else accompanies but information: no
/// other finding, or only those of a deliberate wait (see
/// [`idle`](super::idle)). A healthy program has a largest stage too.
pub(crate) fn drop_lone_bottleneck(fs: &mut Vec<Finding>) {
    let informational = |f: &Finding| {
        RuleKind::Bottleneck.is(&f.kind) || f.evidence.contains_key("deliberate_wait")
    };
    if fs.iter().all(informational) {
        fs.retain(|f| !RuleKind::Bottleneck.is(&f.kind));
    }
}
