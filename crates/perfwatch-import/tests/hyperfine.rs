//! hyperfine's JSON export.

use crate::support::HYPERFINE_TWO_COMMANDS;
use perfwatch_import::{import_hyperfine, ImportError};
use perfwatch_model::SessionStatus;
use proptest::prelude::*;

#[test]
fn a_file_comparing_two_commands_is_one_session_with_two_variants() {
    let imported = import_hyperfine(HYPERFINE_TWO_COMMANDS, "bench/compare-threads.json").unwrap();
    assert_eq!(imported.len(), 1);
    let session = &imported[0].session;
    assert_eq!(session.benchmark, "compare-threads");
    assert_eq!(
        session.command.display(),
        "hyperfine 'rg -j 1 TODO src' 'rg -j 4 TODO src'"
    );
    let names: Vec<_> = session.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["rg -j 1 TODO src", "rg -j 4 TODO src"]);
    assert_eq!(
        session.variants[0].description.as_deref(),
        Some("parameters: threads=1")
    );
    assert_eq!(
        session.variants[1].description.as_deref(),
        Some("parameters: threads=4")
    );
    assert!(session
        .variants
        .iter()
        .all(|v| v.env.is_empty() && v.args.is_empty()));
    assert_eq!(session.status, SessionStatus::Complete);
    assert_eq!(session.git, None);
    assert_eq!(session.host.os, std::env::consts::OS);
    assert_eq!(session.host.hostname, None);
    assert_eq!(session.perfwatch_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(session.id.len(), 32);
    assert!(session.started_at.ends_with('Z'));
}

#[test]
fn every_run_is_an_iteration_in_hyperfine_order() {
    let imported = import_hyperfine(HYPERFINE_TWO_COMMANDS, "compare-threads.json").unwrap();
    let its = &imported[0].iterations;
    assert_eq!(its.len(), 10);
    let indices: Vec<u32> = its.iter().map(|it| it.index).collect();
    assert_eq!(indices, (0..10).collect::<Vec<_>>());
    let walls: Vec<f64> = its.iter().map(|it| it.wall_s).collect();
    assert_eq!(
        walls,
        [0.0512, 0.0498, 0.0531, 0.0505, 0.0509, 0.0214, 0.0198, 0.0207, 0.0221, 0.0203]
    );
    assert!(its[..5].iter().all(|it| it.variant == "rg -j 1 TODO src"));
    assert!(its[5..].iter().all(|it| it.variant == "rg -j 4 TODO src"));
    let codes: Vec<Option<i32>> = its[5..].iter().map(|it| it.exit_code).collect();
    assert_eq!(codes, [Some(0), Some(0), Some(1), Some(0), None]);
    assert_eq!(its[2].max_rss_bytes, Some(9_502_720));
    // hyperfine writes 0 where it could not measure memory: absent, not zero.
    assert_eq!(its[7].max_rss_bytes, None);
    for it in its {
        assert!(!it.warmup && !it.timed_out && it.signal.is_none());
        // Only the means of user/system time are exported: never per run.
        assert_eq!((it.user_s, it.sys_s), (None, None));
    }
}

#[test]
fn one_command_without_optional_fields_is_a_shell_line() {
    // The shape of hyperfine before 1.12: no exit codes, no memory.
    let text = r#"{"results":[{"command":"make -B","mean":2.5,"stddev":null,"median":2.5,
        "user":2.0,"system":0.4,"min":2.5,"max":2.5,"times":[2.5]}]}"#;
    let imported = import_hyperfine(text, "make.json").unwrap();
    let Some(only) = imported.first() else {
        panic!("no session")
    };
    assert_eq!(only.session.command.argv, ["make -B"]);
    assert!(only.session.command.shell);
    assert_eq!(only.session.variants[0].name, "make -B");
    assert_eq!(only.session.variants[0].description, None);
    // Without exit codes the runs are taken as successful, and said so.
    assert_eq!(only.iterations[0].exit_code, Some(0));
    assert_eq!(
        only.notes,
        ["make.json has no exit codes (hyperfine < 1.12): runs are taken as successful"]
    );
    assert_eq!(only.iterations[0].max_rss_bytes, None);
    // The CPU means are kept as reported, never as per-run figures.
    let means = only.session.variants[0].cpu_means.unwrap();
    assert_eq!((means.user_s, means.sys_s), (2.0, 0.4));
    assert_eq!(only.iterations[0].user_s, None);
}

#[test]
fn bad_exports_get_messages_with_file_line_and_field() {
    let cases: Vec<(&str, &str)> = vec![
        (
            "{\n  \"results\": [\n    {\"command\": \"ls\" \"times\": [1.0]}\n  ]\n}",
            "bad.json:3:22: invalid JSON: expected `,` or `}`",
        ),
        (
            "{\"results\": [\n  {\"command\": \"ls\",\n   \"times\": [0.1, 0.2, \"fast\"]}\n]}",
            "bad.json:3:29: results[0].times[2]: invalid type: string \"fast\", expected f64",
        ),
        (
            "{\"results\": [{\"command\": \"ls\", \"times\": [0.1, 0.2]},\n  {\"command\": 7}]}",
            "bad.json:2:15: results[1].command: invalid type: integer `7`, expected a string",
        ),
        ("{\"results\": []}", "bad.json: results is empty or missing"),
        (
            "{\"results\": [{\"command\": \"ls\", \"times\": []}]}",
            "bad.json: results[0].times is empty or missing",
        ),
        (
            "{\"results\": [{\"command\": \"ls\"}]}",
            "bad.json: results[0].times is empty or missing",
        ),
        (
            "{\"results\": [{\"command\": \"ls\", \"times\": [0.1, -0.2]}]}",
            "bad.json: results[0].times[1] is -2e-1, not a time between 0 and 1e9 s",
        ),
        (
            "{\"results\": [{\"command\": \"ls\", \"times\": [0.1, 0.2], \"exit_codes\": [0]}]}",
            "bad.json: results[0] has 2 times but 1 exit_codes",
        ),
        (
            "{\"results\": [{\"command\": \"ls\", \"times\": [0.1], \"memory_usage_byte\": [1, 2]}]}",
            "bad.json: results[0] has 1 times but 2 memory_usage_byte",
        ),
        (
            "{\"results\": [{\"command\": \"ls\", \"times\": [1e400]}]}",
            "bad.json:1:46: invalid JSON: number out of range",
        ),
        (
            "{\"benchmarks\": []}",
            "bad.json is neither a hyperfine JSON export nor a criterion estimates.json",
        ),
        ("", "bad.json:1:0: invalid JSON: EOF while parsing a value"),
    ];
    for (text, expected) in cases {
        let err = import_hyperfine(text, "bad.json").unwrap_err();
        assert_eq!(err.to_string(), expected, "for {text:?}");
    }
}

