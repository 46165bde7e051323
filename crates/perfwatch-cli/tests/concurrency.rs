//! Several `perfwatch` processes sharing one history.

use crate::util::TestDir;

#[test]
fn two_concurrent_runs_on_one_database_both_store_every_iteration() {
    let dir = TestDir::new();
    let spawn = |name: &str| {
        dir.std_pw()
            .args([
                "run", "-q", "-r", "8", "--name", name, "--", "sleep", "0.02",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn perfwatch")
    };
    let (a, b) = (spawn("a"), spawn("b"));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    for (id, status, count) in &sessions {
        assert_eq!((status.as_str(), *count), ("complete", 8), "session {id}");
    }
    let mut names: Vec<String> = sessions
        .iter()
        .map(|(id, _, _)| {
            dir.export(id)["session"]["benchmark"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b"]);
}
