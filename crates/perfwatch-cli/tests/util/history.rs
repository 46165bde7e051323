//! Reading the history database directly, read-only.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// Read-only view of a perfwatch SQLite history, for checks the CLI does
/// not print (and while a `perfwatch run` is still writing).
pub struct History {
    conn: Option<Connection>,
}

impl History {
    /// Open read-only; a database that does not exist yet reads as empty.
    pub fn open(path: &Path) -> History {
        let conn = path.exists().then(|| {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .expect("open the history read-only")
        });
        if let Some(c) = &conn {
            c.busy_timeout(Duration::from_secs(5))
                .expect("busy timeout");
        }
        History { conn }
    }

    /// Number of stored iterations (of all sessions); 0 while the schema
    /// does not exist yet.
    pub fn iteration_count(&self) -> u64 {
        self.conn
            .as_ref()
            .and_then(|c| {
                c.query_row("SELECT COUNT(*) FROM iterations", [], |r| {
                    r.get::<_, i64>(0)
                })
                .ok()
            })
            .map_or(0, |n| n as u64)
    }

    /// `(session id, status, iteration count)` of every session, oldest first.
    pub fn sessions(&self) -> Vec<(String, String, u64)> {
        let Some(c) = &self.conn else {
            return Vec::new();
        };
        let mut stmt = c
            .prepare(
                "SELECT s.id, s.status, (SELECT COUNT(*) FROM iterations i WHERE i.session_id = s.id)
                 FROM sessions s ORDER BY s.seq",
            )
            .expect("query sessions");
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
        })
        .expect("read sessions")
        .collect::<Result<_, _>>()
        .expect("read sessions")
    }
}
