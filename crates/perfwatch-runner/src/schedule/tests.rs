use super::*;
use proptest::prelude::*;
use std::time::Duration;

/// Runs a schedule to completion with a fake executor whose iterations of
/// variant `v` take `walls[v]` seconds; returns the slots in order.
fn drive(mut s: Schedule, walls: &[f64]) -> Vec<Slot> {
    let mut out = Vec::new();
    while let Some(slot) = s.next_slot() {
        s.finished(slot, walls[slot.variant]);
        out.push(slot);
        assert!(out.len() < 100_000, "schedule does not end");
    }
    out
}

fn measured(slots: &[Slot]) -> Vec<usize> {
    slots
        .iter()
        .filter(|s| !s.warmup)
        .map(|s| s.variant)
        .collect()
}

fn count(slots: &[Slot], v: usize) -> usize {
    slots.iter().filter(|s| !s.warmup && s.variant == v).count()
}

fn runs(min_runs: u32, max_runs: Option<u32>, min_time_s: f64) -> RunCount {
    RunCount {
        exact: None,
        min_runs,
        max_runs,
        min_time: Duration::from_secs_f64(min_time_s),
    }
}

#[test]
fn warmups_come_first_per_variant_then_rounds() {
    let s = Schedule::new(2, 2, RunCount::exact(3), Order::Interleaved);
    let slots = drive(s, &[0.1, 0.1]);
    let warm: Vec<usize> = slots
        .iter()
        .take_while(|s| s.warmup)
        .map(|s| s.variant)
        .collect();
    assert_eq!(warm, vec![0, 0, 1, 1]);
    assert_eq!(measured(&slots), vec![0, 1, 0, 1, 0, 1]);
}

#[test]
fn sequential_runs_each_variant_in_turn() {
    let s = Schedule::new(3, 0, RunCount::exact(2), Order::Sequential);
    assert_eq!(measured(&drive(s, &[1.0; 3])), vec![0, 0, 1, 1, 2, 2]);
}

#[test]
fn run_counts_follow_min_runs_min_time_and_max_runs() {
    // (name, run count, wall of one iteration, expected runs)
    let cases = [
        ("min_time dominates", runs(2, None, 1.0), 0.1, 10),
        ("min_runs dominates", runs(10, None, 3.0), 1.0, 10),
        ("max_runs caps", runs(10, Some(5), 3.0), 0.01, 5),
        ("max_runs caps min_time", runs(1, Some(7), 100.0), 0.5, 7),
        ("zero min_runs still runs once", runs(0, None, 0.0), 0.5, 1),
        (
            "slow command stops at min_runs",
            runs(3, None, 3.0),
            10.0,
            3,
        ),
    ];
    for (name, rc, wall, expected) in cases {
        for order in [Order::Interleaved, Order::Sequential] {
            let s = Schedule::new(1, 0, rc, order);
            assert_eq!(
                measured(&drive(s, &[wall])).len(),
                expected,
                "{name} {order:?}"
            );
        }
    }
}

#[test]
fn interleaved_variants_share_min_time_and_get_equal_counts() {
    // A round costs 0.4 s; 2 variants × 1 s needs 5 rounds.
    let s = Schedule::new(2, 0, runs(1, None, 1.0), Order::Interleaved);
    let slots = drive(s, &[0.1, 0.3]);
    assert_eq!((count(&slots, 0), count(&slots, 1)), (5, 5));
}

#[test]
fn sequential_variants_each_reach_min_time() {
    let s = Schedule::new(2, 0, runs(1, None, 1.0), Order::Sequential);
    let slots = drive(s, &[0.1, 0.5]);
    assert_eq!((count(&slots, 0), count(&slots, 1)), (10, 2));
}

#[test]
fn shuffled_rounds_are_seeded_permutations() {
    let run = |seed| {
        let s = Schedule::new(4, 0, RunCount::exact(10), Order::Shuffled { seed });
        measured(&drive(s, &[0.1; 4]))
    };
    let a = run(7);
    assert_eq!(a, run(7), "same seed, same order");
    assert_ne!(a, run(8), "another seed, another order");
    for round in a.chunks(4) {
        let mut r = round.to_vec();
        r.sort_unstable();
        assert_eq!(r, vec![0, 1, 2, 3]);
    }
    assert!(
        a.chunks(4).any(|r| r != [0, 1, 2, 3]),
        "ten rounds are not all in plan order"
    );
}

