//! End to end: the real Python example, instrumented with the official
//! OpenTelemetry SDK, reports its stages to `OtlpSource`.
//!
//! Needs a virtual environment with `examples/otel-python/requirements.txt`
//! installed: `$PERFWATCH_TEST_PYTHON`, else `<repo>/.venv/bin/python`. Set
//! `PERFWATCH_SKIP_PYTHON=1` to skip; a missing interpreter fails the test.

use perfwatch_model::span_file::SpanRecord;
use perfwatch_otlp::{OtlpConfig, OtlpSource};
use perfwatch_runner::source::SpanSource;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MS: u64 = 1_000_000;
/// Generous upper bound for any stage: catches unit mistakes, not slowness.
const AT_MOST: u64 = 20_000 * MS;

fn repo_root() -> PathBuf {
    // Canonical: Python finds its venv from the interpreter's path, and a
    // path with `..` in it misleads that lookup.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// The interpreter to use, or `None` when the test is to be skipped.
fn python() -> Option<PathBuf> {
    if std::env::var("PERFWATCH_SKIP_PYTHON").is_ok_and(|v| v == "1") {
        eprintln!("skipped: PERFWATCH_SKIP_PYTHON=1");
        return None;
    }
    let root = repo_root();
    let path = std::env::var_os("PERFWATCH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/bin/python"));
    assert!(
        path.exists(),
        "no Python interpreter at {} for the OpenTelemetry end-to-end test.\n\
         Create it with:\n  python3 -m venv .venv && \
         .venv/bin/pip install -r examples/otel-python/requirements.txt\n\
         (from the repository root), or point PERFWATCH_TEST_PYTHON at an \
         interpreter that has those packages, or set PERFWATCH_SKIP_PYTHON=1.",
        path.display()
    );
    Some(path)
}

struct Stage {
    id: String,
    parent: Option<String>,
    tier: Option<String>,
    component: Option<String>,
    start: u64,
    end: u64,
    ok: bool,
    attrs: perfwatch_model::Attributes,
}

/// Run the pipeline once as iteration `index`; return its stages by name.
fn run_once(src: &mut OtlpSource, py: &Path, index: u32) -> HashMap<String, Vec<Stage>> {
    let env = src.begin(index).unwrap();
    let script = repo_root().join("examples/otel-python/pipeline.py");
    let mut child = Command::new(py)
        .arg(&script)
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", py.display()));
    // Bounded wait for the child (never hang the test suite).
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "pipeline.py did not exit in 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(
        status.success(),
        "pipeline.py failed ({status}); are the packages of \
         examples/otel-python/requirements.txt installed?\n{stderr}"
    );
    let collected = src.finish(index);
    assert!(collected.dropped.is_empty(), "{:?}", collected.dropped);
    let mut stages: HashMap<String, Vec<Stage>> = HashMap::new();
    for record in collected.records {
        let SpanRecord::Span {
            id,
            parent,
            name,
            tier,
            component,
            start_unix_ns,
            end_unix_ns,
            ok,
            attrs,
        } = record
        else {
            panic!("OTLP gives spans only, got {record:?}");
        };
        stages.entry(name.into_string()).or_default().push(Stage {
            id: id.into_string(),
            parent: parent.map(|p| p.into_string()),
            tier,
            component,
            start: start_unix_ns,
            end: end_unix_ns,
            ok,
            attrs,
        });
    }
    stages
}

fn one<'a>(stages: &'a HashMap<String, Vec<Stage>>, name: &str) -> &'a Stage {
    let found = stages.get(name).map_or(&[][..], Vec::as_slice);
    assert_eq!(found.len(), 1, "exactly one `{name}` span");
    &found[0]
}

fn check(stages: &HashMap<String, Vec<Stage>>) {
    // Counts.
    let counts: BTreeMap<&str, usize> = stages.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    let want: BTreeMap<&str, usize> = [
        ("job", 1),
        ("load", 1),
        ("transform", 1),
        ("parse", 1),
        ("enrich", 2),
        ("aggregate", 1),
        ("write", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(counts, want);

    // Nesting: every parent resolves, and children lie within their parents.
    let by_id: HashMap<&str, (&str, &Stage)> = stages
        .iter()
        .flat_map(|(name, v)| v.iter().map(move |s| (s.id.as_str(), (name.as_str(), s))))
        .collect();
    let parent_name = |s: &Stage| {
        s.parent.as_deref().map(|p| {
            let (name, parent) = by_id
                .get(p)
                .unwrap_or_else(|| panic!("parent {p} unresolved"));
            assert!(
                parent.start <= s.start && s.end <= parent.end,
                "outside its parent"
            );
            *name
        })
    };
    let want_parent = [
        ("job", None),
        ("load", Some("job")),
        ("transform", Some("job")),
        ("write", Some("job")),
        ("parse", Some("transform")),
        ("enrich", Some("transform")),
        ("aggregate", Some("transform")),
    ];
    for (name, parent) in want_parent {
        for s in &stages[name] {
            assert_eq!(parent_name(s), parent, "parent of {name}");
        }
    }

    // Durations: at least the sleeps, far below the generous bound.
    let min_ms = [
        ("load", 40),
        ("parse", 20),
        ("enrich", 25),
        ("aggregate", 30),
        ("write", 50),
        ("transform", 100),
        ("job", 190),
    ];
    for (name, ms) in min_ms {
        for s in &stages[name] {
            let d = s.end - s.start;
            assert!(
                d >= ms * MS && d < AT_MOST,
                "{name} took {d} ns, slept {ms} ms"
            );
        }
    }

    // The failed attempt is marked, the retry is not.
    let mut enrich: Vec<&Stage> = stages["enrich"].iter().collect();
    enrich.sort_by_key(|s| s.start);
    assert_eq!(enrich[0].attrs["attempt"], "1");
    assert!(!enrich[0].ok, "first enrich attempt failed");
    // The SDK qualifies the type with its module (`__main__.TransientError`).
    assert!(enrich[0].attrs["exception.type"].ends_with("TransientError"));
    assert_eq!(enrich[1].attrs["attempt"], "2");
    assert!(enrich[1].ok);
    for name in ["job", "load", "transform", "parse", "aggregate", "write"] {
        assert!(one(stages, name).ok, "{name} ok");
    }

    // Tier and component: explicit where set, otherwise left to the runner
    // (tier) or taken from the instrumentation scope (component).
    let tiers = [
        ("job", Some("system")),
        ("load", None),
        ("transform", None),
        ("parse", Some("method")),
        ("write", Some("component")),
    ];
    for (name, tier) in tiers {
        assert_eq!(one(stages, name).tier.as_deref(), tier, "tier of {name}");
    }
    let components = [
        ("job", "pipeline"),
        ("load", "io"),
        ("transform", "pipeline"),
        ("write", "io"),
    ];
    for (name, component) in components {
        assert_eq!(
            one(stages, name).component.as_deref(),
            Some(component),
            "component of {name}"
        );
    }
    assert_eq!(one(stages, "load").attrs["records"], "1000");
}

#[test]
fn python_pipeline_reports_its_stages() {
    let Some(py) = python() else { return };
    let mut src = OtlpSource::start(OtlpConfig::new("otel-python")).unwrap();
    let first = run_once(&mut src, &py, 0);
    check(&first);
    eprintln!("iteration 0: finish waited {:?}", src.last_wait());
    // A second iteration gets its own spans only.
    let second = run_once(&mut src, &py, 1);
    check(&second);
    eprintln!("iteration 1: finish waited {:?}", src.last_wait());
    assert_ne!(one(&first, "job").id, one(&second, "job").id);
}
