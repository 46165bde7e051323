//! Service benchmarks from perfwatch.toml: the bundled example service
//! measured through `ab` (start-up, latency, throughput, its scraped
//! metrics), and services that fail — exit before ready, never ready, a
//! port taken — with a clear error naming the service and its stderr, and
//! nothing left running.

use crate::nested_cargo::cargo;
use crate::util::{pids_in, process_alive, stderr, stdout, TestDir};
use perfwatch_model::exit_codes;
use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The example service's binary, built once per test binary.
fn demo_service() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let sub = "demo-for-tests";
        cargo(&["build", "-q", "-p", "perfwatch-demo-service"], sub, &[]);
        let bin = crate::nested_cargo::target_dir()
            .join(sub)
            .join("debug")
            .join("demo-service");
        assert!(bin.is_file(), "no demo service at {}", bin.display());
        bin
    })
}

/// A directory configuring the example service as `api` with short loads.
fn api_dir(load: &str) -> TestDir {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        format!(
            r#"
[benchmark.api]
service = [{bin:?}, "--port", "{{port}}"]
ready = "http://127.0.0.1:{{port}}/health"
metrics = "http://127.0.0.1:{{port}}/metrics"

[benchmark.api.load]
{load}
duration = 0.4
warmup = 0.1
path = "/api/playlist?seed={{rand:0..20}}"

[benchmark.api.variant.eager]
args = ["--init", "eager", "--cache", "on"]

[benchmark.api.variant.lazy]
args = ["--init", "lazy", "--cache", "on"]
"#,
            bin = demo_service().display().to_string()
        ),
    );
    dir
}

fn variant<'a>(export: &'a Value, name: &str) -> &'a Value {
    export["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no variant {name}"))
}

