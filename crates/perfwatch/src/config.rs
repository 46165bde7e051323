//! How the probe is set up: from the environment perfwatch gives every
//! iteration, or from code.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Environment variable naming the span file (set by `perfwatch run`).
pub const ENV_SPANS: &str = "PERFWATCH_SPANS";
/// Environment variable naming the enclosing span of this process.
pub const ENV_PARENT_SPAN: &str = "PERFWATCH_PARENT_SPAN";
/// Environment variable overriding [`Config::max_calls_per_stage`].
pub const ENV_MAX_CALLS: &str = "PERFWATCH_MAX_CALLS";
/// Environment variable: `monotonic` makes the probe read the monotonic
/// clock instead of the CPU's time-stamp counter.
pub const ENV_CLOCK: &str = "PERFWATCH_CLOCK";

/// Environment variable: the finest tier recorded (`system`, `component`,
/// `method` or `operation`, the default); spans of finer tiers cost what
/// they cost with the probe off. The Python probe reads the same one.
pub const ENV_LEVEL: &str = "PERFWATCH_LEVEL";

/// Default cap of individual records per stage and parent on one thread.
pub const DEFAULT_MAX_CALLS: u32 = 1_000;

/// The probe's settings.
///
/// Programs rarely build one: the first span reads [`Config::from_env`].
/// Call [`init`](crate::init) before any span to choose otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub(crate) spans: Option<PathBuf>,
    pub(crate) parent_span: Option<String>,
    pub(crate) max_calls: u32,
    pub(crate) flush_interval: Duration,
    pub(crate) tsc: bool,
    pub(crate) level: crate::Tier,
}

impl Default for Config {
    /// Disabled (no span file), with the default limits.
    fn default() -> Config {
        Config {
            spans: None,
            parent_span: None,
            max_calls: DEFAULT_MAX_CALLS,
            flush_interval: Duration::from_millis(100),
            tsc: true,
            level: crate::Tier::Operation,
        }
    }
}

impl Config {
    /// The settings perfwatch passes to an iteration: [`ENV_SPANS`]
    /// (recording is off when unset or empty), [`ENV_PARENT_SPAN`],
    /// [`ENV_MAX_CALLS`] and [`ENV_CLOCK`]. Values that do not parse are
    /// ignored.
    pub fn from_env() -> Config {
        Config::from_lookup(|key| std::env::var(key).ok())
    }

    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Config {
        let non_empty = |key| get(key).filter(|v: &String| !v.trim().is_empty());
        let mut config = Config {
            spans: non_empty(ENV_SPANS).map(PathBuf::from),
            parent_span: non_empty(ENV_PARENT_SPAN).map(|v| v.trim().to_owned()),
            ..Config::default()
        };
        if let Some(n) = non_empty(ENV_MAX_CALLS).and_then(|v| v.trim().parse().ok()) {
            config.max_calls = n;
        }
        if let Some(clock) = non_empty(ENV_CLOCK) {
            config.tsc = !clock.trim().eq_ignore_ascii_case("monotonic");
        }
        if let Some(level) = non_empty(ENV_LEVEL).and_then(|v| crate::Tier::from_key(v.trim())) {
            config.level = level;
        }
        config
    }

    /// Records spans of `level` and coarser tiers only (default
    /// [`Tier::Operation`](crate::Tier::Operation): all); a span of a finer
    /// tier records nothing. Spans without a tier always record.
    pub fn level(mut self, level: crate::Tier) -> Config {
        self.level = level;
        self
    }

    /// Records to `path` (appending; created when missing).
    pub fn spans_path(mut self, path: impl Into<PathBuf>) -> Config {
        self.spans = Some(path.into());
        self
    }

    /// Makes the process's outermost spans children of span `id` (another
    /// process's span, as in [`ENV_PARENT_SPAN`]).
    pub fn parent_span(mut self, id: impl Into<String>) -> Config {
        self.parent_span = Some(id.into());
        self
    }

    /// Individual records per stage and parent on one thread (default
    /// 1,000); further calls are folded into `agg` records. `u32::MAX`
    /// never folds.
    pub fn max_calls_per_stage(mut self, calls: u32) -> Config {
        self.max_calls = calls;
        self
    }

    /// How often the background writer empties the buffers (default
    /// 100 ms).
    pub fn flush_interval(mut self, interval: Duration) -> Config {
        self.flush_interval = interval;
        self
    }

    /// Reads the monotonic clock rather than the time-stamp counter
    /// (slower; for machines whose counter cannot be trusted).
    pub fn monotonic_clock(mut self) -> Config {
        self.tsc = false;
        self
    }
}

/// Why [`init`](crate::init) did not set the probe up.
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// The probe was already set up (by an earlier `init` or span).
    AlreadyInitialized,
    /// The span file could not be opened for appending.
    Open {
        /// The span file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::AlreadyInitialized => f.write_str("the probe is already initialized"),
            InitError::Open { path, .. } => write!(f, "cannot open span file {}", path.display()),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitError::AlreadyInitialized => None,
            InitError::Open { source, .. } => Some(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Config {
        Config::from_lookup(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn reads_the_environment() {
        let cases: Vec<(Vec<(&str, &str)>, Config)> = vec![
            (vec![], Config::default()),
            (vec![(ENV_SPANS, "  ")], Config::default()),
            (
                vec![(ENV_SPANS, "/tmp/s.jsonl"), (ENV_PARENT_SPAN, " 7-3 ")],
                Config::default()
                    .spans_path("/tmp/s.jsonl")
                    .parent_span("7-3"),
            ),
            (
                vec![(ENV_MAX_CALLS, "5"), (ENV_CLOCK, "Monotonic")],
                Config::default().max_calls_per_stage(5).monotonic_clock(),
            ),
            (vec![(ENV_MAX_CALLS, "many")], Config::default()),
        ];
        for (env, expected) in cases {
            assert_eq!(from(&env), expected, "{env:?}");
        }
    }

    #[test]
    fn errors_read_after_failed_to() {
        let e = InitError::Open {
            path: "/x/y".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        assert_eq!(e.to_string(), "cannot open span file /x/y");
        assert!(std::error::Error::source(&e).is_some());
    }
}
