//! The reference table of formatted figures: every unit over edge cases
//! (zero, rounding boundaries, missing, infinite, negative, tiny and huge
//! values) and a deterministic spread of magnitudes. Renderers that format
//! on their own (the chart script of the HTML pages) are checked against
//! it.

use super::{format_tick, format_value};
use perfwatch_model::metric::Unit;

/// One figure and how it prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The unit it is formatted in.
    pub unit: Unit,
    /// The figure.
    pub value: f64,
    /// [`format_value`] of it.
    pub text: String,
    /// [`format_tick`] of it.
    pub tick: String,
}

/// Figures every unit is checked with: zero, values at rounding
/// boundaries (999.96 µs, 0.9996 s, 1023.6 B), missing and infinite ones,
/// negative, tiny and huge ones.
const EDGES: [f64; 26] = [
    0.0,
    -0.0,
    0.000_999_96,
    0.000_999_4,
    0.999_6,
    0.999_96,
    1.0,
    12345.0,
    1234.5,
    1023.6,
    1024.0,
    0.125,
    2.5,
    150.6,
    -0.0456,
    -2048.0,
    5e-10,
    1e-15,
    3e9,
    1e20,
    f64::MAX,
    f64::MIN_POSITIVE,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -1e-5,
];

/// How many generated figures follow the edges, per unit.
const GENERATED: usize = 600;

/// The reference table: the unit edges above and a deterministic spread of
/// magnitudes from 1e-14 to 1e20 (values just below a power of ten
/// included), each in every unit.
pub fn samples() -> Vec<Sample> {
    let mut state: u64 = 0x005e_ed0f_f00d;
    let mut next = move || {
        // A linear congruential generator (Knuth's MMIX constants).
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut values: Vec<f64> = EDGES.to_vec();
    for i in 0..GENERATED {
        let exponent = (next() * 34.0).floor() - 14.0;
        let mantissa = if i % 4 == 0 {
            // Just below the next power of ten or a rounding step.
            9.995 + next() * 0.005
        } else {
            1.0 + next() * 9.0
        };
        let sign = if i % 7 == 0 { -1.0 } else { 1.0 };
        values.push(sign * mantissa * 10f64.powf(exponent));
    }
    [Unit::Seconds, Unit::Bytes, Unit::Count]
        .into_iter()
        .flat_map(|unit| {
            values.iter().map(move |&value| Sample {
                unit,
                value,
                text: format_value(unit, value),
                tick: format_tick(unit, value),
            })
        })
        .collect()
}
