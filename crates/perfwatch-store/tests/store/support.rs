//! Fixtures: sessions, iterations and spans with every field set.

use perfwatch_model::{
    CommandSpec, GitInfo, HostInfo, Iteration, Sample, Session, SessionStatus, Span, Tier,
    VariantSpec,
};
use perfwatch_store::{new_session_id, PgStore, SqliteStore, Store};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Instantiates contract tests — functions taking a fresh, empty [`Db`] —
/// once per backend: `sqlite::NAME` and `postgres::NAME`. The PostgreSQL
/// ones use a new database in this process's private cluster; where
/// PostgreSQL is not installed they skip (and fail under
/// `PERFWATCH_REQUIRE_POSTGRES=1`, as in `scripts/test`).
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::store::support::Db::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::store::support::Db::postgres() {
                        super::$name(db);
                    }
                }
            )*
        }
    };
}
pub(crate) use contract;

/// An empty history on one backend, opened as often as a test likes (each
/// [`open`](Db::open) is a new handle onto the same data).
pub enum Db {
    /// An SQLite file in a temporary directory.
    Sqlite(TempDb),
    /// A new database in the private PostgreSQL cluster.
    Postgres(String),
}

impl Db {
    /// A fresh SQLite history.
    pub fn sqlite() -> Db {
        Db::Sqlite(TempDb::new())
    }

    /// A fresh PostgreSQL database; `None` when PostgreSQL is not installed.
    pub fn postgres() -> Option<Db> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let cluster = perfwatch_testkit::postgres::require()?;
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Some(Db::Postgres(cluster.create_database(&name).unwrap()))
    }

    /// A new handle onto the history.
    pub fn open(&self) -> Box<dyn Store> {
        match self {
            Db::Sqlite(db) => Box::new(db.open()),
            Db::Postgres(url) => Box::new(PgStore::connect(url).unwrap()),
        }
    }

    /// Spans stored, read with the backend's own client: a row each in
    /// PostgreSQL, an element of their iteration's `iteration_spans` array in
    /// SQLite.
    pub fn count_spans(&self) -> i64 {
        match self {
            Db::Sqlite(db) => rusqlite::Connection::open(&db.path)
                .unwrap()
                .query_row(
                    "SELECT coalesce(sum(json_array_length(spans)), 0) FROM iteration_spans",
                    [],
                    |r| r.get(0),
                )
                .unwrap(),
            Db::Postgres(_) => self.count_rows("spans"),
        }
    }

    /// Rows in `table`, read with the backend's own client.
    pub fn count_rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT count(*) FROM {table}");
        match self {
            Db::Sqlite(db) => rusqlite::Connection::open(&db.path)
                .unwrap()
                .query_row(&sql, [], |r| r.get(0))
                .unwrap(),
            Db::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query_one(&sql, &[])
                .unwrap()
                .get(0),
        }
    }
}

/// A temporary directory with a database path inside a not-yet-existing
/// subdirectory.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".perfwatch").join("perfwatch.db");
        TempDb { dir, path }
    }

    pub fn open(&self) -> SqliteStore {
        SqliteStore::open(&self.path).unwrap()
    }
}

/// A session of `benchmark` started at `started_at`.
pub fn session(benchmark: &str, started_at: &str) -> Session {
    Session {
        id: new_session_id(),
        started_at: started_at.to_string(),
        finished_at: None,
        benchmark: benchmark.to_string(),
        command: CommandSpec {
            argv: vec!["python3".into(), "job.py".into(), "--fast mode".into()],
            shell: false,
        },
        variants: vec![
            VariantSpec {
                name: "current".into(),
                description: Some("as shipped".into()),
                env: BTreeMap::from([("MODE".into(), "1".into())]),
                args: vec!["--x".into()],
                command: Some(CommandSpec {
                    argv: vec!["python3".into(), "job.py".into(), "--threads=4".into()],
                    shell: false,
                }),
                parameters: Vec::new(),
                cpu_means: None,
            },
            VariantSpec {
                name: "solo_only".into(),
                ..VariantSpec::default()
            },
        ],
        git: Some(GitInfo {
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            branch: Some("main".into()),
            dirty: true,
        }),
        host: HostInfo {
            hostname: Some("box".into()),
            os: "linux".into(),
            kernel: Some("6.1.0".into()),
            cpu_model: Some("cpu".into()),
            cores: Some(2),
            memory_bytes: Some(8 << 30),
        },
        perfwatch_version: "0.1.0".into(),
        status: SessionStatus::Running,
        baseline: None,
        shell_correction: None,
        imported: None,
        owner: None,
        // Every contract test stores and loads how a session was run.
        adaptive: Some(perfwatch_model::investigation::AdaptiveSpec {
            metric: "wall_s".into(),
            alpha: 0.01,
            band: 0.02,
            max_rounds: 60,
            max_time_s: None,
        }),
        // …and the program's version a session measured.
        program_version: Some("2.1.0-rc1".into()),
    }
}

