//! The one-line verdict of a set of comparisons, shared by every renderer:
//! it counts **primary** comparisons only (wall time and stage times by
//! default). Secondary metrics — context switches, I/O, user/sys time —
//! are information: a speed-up whose context switches rose still
//! headlines as an improvement with no regression.

use perfwatch_model::{Comparison, Severity, Verdict};

/// Verdict counts over the primary comparisons of a session or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    /// Primary comparisons that regressed.
    pub regressed: usize,
    /// Primary comparisons that improved.
    pub improved: usize,
    /// Primary comparisons the data could not decide.
    pub inconclusive: usize,
    /// Primary comparisons within the noise.
    pub unchanged: usize,
    /// The worst severity among the primary regressions.
    pub worst: Severity,
    /// Secondary comparisons, shown as information and not counted above.
    pub secondary: usize,
}

impl Default for Headline {
    fn default() -> Self {
        Headline {
            regressed: 0,
            improved: 0,
            inconclusive: 0,
            unchanged: 0,
            worst: Severity::None,
            secondary: 0,
        }
    }
}

impl Headline {
    /// Counts `comparisons`, judging only the primary ones.
    pub fn of<'a>(comparisons: impl IntoIterator<Item = &'a Comparison>) -> Self {
        let mut h = Headline::default();
        for c in comparisons {
            if !c.primary {
                h.secondary += 1;
                continue;
            }
            match c.verdict {
                Verdict::Regressed => {
                    h.regressed += 1;
                    h.worst = h.worst.max(c.severity);
                }
                Verdict::Improved => h.improved += 1,
                Verdict::Inconclusive => h.inconclusive += 1,
                Verdict::Unchanged => h.unchanged += 1,
            }
        }
        h
    }

    /// Whether any primary comparison regressed.
    pub fn has_regression(&self) -> bool {
        self.regressed > 0
    }

    /// The verdict in words: `2 regressions (worst high), 3 improved`,
    /// `5 improved, no regression`, `no regression, 1 inconclusive`,
    /// `no significant change`.
    pub fn text(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut text = if self.regressed > 0 {
            let mut t = plural(self.regressed, "regression", "regressions");
            if self.worst != Severity::None {
                t.push_str(&format!(" (worst {})", self.worst));
            }
            if self.improved > 0 {
                t.push_str(&format!(", {} improved", self.improved));
            }
            t
        } else if self.improved > 0 {
            format!("{} improved, no regression", self.improved)
        } else if self.inconclusive > 0 {
            "no regression".to_string()
        } else {
            "no significant change".to_string()
        };
        if self.inconclusive > 0 {
            text.push_str(&format!(", {} inconclusive", self.inconclusive));
        }
        text
    }

    /// `⚠️` when something regressed, `✅` otherwise (Markdown and HTML).
    pub fn icon(&self) -> &'static str {
        if self.has_regression() {
            "⚠️"
        } else {
            "✅"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::Reference;

    fn c(verdict: Verdict, severity: Severity, primary: bool) -> Comparison {
        Comparison {
            metric: "wall_s".into(),
            stage: None,
            baseline: "a".into(),
            candidate: "b".into(),
            baseline_median: 1.0,
            candidate_median: 1.0,
            baseline_n: 10,
            candidate_n: 10,
            ratio: 1.0,
            ci_low: 1.0,
            ci_high: 1.0,
            p_value: 0.5,
            change_pct: 0.0,
            severity,
            verdict,
            note: None,
            confidence: 0.95,
            primary,
            reference: Reference::Variant,
        }
    }

    #[test]
    fn secondary_regressions_do_not_count() {
        let cs = [
            c(Verdict::Improved, Severity::None, true),
            c(Verdict::Improved, Severity::None, true),
            c(Verdict::Regressed, Severity::None, false),
        ];
        let h = Headline::of(&cs);
        assert_eq!(h.text(), "2 improved, no regression");
        assert_eq!(h.secondary, 1);
        assert!(!h.has_regression());
        assert_eq!(h.icon(), "✅");
    }

    #[test]
    fn wording_of_each_case() {
        let cases = [
            (
                vec![
                    c(Verdict::Regressed, Severity::High, true),
                    c(Verdict::Regressed, Severity::Low, true),
                    c(Verdict::Improved, Severity::None, true),
                ],
                "2 regressions (worst high), 1 improved",
            ),
            (
                vec![
                    c(Verdict::Regressed, Severity::Medium, true),
                    c(Verdict::Inconclusive, Severity::None, true),
                ],
                "1 regression (worst medium), 1 inconclusive",
            ),
            (
                vec![c(Verdict::Inconclusive, Severity::None, true)],
                "no regression, 1 inconclusive",
            ),
            (
                vec![c(Verdict::Unchanged, Severity::None, true)],
                "no significant change",
            ),
            (vec![], "no significant change"),
        ];
        for (cs, want) in cases {
            assert_eq!(Headline::of(&cs).text(), want);
        }
    }
}
