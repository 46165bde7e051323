//! With `CountingAlloc` installed (this test binary installs it), spans
//! carry allocation figures.

use crate::harness::scenario as run;
use perfwatch::span;
use std::hint::black_box;

pub fn scenario() {
    let before = perfwatch::thread_allocations();
    {
        let _big = span!("big");
        black_box(vec![0u8; 1 << 20]);
        let _small = span!("small");
        black_box(Box::new(1u64));
    }
    {
        let _none = span!("none");
        black_box(1 + 1);
    }
    let after = perfwatch::thread_allocations();
    assert!(after.bytes >= before.bytes + (1 << 20));
    perfwatch::flush();
}

#[test]
fn spans_carry_allocations() {
    let run = run("alloc").run();
    let attr = |name: &str, key: &str| -> u64 { run.one(name).attrs[key].parse().unwrap() };
    assert!(attr("big", "alloc_bytes") >= 1 << 20);
    assert!(attr("big", "allocs") >= 2);
    assert!(attr("small", "alloc_bytes") >= 8);
    assert!(
        attr("small", "alloc_bytes") < 1 << 20,
        "a child counts only its own"
    );
    assert_eq!(attr("none", "allocs"), 0);
}
