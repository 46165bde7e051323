//! One finding per cause across variants.
//!
//! The rules run per variant, so a cause that every variant shares (a cold
//! start kept by both `before` and `after`) would otherwise be told once
//! per variant. Findings of the same rule about the same stage (or both
//! about the whole run; for `memory_growth`, about the same series) are
//! **one finding**, whatever their titles — the figures may differ from
//! variant to variant (polling every 100 ms in one, every 10 ms in the
//! other), the cause does not:
//!
//! * `variant`, `title`, `evidence`, `impact_s`, `confidence`,
//!   `recommendation` and `effort` are those of the variant where it
//!   matters most — the largest saving, then the highest confidence, then
//!   the earliest variant — so that readers of the older fields see the
//!   worst case;
//! * `variants` lists every variant that shows it, in the session's
//!   variant order, each with its own title, saving, confidence and
//!   evidence. A finding seen in one variant only keeps `variants` empty.

use super::memory_growth;
use super::RuleKind;
use perfwatch_model::{Finding, VariantEvidence};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What makes two findings of different variants the same finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    kind: String,
    stage: Option<String>,
    form: &'static str,
    /// Occurrence of the same key within one variant (0 normally), so
    /// that a variant never merges with itself.
    occurrence: usize,
}

/// Merges the findings of every variant (given per variant, in the
/// session's variant order) so that each cause is one finding.
pub(crate) fn across_variants(per_variant: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut groups: Vec<Vec<Finding>> = Vec::new();
    for found in per_variant {
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for f in found {
            let mut key = Key {
                kind: f.kind.clone(),
                stage: f.stage.clone(),
                form: form(&f),
                occurrence: 0,
            };
            let n = seen.entry(key.clone()).or_insert(0);
            key.occurrence = *n;
            *n += 1;
            let g = *index.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(f);
        }
    }
    groups.into_iter().filter_map(merge).collect()
}

/// The finer distinction some rules make within one kind and stage.
fn form(f: &Finding) -> &'static str {
    if RuleKind::MemoryGrowth.is(&f.kind) {
        memory_growth::series(f)
    } else {
        ""
    }
}

/// Which of two findings matters more: larger saving, then higher
/// confidence.
fn weight(a: &Finding, b: &Finding) -> Ordering {
    a.impact_s
        .total_cmp(&b.impact_s)
        .then(a.confidence.total_cmp(&b.confidence))
}

fn merge(mut members: Vec<Finding>) -> Option<Finding> {
    if members.len() < 2 {
        return members.pop();
    }
    let variants: Vec<VariantEvidence> = members
        .iter()
        .map(|f| VariantEvidence {
            name: f.variant.clone().unwrap_or_default(),
            title: f.title.clone(),
            impact_s: f.impact_s,
            confidence: f.confidence,
            evidence: f.evidence.clone(),
        })
        .collect();
    // The earliest of the heaviest: scan from the end so ties keep the
    // first.
    let worst = (0..members.len())
        .rev()
        .max_by(|&a, &b| weight(&members[a], &members[b]))?;
    let mut out = members.swap_remove(worst);
    out.variants = variants;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn f(kind: &str, stage: Option<&str>, variant: &str, impact_s: f64) -> Finding {
        Finding {
            kind: kind.into(),
            title: format!("{kind} in {variant}"),
            stage: stage.map(str::to_string),
            evidence: BTreeMap::from([("x".to_string(), impact_s)]),
            impact_s,
            confidence: 0.5,
            recommendation: String::new(),
            effort: None,
            variant: Some(variant.into()),
            variants: vec![],
        }
    }

    #[test]
    fn a_cause_in_several_variants_is_one_finding_with_the_worst_in_front() {
        let merged = across_variants(vec![
            vec![
                f("cold_start", Some("job/fetch"), "before", 0.10),
                f("idle", None, "before", 0.3),
                f("polling_granularity", Some("job/poll"), "before", 0.2),
            ],
            vec![
                f("idle", None, "after", 0.3),
                f("cold_start", Some("job/fetch"), "after", 0.15),
            ],
        ]);
        assert_eq!(merged.len(), 3, "{merged:#?}");
        let cold = &merged[0];
        assert_eq!(cold.variant.as_deref(), Some("after"));
        assert_eq!(cold.impact_s, 0.15);
        assert_eq!(cold.title, "cold_start in after");
        assert_eq!(cold.evidence["x"], 0.15);
        let names: Vec<(&str, f64)> = cold
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.impact_s))
            .collect();
        assert_eq!(names, [("before", 0.10), ("after", 0.15)]);
        // A tie keeps the earliest variant in front.
        assert_eq!(merged[1].variant.as_deref(), Some("before"));
        assert_eq!(merged[1].variants.len(), 2);
        // Seen once: no per-variant list.
        assert!(merged[2].variants.is_empty());
    }

    #[test]
    fn different_stages_and_memory_series_stay_apart() {
        let mut within = f("memory_growth", None, "a", 0.0);
        within.evidence.insert("slope_bytes_per_s".into(), 1.0);
        let mut across = f("memory_growth", None, "a", 0.0);
        across.evidence.insert("slope_bytes_per_run".into(), 1.0);
        let mut across_b = across.clone();
        across_b.variant = Some("b".into());
        let merged = across_variants(vec![
            vec![within, across, f("bottleneck", Some("job/x"), "a", 0.2)],
            vec![across_b, f("bottleneck", Some("job/y"), "b", 0.2)],
        ]);
        assert_eq!(merged.len(), 4, "{merged:#?}");
        let sizes: Vec<usize> = merged.iter().map(|m| m.variants.len()).collect();
        assert_eq!(sizes, [0, 2, 0, 0]);
    }
}
