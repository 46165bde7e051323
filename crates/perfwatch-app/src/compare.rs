//! Which comparisons a session gets: its variants against the first (a
//! deliberate comparison of alternatives), and the session against a
//! reference (a saved baseline, another session or an exported file).

use crate::AppError;
use perfwatch_analysis::{compare_variants, CompareOptions};
use perfwatch_model::{Comparison, Reference, SessionExport, VariantExport};

/// Every variant after the first compared against the first.
pub fn compare_against_first(export: &SessionExport, opts: &CompareOptions) -> Vec<Comparison> {
    let Some((first, rest)) = export.variants.split_first() else {
        return Vec::new();
    };
    rest.iter()
        .flat_map(|cand| compare_variants(first, cand, opts))
        .map(|c| Comparison {
            reference: Reference::Variant,
            ..c
        })
        .collect()
}

/// Variants of `cand` matched with those of `base`: by name, or the only
/// variant of each when both have exactly one. Returns pairs of indices.
pub fn match_variants(base: &SessionExport, cand: &SessionExport) -> Vec<(usize, usize)> {
    let by_name: Vec<(usize, usize)> = cand
        .variants
        .iter()
        .enumerate()
        .filter_map(|(ci, cv)| {
            base.variants
                .iter()
                .position(|bv| bv.name == cv.name)
                .map(|bi| (bi, ci))
        })
        .collect();
    if by_name.is_empty() && base.variants.len() == 1 && cand.variants.len() == 1 {
        vec![(0, 0)]
    } else {
        by_name
    }
}

/// The note an analysis carries when its only variant was compared with the
/// reference's only variant of another name (a hyperfine command with
/// perfwatch's `default`): the pairing is by position, and says so.
pub fn pairing_note(
    base: &SessionExport,
    base_label: &str,
    cand: &SessionExport,
    cand_label: &str,
) -> Option<String> {
    match (base.variants.as_slice(), cand.variants.as_slice()) {
        ([b], [c]) if b.name != c.name => Some(format!(
            "variant `{}` of {cand_label} compared with variant `{}` of {base_label}: \
             the only variant on each side, though named differently",
            c.name, b.name
        )),
        _ => None,
    }
}

/// Compares `cand` with the reference `base` variant by variant, naming
/// each side by its label (and the variant, where there are several or it
/// is not `default`). Fails when nothing can be compared.
pub fn compare_with_reference(
    base: &SessionExport,
    base_label: &str,
    cand: &SessionExport,
    cand_label: &str,
    opts: &CompareOptions,
) -> Result<Vec<Comparison>, AppError> {
    let pairs = match_variants(base, cand);
    if pairs.is_empty() {
        let names = |e: &SessionExport| {
            e.variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(AppError::NothingToCompare(format!(
            "no variant in common: {base_label} has [{}], {cand_label} has [{}]",
            names(base),
            names(cand)
        )));
    }
    let many = base.variants.len() > 1 || cand.variants.len() > 1;
    let side = |label: &str, v: &VariantExport| {
        if many || v.name != "default" {
            format!("{label}:{}", v.name)
        } else {
            label.to_string()
        }
    };
    let mut out = Vec::new();
    for (bi, ci) in pairs {
        let (bv, cv) = (&base.variants[bi], &cand.variants[ci]);
        out.extend(
            compare_variants(bv, cv, opts)
                .into_iter()
                .map(|c| Comparison {
                    baseline: side(base_label, bv),
                    candidate: side(cand_label, cv),
                    reference: Reference::Baseline,
                    ..c
                }),
        );
    }
    if out.is_empty() {
        return Err(AppError::NothingToCompare(format!(
            "{base_label} and {cand_label} have no metric in common"
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{CommandSpec, HostInfo, Session, SessionStatus, SCHEMA_V1};

    fn export(names: &[&str]) -> SessionExport {
        let variant = |name: &&str| VariantExport {
            gpu: None,
            app_metrics: Default::default(),
            service: None,
            name: name.to_string(),
            description: None,
            iterations: Vec::new(),
            summary: Default::default(),
            stages: Vec::new(),
            warnings: Vec::new(),
        };
        SessionExport {
            schema: SCHEMA_V1.into(),
            session: Session {
                id: "0".repeat(32),
                started_at: String::new(),
                finished_at: None,
                benchmark: "b".into(),
                command: CommandSpec {
                    argv: vec![],
                    shell: false,
                },
                variants: vec![],
                git: None,
                host: HostInfo::default(),
                perfwatch_version: String::new(),
                status: SessionStatus::Complete,
                baseline: None,
                shell_correction: None,
                imported: None,
                owner: None,
                adaptive: None,
                program_version: None,
            },
            variants: names.iter().map(variant).collect(),
            comparisons: vec![],
            findings: vec![],
            health: None,
            gate: None,
            notes: vec![],
            adaptive: None,
        }
    }

    #[test]
    fn variants_pair_by_name_or_as_the_only_one_of_each_side() {
        type Case<'a> = (&'a [&'a str], &'a [&'a str], Vec<(usize, usize)>);
        let cases: Vec<Case> = vec![
            (&["default"], &["default"], vec![(0, 0)]),
            (&["sleep 0.02"], &["default"], vec![(0, 0)]),
            (&["a", "b"], &["b", "c"], vec![(1, 0)]),
            (&["a", "b"], &["c"], vec![]),
            (&["a"], &["b", "c"], vec![]),
        ];
        for (base, cand, expected) in cases {
            assert_eq!(
                match_variants(&export(base), &export(cand)),
                expected,
                "{base:?} vs {cand:?}"
            );
        }
    }

    #[test]
    fn pairing_the_only_variants_of_different_names_is_said() {
        let note = pairing_note(
            &export(&["sleep 0.02"]),
            "hf.json",
            &export(&["default"]),
            "ab12cd34",
        );
        assert_eq!(
            note.as_deref(),
            Some(
                "variant `default` of ab12cd34 compared with variant `sleep 0.02` of hf.json: \
                 the only variant on each side, though named differently"
            )
        );
        for (base, cand) in [(&["default"][..], &["default"][..]), (&["a", "b"], &["c"])] {
            assert_eq!(pairing_note(&export(base), "x", &export(cand), "y"), None);
        }
    }
}
