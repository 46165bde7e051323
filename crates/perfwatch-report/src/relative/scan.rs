//! The table of a parameter scan: one row per combination of parameter
//! values, its median with the interval, its ratio to the first row and
//! the verdict.

use super::{comparison_of, relative_metric};
use perfwatch_model::{Comparison, Metric, SessionExport, Summary, VariantExport};

/// A session whose variants are the values of a parameter scan
/// (`--param`), laid out as one table.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanTable<'a> {
    /// The parameters' names, in the order they were given.
    pub parameters: Vec<&'a str>,
    /// The metric of the medians and ratios (see
    /// [`relative_metric`](super::relative_metric); wall time when nothing
    /// was compared).
    pub metric: &'a str,
    /// One row per variant, in plan order; the first is the reference.
    pub rows: Vec<ScanRow<'a>>,
}

/// One combination of parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRow<'a> {
    /// The variant that ran it.
    pub variant: &'a VariantExport,
    /// The variant's own name when the scan ran over several named
    /// variants (`fast` of `fast[n=1]`); `None` when the name is just the
    /// values.
    pub base: Option<&'a str>,
    /// The value of each parameter, in [`ScanTable::parameters`] order.
    pub values: Vec<&'a str>,
    /// The variant's summary of the metric; `None` without a counted run.
    pub summary: Option<&'a Summary>,
    /// The comparison with the first row; `None` for the first row itself
    /// and for a row that could not be compared.
    pub comparison: Option<&'a Comparison>,
}

impl<'a> ScanTable<'a> {
    /// The table of a scan: at least two variants, each with parameter
    /// values (`VariantSpec::parameters`), the same parameters in the same
    /// order; `None` for any other session.
    pub fn of(export: &'a SessionExport) -> Option<Self> {
        if export.variants.len() < 2 {
            return None;
        }
        let specs = &export.session.variants;
        let params = |v: &VariantExport| {
            specs
                .iter()
                .find(|s| s.name == v.name)
                .map(|s| &s.parameters)
                .filter(|p| !p.is_empty())
        };
        let first = params(&export.variants[0])?;
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        let metric = relative_metric(export).unwrap_or(Metric::WallS.key());
        let mut rows = Vec::with_capacity(export.variants.len());
        for (i, v) in export.variants.iter().enumerate() {
            let p = params(v)?;
            if !p.iter().map(|(n, _)| n.as_str()).eq(names.iter().copied()) {
                return None;
            }
            rows.push(ScanRow {
                variant: v,
                base: base_name(&v.name, p),
                values: p.iter().map(|(_, x)| x.as_str()).collect(),
                summary: v.summary.get(metric),
                comparison: (i > 0)
                    .then(|| comparison_of(export, &v.name, metric))
                    .flatten(),
            });
        }
        Some(ScanTable {
            parameters: names,
            metric,
            rows,
        })
    }

    /// Whether the scan ran over several named variants (then each row
    /// names its [`ScanRow::base`]).
    pub fn has_bases(&self) -> bool {
        self.rows.iter().any(|r| r.base.is_some())
    }
}

/// What a scan's variant name holds besides its values: the CLI names a
/// scan's variant `n=1,m=2`, or `fast[n=1,m=2]` when the scan ran over the
/// named variant `fast`.
fn base_name<'a>(name: &'a str, params: &[(String, String)]) -> Option<&'a str> {
    let label = params
        .iter()
        .map(|(n, x)| format!("{n}={x}"))
        .collect::<Vec<_>>()
        .join(",");
    if name == label {
        return None;
    }
    Some(name.strip_suffix(&format!("[{label}]")).unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_the_values() {
        let p = vec![("n".to_string(), "1".to_string())];
        assert_eq!(base_name("n=1", &p), None);
        assert_eq!(base_name("fast[n=1]", &p), Some("fast"));
        assert_eq!(base_name("sleep 1", &p), Some("sleep 1"));
    }
}
