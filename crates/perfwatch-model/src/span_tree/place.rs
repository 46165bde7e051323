//! Placing spans: parent links resolved, cycles cut, stage paths interned
//! and depths counted, spans too deep folded.

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

/// Deepest level analysed as a stage of its own: a span with this many
/// ancestors or more is folded into its ancestor at level
/// `MAX_STAGE_DEPTH - 1` (see the [module documentation](super)).
pub const MAX_STAGE_DEPTH: u32 = 64;

/// Longest stage path, in bytes, of a span that has a parent: a span whose
/// path would be longer is folded into its parent's stage. A root's path
/// is its name, whatever its length.
pub const MAX_STAGE_PATH_BYTES: usize = 4096;

/// Where one span sits in its iteration's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Index into [`SpanTree::stages`] of the span's stage — for a folded
    /// span, the stage of the ancestor it is folded into.
    pub stage: usize,
    /// Number of ancestors, 0 for a root (folded or not).
    pub depth: u32,
    /// Index (in the input) of the enclosing span; `None` for a root.
    pub parent: Option<usize>,
    /// Whether the span is folded into an ancestor's stage: nested too
    /// deep, or its path too long, to be a stage of its own.
    pub folded: bool,
}

/// One distinct stage path of an iteration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePath {
    /// Names from the root down, escaped and joined by `/`.
    pub path: String,
    /// Index into [`SpanTree::stages`] of the enclosing stage.
    pub parent: Option<usize>,
    /// Number of enclosing stages, 0 for a root.
    pub depth: u32,
    /// For a stage that spans were folded into: how many levels below it
    /// the deepest of them sat; 0 when nothing was folded into it.
    pub folded_levels: u32,
}

/// Every span of an iteration placed, and what had to be repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanTree {
    /// One placement per input span, in input order.
    pub placements: Vec<Placement>,
    /// The distinct stage paths, each stored once: a parent's before its
    /// children's.
    pub stages: Vec<StagePath>,
    /// Spans whose parent id named no span (made roots).
    pub unknown_parents: usize,
    /// Cycles of parent links cut (one span of each made a root).
    pub cycles_cut: usize,
    /// Spans whose id was already taken by another span.
    pub duplicate_ids: usize,
    /// Spans folded into an ancestor's stage.
    pub folded: usize,
}

impl SpanTree {
    /// The stage path of span `i` (for a folded span, its ancestor's).
    pub fn path(&self, i: usize) -> &str {
        &self.stages[self.placements[i].stage].path
    }

    /// The span paths, in input order.
    pub fn paths(&self) -> impl Iterator<Item = &str> + '_ {
        self.placements
            .iter()
            .map(|p| self.stages[p.stage].path.as_str())
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
    // Ids numbered 1, 2, 3… in order (as every iteration perfwatch
    // assembles has them) index themselves: no map to build.
    let dense = nodes.iter().enumerate().all(|(i, n)| n.id == i as u64 + 1);
    let (by_id, duplicate_ids) = if dense {
        (HashMap::new(), 0)
    } else {
        index_ids(nodes)
    };
    let mut unknown_parents = 0;
    let mut links: Vec<Option<usize>> = nodes
        .iter()
        .map(|n| {
            let p = n.parent?;
            let found = if dense {
                usize::try_from(p)
                    .ok()
                    .filter(|&p| (1..=nodes.len()).contains(&p))
                    .map(|p| p - 1)
            } else {
                by_id.get(&p).copied()
            };
            unknown_parents += usize::from(found.is_none());
            found
        })
        .collect();
    let cycles_cut = cut_cycles(nodes, &mut links);
    let (placements, stages) = placements(nodes, &links);
    SpanTree {
        placements,
        stages: stages.list,
        unknown_parents,
        cycles_cut,
        duplicate_ids,
        folded: stages.folded,
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
/// (or a root), then place the chain on the way down. Each distinct stage
/// path is built once, from its parent stage's path and the name.
fn placements<'a>(nodes: &[TreeNode<'a>], links: &[Option<usize>]) -> (Vec<Placement>, Stages<'a>) {
    let mut stages = Stages::default();
    // Not placed yet: no stage. (One vector, not a vector of options
    // collected into another: a million spans are held once.)
    const UNPLACED: Placement = Placement {
        stage: usize::MAX,
        depth: 0,
        parent: None,
        folded: false,
    };
    let mut placed: Vec<Placement> = vec![UNPLACED; nodes.len()];
    let mut chain = Vec::new();
    for start in 0..nodes.len() {
        let mut at = Some(start);
        while let Some(i) = at.filter(|&i| placed[i].stage == usize::MAX) {
            chain.push(i);
            at = links[i];
        }
        while let Some(i) = chain.pop() {
            let parent = links[i];
            let above = parent.map(|p| placed[p]);
            placed[i] = stages.place(above, parent, nodes[i].name);
        }
    }
    (placed, stages)
}

