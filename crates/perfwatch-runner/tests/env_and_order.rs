//! What reaches the child, and in which order iterations run.

use crate::harness::*;
use perfwatch_model::VariantSpec;
use perfwatch_runner::{run, Cancel, Order, Plan, RunCount};
use std::time::Duration;

fn variant(name: &str, mode: &str) -> VariantSpec {
    let mut v = VariantSpec {
        name: name.into(),
        ..VariantSpec::default()
    };
    v.env.insert("MODE".into(), mode.into());
    v.args = vec![format!("arg-{name}")];
    v
}

fn two_variants(log: &std::path::Path, runs: u32) -> Plan {
    let script = format!(
        "echo \"$PERFWATCH_ITERATION $PERFWATCH_VARIANT $MODE $SHARED $1\" >> {}",
        q(log)
    );
    // A direct command (not shell) so the variant's argument is `$1`.
    let mut plan = argv(&["sh", "-c", &script, "sh"], runs);
    plan.variants = vec![variant("a", "x"), variant("b", "y")];
    plan.extra_env = vec![
        ("SHARED".into(), "s".into()),
        ("MODE".into(), "plan".into()),
    ];
    plan
}

#[test]
fn environment_and_arguments_reach_the_child() {
    let dir = scratch();
    let log = dir.path().join("log");
    let mut plan = two_variants(&log, 1);
    plan.warmup = 1;
    let mut rec = Recorder::default();
    let out = run(&plan, &mut [], &mut rec, &Cancel::new()).unwrap();
    assert_eq!(
        lines(&log),
        [
            "0 a x s arg-a",
            "1 b y s arg-b",
            "2 a x s arg-a",
            "3 b y s arg-b"
        ]
    );
    let seen: Vec<(u32, &str, bool)> = out
        .iterations
        .iter()
        .map(|it| (it.index, it.variant.as_str(), it.warmup))
        .collect();
    assert_eq!(
        seen,
        [
            (0, "a", true),
            (1, "b", true),
            (2, "a", false),
            (3, "b", false)
        ]
    );
    let started: Vec<(u32, &str, bool)> = rec
        .started
        .iter()
        .map(|(i, v, w)| (*i, v.as_str(), *w))
        .collect();
    assert_eq!(started, seen);
    assert_eq!(rec.planned.first(), Some(&4));
}

#[test]
fn orders_interleave_shuffle_or_run_in_sequence() {
    let dir = scratch();
    let log = dir.path().join("log");
    let variants_of = |order: Order| {
        let mut plan = two_variants(&log, 3);
        plan.order = order;
        plan.sample_interval = None;
        let out = run_plan(&plan);
        out.iterations
            .iter()
            .map(|it| it.variant.clone())
            .collect::<Vec<_>>()
            .join("")
    };
    assert_eq!(variants_of(Order::Interleaved), "ababab");
    assert_eq!(variants_of(Order::Sequential), "aaabbb");
    let shuffled = variants_of(Order::Shuffled { seed: 42 });
    assert_eq!(shuffled, variants_of(Order::Shuffled { seed: 42 }));
    for round in shuffled.as_bytes().chunks(2) {
        assert!(round == b"ab" || round == b"ba", "{shuffled}");
    }
}

#[test]
fn min_time_adds_runs_beyond_min_runs() {
    let mut plan = argv(&["sleep", "0.05"], 1);
    plan.runs = RunCount {
        exact: None,
        min_runs: 2,
        max_runs: Some(50),
        min_time: Duration::from_millis(400),
    };
    plan.sample_interval = None;
    let mut rec = Recorder::default();
    let out = run(&plan, &mut [], &mut rec, &Cancel::new()).unwrap();
    let n = out.iterations.len();
    let total: f64 = out.iterations.iter().map(|it| it.wall_s).sum();
    assert!(total >= 0.4, "ran {n} times for {total} s");
    assert!(
        (3..=9).contains(&n),
        "sleep 0.05 needs at most 8 runs for 0.4 s, ran {n}"
    );
    assert_eq!(rec.planned.first(), Some(&2));
    assert!(
        rec.planned.len() >= 2,
        "the estimate was refined: {:?}",
        rec.planned
    );
}

#[test]
fn the_working_directory_is_used() {
    let dir = scratch();
    let mut plan = sh("pwd > where", 1);
    plan.cwd = Some(dir.path().to_path_buf());
    run_plan(&plan);
    let canon = dir.path().canonicalize().unwrap();
    assert_eq!(
        lines(&dir.path().join("where")),
        [canon.display().to_string()]
    );
}

#[test]
fn each_variant_runs_its_program_in_its_own_working_directory() {
    // Two checkouts with a program of the same relative name, each exiting
    // with its own code: the variant's directory decides which one runs.
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for (i, dir) in dirs.iter().enumerate() {
        let script = dir.path().join("prog");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\ntest \"$(pwd)\" = '{}' && exit {}\nexit 9\n",
                dir.path().display(),
                3 + i
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut plan = argv(&["./prog"], 1);
    plan.ignore_failure = true;
    plan.variants = vec![variant("a", "x"), variant("b", "x")];
    plan.variant_cwd = dirs.iter().map(|d| Some(d.path().to_path_buf())).collect();
    let outcome = run_plan(&plan);
    let codes: Vec<(String, Option<i32>)> = outcome
        .iterations
        .iter()
        .map(|it| (it.variant.clone(), it.exit_code))
        .collect();
    assert_eq!(
        codes,
        [("a".to_string(), Some(3)), ("b".to_string(), Some(4))]
    );
}
