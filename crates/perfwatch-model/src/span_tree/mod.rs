//! The span tree of one iteration: where each span sits — its stage path,
//! its depth and its parent — placed by one set of rules that the runner,
//! the store, the analysis and the renderers all share.
//!
//! The rules ([`place`]), which depend on the spans' ids, parent ids and
//! names only — never on the order in which the spans come:
//!
//! * **Duplicate ids.** When several spans share an id, the one that sorts
//!   first by `(parent id, name)` is the one children attach to (spans
//!   equal in both would be placed alike anyway). The others are still
//!   placed, under their own parent, but nothing attaches to them.
//! * **Unknown parents.** A span whose parent id names no span of the
//!   iteration is a root (an orphan).
//! * **Cycles.** A span that is its own ancestor (its own parent included)
//!   belongs to a cycle of parent links. In each cycle the span with the
//!   smallest id loses its parent link and becomes a root; the rest of the
//!   cycle hangs below it.
//! * **Paths.** A span's path is the names from its root down to it,
//!   joined by [`stage_path::child_path`](crate::stage_path::child_path)
//!   (so a `/` inside a name is escaped); its depth is the number of its
//!   ancestors. Each distinct path is built and stored once
//!   ([`SpanTree::stages`]); a placement names its stage by index.
//! * **Folding.** A span with [`MAX_STAGE_DEPTH`] ancestors or more, or
//!   whose path would exceed [`MAX_STAGE_PATH_BYTES`], is *folded* into
//!   its nearest ancestor that is a stage of its own: it takes that stage,
//!   is marked [`Placement::folded`], and the stage records how many levels
//!   were folded below it. The analyses leave folded spans out, so their
//!   time counts as the ancestor's own; the spans themselves are kept. A
//!   parent chain thousands of levels deep (recursion, or a hostile span
//!   file) would otherwise give thousands of stages whose paths grow with
//!   their depth: output and storage quadratic in the number of spans.
//!
//! [`preorder`] lists a placed tree depth first, each node followed by its
//! children in an order the caller chooses.
//!
//! Both are iterative and linear in the number of spans: a parent chain
//! thousands of spans deep cannot overflow the stack, and no path is
//! longer than [`MAX_STAGE_PATH_BYTES`] (or its root's name).
//!
//! ```
//! use perfwatch_model::span_tree::{place, TreeNode};
//!
//! let nodes = [
//!     TreeNode { id: 2, parent: Some(1), name: "fetch" },
//!     TreeNode { id: 1, parent: None, name: "job" },
//!     TreeNode { id: 3, parent: Some(99), name: "orphan" },
//! ];
//! let tree = place(&nodes);
//! assert_eq!(tree.path(0), "job/fetch");
//! assert_eq!(tree.placements[0].parent, Some(1));
//! assert_eq!(tree.placements[0].depth, 1);
//! assert_eq!(tree.placements[2].parent, None);
//! assert_eq!(tree.unknown_parents, 1);
//! ```

mod order;
mod place;

#[cfg(test)]
mod tests;

pub use order::preorder;
pub use place::{
    place, place_spans, Placement, SpanTree, StagePath, TreeNode, MAX_STAGE_DEPTH,
    MAX_STAGE_PATH_BYTES,
};
