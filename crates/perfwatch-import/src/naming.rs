//! Naming what was imported: the benchmark, and the variants by position or
//! by the command the source named them after.
//!
//! An importer names each variant after what its source calls it (a
//! hyperfine command, criterion's `default`); a user who wants an imported
//! session to line up with perfwatch's own runs renames them here, so that
//! `compare` and history see the same variant names.

use crate::{ImportError, Imported};
use std::collections::BTreeSet;

/// How an import names its benchmark and variants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The benchmark name instead of the one the source gives (a hyperfine
    /// export's file stem). Only for sources that hold one benchmark.
    pub benchmark: Option<String>,
    /// How the variants are named.
    pub variant_names: VariantNaming,
}

/// How the variants of an imported session are named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum VariantNaming {
    /// As the source names them: a hyperfine variant is its command
    /// (` #2`, ` #3` appended when a command repeats).
    #[default]
    Source,
    /// One name per variant, in the source's order (a hyperfine file's
    /// order of commands).
    InOrder(Vec<String>),
    /// `(source name, new name)` pairs: the variant the source names
    /// `source name` (for hyperfine, the command as the file has it) is
    /// renamed; the others keep their names.
    ByName(Vec<(String, String)>),
}

/// Applies `options` to the sessions imported from `origin`.
///
/// # Errors
///
/// [`ImportError::Naming`] when a benchmark name is given for a source of
/// several benchmarks, a name is empty, the number of names in order is not
/// the number of variants, a source name matches no variant, or two
/// variants would end up with one name.
pub(crate) fn apply(
    imported: &mut [Imported],
    options: &ImportOptions,
    origin: &str,
) -> Result<(), ImportError> {
    let fail = |message: String| ImportError::Naming {
        origin: origin.to_string(),
        message,
    };
    if let Some(benchmark) = &options.benchmark {
        if benchmark.trim().is_empty() {
            return Err(fail("the benchmark name is empty".into()));
        }
        if imported.len() > 1 {
            return Err(fail(format!(
                "one benchmark name given, but it holds {} benchmarks",
                imported.len()
            )));
        }
        for im in imported.iter_mut() {
            im.session.benchmark = benchmark.clone();
        }
    }
    if let VariantNaming::ByName(pairs) = &options.variant_names {
        for (from, _) in pairs {
            let known = imported
                .iter()
                .any(|im| im.session.variants.iter().any(|v| v.name == *from));
            if !known {
                return Err(fail(format!(
                    "no command `{from}` to rename (its commands: {})",
                    list(
                        imported
                            .iter()
                            .flat_map(|im| &im.session.variants)
                            .map(|v| &v.name)
                    )
                )));
            }
        }
    }
    for im in imported.iter_mut() {
        let old: Vec<String> = im.session.variants.iter().map(|v| v.name.clone()).collect();
        let new = new_names(&old, &options.variant_names).map_err(&fail)?;
        check_unique(&new).map_err(&fail)?;
        for (variant, name) in im.session.variants.iter_mut().zip(&new) {
            variant.name = name.clone();
        }
        for it in &mut im.iterations {
            if let Some(i) = old.iter().position(|o| *o == it.variant) {
                it.variant = new[i].clone();
            }
        }
    }
    Ok(())
}

/// The new name of each variant, in order.
fn new_names(old: &[String], naming: &VariantNaming) -> Result<Vec<String>, String> {
    match naming {
        VariantNaming::Source => Ok(old.to_vec()),
        VariantNaming::InOrder(names) => {
            if names.len() != old.len() {
                return Err(format!(
                    "{} variant name{} given for {} command{} ({})",
                    names.len(),
                    plural(names.len()),
                    old.len(),
                    plural(old.len()),
                    list(old)
                ));
            }
            Ok(names.clone())
        }
        VariantNaming::ByName(pairs) => Ok(old
            .iter()
            .map(|name| {
                pairs
                    .iter()
                    .find(|(from, _)| from == name)
                    .map_or_else(|| name.clone(), |(_, to)| to.clone())
            })
            .collect()),
    }
}

/// Names must be non-empty and distinct.
fn check_unique(names: &[String]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for name in names {
        if name.trim().is_empty() {
            return Err("a variant name is empty".into());
        }
        if !seen.insert(name) {
            return Err(format!("two variants would be named `{name}`"));
        }
    }
    Ok(())
}

