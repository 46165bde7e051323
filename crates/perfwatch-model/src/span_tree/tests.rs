use super::*;
use proptest::prelude::*;

fn node(id: u64, parent: Option<u64>, name: &str) -> TreeNode<'_> {
    TreeNode { id, parent, name }
}

/// (path, depth, parent index) of every node.
fn placed(nodes: &[TreeNode<'_>]) -> Vec<(String, u32, Option<usize>)> {
    place(nodes)
        .placements
        .into_iter()
        .map(|p| (p.path, p.depth, p.parent))
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
    assert_eq!(tree.placements[1].path, "job/zeta");
    assert_eq!(tree.placements[2].path, "job/alpha");
    assert_eq!(tree.placements[3].path, "job/alpha/leaf");
    assert_eq!(tree.placements[3].parent, Some(2));
    // A root sorts before a child: `None` comes first.
    let nodes = [
        node(1, Some(5), "x"),
        node(1, None, "y"),
        node(2, Some(1), "c"),
    ];
    assert_eq!(place(&nodes).placements[2].path, "y/c");
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
    assert_eq!(tree.placements[7_999].path, "0");
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
    /// (a parent compared by what it is, not by where it sits).
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
            (a.unknown_parents, a.cycles_cut, a.duplicate_ids),
            (b.unknown_parents, b.cycles_cut, b.duplicate_ids)
        );
        for (k, &i) in perm.iter().enumerate() {
            let (pa, pb) = (&a.placements[i], &b.placements[k]);
            prop_assert_eq!(&pa.path, &pb.path);
            prop_assert_eq!(pa.depth, pb.depth);
            prop_assert_eq!(
                pa.parent.map(|p| nodes[p]),
                pb.parent.map(|p| shuffled[p])
            );
        }
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
                        crate::stage_path::parent_path(&p.path),
                        Some(up.path.as_str())
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
}
