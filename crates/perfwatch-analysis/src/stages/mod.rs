//! Stage statistics: where the time of an iteration goes, stage by stage.
//!
//! The spans a program reports ([`perfwatch_model::Span`]) are grouped by
//! their path of names from the root ([`join_path`]); per iteration that
//! gives a [`stage_tree`] of [`StageNode`]s with calls, total and self
//! time, failures, first versus later calls and the CPU use of the process
//! tree; per variant, [`stage_summaries`] summarises them over the counted
//! iterations; and [`compare_stages`] compares each stage's total time
//! between two variants, so that a regression names its stage.
//!
//! The rules are documented where they are applied: the tree in [`tree`],
//! the CPU alignment in [`cpu`], the per-variant figures in [`summary`].
//!
//! ```
//! use perfwatch_analysis::stages::stage_tree;
//! use perfwatch_model::{Iteration, Span, Tier};
//!
//! let span = |id, parent, name: &str, start_s, end_s| Span {
//!     id, parent, name: name.into(), tier: Tier::Method, component: None,
//!     start_s, end_s, ok: true, calls: 1, failed_calls: 0, total_s: None,
//!     attributes: Default::default(),
//! };
//! let it = Iteration {
//!     wall_s: 1.0,
//!     stages: vec![span(1, None, "job", 0.0, 1.0), span(2, Some(1), "fetch", 0.2, 0.6)],
//!     ..Iteration::default()
//! };
//! let tree = stage_tree(&it);
//! assert_eq!(tree[1].path, "job/fetch");
//! assert!((tree[0].self_s - 0.6).abs() < 1e-12);
//! ```

mod compare;
pub mod cpu;
pub mod summary;
pub mod tree;

#[cfg(test)]
mod tests;

pub use compare::{compare_stages, STAGE_METRIC};
pub use perfwatch_model::stage_path::{join_path, split_path, SEPARATOR};
pub use summary::{stage_samples, stage_summaries, StageSamples};
pub use tree::{span_paths, stage_tree, StageNode};
