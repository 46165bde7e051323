use super::*;
use proptest::prelude::*;

fn node(id: u64, parent: Option<u64>, name: &str) -> TreeNode<'_> {
    TreeNode { id, parent, name }
}

/// (path, depth, parent index) of every node.
fn placed(nodes: &[TreeNode<'_>]) -> Vec<(String, u32, Option<usize>)> {
    let tree = place(nodes);
    tree.placements
        .iter()
        .enumerate()
        .map(|(i, p)| (tree.path(i).to_string(), p.depth, p.parent))
        .collect()
}

fn row(path: &str, depth: u32, parent: Option<usize>) -> (String, u32, Option<usize>) {
    (path.to_string(), depth, parent)
}

#[test]
fn nested_spans_get_paths_depths_and_parents_whatever_the_order() {
    let nodes = [
        node(3, Some(2), "parse"),
        node(1, None, "job"),
        node(2, Some(1), "load"),
        node(4, Some(1), "GET /x"),
    ];
    assert_eq!(
        placed(&nodes),
        [
            row("job/load/parse", 2, Some(2)),
            row("job", 0, None),
            row("job/load", 1, Some(1)),
            row(r"job/GET \/x", 1, Some(1)),
        ]
    );
    let tree = place(&nodes);
    assert_eq!(
        (tree.unknown_parents, tree.cycles_cut, tree.duplicate_ids),
        (0, 0, 0)
    );
    assert!(place(&[]).placements.is_empty());
}

#[test]
fn unknown_parents_make_roots_and_are_counted() {
    let nodes = [node(1, Some(99), "orphan"), node(2, Some(1), "child")];
    assert_eq!(
        placed(&nodes),
        [row("orphan", 0, None), row("orphan/child", 1, Some(0))]
    );
    assert_eq!(place(&nodes).unknown_parents, 1);
}

#[test]
fn a_cycle_is_cut_at_its_smallest_id() {
    // 6 → 5 → 7 → 6, and 8 hangs below 7.
    let nodes = [
        node(6, Some(5), "b"),
        node(7, Some(6), "c"),
        node(5, Some(7), "a"),
        node(8, Some(7), "d"),
        node(9, Some(9), "self"),
    ];
    let tree = place(&nodes);
    assert_eq!(tree.cycles_cut, 2);
    assert_eq!(tree.unknown_parents, 0);
    assert_eq!(
        placed(&nodes),
        [
            row("a/b", 1, Some(2)),
            row("a/b/c", 2, Some(0)),
            row("a", 0, None),
            row("a/b/c/d", 3, Some(1)),
            row("self", 0, None),
        ]
    );
}

#[test]
fn children_of_a_duplicate_id_attach_to_the_first_by_parent_then_name() {
    let nodes = [
        node(1, None, "job"),
        node(2, Some(1), "zeta"),
        node(2, Some(1), "alpha"),
        node(3, Some(2), "leaf"),
    ];
    let tree = place(&nodes);
    assert_eq!(tree.duplicate_ids, 1);
    assert_eq!(tree.path(1), "job/zeta");
    assert_eq!(tree.path(2), "job/alpha");
    assert_eq!(tree.path(3), "job/alpha/leaf");
    assert_eq!(tree.placements[3].parent, Some(2));
    // A root sorts before a child: `None` comes first.
    let nodes = [
        node(1, Some(5), "x"),
        node(1, None, "y"),
        node(2, Some(1), "c"),
    ];
    assert_eq!(place(&nodes).path(2), "y/c");
}

#[test]
fn a_chain_8000_deep_is_placed_without_recursion() {
    let names: Vec<String> = (0..8_000u64).map(|i| format!("{}", i % 10)).collect();
    // Deepest first, so that every walk climbs the whole chain once.
    let nodes: Vec<TreeNode<'_>> = (0..8_000u64)
        .rev()
        .map(|i| node(i, i.checked_sub(1), &names[i as usize]))
        .collect();
    let tree = place(&nodes);
    assert_eq!(tree.placements[0].depth, 7_999);
    assert_eq!(tree.placements[0].parent, Some(1));
    assert_eq!(tree.path(7_999), "0");
    assert_eq!(tree.placements[7_999].parent, None);
    // A cycle as long, closed at the top.
    let ring: Vec<TreeNode<'_>> = (0..8_000u64)
        .map(|i| node(i, Some((i + 1) % 8_000), "r"))
        .collect();
    let tree = place(&ring);
    assert_eq!(tree.cycles_cut, 1);
    assert_eq!(tree.placements[0].depth, 0);
    assert_eq!(tree.placements[1].depth, 7_999);
    let order = preorder(&tree.parents(), |a, b| a.cmp(&b));
    assert_eq!(order.len(), 8_000);
    assert_eq!(order[..3], [0, 7_999, 7_998]);
}

/// Issue 13, item 1: an 8,000-deep chain gave 8,000 stages whose paths
/// grew with their depth (a 212 MB database, 193 MB of terminal output).
#[test]
fn regression_13_spans_past_the_depth_limit_fold_into_their_ancestor() {
    let n = 8_000u64;
    let nodes: Vec<TreeNode<'_>> = (0..n).map(|i| node(i, i.checked_sub(1), "f")).collect();
    let tree = place(&nodes);
    let limit = MAX_STAGE_DEPTH as usize;
    assert_eq!(tree.stages.len(), limit);
    assert_eq!(tree.folded, n as usize - limit);
    let deepest_stage = &tree.stages[limit - 1];
    assert_eq!(deepest_stage.depth, MAX_STAGE_DEPTH - 1);
    assert_eq!(deepest_stage.folded_levels, n as u32 - MAX_STAGE_DEPTH);
    let last = tree.placements[n as usize - 1];
    assert!(last.folded);
    assert_eq!(last.depth, n as u32 - 1, "the real depth is kept");
    assert_eq!(last.parent, Some(n as usize - 2), "and so is the parent");
    assert_eq!(last.stage, limit - 1);
    assert!(!tree.placements[limit - 1].folded);
    // Linear: every path stored once, none longer than the limit allows.
    let bytes: usize = tree.stages.iter().map(|s| s.path.len()).sum();
    assert!(bytes <= limit * limit * 2, "{bytes} bytes of paths");
}

#[test]
fn regression_13_a_path_past_its_byte_limit_folds_into_the_parent() {
    let long = "x".repeat(MAX_STAGE_PATH_BYTES);
    let nodes = [
        node(1, None, "job"),
        node(2, Some(1), &long),
        node(3, Some(2), "under"),
        node(4, Some(1), "short"),
        node(5, None, &long),
    ];
    let tree = place(&nodes);
    assert_eq!(tree.folded, 2);
    assert!(tree.placements[1].folded && tree.placements[2].folded);
    assert_eq!(tree.path(1), "job");
    assert_eq!(tree.path(2), "job");
    assert_eq!(tree.stages[tree.placements[0].stage].folded_levels, 2);
    assert_eq!(tree.path(3), "job/short");
    // A root is its name, however long.
    assert_eq!(tree.path(4), long);
    assert!(!tree.placements[4].folded);
}

#[test]
fn each_distinct_path_is_one_stage() {
    let nodes = [
        node(1, None, "job"),
        node(2, Some(1), "call"),
        node(3, Some(1), "call"),
        node(4, Some(3), "leaf"),
        node(5, None, "job"),
    ];
    let tree = place(&nodes);
    let paths: Vec<&str> = tree.stages.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert_eq!(tree.placements[1].stage, tree.placements[2].stage);
    assert_eq!(tree.placements[0].stage, tree.placements[4].stage);
    let leaf = &tree.stages[tree.placements[3].stage];
    assert_eq!(leaf.parent, Some(tree.placements[1].stage));
    assert_eq!(leaf.depth, 2);
}

#[test]
fn preorder_lists_children_under_their_parent_in_the_given_order() {
    // job ─┬─ load
    //      └─ transform ─┬─ hash
    //                    └─ flaky
    // By share the order would be transform, load, hash, flaky: the
    // children of `transform` must follow it, not `load`.
    let names = ["hash", "job", "load", "flaky", "transform"];
    let share: [f64; 5] = [0.30, 1.0, 0.35, 0.20, 0.60];
    let parents = [Some(4), None, Some(1), Some(4), Some(1)];
    let order = preorder(&parents, |a, b| share[b].total_cmp(&share[a]));
    let listed: Vec<&str> = order.iter().map(|&i| names[i]).collect();
    assert_eq!(listed, ["job", "transform", "hash", "flaky", "load"]);
}

#[test]
fn preorder_keeps_nodes_no_root_reaches() {
    let parents = [Some(1), Some(0), None, Some(7)];
    let order = preorder(&parents, |a, b| a.cmp(&b));
    assert_eq!(order, [2, 3, 0, 1]);
}

/// Up to 12 nodes with ids and parents drawn from a small range, so that
/// duplicates, orphans and cycles are common.
fn arb_nodes() -> impl Strategy<Value = Vec<(u64, Option<u64>, &'static str)>> {
    prop::collection::vec(
        (
            0u64..8,
            prop::option::of(0u64..10),
            prop::sample::select(vec!["a", "b", "c/d", "e"]),
        ),
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The same spans in any order get the same paths, depths and parents
    /// (a parent compared by what it is, not by where it sits). Spans
    /// equal in id, parent and name cannot be told apart: where two such
    /// spans swap places, so may their placements, so the placements are
    /// compared as the sorted list of (span, placement) pairs.
    #[test]
    fn placement_does_not_depend_on_the_order_of_the_spans(
        (raw, perm) in arb_nodes().prop_flat_map(|raw| {
            let n = raw.len();
            (Just(raw), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
    ) {
        let nodes: Vec<TreeNode<'_>> = raw.iter().map(|&(id, p, name)| node(id, p, name)).collect();
        let shuffled: Vec<TreeNode<'_>> = perm.iter().map(|&i| nodes[i]).collect();
        let a = place(&nodes);
        let b = place(&shuffled);
        prop_assert_eq!(
            (a.unknown_parents, a.cycles_cut, a.duplicate_ids, a.folded),
            (b.unknown_parents, b.cycles_cut, b.duplicate_ids, b.folded)
        );
        let described = |tree: &SpanTree, nodes: &[TreeNode<'_>]| {
            let mut rows: Vec<_> = tree
                .placements
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let key = |n: TreeNode<'_>| (n.id, n.parent, n.name.to_string());
                    (
                        key(nodes[i]),
                        tree.path(i).to_string(),
                        p.depth,
                        p.folded,
                        p.parent.map(|q| key(nodes[q])),
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        prop_assert_eq!(described(&a, &nodes), described(&b, &shuffled));
    }

    /// Placements form a forest consistent with themselves: a parent is
    /// one level up, its path a prefix, and the preorder lists every node
    /// once, after its parent.
    #[test]
    fn placements_form_a_forest(raw in arb_nodes()) {
        let nodes: Vec<TreeNode<'_>> = raw.iter().map(|&(id, p, name)| node(id, p, name)).collect();
        let tree = place(&nodes);
        for (i, p) in tree.placements.iter().enumerate() {
            match p.parent {
                Some(q) => {
                    let up = &tree.placements[q];
                    prop_assert_eq!(p.depth, up.depth + 1);
                    prop_assert_eq!(
                        crate::stage_path::parent_path(tree.path(i)),
                        Some(tree.path(q))
                    );
                    prop_assert_eq!(nodes[i].parent, Some(nodes[q].id));
                }
                None => prop_assert_eq!(p.depth, 0),
            }
        }
        let order = preorder(&tree.parents(), |a, b| a.cmp(&b));
        let mut seen = vec![None; nodes.len()];
        for (k, &i) in order.iter().enumerate() {
            prop_assert!(seen[i].is_none());
            seen[i] = Some(k);
        }
        for (i, p) in tree.placements.iter().enumerate() {
            if let Some(q) = p.parent {
                prop_assert!(seen[q] < seen[i]);
            }
        }
    }

    /// Ids numbered 1, 2, 3… in order take the short way (no map of
    /// ids); the same spans with every id and parent moved out of that
    /// numbering take the map. Both place alike, cycles, unknown parents
    /// (0 and past the last id among them) and folding included.
    #[test]
    fn dense_ids_place_as_the_map_of_ids_does(
        spans in prop::collection::vec(
            (prop::option::of(0u64..14), prop::sample::select(vec!["a", "b", "c/d", "e"])),
            0..12,
        ),
    ) {
        let dense: Vec<TreeNode<'_>> = spans
            .iter()
            .enumerate()
            .map(|(i, &(p, name))| node(i as u64 + 1, p, name))
            .collect();
        let moved: Vec<TreeNode<'_>> = dense
            .iter()
            .map(|n| node(n.id + 1000, n.parent.map(|p| p + 1000), n.name))
            .collect();
        let (a, b) = (place(&dense), place(&moved));
        prop_assert_eq!(
            (a.unknown_parents, a.cycles_cut, a.duplicate_ids, a.folded),
            (b.unknown_parents, b.cycles_cut, b.duplicate_ids, b.folded)
        );
        prop_assert_eq!(placed(&dense), placed(&moved));
    }

    /// Iterations with many stages (past the few looked up by comparing
    /// with each, into those looked up by hashing) still make each
    /// distinct path one stage, and give every span the path its chain of
    /// parents spells.
    #[test]
    fn many_stages_intern_each_distinct_path_once(
        spans in prop::collection::vec(
            (prop::option::of(1u64..60), prop::sample::select(vec!["a", "b", "c", "d/e"])),
            0..60,
        ),
    ) {
        let nodes: Vec<TreeNode<'_>> = spans
            .iter()
            .enumerate()
            .map(|(i, &(p, name))| node(i as u64 + 1, p.filter(|&p| p <= i as u64), name))
            .collect();
        let tree = place(&nodes);
        let mut paths: Vec<&str> = tree.stages.iter().map(|s| s.path.as_str()).collect();
        paths.sort_unstable();
        let before = paths.len();
        paths.dedup();
        prop_assert_eq!(paths.len(), before, "a path interned twice");
        for (i, n) in nodes.iter().enumerate() {
            // Parents come first here: each span's path is its parent's
            // and its name.
            let parent = n.parent.map(|p| tree.path(p as usize - 1));
            prop_assert_eq!(tree.path(i), crate::stage_path::child_path(parent, n.name));
        }
    }
}
