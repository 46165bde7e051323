//! Reading a `perfwatch.live.v1` snapshot sent by a CLI (the server's
//! `POST /api/v1/live/runs`): a pure function of the body's bytes that
//! either returns a snapshot that passed [`LiveSnapshot::check`] or says
//! which field is wrong.

use perfwatch_model::LiveSnapshot;

/// Why a body is not a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid live snapshot: {message}")]
pub struct LiveParseError {
    /// The offending field as a JSON path, when one is to blame.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The snapshot in `body` (JSON), checked whole.
pub fn parse_snapshot(body: &[u8]) -> Result<LiveSnapshot, LiveParseError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let snapshot: LiveSnapshot = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        LiveParseError {
            field: (path != ".").then_some(path),
            message: e.inner().to_string(),
        }
    })?;
    de.end().map_err(|e| LiveParseError {
        field: None,
        message: e.to_string(),
    })?;
    snapshot.check().map_err(|e| LiveParseError {
        message: e.to_string(),
        field: Some(e.field),
    })?;
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveRun;
    use proptest::prelude::*;

    fn valid() -> Vec<u8> {
        let run = LiveRun::new("abcd1234", "b", ["v".to_string()], Default::default());
        serde_json::to_vec(&run.snapshot(1.0, "2026-01-01T00:00:00Z")).unwrap()
    }

    #[test]
    fn a_snapshot_the_cli_makes_is_accepted() {
        let s = parse_snapshot(&valid()).unwrap();
        assert_eq!(s.run_id, "abcd1234");
    }

    #[test]
    fn a_bad_body_names_its_field() {
        let mut doc: serde_json::Value = serde_json::from_slice(&valid()).unwrap();
        doc["progress"]["done"] = serde_json::json!("many");
        let e = parse_snapshot(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("progress.done"));

        let mut doc: serde_json::Value = serde_json::from_slice(&valid()).unwrap();
        doc["run_id"] = serde_json::json!("<script>");
        let e = parse_snapshot(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("run_id"));

        let mut doc: serde_json::Value = serde_json::from_slice(&valid()).unwrap();
        doc["extra"] = serde_json::json!(1);
        assert!(parse_snapshot(&serde_json::to_vec(&doc).unwrap()).is_err());

        assert!(parse_snapshot(b"{} trailing").is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_snapshot(&bytes);
        }
    }
}
