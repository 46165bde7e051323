//! The PostgreSQL backend: a team's shared history.
//!
//! The same data as the SQLite backend, in the same shape (see
//! [`crate::record`]): one transaction per write, a pool of connections
//! shared by threads, a versioned schema with its own migrations
//! ([`PG_SCHEMA_VERSION`], recorded in the `perfwatch_schema` table).
//! Many processes on many machines may write at once: session order
//! comes from an identity column, stage paths are inserted with
//! `ON CONFLICT`, and migrations hold an advisory lock.
//!
//! Timestamps are stored as the RFC 3339 text the model carries, so that
//! they read back byte for byte and compare as text exactly as in SQLite.
//! PostgreSQL text cannot hold the NUL character: captured stderr is
//! stored as UTF-8 bytes, JSON columns keep NUL escaped, and a NUL in a
//! name (benchmark, variant, stage, component) is stored as U+FFFD.

mod access;
mod baselines;
mod deliveries;
mod fail;
mod handle;
mod iterations;
mod schema;
mod series;
mod sessions;
mod store_impl;

pub use handle::PgStore;
pub use schema::PG_SCHEMA_VERSION;

/// A connection URL without its password, for messages:
/// `postgres://ci:secret@db:5432/perf` → `postgres://ci:***@db:5432/perf`.
///
/// ```
/// use perfwatch_store::redact_url;
/// assert_eq!(redact_url("postgres://ci:s3cr@t@db/perf"), "postgres://ci:***@db/perf");
/// assert_eq!(redact_url("postgres://db/perf?password=x&user=y"), "postgres://db/perf?password=***&user=y");
/// assert_eq!(redact_url("postgres://ci@db/perf"), "postgres://ci@db/perf");
/// ```
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    // The authority ends at the first '/' after the last '@' (a password
    // may hold '@' and '/'; a host never holds '@').
    let authority_end = before_query
        .rfind('@')
        .map(|at| {
            at + before_query[at..]
                .find('/')
                .unwrap_or(before_query.len() - at)
        })
        .unwrap_or_else(|| before_query.find('/').unwrap_or(before_query.len()));
    let (authority, path) = before_query.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let query = query.map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    let mut out = if scheme.is_empty() {
        format!("{authority}{path}")
    } else {
        format!("{scheme}://{authority}{path}")
    };
    if let Some(q) = query {
        out.push('?');
        out.push_str(&q);
    }
    out
}

/// Text as PostgreSQL can store it: NUL, which it refuses, becomes U+FFFD.
fn pg_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}").into()
    } else {
        s.into()
    }
}

/// [`pg_text`] of an optional text.
fn pg_opt(s: &Option<String>) -> Option<std::borrow::Cow<'_, str>> {
    s.as_deref().map(pg_text)
}