fn list<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Iteration, VariantSpec};

    fn session(names: &[&str]) -> Imported {
        let variants = names
            .iter()
            .map(|n| VariantSpec {
                name: n.to_string(),
                ..VariantSpec::default()
            })
            .collect();
        let iterations = names
            .iter()
            .map(|n| Iteration {
                variant: n.to_string(),
                ..Iteration::default()
            })
            .collect();
        Imported {
            session: crate::provenance::imported_session(
                "b".into(),
                perfwatch_model::CommandSpec {
                    argv: vec![],
                    shell: false,
                },
                variants,
                "2024-01-01T00:00:00Z".into(),
            ),
            iterations,
            notes: Vec::new(),
        }
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn variants_are_renamed_in_order_or_by_command_and_iterations_follow() {
        let cases: Vec<(VariantNaming, [&str; 2])> = vec![
            (VariantNaming::Source, ["sleep 1", "sleep 2"]),
            (
                VariantNaming::InOrder(vec!["a".into(), "b".into()]),
                ["a", "b"],
            ),
            (
                VariantNaming::ByName(owned(&[("sleep 2", "slow")])),
                ["sleep 1", "slow"],
            ),
            (
                VariantNaming::ByName(owned(&[("sleep 2", "sleep 1"), ("sleep 1", "sleep 2")])),
                ["sleep 2", "sleep 1"],
            ),
        ];
        for (naming, expected) in cases {
            let mut im = [session(&["sleep 1", "sleep 2"])];
            let options = ImportOptions {
                benchmark: None,
                variant_names: naming.clone(),
            };
            apply(&mut im, &options, "f.json").unwrap();
            let names: Vec<_> = im[0].session.variants.iter().map(|v| &v.name).collect();
            assert_eq!(names, expected, "{naming:?}");
            let its: Vec<_> = im[0].iterations.iter().map(|i| &i.variant).collect();
            assert_eq!(its, expected, "{naming:?}");
        }
    }

    #[test]
    fn bad_names_are_refused_with_the_reason() {
        let cases: Vec<(Option<&str>, VariantNaming, &str)> = vec![
            (
                None,
                VariantNaming::InOrder(vec!["a".into()]),
                "f.json: 1 variant name given for 2 commands (`sleep 1`, `sleep 2`)",
            ),
            (
                None,
                VariantNaming::ByName(owned(&[("sleep 3", "x")])),
                "f.json: no command `sleep 3` to rename (its commands: `sleep 1`, `sleep 2`)",
            ),
            (
                None,
                VariantNaming::InOrder(vec!["a".into(), "a".into()]),
                "f.json: two variants would be named `a`",
            ),
            (
                None,
                VariantNaming::ByName(owned(&[("sleep 1", "sleep 2")])),
                "f.json: two variants would be named `sleep 2`",
            ),
            (
                None,
                VariantNaming::InOrder(vec!["a".into(), " ".into()]),
                "f.json: a variant name is empty",
            ),
            (
                Some(""),
                VariantNaming::Source,
                "f.json: the benchmark name is empty",
            ),
        ];
        for (benchmark, naming, expected) in cases {
            let mut im = [session(&["sleep 1", "sleep 2"])];
            let options = ImportOptions {
                benchmark: benchmark.map(String::from),
                variant_names: naming,
            };
            let err = apply(&mut im, &options, "f.json").unwrap_err();
            assert_eq!(err.to_string(), expected);
        }
    }

    #[test]
    fn one_benchmark_name_is_refused_for_several_benchmarks() {
        let mut im = [session(&["default"]), session(&["default"])];
        let options = ImportOptions {
            benchmark: Some("x".into()),
            variant_names: VariantNaming::Source,
        };
        let err = apply(&mut im, &options, "target/criterion").unwrap_err();
        assert_eq!(
            err.to_string(),
            "target/criterion: one benchmark name given, but it holds 2 benchmarks"
        );
        let mut one = [session(&["default"])];
        apply(&mut one, &options, "x").unwrap();
        assert_eq!(one[0].session.benchmark, "x");
    }
}
