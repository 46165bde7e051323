//! The bearer token that keeps other local users out of a run: a fresh
//! random token per iteration, handed to the measured program through the
//! standard `OTEL_EXPORTER_OTLP_HEADERS` (which every official SDK reads),
//! and required on every request.
//!
//! The loopback port is reachable by every process on the machine; without
//! a token anyone could add spans to someone else's run. The token of the
//! previous iteration stays valid so that its late exports are still
//! recognised as the run's own (and counted as late), not refused.

use std::sync::RwLock;

/// The value of `OTEL_EXPORTER_OTLP_HEADERS` for `token`.
pub(crate) fn headers_env(token: &str) -> String {
    format!("authorization=Bearer {token}")
}

/// A fresh token: 128 random bits as 32 lowercase hex digits.
///
/// # Errors
///
/// When the operating system's random source fails (no token is better
/// than a guessable one).
pub(crate) fn fresh_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The tokens a request may carry: the current iteration's and the
/// previous one's.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    inner: RwLock<(String, Option<String>)>,
}

impl Tokens {
    /// Tokens starting with `first`.
    pub fn new(first: String) -> Tokens {
        Tokens {
            inner: RwLock::new((first, None)),
        }
    }

    /// Make `next` the current token; the current one becomes the previous.
    pub fn rotate(&self, next: String) {
        let mut guard = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let current = std::mem::replace(&mut guard.0, next);
        guard.1 = Some(current);
    }

    /// Whether an `Authorization` header value carries a valid token
    /// (`Bearer TOKEN`, the scheme case-insensitive as HTTP says).
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return false;
        }
        let token = token.trim();
        let guard = self.inner.read().unwrap_or_else(|p| p.into_inner());
        constant_time_eq(token, &guard.0)
            || guard
                .1
                .as_deref()
                .is_some_and(|p| constant_time_eq(token, p))
    }
}

/// Compare without stopping at the first difference.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_and_previous_tokens_are_accepted() {
        let tokens = Tokens::new("aaaa".into());
        assert!(tokens.accepts(Some("Bearer aaaa")));
        assert!(tokens.accepts(Some("bearer aaaa")));
        assert!(!tokens.accepts(Some("Bearer aaab")));
        assert!(!tokens.accepts(Some("Basic aaaa")));
        assert!(!tokens.accepts(Some("aaaa")));
        assert!(!tokens.accepts(None));
        tokens.rotate("bbbb".into());
        assert!(tokens.accepts(Some("Bearer bbbb")));
        assert!(tokens.accepts(Some("Bearer aaaa")));
        tokens.rotate("cccc".into());
        assert!(!tokens.accepts(Some("Bearer aaaa")));
    }

    #[test]
    fn fresh_tokens_are_32_hex_digits_and_differ() {
        let (a, b) = (fresh_token().unwrap(), fresh_token().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(headers_env(&a), format!("authorization=Bearer {a}"));
    }
}
