//! hyperfine's command line, run unchanged: several commands, its flags
//! with its meanings, and the errors that name perfwatch's spelling where
//! a meaning differs. Table-driven: each case is an invocation and what it
//! must leave behind.

use crate::util::{assert_one_line_error, pw, stderr, TestDir};
use serde_json::Value;

/// Variant names of the latest session, in order.
fn variant_names(dir: &TestDir) -> Vec<String> {
    dir.export("latest")["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

/// Measured (non-warm-up) iterations per variant of the latest session.
fn runs_per_variant(dir: &TestDir) -> Vec<usize> {
    dir.export("latest")["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["iterations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["warmup"] != Value::Bool(true))
                .count()
        })
        .collect()
}

/// Lines of a file the commands append to (empty when absent).
fn count(dir: &TestDir, rel: &str) -> usize {
    if dir.join(rel).exists() {
        dir.lines(rel).len()
    } else {
        0
    }
}

/// One hyperfine-style invocation and what it must store.
struct Case {
    what: &'static str,
    args: &'static [&'static str],
    variants: &'static [&'static str],
    runs: &'static [usize],
    /// (file, lines the commands and hooks appended to it)
    files: &'static [(&'static str, usize)],
}

const CASES: &[Case] = &[
    Case {
        what: "--reference runs first and the others are compared with it",
        args: &[
            "-r",
            "2",
            "--reference",
            "echo r >> r.txt",
            "echo a >> a.txt",
        ],
        variants: &["echo r >> r.txt", "echo a >> a.txt"],
        runs: &[2, 2],
        files: &[("r.txt", 2), ("a.txt", 2)],
    },
    Case {
        what: "--reference-name names it; -n names the others, in order",
        args: &[
            "-r",
            "2",
            "--reference",
            "true",
            "--reference-name",
            "ref",
            "-n",
            "x",
            "-n",
            "y",
            "echo x >> x.txt",
            "echo y >> y.txt",
        ],
        variants: &["ref", "x", "y"],
        runs: &[2, 2, 2],
        files: &[("x.txt", 2), ("y.txt", 2)],
    },
    Case {
        what: "one --prepare per command counts the reference, as in hyperfine",
        args: &[
            "-r",
            "2",
            "--reference",
            "true",
            "-p",
            "echo r >> p.txt",
            "-p",
            "echo a >> p.txt",
            ":",
        ],
        variants: &["true", ":"],
        runs: &[2, 2],
        files: &[("p.txt", 4)],
    },
    Case {
        what: "several commands run interleaved, each through the shell",
        args: &["-r", "3", "echo a >> a.txt", "echo b >> b.txt"],
        variants: &["echo a >> a.txt", "echo b >> b.txt"],
        runs: &[3, 3],
        files: &[("a.txt", 3), ("b.txt", 3)],
    },
    Case {
        what: "-n names the commands in order",
        args: &[
            "--runs",
            "2",
            "-n",
            "first",
            "--command-name",
            "second",
            "echo 1 >> x.txt",
            "echo 2 >> x.txt",
        ],
        variants: &["first", "second"],
        runs: &[2, 2],
        files: &[("x.txt", 4)],
    },
    Case {
        what: "-w warms up each command; warm-ups are stored apart",
        args: &["-w", "2", "-r", "1", "echo w >> w.txt"],
        variants: &["default"],
        runs: &[1],
        files: &[("w.txt", 3)],
    },
    Case {
        what: "-m and -M bound the run count",
        args: &["-m", "2", "-M", "2", "echo m >> m.txt"],
        variants: &["default"],
        runs: &[2],
        files: &[("m.txt", 2)],
    },
    Case {
        what: "-s, -p, -C and -c are setup, prepare, conclude and cleanup",
        args: &[
            "-r",
            "2",
            "-s",
            "echo s >> s.txt",
            "-p",
            "echo p >> p.txt",
            "-C",
            "echo C >> C.txt",
            "-c",
            "echo c >> c.txt",
            "true",
        ],
        variants: &["default"],
        runs: &[2],
        files: &[("s.txt", 1), ("p.txt", 2), ("C.txt", 2), ("c.txt", 1)],
    },
    Case {
        what: "-p once per command prepares each command with its own",
        args: &[
            "-r",
            "2",
            "-p",
            "echo 1 >> p1.txt",
            "-p",
            "echo 2 >> p2.txt",
            "-n",
            "one",
            "-n",
            "two",
            "true",
            "true ",
        ],
        variants: &["one", "two"],
        runs: &[2, 2],
        files: &[("p1.txt", 2), ("p2.txt", 2)],
    },
    Case {
        what: "-P scans integers",
        args: &["-r", "1", "-P", "n", "1", "3", "echo {n} >> n.txt"],
        variants: &["n=1", "n=2", "n=3"],
        runs: &[1, 1, 1],
        files: &[("n.txt", 3)],
    },
    Case {
        what: "-P with -D scans decimals exactly",
        args: &[
            "-r",
            "1",
            "-P",
            "t",
            "0.1",
            "0.3",
            "-D",
            "0.1",
            "echo {t} >> t.txt",
        ],
        variants: &["t=0.1", "t=0.2", "t=0.3"],
        runs: &[1, 1, 1],
        files: &[("t.txt", 3)],
    },
    Case {
        what: "-L lists values; two lists give every combination",
        args: &[
            "-r",
            "1",
            "-L",
            "c",
            "gzip,xz",
            "-L",
            "l",
            "1,9",
            "echo {c}{l} >> l.txt",
        ],
        variants: &["c=gzip,l=1", "c=gzip,l=9", "c=xz,l=1", "c=xz,l=9"],
        runs: &[1, 1, 1, 1],
        files: &[("l.txt", 4)],
    },
    Case {
        what: "-i keeps going after a failing run",
        args: &[
            "-r",
            "2",
            "-i",
            "echo f >> f.txt; exit 1",
            "echo g >> g.txt",
        ],
        variants: &["echo f >> f.txt; exit 1", "echo g >> g.txt"],
        runs: &[2, 2],
        files: &[("f.txt", 2), ("g.txt", 2)],
    },
    Case {
        what: "-N splits the string into arguments without a shell",
        args: &["-r", "1", "-N", "touch 'a file'"],
        variants: &["default"],
        runs: &[1],
        files: &[("a file", 0)],
    },
    Case {
        what: "--style none, -u and --sort are accepted",
        args: &[
            "-r",
            "1",
            "--style",
            "none",
            "-u",
            "millisecond",
            "--sort",
            "command",
            "echo u >> u.txt",
        ],
        variants: &["default"],
        runs: &[1],
        files: &[("u.txt", 1)],
    },
];

