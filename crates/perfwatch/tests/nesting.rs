//! Guards nest into parents; failure marking; odd drop orders.

use crate::harness::scenario as run;
use perfwatch::span;

pub fn scenario() {
    assert!(perfwatch::is_enabled());
    {
        let _job = span!("job", tier = System);
        {
            let _d = span!("download", tier = Method, component = "download_manager");
            let _p = span!("parse", component = "parser", tier = Operation);
        }
        let upload = span!("upload");
        upload.fail();
        drop(upload);
        // Dropped out of order: closing the outer span closes the inner.
        let outer = span!("outer");
        let inner = span!("inner");
        drop(outer);
        drop(inner);
        let _after = span!("after");
    }
    perfwatch::flush();
}

#[test]
fn spans_nest_into_parents() {
    let run = run("nesting").run();
    let pid = run.one("job").id.split('-').next().unwrap().to_owned();
    let job = run.one("job");
    let download = run.one("download");
    let parse = run.one("parse");
    assert_eq!(job.parent, None);
    assert_eq!(job.tier.as_deref(), Some("system"));
    assert_eq!(download.parent.as_deref(), Some(job.id.as_str()));
    assert_eq!(download.tier.as_deref(), Some("method"));
    assert_eq!(download.component.as_deref(), Some("download_manager"));
    assert_eq!(parse.parent.as_deref(), Some(download.id.as_str()));
    assert_eq!(
        (parse.tier.as_deref(), parse.component.as_deref()),
        (Some("operation"), Some("parser"))
    );
    for (child, parent) in [(&download, &job), (&parse, &download)] {
        assert!(
            child.start >= parent.start && child.end <= parent.end,
            "{child:?} in {parent:?}"
        );
    }
    for s in run.spans() {
        assert!(s.id.starts_with(&format!("{pid}-")), "{s:?}");
        assert!(
            s.end >= s.start && s.start > 1_500_000_000_000_000_000,
            "{s:?}"
        );
    }
    let ids: std::collections::HashSet<_> = run.spans().into_iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), run.spans().len(), "ids are unique");
}

#[test]
fn fail_marks_the_call_failed() {
    let run = run("nesting").run();
    assert!(!run.one("upload").ok);
    assert!(run.one("download").ok);
    assert_eq!(run.one("upload").parent, Some(run.one("job").id));
}

#[test]
fn out_of_order_drops_close_inner_spans_with_the_outer() {
    let run = run("nesting").run();
    let (outer, inner, after) = (run.one("outer"), run.one("inner"), run.one("after"));
    assert_eq!(inner.parent.as_deref(), Some(outer.id.as_str()));
    assert_eq!(inner.end, outer.end);
    assert_eq!(
        after.parent,
        Some(run.one("job").id),
        "the stack is sound afterwards"
    );
}
