//! A team server's base URL, normalised so that one server is one key of
//! the push queue however it was typed.

use crate::AppError;
use std::fmt;

/// A server's base URL: `http://` or `https://`, a host, an optional port
/// and path; the scheme and host in lowercase, no trailing slash, no
/// query, fragment or credentials.
///
/// ```
/// use perfwatch_app::push::ServerUrl;
/// let a = ServerUrl::parse("HTTP://Perf.Example.com:8427/").unwrap();
/// let b = ServerUrl::parse("http://perf.example.com:8427").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.sessions_endpoint(), "http://perf.example.com:8427/api/v1/sessions");
/// assert!(ServerUrl::parse("perf.example.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerUrl(String);

impl ServerUrl {
    /// Reads and normalises a URL; a malformed one is a
    /// [`AppError::BadRequest`] that says what is wrong.
    pub fn parse(text: &str) -> Result<ServerUrl, AppError> {
        let bad = |why: &str| {
            AppError::bad_request(format!(
                "invalid server URL `{}`: {why}",
                // Never repeat credentials typed into the URL.
                redact_userinfo(text.trim())
            ))
        };
        let text = text.trim();
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| bad("expected http://HOST[:PORT] or https://HOST[:PORT]"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad("only http:// and https:// are supported"));
        }
        if rest.contains(['?', '#']) {
            return Err(bad("a server URL has no query or fragment"));
        }
        if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains spaces or control characters"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad(
                "credentials do not belong in the URL: give the token with --token or PERFWATCH_TOKEN",
            ));
        }
        if authority.is_empty() || authority.starts_with(':') {
            return Err(bad("it has no host"));
        }
        let path = path.trim_end_matches('/');
        Ok(ServerUrl(format!(
            "{scheme}://{}{path}",
            authority.to_ascii_lowercase()
        )))
    }

    /// A URL as the push queue stored it (normalised when it was queued).
    pub(crate) fn stored(url: String) -> ServerUrl {
        ServerUrl(url)
    }

    /// The normalised URL, as the push queue stores it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where sessions are posted: `{server}/api/v1/sessions`.
    pub fn sessions_endpoint(&self) -> String {
        format!("{}/api/v1/sessions", self.0)
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `scheme://user:secret@host/…` without `user:secret@`.
fn redact_userinfo(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_server_normalise_to_one_key() {
        let cases = [
            ("http://localhost:8427", "http://localhost:8427"),
            ("http://localhost:8427/", "http://localhost:8427"),
            ("  http://localhost:8427//  ", "http://localhost:8427"),
            ("HTTPS://Perf.Example.COM", "https://perf.example.com"),
            (
                "https://perf.example.com/team/a/",
                "https://perf.example.com/team/a",
            ),
            ("http://[::1]:8427/", "http://[::1]:8427"),
        ];
        for (typed, key) in cases {
            assert_eq!(ServerUrl::parse(typed).unwrap().as_str(), key, "{typed}");
        }
    }

    #[test]
    fn malformed_urls_are_refused_without_repeating_credentials() {
        let cases = [
            ("localhost:8427", "expected http://"),
            ("ftp://host", "only http:// and https://"),
            ("http://", "no host"),
            ("http://:80", "no host"),
            ("http://host/?a=1", "no query"),
            ("http://ho st", "spaces"),
            ("http://bob:hunter2@host", "credentials"),
        ];
        for (typed, needle) in cases {
            let err = ServerUrl::parse(typed).unwrap_err().to_string();
            assert!(err.contains(needle), "{typed}: {err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