#[test]
fn hyperfine_invocations_store_what_they_ran() {
    for case in CASES {
        let dir = TestDir::new();
        let assert = pw(&dir).arg("run").args(case.args).assert();
        let code = assert.get_output().status.code();
        assert!(
            code == Some(0) || case.args.contains(&"-i") && code == Some(3),
            "{}: exit {code:?}\n{}",
            case.what,
            stderr(&assert)
        );
        assert_eq!(variant_names(&dir), case.variants, "{}", case.what);
        assert_eq!(runs_per_variant(&dir), case.runs, "{}", case.what);
        for (file, lines) in case.files {
            assert!(dir.join(file).exists(), "{}: no {file}", case.what);
            assert_eq!(count(&dir, file), *lines, "{}: lines of {file}", case.what);
        }
    }
}

#[test]
fn several_commands_run_interleaved() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "3",
            "echo a >> order.txt",
            "echo b >> order.txt",
        ])
        .assert()
        .success();
    assert_eq!(dir.lines("order.txt"), ["a", "b", "a", "b", "a", "b"]);
    let json = dir.export("latest");
    assert_eq!(
        json["session"]["benchmark"],
        "echo a >> order.txt vs echo b >> order.txt"
    );
    assert_eq!(json["session"]["variants"][1]["command"]["shell"], true);
}

#[test]
fn dash_capital_n_runs_the_split_argv_directly() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "-N", "touch 'two words' $HOME"])
        .assert()
        .success();
    // No shell: the quotes group, `$HOME` stays literal.
    assert!(dir.join("two words").exists());
    assert!(dir.join("$HOME").exists());
    let json = dir.export("latest");
    assert_eq!(json["session"]["command"]["shell"], false);
    assert!(json["session"].get("shell_correction").is_none());
}

#[test]
fn file_exports_of_hyperfine_formats_are_written() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "3",
            "-u",
            "second",
            "--export-asciidoc",
            "r.adoc",
            "--export-orgmode",
            "r.org",
            "--export-markdown",
            "r.md",
            "true",
            "sleep 0.01",
        ])
        .assert()
        .success();
    let adoc = dir.read("r.adoc");
    assert!(adoc.starts_with("[cols="), "{adoc}");
    assert!(
        adoc.contains("| `sleep 0.01` |") && adoc.contains("Mean [s]"),
        "{adoc}"
    );
    let org = dir.read("r.org");
    assert!(
        org.contains("| =true= |") && org.contains("|--+--"),
        "{org}"
    );
    assert!(dir.read("r.md").contains("sleep 0.01"));
}