#[test]
fn ab_on_a_service_judges_start_up_latency_and_throughput() {
    let dir = api_dir("rate = 100");
    let out = dir
        .pw()
        .args([
            "ab",
            "api",
            "eager",
            "lazy",
            "--runs",
            "5",
            "--export-json",
            "out.json",
        ])
        .assert();
    let text = stdout(&out);
    let out = out.success();
    drop(out);
    let export: Value = serde_json::from_str(&dir.read("out.json")).unwrap();
    let eager = variant(&export, "eager");
    let lazy = variant(&export, "lazy");
    // Eager builds its catalogue (~1.2 s) before it listens.
    let startup = |v: &Value| v["summary"]["startup_s"]["median"].as_f64().unwrap();
    assert!(startup(eager) > 0.8, "{}", eager["summary"]);
    assert!(startup(lazy) < 0.5 * startup(eager), "{}", lazy["summary"]);
    let c = export["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "startup_s")
        .expect("a start-up comparison");
    assert_eq!(c["verdict"], "improved", "{c}");
    assert_eq!(c["primary"], true, "{c}");
    let wall = export["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == "wall_s")
        .expect("a wall comparison");
    assert_eq!(
        wall["primary"], false,
        "a service's wall time is not judged: {wall}"
    );
    // Every request due was sent and answered; percentiles from the
    // merged histogram; the service's own counters scraped around the load.
    let service = &eager["service"];
    assert_eq!(service["model"], "open");
    assert_eq!(service["iterations"], 5);
    assert_eq!(service["sent"], 200, "100/s × 0.4 s × 5 runs: {service}");
    assert_eq!(service["status"]["2xx"], 200);
    assert!(service["latency_s"]["p99"].as_f64().unwrap() > 0.0);
    let it = &eager["iterations"][0];
    assert_eq!(
        it["counters"]["demo_requests_total"], 50.0,
        "warmup + load: {it}"
    );
    assert!(it["gauges"]["demo_cache_hit_rate"].as_f64().unwrap() > 0.0);
    assert!(it["service"]["startup_s"].as_f64().unwrap() > 0.8);
    for needle in [
        "start-up",
        "latency  p50",
        "throughput",
        "Comparison: lazy vs eager",
    ] {
        assert!(text.contains(needle), "`{needle}` missing:\n{text}");
    }
    // The same session through the CSV export and the dashboard.
    let csv = stdout(
        &dir.pw()
            .args(["export", "--format", "csv"])
            .assert()
            .success(),
    );
    assert!(
        csv.lines().next().unwrap().ends_with(",late,dropped"),
        "{csv}"
    );
    dir.pw()
        .args(["dashboard", "-o", "dash"])
        .assert()
        .success();
    let page = dir.read("dash/index.html");
    assert!(
        page.contains(r#""metric":"startup_s""#),
        "a service's trends are its figures"
    );
    assert!(!page.contains(r#""metric":"wall_s""#), "not its wall time");
    // `sessions` shows the first variant's p99 as its report does.
    let listed = stdout(&dir.pw().args(["sessions"]).assert().success());
    let p99 = variant(&export, "eager")["service"]["latency_s"]["p99"]
        .as_f64()
        .unwrap();
    let shown = perfwatch_report::units::format_duration(p99);
    assert!(
        listed.contains(&format!("p99 {shown}")),
        "p99 {shown}:\n{listed}"
    );
    // `history` and `detect` speak of the figure the summary speaks of.
    let history = stdout(&dir.pw().args(["history", "api"]).assert().success());
    assert!(history.contains("api · eager · latency_p99_s"), "{history}");
    let json = stdout(
        &dir.pw()
            .args(["history", "api", "--format", "json"])
            .assert()
            .success(),
    );
    assert!(json.contains(r#""metric": "latency_p99_s""#), "{json}");
    assert!(stdout(
        &dir.pw()
            .args(["history", "api", "--metric", "wall_s"])
            .assert()
            .success()
    )
    .contains("api · eager · wall_s"));
}

#[test]
fn a_concurrency_scan_sets_the_closed_model_and_says_so() {
    let dir = api_dir("");
    let out = dir
        .pw()
        .args([
            "run",
            "api",
            "--variant",
            "eager",
            "--param",
            "concurrency=1,2",
            "--runs",
            "1",
            "--export-json",
            "out.json",
        ])
        .assert()
        .success();
    let text = stdout(&out);
    let export: Value = serde_json::from_str(&dir.read("out.json")).unwrap();
    let variants = export["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    for v in variants {
        assert_eq!(v["service"]["model"], "closed", "{v}");
        assert_eq!(v["service"]["coordinated_omission_caveat"], true);
    }
    assert!(
        text.contains("closed model: latency counts from each actual send"),
        "{text}"
    );
    assert!(text.contains("eager[concurrency=2]  p50"), "{text}");
}

/// A shell service writing its pid to `pids` in the test directory.
fn failing_dir(service: &str, extra: &str) -> TestDir {
    failing_dir_loaded(service, extra, 0.2)
}

/// [`failing_dir`] with a load of `duration` seconds.
fn failing_dir_loaded(service: &str, extra: &str, duration: f64) -> TestDir {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        format!("[benchmark.svc]\nservice = {service:?}\n{extra}\n[benchmark.svc.load]\nrate = 10\nduration = {duration}\n"),
    );
    dir
}

#[test]
fn a_service_that_exits_before_ready_names_itself_and_its_stderr() {
    let dir = failing_dir(
        "echo $$ >> pids; echo 'config missing: /etc/svc.conf' >&2; exit 3",
        "ready = \"tcp\"",
    );
    let out = dir.pw().args(["run", "svc", "--runs", "1"]).assert();
    let err = stderr(&out);
    out.code(exit_codes::COMMAND_FAILED);
    assert!(err.contains("start service `echo $$ >> pids;"), "{err}");
    assert!(
        err.contains("exited with exit code 3 before it was ready"),
        "{err}"
    );
    assert!(err.contains("config missing: /etc/svc.conf"), "{err}");
    assert!(err.contains("variant `default`, iteration 0"), "{err}");
}

#[test]
fn a_service_that_dies_during_the_load_fails_the_run_and_keeps_the_iteration() {
    // It answers, then dies half a second into a 5 s load.
    let script = format!(
        "{} -m http.server {{port}} --bind 127.0.0.1 & sleep 0.5; kill $!; \
         echo 'out of memory, bye' >&2; exit 7",
        crate::util::python()
    );
    let dir = failing_dir_loaded(&script, "ready = \"tcp\"", 5.0);
    let out = dir.pw().args(["run", "svc", "--runs", "2"]).assert();
    let err = stderr(&out);
    out.code(exit_codes::COMMAND_FAILED);
    assert!(
        err.contains("the service exited by itself before it was stopped: exit code 7"),
        "{err}"
    );
    assert!(err.contains("out of memory, bye"), "{err}");
    assert!(err.contains("1 finished iteration(s) are kept"), "{err}");
}

#[test]
fn a_service_never_ready_is_killed_with_everything_it_started() {
    let dir = failing_dir(
        "sleep 60 & echo $! >> pids; echo $$ >> pids; echo 'warming up' >&2; wait",
        "ready = \"http://127.0.0.1:{port}/health\"\nready_timeout = 0.5",
    );
    let out = dir.pw().args(["run", "svc", "--runs", "1"]).assert();
    let err = stderr(&out);
    out.code(exit_codes::COMMAND_FAILED);
    assert!(err.contains("not ready after 0.5 s"), "{err}");
    assert!(err.contains("warming up"), "{err}");
    let pids = pids_in(&dir, "pids");
    assert_eq!(pids.len(), 2, "{pids:?}");
    for pid in pids {
        assert!(!process_alive(pid), "{pid} outlived the run");
    }
}

#[test]
fn a_service_whose_port_is_taken_says_so() {
    // The service insists on a port someone holds (it ignores `{port}`).
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let script = format!(
        "exec {} -c \"import socket; socket.socket().bind(('127.0.0.1', {port}))\"",
        crate::util::python()
    );
    let dir = failing_dir(&script, "ready = \"tcp\"");
    let out = dir.pw().args(["run", "svc", "--runs", "1"]).assert();
    let err = stderr(&out);
    out.code(exit_codes::COMMAND_FAILED);
    assert!(err.contains("before it was ready"), "{err}");
    assert!(err.contains("Address already in use"), "{err}");
}

#[test]
fn service_keys_on_a_command_or_a_bad_ready_are_refused_before_anything_runs() {
    for (config, says) in [
        (
            "[benchmark.b]\ncommand = [\"true\"]\nready = \"tcp\"\n",
            "sets `ready`, which only a service benchmark has",
        ),
        (
            "[benchmark.b]\nservice = [\"x\"]\ncommand = [\"true\"]\n",
            "sets `service` and `command`",
        ),
        (
            "[benchmark.b]\nservice = [\"x\"]\nready = \"https://x\"\n",
            "http:// URL",
        ),
        (
            "[benchmark.b]\nservice = [\"x\"]\nready = \"log:(\"\n",
            "not a valid pattern",
        ),
        (
            "[benchmark.b]\nservice = [\"x\"]\n[benchmark.b.load]\nrate = 5\nconcurrency = 2\n",
            "keep one",
        ),
        ("[benchmark.b]\nservice = []\n", "empty `service`"),
    ] {
        let dir = TestDir::new();
        dir.write("perfwatch.toml", config);
        let out = dir.pw().args(["run", "b", "--runs", "1"]).assert();
        let err = stderr(&out);
        out.code(exit_codes::USAGE);
        assert!(err.contains(says), "{config}\n→ {err}");
        assert!(!dir.db().exists(), "nothing is stored");
    }
}
