//! The range an option's value must lie in.
//!
//! Each bounded option has one [`Bound`]. The options' `validate` methods
//! check values set in code against it, and their `Deserialize` impls
//! check values read from a file against the same bound *while
//! deserialising*, so that a reader such as the `toml` crate reports the
//! offending value's own line, column and key instead of accepting it.
//!
//! ```
//! use perfwatch_analysis::Bound;
//!
//! let noise = Bound::at_least(0.0).below(1.0);
//! assert!(noise.check(0.02).is_ok());
//! let err = noise.check(5.0).unwrap_err();
//! assert_eq!(err.to_string(), "must be at least 0 and below 1, got 5");
//! ```

use serde::de::{Deserialize, Deserializer, Error as _, Visitor};
use std::fmt;

/// An interval of finite numbers, each end open, closed or absent.
/// NaN and infinities never lie in a bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    min: Option<End>,
    max: Option<End>,
}

/// One end of a [`Bound`].
#[derive(Debug, Clone, Copy, PartialEq)]
struct End {
    value: f64,
    open: bool,
}

impl Bound {
    /// Every finite number.
    pub const ANY: Bound = Bound {
        min: None,
        max: None,
    };

    /// `min` and above.
    pub const fn at_least(min: f64) -> Bound {
        Bound::ANY.from(min, false)
    }

    /// Above `min`, excluding it.
    pub const fn above(min: f64) -> Bound {
        Bound::ANY.from(min, true)
    }

    /// `max` and below.
    pub const fn at_most(max: f64) -> Bound {
        Bound::ANY.to(max, false)
    }

    /// From `min` to `max`, both included.
    pub const fn between(min: f64, max: f64) -> Bound {
        Bound::at_least(min).to(max, false)
    }

    /// This bound, also at most `max` (including it).
    pub const fn up_to(self, max: f64) -> Bound {
        self.to(max, false)
    }

    /// This bound, also below `max` (excluding it).
    pub const fn below(self, max: f64) -> Bound {
        self.to(max, true)
    }

    const fn from(self, value: f64, open: bool) -> Bound {
        Bound {
            min: Some(End { value, open }),
            ..self
        }
    }

    const fn to(self, value: f64, open: bool) -> Bound {
        Bound {
            max: Some(End { value, open }),
            ..self
        }
    }

    /// Whether `value` lies in the bound.
    pub fn contains(&self, value: f64) -> bool {
        let above_min = self.min.is_none_or(|m| {
            if m.open {
                value > m.value
            } else {
                value >= m.value
            }
        });
        let below_max = self.max.is_none_or(|m| {
            if m.open {
                value < m.value
            } else {
                value <= m.value
            }
        });
        value.is_finite() && above_min && below_max
    }

    /// `value` when it lies in the bound.
    pub fn check(&self, value: f64) -> Result<f64, OutOfRange> {
        if self.contains(value) {
            Ok(value)
        } else {
            Err(OutOfRange {
                value,
                bound: *self,
            })
        }
    }
}

/// In words, completing "must be …": `at least 0 and below 1`.
impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => write!(f, "a finite number"),
            (Some(lo), Some(hi)) if !lo.open && !hi.open => {
                write!(f, "between {} and {}", lo.value, hi.value)
            }
            (lo, hi) => {
                let lo = lo.map(|e| (if e.open { "above" } else { "at least" }, e.value));
                let hi = hi.map(|e| (if e.open { "below" } else { "at most" }, e.value));
                let words: Vec<String> = [lo, hi]
                    .into_iter()
                    .flatten()
                    .map(|(word, value)| format!("{word} {value}"))
                    .collect();
                write!(f, "{}", words.join(" and "))
            }
        }
    }
}

/// A value outside its [`Bound`]; reads "must be at least 0, got -5".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutOfRange {
    /// The value.
    pub value: f64,
    /// Where it should have been.
    pub bound: Bound,
}

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finite = if self.value.is_finite() || self.bound == Bound::ANY {
            ""
        } else {
            "a finite number "
        };
        write!(f, "must be {finite}{}, got {}", self.bound, self.value)
    }
}

impl std::error::Error for OutOfRange {}

/// A number type whose values a [`Bound`] can judge.
pub(crate) trait Number: Copy {
    /// The value as a float (exact for every value an option takes).
    fn to_f64(self) -> f64;
}

impl Number for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

impl Number for u8 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Number for usize {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

/// Deserialises a number and checks it against `bound`; for
/// `#[serde(deserialize_with)]` functions, where a failed check is
/// reported at the field's value.
pub(crate) fn within<'de, D, T>(deserializer: D, bound: Bound) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Number,
{
    let value = T::deserialize(deserializer)?;
    bound
        .check(value.to_f64())
        .map_err(D::Error::custom)
        .map(|_| value)
}

/// Deserialises a string accepted by `check`. The check runs inside the
/// deserialiser, so a failure is reported at the string itself, also as an
/// element of a list or as a table key.
pub(crate) fn checked_string<'de, D, E>(
    deserializer: D,
    check: fn(&str) -> Result<(), E>,
) -> Result<String, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    deserializer.deserialize_string(CheckedString(check))
}

struct CheckedString<E>(fn(&str) -> Result<(), E>);

impl<E: fmt::Display> Visitor<'_> for CheckedString<E> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string")
    }

    fn visit_str<Er: serde::de::Error>(self, v: &str) -> Result<String, Er> {
        (self.0)(v).map_err(Er::custom)?;
        Ok(v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_open_or_closed_and_non_finite_values_never_fit() {
        let b = Bound::at_least(0.0).below(1.0);
        assert!(b.contains(0.0) && b.contains(0.999));
        assert!(!b.contains(1.0) && !b.contains(-0.1) && !b.contains(f64::NAN));
        assert!(Bound::between(0.0, 1.0).contains(1.0));
        assert!(!Bound::above(0.0).contains(0.0));
        assert!(Bound::at_most(100.0).contains(-3.0));
        assert!(!Bound::ANY.contains(f64::INFINITY));
    }

    #[test]
    fn bounds_read_as_words() {
        let cases = [
            (Bound::at_least(0.0).below(1.0), "at least 0 and below 1"),
            (Bound::between(0.0, 1.0), "between 0 and 1"),
            (Bound::above(0.5).below(1.0), "above 0.5 and below 1"),
            (Bound::at_least(2.0), "at least 2"),
            (Bound::at_most(100.0), "at most 100"),
            (Bound::ANY, "a finite number"),
        ];
        for (bound, words) in cases {
            assert_eq!(bound.to_string(), words);
        }
    }

    #[test]
    fn out_of_range_says_what_was_expected_and_got() {
        let b = Bound::at_least(0.0);
        assert_eq!(
            b.check(-5.0).unwrap_err().to_string(),
            "must be at least 0, got -5"
        );
        assert_eq!(
            b.check(f64::INFINITY).unwrap_err().to_string(),
            "must be a finite number at least 0, got inf"
        );
        assert_eq!(
            Bound::ANY.check(f64::NAN).unwrap_err().to_string(),
            "must be a finite number, got NaN"
        );
    }
}
