//! Rules on application metrics — what a program reports of itself (a
//! cache's hit rate, a pool's waits) — written as people say them:
//! `cache_hit_rate >= 0.6`, `pool.waits <= 100`. The gate judges a
//! session's median against them, the monitor a pipeline's recent runs.
//!
//! ```
//! use perfwatch_analysis::app_rule::{AppRule, RuleOp};
//!
//! let r: AppRule = "cache_hit_rate >= 0.6".parse().unwrap();
//! assert_eq!((r.name.as_str(), r.op, r.limit), ("cache_hit_rate", RuleOp::AtLeast, 0.6));
//! assert!(r.holds(0.6) && !r.holds(0.59));
//! assert_eq!(r.to_string(), "cache_hit_rate >= 0.6");
//! // The operator is the last one: names may hold `<` or `>`.
//! let r: AppRule = r#"queue{name="a>b"} < 10"#.parse().unwrap();
//! assert_eq!(r.name, r#"queue{name="a>b"}"#);
//! assert!("hit_rate >= lots".parse::<AppRule>().is_err());
//! ```

pub use crate::findings::format::number;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How a value must compare with a rule's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOp {
    /// `>=`: at least the limit.
    AtLeast,
    /// `>`: above the limit.
    Above,
    /// `<=`: at most the limit.
    AtMost,
    /// `<`: below the limit.
    Below,
}

impl RuleOp {
    /// `>=`, `>`, `<=` or `<`.
    pub fn symbol(self) -> &'static str {
        match self {
            RuleOp::AtLeast => ">=",
            RuleOp::Above => ">",
            RuleOp::AtMost => "<=",
            RuleOp::Below => "<",
        }
    }

    /// Whether `value` keeps the rule with `limit`.
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            RuleOp::AtLeast => value >= limit,
            RuleOp::Above => value > limit,
            RuleOp::AtMost => value <= limit,
            RuleOp::Below => value < limit,
        }
    }

    /// Whether the rule is a floor (`>=`, `>`): breaking it means too
    /// little, and how badly is `limit / value`; else `value / limit`.
    pub fn is_floor(self) -> bool {
        matches!(self, RuleOp::AtLeast | RuleOp::Above)
    }
}

/// One rule: `NAME OP LIMIT`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppRule {
    /// The application metric's name, as the program reports it
    /// (attributes included: `pool.waits{pool="db"}`).
    pub name: String,
    /// How its value must compare with `limit`.
    pub op: RuleOp,
    /// The limit.
    pub limit: f64,
}

impl AppRule {
    /// Whether `value` keeps the rule.
    pub fn holds(&self, value: f64) -> bool {
        self.op.holds(value, self.limit)
    }

    /// How far `value` is on the wrong side of the limit, as a ratio
    /// above 1 when the rule is broken: `limit / value` for a floor,
    /// `value / limit` for a ceiling (`+∞` when the divisor is 0).
    pub fn ratio(&self, value: f64) -> f64 {
        if self.op.is_floor() {
            perfwatch_stats::ratio(self.limit, value)
        } else {
            perfwatch_stats::ratio(value, self.limit)
        }
    }
}

impl fmt::Display for AppRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.name, self.op.symbol(), self.limit)
    }
}

/// Why a rule could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppRuleError {
    /// No comparison in the text.
    #[error(
        "`{0}` is not a rule: write NAME >= NUMBER (or <=, >, <), e.g. `cache_hit_rate >= 0.6`"
    )]
    NoOperator(String),
    /// Nothing before the operator.
    #[error("`{0}` names no metric before its comparison")]
    NoName(String),
    /// The limit is not a finite number.
    #[error("`{limit}` in `{rule}` is not a number")]
    BadLimit {
        /// The rule.
        rule: String,
        /// What stood where the number should.
        limit: String,
    },
}

impl FromStr for AppRule {
    type Err = AppRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let s = text.trim();
        // The last operator: a name may hold `<` or `>` in its attributes.
        let (at, op, len) = s
            .char_indices()
            .rev()
            .find_map(|(i, c)| {
                let eq = s[i + c.len_utf8()..].starts_with('=');
                match c {
                    '≥' => Some((i, RuleOp::AtLeast, c.len_utf8())),
                    '≤' => Some((i, RuleOp::AtMost, c.len_utf8())),
                    '>' if eq => Some((i, RuleOp::AtLeast, 2)),
                    '<' if eq => Some((i, RuleOp::AtMost, 2)),
                    '>' => Some((i, RuleOp::Above, 1)),
                    '<' => Some((i, RuleOp::Below, 1)),
                    _ => None,
                }
            })
            .ok_or_else(|| AppRuleError::NoOperator(s.to_string()))?;
        let name = s[..at].trim();
        if name.is_empty() {
            return Err(AppRuleError::NoName(s.to_string()));
        }
        let number = s[at + len..].trim();
        let limit = number
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| AppRuleError::BadLimit {
                rule: s.to_string(),
                limit: number.to_string(),
            })?;
        Ok(AppRule {
            name: name.to_string(),
            op,
            limit,
        })
    }
}

impl Serialize for AppRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AppRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_reads_and_keeps_its_meaning() {
        for (text, op, yes, no) in [
            ("a >= 1", RuleOp::AtLeast, 1.0, 0.9),
            ("a ≥ 1", RuleOp::AtLeast, 1.0, 0.9),
            ("a > 1", RuleOp::Above, 1.1, 1.0),
            ("a <= 1", RuleOp::AtMost, 1.0, 1.1),
            ("a ≤ 1", RuleOp::AtMost, 1.0, 1.1),
            ("a<1", RuleOp::Below, 0.9, 1.0),
        ] {
            let r: AppRule = text.parse().unwrap();
            assert_eq!((r.name.as_str(), r.op, r.limit), ("a", op, 1.0), "{text}");
            assert!(r.holds(yes) && !r.holds(no), "{text}");
        }
    }

    #[test]
    fn a_broken_rule_is_named_in_its_error() {
        let e = "hit_rate".parse::<AppRule>().unwrap_err();
        assert!(e.to_string().contains("write NAME >= NUMBER"), "{e}");
        let e = ">= 3".parse::<AppRule>().unwrap_err();
        assert_eq!(e, AppRuleError::NoName(">= 3".into()));
        let e = "x >= inf".parse::<AppRule>().unwrap_err();
        assert!(
            e.to_string()
                .contains("`inf` in `x >= inf` is not a number"),
            "{e}"
        );
    }

    #[test]
    fn the_ratio_says_how_far_on_the_wrong_side() {
        let floor: AppRule = "hit >= 0.6".parse().unwrap();
        assert!((floor.ratio(0.3) - 2.0).abs() < 1e-12);
        assert_eq!(floor.ratio(0.0), f64::INFINITY);
        let ceiling: AppRule = "waits <= 10".parse().unwrap();
        assert!((ceiling.ratio(15.0) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn a_rule_round_trips_through_toml() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct T {
            rules: Vec<AppRule>,
        }
        let t: T = toml::from_str(r#"rules = ["hit >= 0.6", "q < 5"]"#).unwrap();
        assert_eq!(
            toml::from_str::<T>(&toml::to_string(&t).unwrap()).unwrap(),
            t
        );
        let e = toml::from_str::<T>(r#"rules = ["hit"]"#).unwrap_err();
        assert!(e.message().contains("is not a rule"), "{e}");
    }
}
