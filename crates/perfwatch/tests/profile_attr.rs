//! `#[perfwatch::profile]` on functions and methods.

use crate::harness::scenario as run;

#[perfwatch::profile(tier = Method, component = "x")]
fn may_fail(fail: bool) -> Result<u32, String> {
    if fail {
        return Err("asked to".into());
    }
    let v: u32 = "5".parse().map_err(|_| "bad".to_string())?;
    let _inner = perfwatch::span!("may_fail.inner");
    Ok(v)
}

#[perfwatch::profile(tier = Method)]
fn question_mark(input: &str) -> std::result::Result<u32, std::num::ParseIntError> {
    let n: u32 = input.parse()?;
    Ok(n)
}

#[perfwatch::profile(name = "renamed", tier = "operation")]
fn plain() -> u32 {
    7
}

#[perfwatch::profile]
fn generic<T: Clone>(x: &T) -> T {
    x.clone()
}

struct Store {
    name: String,
}

impl Store {
    #[perfwatch::profile(component = "store")]
    fn name(&self, fail: bool) -> Result<&str, std::fmt::Error> {
        if fail {
            Err(std::fmt::Error)
        } else {
            Ok(&self.name)
        }
    }
}

pub fn scenario() {
    assert_eq!(may_fail(false), Ok(5));
    assert!(may_fail(true).is_err());
    assert_eq!(question_mark("12"), Ok(12));
    assert!(question_mark("x").is_err());
    assert_eq!(plain(), 7);
    assert_eq!(generic(&"g"), "g");
    let store = Store { name: "s".into() };
    assert_eq!(store.name(false), Ok("s"));
    assert!(store.name(true).is_err());
    perfwatch::flush();
}

#[test]
fn err_marks_the_call_failed() {
    let run = run("profile").run();
    let calls = run.named("may_fail");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls.iter().filter(|s| !s.ok).count(), 1);
    assert!(calls
        .iter()
        .all(|s| s.tier.as_deref() == Some("method") && s.component.as_deref() == Some("x")));
    let ok_call = calls.iter().find(|s| s.ok).unwrap();
    assert_eq!(run.one("may_fail.inner").parent.as_ref(), Some(&ok_call.id));
    let q = run.named("question_mark");
    assert_eq!(
        q.iter().map(|s| s.ok).collect::<Vec<_>>(),
        [true, false],
        "`?` returns are seen"
    );
    let m = run.named("name");
    assert_eq!(m.iter().map(|s| s.ok).collect::<Vec<_>>(), [true, false]);
    assert_eq!(m[0].component.as_deref(), Some("store"));
}

#[test]
fn names_and_tiers_come_from_the_arguments() {
    let run = run("profile").run();
    let renamed = run.one("renamed");
    assert_eq!(renamed.tier.as_deref(), Some("operation"));
    assert!(renamed.ok);
    assert!(run.named("plain").is_empty());
    assert_eq!(run.one("generic").tier, None);
}
