//! Listing a placed tree depth first.

use std::cmp::Ordering;

/// The nodes of a forest in depth-first order: each node is followed by
/// its children (and theirs) before its next sibling; roots and the
/// children of one node come in the order `cmp` gives them.
///
/// `parents[i]` is the index of node `i`'s parent, `None` for a root (as
/// [`place`](super::place) gives them). Parent links are expected to be
/// acyclic; a node that no root reaches (a cycle, or a parent index out of
/// range) is listed anyway, after the others, with its subtree, so that
/// nothing is ever lost. Iterative: any depth is fine.
///
/// ```
/// use perfwatch_model::span_tree::preorder;
///
/// // 0 ─┬─ 1 ── 3
/// //    └─ 2
/// let parents = [None, Some(0), Some(0), Some(1)];
/// let share: [f64; 4] = [1.0, 0.2, 0.7, 0.1];
/// // Siblings by share, largest first.
/// let order = preorder(&parents, |a, b| share[b].total_cmp(&share[a]));
/// assert_eq!(order, [0, 2, 1, 3]);
/// ```
pub fn preorder(
    parents: &[Option<usize>],
    mut cmp: impl FnMut(usize, usize) -> Ordering,
) -> Vec<usize> {
    let n = parents.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots: Vec<usize> = Vec::new();
    for (i, p) in parents.iter().enumerate() {
        match p.filter(|&p| p < n && p != i) {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    for list in children.iter_mut() {
        list.sort_by(|&a, &b| cmp(a, b));
    }
    roots.sort_by(|&a, &b| cmp(a, b));

    let mut order = Vec::with_capacity(n);
    let mut listed = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    // Roots first; then whatever no root reached, in index order.
    for top in roots.into_iter().chain(0..n) {
        stack.push(top);
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut listed[i], true) {
                continue;
            }
            order.push(i);
            stack.extend(children[i].iter().rev());
        }
    }
    order
}
