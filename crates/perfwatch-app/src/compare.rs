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