#[test]
fn a_real_hyperfine_1_15_parameter_scan_imports_run_for_run() {
    // Written by `hyperfine -N -r 5 -w 1 -L n 1,2 'sleep 0.0{n}' --export-json …`.
    let text = include_str!("fixtures/hyperfine-1.15-parameter-scan.json");
    let imported = import_hyperfine(text, "hyperfine-1.15-parameter-scan.json").unwrap();
    let session = &imported[0].session;
    let variants: Vec<_> = session
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.description.as_deref()))
        .collect();
    assert_eq!(
        variants,
        [
            ("sleep 0.01", Some("parameters: n=1")),
            ("sleep 0.02", Some("parameters: n=2")),
        ]
    );
    let export: serde_json::Value = serde_json::from_str(text).unwrap();
    let times: Vec<f64> = export["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["times"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_f64().unwrap())
        })
        .collect();
    let walls: Vec<f64> = imported[0].iterations.iter().map(|it| it.wall_s).collect();
    assert_eq!(walls, times);
    assert!(imported[0]
        .iterations
        .iter()
        .all(|it| it.exit_code == Some(0)));
    let parameters: Vec<_> = session.variants.iter().map(|v| &v.parameters).collect();
    assert_eq!(
        parameters,
        [
            &[("n".to_string(), "1".to_string())],
            &[("n".into(), "2".into())]
        ]
    );
}

#[test]
fn cpu_means_are_kept_per_variant_and_never_per_run() {
    let imported = import_hyperfine(HYPERFINE_TWO_COMMANDS, "compare-threads.json").unwrap();
    let means: Vec<_> = imported[0]
        .session
        .variants
        .iter()
        .map(|v| v.cpu_means.map(|m| (m.user_s, m.sys_s)))
        .collect();
    let export: serde_json::Value = serde_json::from_str(HYPERFINE_TWO_COMMANDS).unwrap();
    let expected: Vec<_> = export["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Some((r["user"].as_f64().unwrap(), r["system"].as_f64().unwrap())))
        .collect();
    assert_eq!(means, expected);
    assert!(imported[0]
        .iterations
        .iter()
        .all(|it| it.user_s.is_none() && it.sys_s.is_none()));
}

#[test]
fn the_session_records_tool_file_and_sha256_of_the_text() {
    let imported = import_hyperfine(HYPERFINE_TWO_COMMANDS, "dir/compare-threads.json").unwrap();
    let origin = imported[0].session.imported.clone().unwrap();
    assert_eq!(origin.tool, "hyperfine");
    assert_eq!(origin.file, "dir/compare-threads.json");
    assert_eq!(origin.sha256.len(), 64);
    let again = import_hyperfine(HYPERFINE_TWO_COMMANDS, "elsewhere.json").unwrap();
    assert_eq!(
        again[0].session.imported.as_ref().unwrap().sha256,
        origin.sha256
    );
    let other = HYPERFINE_TWO_COMMANDS.replace("0.0512", "0.0513");
    let changed = import_hyperfine(&other, "dir/compare-threads.json").unwrap();
    assert_ne!(
        changed[0].session.imported.as_ref().unwrap().sha256,
        origin.sha256
    );
}

#[test]
fn criterion_estimates_are_not_a_hyperfine_export() {
    let err = import_hyperfine(crate::support::CRITERION_ESTIMATES, "estimates.json").unwrap_err();
    assert!(matches!(err, ImportError::Unrecognized { .. }), "{err}");
}

proptest! {
    /// Whatever the runs, every time comes back exactly, in order, once.
    #[test]
    fn times_round_trip_exactly(
        commands in prop::collection::vec(prop::collection::vec(0.0f64..1e6, 1..20), 1..4)
    ) {
        let results: Vec<_> = commands
            .iter()
            .enumerate()
            .map(|(i, times)| serde_json::json!({"command": format!("cmd {i}"), "times": times}))
            .collect();
        let text = serde_json::json!({ "results": results }).to_string();
        let imported = import_hyperfine(&text, "p.json").unwrap();
        let its = &imported[0].iterations;
        let expected: Vec<f64> = commands.iter().flatten().copied().collect();
        let got: Vec<f64> = its.iter().map(|it| it.wall_s).collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(imported[0].session.variants.len(), commands.len());
        prop_assert!(its.iter().enumerate().all(|(i, it)| it.index as usize == i));
    }

    /// Any text given as a hyperfine export is imported or refused
    /// without a panic.
    #[test]
    fn hyperfine_import_never_panics_on_arbitrary_bytes(
        text in crate::support::arbitrary_text(HYPERFINE_TWO_COMMANDS)
    ) {
        let _ = import_hyperfine(&text, "p.json");
    }
}