/// A span.
pub fn span(id: u64, parent: Option<u64>, name: &str, start_s: f64, end_s: f64) -> Span {
    Span {
        id,
        parent,
        name: name.to_string(),
        tier: Tier::from_depth(usize::from(parent.is_some())),
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

/// A fully measured iteration with nested spans: job > download, job >
/// parse (aggregated), job > download again.
pub fn full_iteration(index: u32, variant: &str, wall_s: f64) -> Iteration {
    let mut download = span(2, Some(1), "download", 0.1, 0.4);
    download.component = Some("dm".into());
    download.ok = false;
    download.attributes = perfwatch_model::Attributes::from([("bytes".into(), "1048576".into())]);
    let mut parse = span(3, Some(1), "parse", 0.4, 0.6);
    parse.tier = Tier::Operation;
    parse.calls = 1000;
    parse.failed_calls = 2;
    parse.total_s = Some(0.15);
    Iteration {
        index,
        variant: variant.to_string(),
        warmup: false,
        exit_code: Some(0),
        signal: None,
        timed_out: false,
        wall_s,
        user_s: Some(wall_s * 0.8),
        sys_s: Some(0.05),
        max_rss_bytes: Some(50 << 20),
        peak_tree_rss_bytes: Some(70 << 20),
        read_bytes: Some(4096),
        write_bytes: Some(0),
        voluntary_cs: Some(12),
        involuntary_cs: Some(3),
        timeline: vec![
            Sample {
                t_s: 0.0,
                cpu_pct: 0.0,
                rss_bytes: 1 << 20,
                threads: 1,
                processes: 1,
                read_bps: 0.0,
                write_bps: 0.0,
                gpus: Vec::new(),
            },
            Sample {
                t_s: 0.05,
                cpu_pct: 97.5,
                rss_bytes: 30 << 20,
                threads: 4,
                processes: 2,
                read_bps: 1e6,
                write_bps: 2.5e3,
                gpus: Vec::new(),
            },
        ],
        stages: vec![
            span(1, None, "job", 0.0, wall_s),
            download,
            parse,
            span(4, Some(1), "download", 0.6, 0.7),
        ],
        counters: BTreeMap::from([("cache.hits".into(), 17.0)]),
        gauges: BTreeMap::from([("pool.size".into(), 8.0)]),
        dropped_spans: BTreeMap::from([("bad json".into(), 2)]),
        stderr_tail: Some("warning: slow\n".into()),
        service: Some(service_run(wall_s)),
    }
}

/// A service benchmark's figures with every field set.
pub fn service_run(wall_s: f64) -> perfwatch_model::ServiceRun {
    use perfwatch_model::service::{ErrorCounts, ModelKind, Percentiles, StatusCounts};
    perfwatch_model::ServiceRun {
        port: 41234,
        startup_s: wall_s / 10.0,
        shutdown_s: 0.02,
        stop_killed: false,
        exited_early: false,
        load: Some(perfwatch_model::LoadSummary {
            model: ModelKind::Open,
            coordinated_omission_caveat: false,
            duration_s: 2.0,
            sent: 400,
            completed: 398,
            throughput_rps: 199.0,
            status: StatusCounts {
                success: 396,
                server_error: 2,
                ..StatusCounts::default()
            },
            timeouts: 1,
            errors: ErrorCounts {
                connect: 0,
                transport: 1,
            },
            late: 3,
            dropped: 0,
            latency_s: Some(Percentiles {
                p50: 0.021,
                p90: 0.03,
                p99: 0.2,
                p999: 0.9,
                max: 1.1,
            }),
            latency_histogram: "HISTFAAAABx4nJNpmSzMwMDAxAABzFCaEUzOmgRhAQA3jALZ".into(),
        }),
        scraped: Some("http://127.0.0.1:41234/metrics".into()),
    }
}

/// An iteration where nothing but wall time was measured.
pub fn bare_iteration(index: u32, wall_s: f64) -> Iteration {
    Iteration {
        index,
        variant: "default".into(),
        exit_code: Some(0),
        wall_s,
        ..Iteration::default()
    }
}
