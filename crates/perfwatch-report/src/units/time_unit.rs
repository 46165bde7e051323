//! A fixed time unit (`-u/--time-unit`), for views where every time is
//! shown in one unit instead of each being scaled on its own.

/// A unit that every time of a view is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// µs, one decimal.
    Microsecond,
    /// ms, one decimal.
    Millisecond,
    /// s, three decimals.
    Second,
}

impl TimeUnit {
    /// The unit's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Microsecond => "µs",
            TimeUnit::Millisecond => "ms",
            TimeUnit::Second => "s",
        }
    }

    /// Seconds per unit.
    pub fn seconds(self) -> f64 {
        match self {
            TimeUnit::Microsecond => 1e-6,
            TimeUnit::Millisecond => 1e-3,
            TimeUnit::Second => 1.0,
        }
    }

    /// `seconds` in this unit with the unit's decimals, without the
    /// symbol (`12.3`); a figure that is not a number prints as `–`.
    pub fn fixed(self, seconds: f64) -> String {
        if !seconds.is_finite() {
            return super::NA.to_string();
        }
        let decimals = match self {
            TimeUnit::Second => 3,
            TimeUnit::Microsecond | TimeUnit::Millisecond => 1,
        };
        format!("{:.*}", decimals, seconds / self.seconds())
    }

    /// `seconds` in this unit, with the symbol (`12.3 ms`).
    pub fn format(self, seconds: f64) -> String {
        if !seconds.is_finite() {
            return super::NA.to_string();
        }
        format!("{} {}", self.fixed(seconds), self.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::TimeUnit;

    #[test]
    fn fixed_units_keep_their_decimals() {
        assert_eq!(TimeUnit::Millisecond.format(0.0123), "12.3 ms");
        assert_eq!(TimeUnit::Second.format(0.0123), "0.012 s");
        assert_eq!(TimeUnit::Microsecond.format(0.0123), "12300.0 µs");
        assert_eq!(TimeUnit::Second.format(f64::NAN), "–");
    }
}

#[cfg(test)]
mod fixed_tests {
    use super::TimeUnit;
    use crate::units::{format_duration, with_time_unit};

    #[test]
    fn with_a_time_unit_every_duration_is_in_it_and_the_unit_is_restored() {
        let shown = with_time_unit(Some(TimeUnit::Millisecond), || {
            [format_duration(0.0123), format_duration(1.5)]
        });
        assert_eq!(shown, ["12.3 ms", "1500.0 ms"]);
        assert_eq!(format_duration(0.0123), "12.3 ms");
        assert_eq!(format_duration(1.5), "1.50 s");
    }
}
