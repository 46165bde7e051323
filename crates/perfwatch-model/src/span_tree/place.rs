//! Placing spans: parent links resolved, cycles cut, paths and depths.

use crate::stage_path::child_path;
use crate::Span;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// What placing needs of a span: its id, its parent's id and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeNode<'a> {
    /// Id of the span within its iteration.
    pub id: u64,
    /// Id of the enclosing span, if any.
    pub parent: Option<u64>,
    /// Stage name.
    pub name: &'a str,
}

impl<'a> From<&'a Span> for TreeNode<'a> {
    fn from(s: &'a Span) -> Self {
        TreeNode {
            id: s.id,
            parent: s.parent,
            name: &s.name,
        }
    }
}

/// Where one span sits in its iteration's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Names from the root down to the span, escaped and joined by `/`.
    pub path: String,
    /// Number of ancestors, 0 for a root.
    pub depth: u32,
    /// Index (in the input) of the enclosing span; `None` for a root.
    pub parent: Option<usize>,
}

/// Every span of an iteration placed, and what had to be repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanTree {
    /// One placement per input span, in input order.
    pub placements: Vec<Placement>,
    /// Spans whose parent id named no span (made roots).
    pub unknown_parents: usize,
    /// Cycles of parent links cut (one span of each made a root).
    pub cycles_cut: usize,
    /// Spans whose id was already taken by another span.
    pub duplicate_ids: usize,
}

impl SpanTree {
    /// The span paths, in input order.
    pub fn paths(&self) -> impl Iterator<Item = &str> + '_ {
        self.placements.iter().map(|p| p.path.as_str())
    }

    /// The parent indices, in input order.
    pub fn parents(&self) -> Vec<Option<usize>> {
        self.placements.iter().map(|p| p.parent).collect()
    }
}

/// Places spans by the rules of the [module documentation](super).
pub fn place_spans(spans: &[Span]) -> SpanTree {
    let nodes: Vec<TreeNode<'_>> = spans.iter().map(TreeNode::from).collect();
    place(&nodes)
}

/// Places nodes by the rules of the [module documentation](super).
pub fn place(nodes: &[TreeNode<'_>]) -> SpanTree {
    if nodes.is_empty() {
        // Most iterations of uninstrumented commands: nothing to index.
        return SpanTree::default();
    }
    let (by_id, duplicate_ids) = index_ids(nodes);
    let mut unknown_parents = 0;
    let mut links: Vec<Option<usize>> = nodes
        .iter()
        .map(|n| {
            let p = n.parent?;
            let found = by_id.get(&p).copied();
            unknown_parents += usize::from(found.is_none());
            found
        })
        .collect();
    let cycles_cut = cut_cycles(nodes, &mut links);
    SpanTree {
        placements: paths_and_depths(nodes, &links),
        unknown_parents,
        cycles_cut,
        duplicate_ids,
    }
}

/// The node children attach to for each id, and how many nodes lost
/// their id to another.
fn index_ids(nodes: &[TreeNode<'_>]) -> (HashMap<u64, usize>, usize) {
    let mut by_id: HashMap<u64, usize> = HashMap::with_capacity(nodes.len());
    let mut duplicates = 0;
    for (i, n) in nodes.iter().enumerate() {
        match by_id.entry(n.id) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(mut e) => {
                duplicates += 1;
                let held = &nodes[*e.get()];
                if (n.parent, n.name) < (held.parent, held.name) {
                    e.insert(i);
                }
            }
        }
    }
    (by_id, duplicates)
}

/// Cuts every cycle of `links` at its node of smallest id; returns the
/// number of cycles cut.
///
/// Each node is walked once: a walk climbs through unvisited nodes until
/// it reaches a root, a node finished by an earlier walk, or a node of its
/// own — then it has closed a cycle, made of the nodes walked since that
/// one.
fn cut_cycles(nodes: &[TreeNode<'_>], links: &mut [Option<usize>]) -> usize {
    const NEW: u8 = 0;
    const WALKING: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let mut walk: Vec<usize> = Vec::new();
    let mut cut = 0;
    for start in 0..nodes.len() {
        let mut at = Some(start);
        while let Some(i) = at.filter(|&i| state[i] == NEW) {
            state[i] = WALKING;
            walk.push(i);
            at = links[i];
        }
        if let Some(closing) = at.filter(|&i| state[i] == WALKING) {
            let from = walk.iter().rposition(|&i| i == closing).unwrap_or(0);
            if let Some(&root) = walk[from..].iter().min_by_key(|&&i| nodes[i].id) {
                links[root] = None;
                cut += 1;
            }
        }
        for i in walk.drain(..) {
            state[i] = DONE;
        }
    }
    cut
}

/// Each node's placement, given acyclic links: walk up to a placed node
/// (or a root), then place the chain on the way down.
fn paths_and_depths(nodes: &[TreeNode<'_>], links: &[Option<usize>]) -> Vec<Placement> {
    let mut placed: Vec<Option<Placement>> = vec![None; nodes.len()];
    let mut chain = Vec::new();
    for start in 0..nodes.len() {
        let mut at = Some(start);
        while let Some(i) = at.filter(|&i| placed[i].is_none()) {
            chain.push(i);
            at = links[i];
        }
        while let Some(i) = chain.pop() {
            let parent = links[i];
            let above = parent.and_then(|p| placed[p].as_ref());
            placed[i] = Some(Placement {
                path: child_path(above.map(|a| a.path.as_str()), nodes[i].name),
                depth: above.map_or(0, |a| a.depth.saturating_add(1)),
                parent,
            });
        }
    }
    placed.into_iter().flatten().collect()
}