#[test]
fn estimate_tracks_measurements() {
    let mut s = Schedule::new(2, 1, runs(10, None, 3.0), Order::Interleaved);
    assert_eq!(s.estimate_total(), 2 + 20);
    for _ in 0..4 {
        let slot = s.next_slot().unwrap();
        s.finished(slot, 0.1);
    }
    // 0.1 s per iteration: 30 rounds reach 3 s per variant.
    assert_eq!(s.estimate_total(), 2 + 60);

    let mut s = Schedule::new(1, 0, RunCount::exact(4), Order::Sequential);
    assert_eq!(s.estimate_total(), 4);
    let slot = s.next_slot().unwrap();
    s.finished(slot, 9.0);
    assert_eq!(s.estimate_total(), 4);
}

#[test]
fn a_stopped_schedule_finishes_its_round_and_runs_no_other() {
    let mut s = Schedule::new(2, 1, RunCount::exact(50), Order::Shuffled { seed: 3 });
    let mut measured = 0;
    while let Some(slot) = s.next_slot() {
        s.finished(slot, 0.1);
        assert!(
            !(slot.warmup && s.round_complete()),
            "warm-ups end no round"
        );
        if !slot.warmup {
            measured += 1;
        }
        if s.round_complete() && measured == 6 {
            s.stop();
        }
    }
    assert_eq!(measured, 6, "three rounds of two variants");
    assert_eq!(s.estimate_total(), 8, "two warm-ups and six runs");
}

#[test]
fn no_variants_means_nothing_to_run() {
    let mut s = Schedule::new(0, 3, RunCount::exact(3), Order::Interleaved);
    assert_eq!(s.next_slot(), None);
}

fn order_strategy() -> impl Strategy<Value = Order> {
    prop_oneof![
        Just(Order::Interleaved),
        Just(Order::Sequential),
        any::<u64>().prop_map(|seed| Order::Shuffled { seed }),
    ]
}

proptest! {
    #[test]
    fn exact_counts_are_exact(nv in 1usize..5, n in 1u32..15, warm in 0u32..3, order in order_strategy()) {
        let slots = drive(Schedule::new(nv, warm, RunCount::exact(n), order), &[0.2; 5]);
        for v in 0..nv {
            prop_assert_eq!(count(&slots, v), n as usize);
            prop_assert_eq!(slots.iter().filter(|s| s.warmup && s.variant == v).count(), warm as usize);
        }
        let first_measured = slots.iter().position(|s| !s.warmup).unwrap();
        prop_assert!(slots[first_measured..].iter().all(|s| !s.warmup));
    }

    #[test]
    fn counts_stay_within_bounds(
        walls in proptest::collection::vec(0.001f64..2.0, 1..4),
        min_runs in 1u32..12,
        extra in proptest::option::of(0u32..20),
        min_time in 0.0f64..5.0,
        order in order_strategy(),
    ) {
        let max_runs = extra.map(|e| min_runs + e);
        let nv = walls.len();
        let slots = drive(Schedule::new(nv, 0, runs(min_runs, max_runs, min_time), order), &walls);
        let counts: Vec<usize> = (0..nv).map(|v| count(&slots, v)).collect();
        for &c in &counts {
            prop_assert!(c >= min_runs as usize);
            if let Some(max) = max_runs { prop_assert!(c <= max as usize); }
        }
        if order != Order::Sequential {
            prop_assert!(counts.iter().all(|&c| c == counts[0]), "rounds keep counts equal: {:?}", counts);
            let total: f64 = (0..nv).map(|v| walls[v] * counts[v] as f64).sum();
            let capped = max_runs.is_some_and(|m| counts[0] == m as usize);
            prop_assert!(capped || total >= min_time * nv as f64 - 1e-9);
        }
    }
}
