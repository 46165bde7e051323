//! A history in a temporary SQLite file, tokens, a router over it, and
//! requests sent to the router in-process.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use perfwatch_app::{analyze, Options};
use perfwatch_model::{
    CommandSpec, GitInfo, HostInfo, Iteration, Session, SessionStatus, Span, Tier, VariantSpec,
};
use perfwatch_server::{AccessPolicy, AppState, ServerBuilder};
use perfwatch_store::{new_session_id, SqliteStore, Store, TokenScope};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// A history, two tokens (`writer`, `reader`) and the router over it.
pub struct Fixture {
    _dir: Option<tempfile::TempDir>,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub router: Router,
    /// The write token's secret.
    pub write: String,
    /// The read token's secret.
    pub read: String,
}

impl Fixture {
    /// An empty history; reads need no token.
    pub fn new() -> Fixture {
        Fixture::with(AccessPolicy::default(), 1 << 20)
    }

    /// An empty history served with `policy` and bodies of at most `max_body`.
    pub fn with(policy: AccessPolicy, max_body: usize) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(&dir.path().join("perfwatch.db")).unwrap());
        Fixture::over(store, Some(dir), policy, max_body)
    }

    /// The server over `store` (empty), reads open.
    pub fn over(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        policy: AccessPolicy,
        max_body: usize,
    ) -> Fixture {
        let (_, write) =
            perfwatch_server::tokens::create(&*store, "writer", TokenScope::Write).unwrap();
        let (_, read) =
            perfwatch_server::tokens::create(&*store, "reader", TokenScope::Read).unwrap();
        let state = AppState::new(store.clone(), Options::default(), policy, max_body);
        let router = ServerBuilder::new(state.clone()).build();
        Fixture {
            _dir: dir,
            store,
            state,
            router,
            write,
            read,
        }
    }

    /// Stores a session of `benchmark` with one wall time per iteration.
    pub fn add(&self, benchmark: &str, started_at: &str, walls: &[f64]) -> String {
        let (session, iterations) = session(benchmark, started_at, walls);
        self.store
            .insert_whole_session(&session, &iterations)
            .unwrap();
        session.id
    }

    /// Sends a request; `token` goes in `Authorization: Bearer`.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(b) = &body {
            // As a real client sends it.
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, b.len());
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        self.send(request).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    /// `GET uri` without a token, expected to succeed, as JSON.
    pub async fn get_json(&self, uri: &str) -> Value {
        let reply = self.call(Method::GET, uri, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "GET {uri}: {}", reply.text());
        reply.json()
    }

    /// What is stored: every session with its iterations, every baseline
    /// and token, to prove a refused request changed nothing.
    pub fn snapshot(&self) -> String {
        let mut out = String::new();
        for row in self.store.list_sessions(&Default::default()).unwrap() {
            let (s, its) = self.store.load_session(&row.session.id).unwrap();
            out.push_str(&format!("{s:?}\n{its:?}\n"));
        }
        out.push_str(&format!("{:?}\n", self.store.list_baselines().unwrap()));
        out.push_str(&format!("{:?}\n", self.store.list_tokens().unwrap()));
        out
    }
}

/// An answer.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// An error answer: its status, and its JSON body's `error` and `field`.
    pub fn error(&self) -> (StatusCode, String, Option<String>) {
        let v = self.json();
        let error = v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no `error` in {v}"))
            .to_string();
        (self.status, error, v["field"].as_str().map(str::to_string))
    }
}

/// A complete session of `benchmark`: variant `default`, one iteration
/// per wall time, each with a stage `work` of half of it.
pub fn session(benchmark: &str, started_at: &str, walls: &[f64]) -> (Session, Vec<Iteration>) {
    let session = Session {
        id: new_session_id(),
        started_at: started_at.to_string(),
        finished_at: Some(started_at.to_string()),
        benchmark: benchmark.to_string(),
        command: CommandSpec {
            argv: vec!["gzip".into(), "-c".into(), "/etc/services".into()],
            shell: false,
        },
        variants: vec![VariantSpec {
            name: "default".into(),
            ..VariantSpec::default()
        }],
        git: Some(GitInfo {
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            branch: Some("main".into()),
            dirty: false,
        }),
        host: HostInfo::default(),
        perfwatch_version: "0.1.0".into(),
        status: SessionStatus::Complete,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        adaptive: None,
        program_version: None,
    };
    let iterations = walls
        .iter()
        .enumerate()
        .map(|(i, &wall_s)| Iteration {
            index: u32::try_from(i).unwrap(),
            variant: "default".into(),
            exit_code: Some(0),
            wall_s,
            user_s: Some(wall_s / 2.0),
            sys_s: Some(wall_s / 10.0),
            max_rss_bytes: Some(4 << 20),
            stages: vec![Span {
                id: 1,
                parent: None,
                name: "work".into(),
                tier: Tier::System,
                component: None,
                start_s: 0.0,
                end_s: wall_s / 2.0,
                ok: true,
                calls: 1,
                failed_calls: 0,
                total_s: None,
                attributes: Default::default(),
            }],
            ..Iteration::default()
        })
        .collect();
    (session, iterations)
}

/// Wall times around `center`, slightly spread.
pub fn walls(center: f64) -> Vec<f64> {
    (0..8)
        .map(|i| center * (1.0 + f64::from(i) * 0.001))
        .collect()
}

/// A session as its `perfwatch.session.v1` document (what `perfwatch
/// push` sends): analysed, then written as JSON.
pub fn document(session: &Session, iterations: &[Iteration]) -> Value {
    let analysis = analyze(
        session.clone(),
        iterations.to_vec(),
        None,
        &Options::default(),
    );
    serde_json::to_value(&analysis).unwrap()
}
