//! A synthetic pipeline history for the store and server benchmarks: the
//! same sessions, whichever benchmark measures them.

use perfwatch_model::{
    CommandSpec, HostInfo, Iteration, Session, SessionStatus, Span, Tier, VariantSpec,
};

/// A session with nothing but what a test names: no variants, no git, the
/// command `true`.
pub fn bare_session(id: &str, benchmark: &str, started_at: &str, status: SessionStatus) -> Session {
    Session {
        id: id.into(),
        started_at: started_at.into(),
        finished_at: None,
        benchmark: benchmark.into(),
        command: CommandSpec {
            argv: vec!["true".into()],
            shell: false,
        },
        variants: vec![],
        git: None,
        host: HostInfo::default(),
        perfwatch_version: "0".into(),
        status,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: None,
    }
}

/// The `n`-th session of benchmark `pipeline`, one variant `default`,
/// complete, a minute apart from the `n+1`-th (new id each call).
pub fn pipeline_session(n: usize) -> Session {
    Session {
        id: perfwatch_store_free_id(),
        started_at: format!(
            "2026-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + (n / 28 / 24 / 60) % 12,
            1 + (n / 24 / 60) % 28,
            (n / 60) % 24,
            n % 60,
            n % 60
        ),
        finished_at: None,
        benchmark: "pipeline".into(),
        command: CommandSpec {
            argv: vec!["./pipeline".into(), "--input".into(), "data".into()],
            shell: false,
        },
        variants: vec![VariantSpec {
            name: "default".into(),
            ..Default::default()
        }],
        git: None,
        host: HostInfo::default(),
        perfwatch_version: "bench".into(),
        status: SessionStatus::Complete,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: None,
    }
}

/// 32 lowercase hex digits from the clock and a counter: unique within a
/// process (the store's own `new_session_id` is not a dependency here).
fn perfwatch_store_free_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!("{nanos:016x}{:016x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The stage paths of [`pipeline_iterations`]: a root, 4 components, 15
/// methods.
pub fn pipeline_stage_paths() -> Vec<String> {
    let mut paths = vec!["pipeline".to_string()];
    for c in 0..4 {
        paths.push(format!("pipeline/component{c}"));
        for m in 0..if c < 3 { 4 } else { 3 } {
            paths.push(format!("pipeline/component{c}/method{m}"));
        }
    }
    paths
}

/// 30 iterations of session `n` (its wall times vary with `n % 7`), each
/// with 20 stages: a root, 4 components, 15 methods.
pub fn pipeline_iterations(n: usize) -> Vec<Iteration> {
    (0..30u32)
        .map(|i| {
            let wall = 1.0 + (n % 7) as f64 * 0.01 + f64::from(i) * 1e-4;
            let mut stages = vec![span(1, None, "pipeline", wall, 0)];
            for c in 0..4u64 {
                let cid = 2 + c;
                stages.push(span(cid, Some(1), &format!("component{c}"), wall / 4.0, 1));
                for m in 0..if c < 3 { 4 } else { 3 } {
                    let id = 10 + c * 10 + m;
                    stages.push(span(id, Some(cid), &format!("method{m}"), wall / 20.0, 2));
                }
            }
            Iteration {
                index: i,
                variant: "default".into(),
                exit_code: Some(0),
                wall_s: wall,
                user_s: Some(wall * 0.9),
                sys_s: Some(0.01),
                max_rss_bytes: Some(50 << 20),
                stages,
                ..Iteration::default()
            }
        })
        .collect()
}

fn span(id: u64, parent: Option<u64>, name: &str, end: f64, depth: usize) -> Span {
    Span {
        tier: Tier::from_depth(depth),
        ..call(id, parent, name, 0.0, end)
    }
}

/// One successful call of stage `name` from `start_s` to `end_s`, tier
/// `component`, under `parent`.
pub fn call(id: u64, parent: Option<u64>, name: &str, start_s: f64, end_s: f64) -> Span {
    Span {
        id,
        parent,
        name: name.into(),
        tier: Tier::Component,
        component: None,
        start_s,
        end_s,
        ok: true,
        calls: 1,
        failed_calls: 0,
        total_s: None,
        attributes: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_path_is_a_span_path_of_the_iterations() {
        let its = pipeline_iterations(3);
        assert_eq!(its.len(), 30);
        let spans = &its[0].stages;
        let path = |span: &Span| {
            let mut names = vec![span.name.clone()];
            let mut parent = span.parent;
            while let Some(id) = parent {
                let p = spans.iter().find(|s| s.id == id).unwrap();
                names.push(p.name.clone());
                parent = p.parent;
            }
            names.reverse();
            names.join("/")
        };
        let mut from_spans: Vec<String> = spans.iter().map(path).collect();
        let mut listed = pipeline_stage_paths();
        from_spans.sort();
        listed.sort();
        assert_eq!(from_spans, listed);
        let (a, b) = (pipeline_session(1), pipeline_session(1));
        assert_ne!(a.id, b.id);
        assert!(a.id.len() == 32 && a.id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
