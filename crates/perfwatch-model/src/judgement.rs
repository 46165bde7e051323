//! What the analysis concludes about a session as a whole: its health
//! score and the gate's verdict. Renderers show these; only the analysis
//! computes them.

use serde::{Deserialize, Serialize};

/// The health of a session: 0 (everything wrong) to 100 (nothing found),
/// with the deductions that explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// 0 (everything wrong) to 100 (nothing found).
    pub score: u8,
    /// Each deduction: what, points deducted, why. In JSON, objects
    /// `{"what", "points", "why"}`.
    #[serde(with = "deductions")]
    pub breakdown: Vec<(String, i32, String)>,
}

/// The health breakdown as JSON objects rather than anonymous arrays.
mod deductions {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Deduction {
        what: String,
        points: i32,
        why: String,
    }

    pub fn serialize<S: Serializer>(v: &[(String, i32, String)], s: S) -> Result<S::Ok, S::Error> {
        let out: Vec<Deduction> = v
            .iter()
            .map(|(what, points, why)| Deduction {
                what: what.clone(),
                points: *points,
                why: why.clone(),
            })
            .collect();
        out.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, i32, String)>, D::Error> {
        Ok(Vec::<Deduction>::deserialize(d)?
            .into_iter()
            .map(|x| (x.what, x.points, x.why))
            .collect())
    }
}

/// The outcome of every configured gate rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateReport {
    /// Every rule passed (true when none is configured).
    pub passed: bool,
    /// One result per configured rule, in a fixed order.
    pub rules: Vec<RuleResult>,
}

impl GateReport {
    /// A report of these results.
    pub fn new(rules: Vec<RuleResult>) -> Self {
        GateReport {
            passed: rules.iter().all(|r| r.passed),
            rules,
        }
    }

    /// The rules that failed.
    pub fn failures(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| !r.passed)
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule, as configured (`max_regression_high`,
    /// `stage."a/b".p50_s`, …).
    pub rule: String,
    /// Whether it passed. A rule with nothing to judge (no baseline to
    /// compare with, a figure not measured) passes, and `actual` says `n/a`.
    pub passed: bool,
    /// The measured value, formatted.
    pub actual: String,
    /// The limit, formatted.
    pub limit: String,
    /// What was judged and, on failure, by how much it missed.
    pub detail: String,
}