#[test]
fn changed_meanings_are_refused_with_the_perfwatch_spelling() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["run", "-n", "5", "--", "true"], &["-r 5", "--runs 5"]),
        (
            &["run", "--shell", "sleep 0.1"],
            &["--shell now names the shell", "perfwatch run 'sleep 0.1'"],
        ),
        (&["run", "-r", "1", "--", "sleep 0.1"], &["drop the `--`"]),
        (&["run", "-N", "-S", "bash", "true"], &["-N", "bash"]),
        (
            &["run", "-n", "a", "-n", "b", "true"],
            &["2 command names", "1 command"],
        ),
        (
            &["run", "-n", "x", "-n", "x", "true", "false"],
            &["named `x`"],
        ),
        (
            &["run", "-p", "a", "-p", "b", "-p", "c", "true", "false"],
            &["--prepare is given 3 times for 2"],
        ),
        (&["run", "-P", "n", "0.1", "0.3", "true"], &["need a step"]),
        (&["run", "-P", "n", "1", "x", "true"], &["not a number"]),
        (&["run", "true", "--", "true"], &["not both"]),
    ];
    for (args, needles) in cases {
        let dir = TestDir::new();
        assert_one_line_error(pw(&dir).args(*args).assert(), 2, needles);
        assert!(!dir.db().exists(), "{args:?} wrote a database");
    }
}

#[test]
fn reference_is_refused_where_it_has_no_place() {
    let dir = TestDir::new();
    dir.write("perfwatch.toml", "[benchmark.job]\ncommand = [\"true\"]\n");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--reference", "true", "--", "true"],
            "not one argv after `--`",
        ),
        (
            &["--reference", "true", "job"],
            "a benchmark of perfwatch.toml",
        ),
        (
            &["--reference", "true", "-L", "x", "1,2", "echo {x}"],
            "list the reference value first",
        ),
    ];
    for (args, says) in cases {
        assert_one_line_error(pw(&dir).arg("run").args(*args).assert(), 2, &[says]);
    }
    // clap's own refusal (several lines, with the usage).
    let assert = pw(&dir)
        .args(["run", "--reference-name", "ref", "true"])
        .assert()
        .code(2);
    assert!(
        stderr(&assert).contains("--reference"),
        "{}",
        stderr(&assert)
    );
    assert!(dir.history().sessions().is_empty(), "nothing ran");
}

#[test]
fn a_step_without_a_scan_is_a_usage_error() {
    let dir = TestDir::new();
    let assert = pw(&dir).args(["run", "-D", "0.1", "true"]).assert().code(2);
    assert!(stderr(&assert).contains("--parameter-scan"));
}

#[test]
fn old_dash_n_run_count_of_ab_names_dash_r() {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        "[benchmark.b]\nshell = \"true\"\n[benchmark.b.variant.x]\n[benchmark.b.variant.y]\n",
    );
    assert_one_line_error(
        pw(&dir).args(["ab", "b", "x", "y", "-n", "5"]).assert(),
        2,
        &["-r 5"],
    );
}

#[test]
fn a_run_that_measured_nothing_exits_3_and_says_why() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-r", "2", "--timeout", "0.1", "--", "sleep", "5"])
        .assert()
        .code(3);
    let err = stderr(&assert);
    assert!(
        err.contains("nothing was measured") && err.contains("timed out"),
        "{err}"
    );
    let assert = pw(&dir)
        .args(["run", "-q", "-r", "2", "-i", "exit 1"])
        .assert()
        .code(3);
    assert!(stderr(&assert).contains("all 2 runs failed"));
}

#[test]
fn quiet_run_with_a_failing_gate_still_says_which_rule_failed() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-q", "-r", "2", "--max-peak-rss-bytes", "1", "true"])
        .assert()
        .code(4);
    assert!(assert.get_output().stdout.is_empty());
    let err = stderr(&assert);
    assert!(
        err.contains("FAIL") && err.contains("max_peak_rss_bytes"),
        "{err}"
    );
}

const SUITES: &str = "
[benchmark.fast]
shell = 'echo fast >> fast.txt'
runs = 2
suites = ['smoke', 'basic']

[benchmark.slow]
shell = 'echo slow >> slow.txt'
runs = 3
suites = ['basic']

[benchmark.pair]
shell = 'echo $V >> pair.txt'
runs = 2
suites = ['smoke']
[benchmark.pair.variant.a]
env = { V = 'a' }
[benchmark.pair.variant.b]
env = { V = 'b' }
";

