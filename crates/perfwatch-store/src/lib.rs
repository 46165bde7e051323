//! Persistence for perfwatch sessions: SQLite with migrations behind a Store trait.
