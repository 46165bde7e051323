//! Results of the investigations that run many sessions to answer one
//! question: an adaptive comparison ([`AdaptiveVerdict`]), a statistical
//! bisection over commits ([`BisectReport`]) and the attribution of a
//! change to individual settings ([`AttributionReport`]).
//!
//! Each serialises to its own versioned JSON document
//! ([`BISECT_SCHEMA_V1`], [`ATTRIBUTION_SCHEMA_V1`]); fields may be added
//! within v1, never renamed or dropped.

mod adaptive;
mod attribution;
mod bisect;

pub use adaptive::{AdaptiveDecision, AdaptiveSpec, AdaptiveVerdict, StopReason};
pub use attribution::{
    AttributionReport, Factor, FactorKind, StageEffects, Term, ATTRIBUTION_SCHEMA_V1,
};
pub use bisect::{
    BisectOutcome, BisectReport, BisectStep, Commit, EffectEstimate, StepVerdict, BISECT_SCHEMA_V1,
};
