//! The settings in which two variants differ, and the variants of a design.

use perfwatch_model::investigation::{Factor, FactorKind};
use perfwatch_model::VariantSpec;
use std::collections::BTreeSet;

/// The settings in which `base` and `cand` differ: each environment
/// variable with another value (or set in one only), the extra arguments,
/// and the command, in that order (variables by name).
pub fn differing_factors(base: &VariantSpec, cand: &VariantSpec) -> Vec<Factor> {
    let keys: BTreeSet<&String> = base.env.keys().chain(cand.env.keys()).collect();
    let mut out: Vec<Factor> = keys
        .into_iter()
        .filter(|k| base.env.get(*k) != cand.env.get(*k))
        .map(|k| Factor {
            name: k.clone(),
            kind: FactorKind::Env,
            base: base.env.get(k).cloned(),
            candidate: cand.env.get(k).cloned(),
        })
        .collect();
    if base.args != cand.args {
        let join = |a: &[String]| (!a.is_empty()).then(|| a.join(" "));
        out.push(Factor {
            name: "args".into(),
            kind: FactorKind::Args,
            base: join(&base.args),
            candidate: join(&cand.args),
        });
    }
    if base.command != cand.command {
        let text = |c: &Option<perfwatch_model::CommandSpec>| c.as_ref().map(|c| c.argv.join(" "));
        out.push(Factor {
            name: "command".into(),
            kind: FactorKind::Command,
            base: text(&base.command),
            candidate: text(&cand.command),
        });
    }
    out
}

/// One variant per row of a design: the baseline with each factor the row
/// sets to `true` taken from the candidate. Rows are named after the
/// baseline and the settings they take from the candidate
/// (`before+DEMO_WAIT`); the all-baseline row is named like the baseline
/// and the all-candidate row like the candidate.
pub fn row_variants(
    base: &VariantSpec,
    cand: &VariantSpec,
    factors: &[Factor],
    rows: &[Vec<bool>],
) -> Vec<VariantSpec> {
    rows.iter()
        .map(|row| {
            let mut v = base.clone();
            v.description = None;
            let mut taken = Vec::new();
            for (f, &at_candidate) in factors.iter().zip(row) {
                if !at_candidate {
                    continue;
                }
                taken.push(f.name.as_str());
                match f.kind {
                    FactorKind::Env => match &f.candidate {
                        Some(value) => {
                            v.env.insert(f.name.clone(), value.clone());
                        }
                        None => {
                            v.env.remove(&f.name);
                        }
                    },
                    FactorKind::Args => v.args = cand.args.clone(),
                    FactorKind::Command => {
                        v.command = cand.command.clone();
                        v.parameters = cand.parameters.clone();
                    }
                }
            }
            v.name = if taken.is_empty() {
                base.name.clone()
            } else if taken.len() == factors.len() {
                cand.name.clone()
            } else {
                format!("{}+{}", base.name, taken.join("+"))
            };
            v
        })
        .collect()
}