/// Stages an iteration may have before they are looked up by hashing
/// rather than by comparing with each: most iterations have a few (a
/// monitored run of 8 spans, 8), and hashing the names cost more than the
/// comparisons.
const SCAN_STAGES: usize = 16;

/// The stage paths interned so far.
#[derive(Default)]
struct Stages<'a> {
    list: Vec<StagePath>,
    /// Each stage's enclosing stage and name, in the order of `list`.
    keys: Vec<(Option<usize>, &'a str)>,
    /// The same, by key: built once there are more than [`SCAN_STAGES`].
    by_key: HashMap<(Option<usize>, &'a str), usize>,
    folded: usize,
}

impl<'a> Stages<'a> {
    /// The stage of `key`, if it has one yet.
    fn find(&self, key: (Option<usize>, &'a str)) -> Option<usize> {
        if self.keys.len() > SCAN_STAGES {
            self.by_key.get(&key).copied()
        } else {
            self.keys.iter().position(|&k| k == key)
        }
    }

    /// Places a span named `name` under `above` (the placement of its
    /// parent, index `parent`), folding it when it is too deep or its path
    /// too long.
    fn place(
        &mut self,
        above: Option<Placement>,
        parent: Option<usize>,
        name: &'a str,
    ) -> Placement {
        let depth = above.map_or(0, |a| a.depth.saturating_add(1));
        if let Some(a) = above {
            let parent_stage = &self.list[a.stage];
            let too_long =
                || parent_stage.path.len() + 1 + escaped_len(name) > MAX_STAGE_PATH_BYTES;
            if a.folded || depth >= MAX_STAGE_DEPTH || too_long() {
                self.folded += 1;
                let stage = &mut self.list[a.stage];
                let below = depth.saturating_sub(stage.depth);
                stage.folded_levels = stage.folded_levels.max(below);
                return Placement {
                    stage: a.stage,
                    depth,
                    parent,
                    folded: true,
                };
            }
        }
        let parent_stage = above.map(|a| a.stage);
        let key = (parent_stage, name);
        let stage = match self.find(key) {
            Some(s) => s,
            None => {
                let path = child_path(parent_stage.map(|s| self.list[s].path.as_str()), name);
                self.list.push(StagePath {
                    path,
                    parent: parent_stage,
                    depth: parent_stage.map_or(0, |s| self.list[s].depth + 1),
                    folded_levels: 0,
                });
                self.keys.push(key);
                let at = self.list.len() - 1;
                if self.keys.len() > SCAN_STAGES {
                    if self.by_key.is_empty() {
                        self.by_key = self.keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
                    } else {
                        self.by_key.insert(key, at);
                    }
                }
                at
            }
        };
        Placement {
            stage,
            depth,
            parent,
            folded: false,
        }
    }
}

/// Length of `name` once escaped into a path.
fn escaped_len(name: &str) -> usize {
    name.len() + name.bytes().filter(|&b| b == b'/' || b == b'\\').count()
}
