//! Recognising a database file from its first bytes, before SQLite opens it.
//!
//! Opening a file with SQLite, even read-only, may create `-wal` and `-shm`
//! files next to it; reading the 100-byte header (and the first bytes of
//! the schema page that follows it) touches nothing. The layout is SQLite's
//! documented file format (<https://sqlite.org/fileformat2.html>). The
//! verdict is re-checked through SQLite under the write lock before
//! anything is written, since a write-ahead log may hold newer content.

use super::schema::Identity;
use std::io::Read;
use std::path::Path;

/// The magic string that starts every SQLite database file.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Bytes read: the database header and the schema page's b-tree header.
const PREFIX_LEN: usize = 108;

/// What the first bytes of a file say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// An empty file, which SQLite treats as an empty database.
    Empty,
    /// Not an SQLite database.
    NotSqlite,
    /// An SQLite database with this identity.
    Sqlite(Identity),
}

/// Reads the first bytes of `path`.
pub fn read(path: &Path) -> std::io::Result<Header> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(PREFIX_LEN);
    file.by_ref()
        .take(PREFIX_LEN as u64)
        .read_to_end(&mut buf)?;
    Ok(parse(&buf))
}

/// Parses the first bytes of a file (up to [`PREFIX_LEN`]).
pub fn parse(bytes: &[u8]) -> Header {
    if bytes.is_empty() {
        return Header::Empty;
    }
    if bytes.len() < PREFIX_LEN || !bytes.starts_with(MAGIC) {
        return Header::NotSqlite;
    }
    let be32 =
        |at: usize| i32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    // Page 1 holds the schema table: a leaf page (0x0d) with no cells is an
    // empty schema; an interior page always means objects exist.
    let page_type = bytes[100];
    let cells = u16::from_be_bytes([bytes[103], bytes[104]]);
    Header::Sqlite(Identity {
        user_version: i64::from(be32(60)),
        application_id: be32(68),
        has_schema: page_type != 0x0d || cells > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn file_bytes(setup: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(setup).unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn recognises_what_sqlite_wrote() {
        let cases = [
            ("PRAGMA user_version = 5", 0, 5, false),
            ("PRAGMA application_id = 1234", 1234, 0, false),
            ("CREATE TABLE t (x)", 0, 0, true),
            (
                "PRAGMA application_id = 1350981492; PRAGMA user_version = 2; CREATE TABLE t (x)",
                1350981492,
                2,
                true,
            ),
        ];
        for (setup, application_id, user_version, has_schema) in cases {
            let expected = Header::Sqlite(Identity {
                application_id,
                user_version,
                has_schema,
            });
            assert_eq!(parse(&file_bytes(setup)), expected, "{setup}");
        }
    }

    #[test]
    fn rejects_what_is_not_sqlite() {
        assert_eq!(parse(b""), Header::Empty);
        assert_eq!(parse(b"hello"), Header::NotSqlite);
        assert_eq!(parse(&[b'x'; 200]), Header::NotSqlite);
        let mut short = MAGIC.to_vec();
        short.extend_from_slice(&[0; 20]);
        assert_eq!(parse(&short), Header::NotSqlite);
    }
}