#[test]
fn suites_run_gate_and_list_their_benchmarks() {
    let dir = TestDir::new();
    dir.write("perfwatch.toml", SUITES);
    pw(&dir)
        .args(["run", "--suite", "smoke"])
        .assert()
        .success();
    assert_eq!(count(&dir, "fast.txt"), 2);
    assert_eq!(count(&dir, "slow.txt"), 0);
    assert_eq!(count(&dir, "pair.txt"), 4);
    pw(&dir)
        .args(["run", "--suite", "basic"])
        .assert()
        .success();
    assert_eq!((count(&dir, "fast.txt"), count(&dir, "slow.txt")), (4, 3));
    // `ab --suite` compares the variants of each benchmark of the suite
    // with at least two; a suite member with one variant is refused.
    assert_one_line_error(
        pw(&dir)
            .args(["ab", "--suite", "smoke", "-r", "2"])
            .assert(),
        2,
        &["`fast`"],
    );
    let gate = pw(&dir)
        .args(["gate", "--suite", "basic", "--max-failure-rate", "0"])
        .assert()
        .success();
    let out = crate::util::stdout(&gate);
    assert!(out.contains("fast") && out.contains("slow"), "{out}");
    let listed = pw(&dir).arg("variants").assert().success();
    assert!(crate::util::stdout(&listed).contains("suites: smoke, basic"));
    assert_one_line_error(
        pw(&dir).args(["run", "--suite", "nightly"]).assert(),
        2,
        &["nightly", "known suites: basic, smoke"],
    );
}

#[test]
fn ab_of_a_suite_compares_each_benchmark() {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        SUITES.replace("suites = ['smoke', 'basic']", "suites = ['basic']"),
    );
    pw(&dir)
        .args(["ab", "--suite", "smoke", "-r", "2"])
        .assert()
        .success();
    assert_eq!(count(&dir, "pair.txt"), 4);
    assert_eq!(variant_names(&dir), ["a", "b"]);
}

#[test]
fn input_output_and_shell_flags_reach_the_command() {
    let dir = TestDir::new();
    dir.write("in.txt", "a\nb\nc\n");
    // Each run reads the input from its start; the output file is
    // truncated once, then every run appends.
    dir.write("out.txt", "old contents\n");
    pw(&dir)
        .args([
            "run", "-r", "3", "--input", "in.txt", "--output", "out.txt", "wc -l",
        ])
        .assert()
        .success();
    assert_eq!(dir.lines("out.txt"), ["3", "3", "3"]);
    // `--input null` is hyperfine's spelling of the default: nothing to read.
    pw(&dir)
        .args(["run", "-r", "2", "--input", "null", "--output", "out.txt"])
        .arg("wc -c")
        .assert()
        .success();
    assert_eq!(dir.lines("out.txt"), ["0", "0"]);
    // A pipe drains whatever the command writes.
    pw(&dir)
        .args([
            "run",
            "-r",
            "2",
            "--output",
            "pipe",
            "yes | head -c 2000000",
        ])
        .assert()
        .success();
    // -S picks the shell, and its start-up is measured with it.
    pw(&dir)
        .args([
            "run",
            "-r",
            "2",
            "-S",
            "bash --norc",
            "echo ${BASH_VERSION:+bash} >> sh.txt",
        ])
        .assert()
        .success();
    assert_eq!(dir.lines("sh.txt"), ["bash", "bash"]);
    let json = dir.export("latest");
    let correction = &json["session"]["shell_correction"];
    assert_eq!(correction["shell"], "bash --norc");
    assert!(correction["runs"].as_u64().unwrap() >= 10, "{correction}");
    assert_one_line_error(
        pw(&dir)
            .args(["run", "--input", "missing.txt", "true"])
            .assert(),
        2,
        &["--input missing.txt"],
    );
}

#[test]
fn time_unit_and_sort_shape_the_summary() {
    let dir = TestDir::new();
    let out = crate::util::stdout(
        &pw(&dir)
            .args(["run", "-r", "5", "-u", "second", "--sort", "mean-time"])
            .args(["sleep 0.03", "sleep 0.001", "sleep 0.01"])
            .assert()
            .success(),
    );
    let time_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("time "))
        .collect();
    assert_eq!(time_lines.len(), 3, "{out}");
    assert!(
        time_lines
            .iter()
            .all(|l| l.contains(" s ") && !l.contains("ms")),
        "{out}"
    );
    let summary: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "Summary")
        .skip(1)
        .collect();
    // Fastest first: 0.001, then 0.01, each against the first command.
    assert!(summary[0].contains("`sleep 0.001` ran"), "{out}");
    assert!(summary[1].contains("`sleep 0.01` ran"), "{out}");
    let given = crate::util::stdout(
        &pw(&dir)
            .args(["run", "-r", "3", "--sort", "command"])
            .args(["sleep 0.03", "sleep 0.01", "sleep 0.001"])
            .assert()
            .success(),
    );
    let summary: Vec<&str> = given
        .lines()
        .skip_while(|l| *l != "Summary")
        .skip(1)
        .collect();
    assert!(summary[0].contains("`sleep 0.01` ran"), "{given}");
    assert!(summary[1].contains("`sleep 0.001` ran"), "{given}");
}
