//! Attribution of a change to individual settings (`perfwatch attribute`).
//!
//! Two variants of a benchmark differ in some settings — environment
//! variables, extra arguments, the command. [`differing_factors`] lists
//! them; each becomes a two-level factor (the baseline's value or the
//! candidate's). A two-level design over them
//! ([`perfwatch_stats::factorial::screening_design`]: the full 2^k for
//! k ≤ 4, a Plackett–Burman screening design beyond) turns into one
//! variant per row ([`row_variants`]), run interleaved in shuffled rounds
//! in one session. [`attribution`] then fits the effects by least squares,
//! with the two-way interactions in a full design: on wall time in seconds,
//! read as percentages of the wall time at the baseline's settings, and on
//! every stage in seconds, and says which stage holds each setting's
//! effect on wall time. [`FactorialRule`] decides how many
//! rounds to run.

mod effects;
mod factors;
mod rule;

pub use effects::{attribution, RowRuns};
pub use factors::{differing_factors, row_variants};
pub use rule::FactorialRule;

#[cfg(test)]
mod tests;
