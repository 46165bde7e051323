//! Who may do what: writes (`POST`, `DELETE`) always need a write token;
//! reads need a read or write token only when the policy says so. Tokens
//! are bearer secrets (`Authorization: Bearer pw_…`) looked up by their
//! SHA-256; a revoked one is unknown. Answers never quote the secret.

use crate::errors::ApiError;
use crate::state::AppState;
use crate::tokens::hash_secret;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use perfwatch_store::TokenScope;

/// Which requests need a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessPolicy {
    /// Reads need a read (or write) token too.
    pub read_token_required: bool,
}

impl AccessPolicy {
    /// The scope a request of `method` needs, or `None` when it needs no
    /// token at all.
    pub fn needed(&self, method: &Method) -> Option<TokenScope> {
        let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        match (read, self.read_token_required) {
            (true, false) => None,
            (true, true) => Some(TokenScope::Read),
            (false, _) => Some(TokenScope::Write),
        }
    }
}

/// The middleware: admits the request, or answers 401 (no token, or one
/// that is unknown or revoked) or 403 (a read token on a write route).
pub async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(needed) = state.policy().needed(request.method()) else {
        return next.run(request).await;
    };
    match check(&state, request.headers(), needed).await {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, headers: &HeaderMap, needed: TokenScope) -> Result<(), ApiError> {
    let unauthorized = |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, message);
    let what = match needed {
        TokenScope::Read => "this server needs a token to read",
        TokenScope::Write => "writing needs a write token",
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(&format!(
            "{what}: send `Authorization: Bearer TOKEN` (perfwatch token create)"
        )));
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(bearer)
        .ok_or_else(|| unauthorized("the Authorization header is not `Bearer TOKEN`"))?;
    let hash = hash_secret(secret);
    let token = state
        .blocking(move |s| Ok(s.store().find_token(&hash)?))
        .await?;
    match token {
        None => Err(unauthorized("the token is unknown or revoked")),
        Some(t) if !t.scope.allows(needed) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "token `{}` may only read; writing needs a write token",
                t.name
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// The secret of a `Bearer SECRET` header value (the scheme in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, secret) = value.trim().split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let cases = [
            ("Bearer pw_abc", Some("pw_abc")),
            ("bearer  pw_abc ", Some("pw_abc")),
            ("Basic dXNlcjpw", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("pw_abc", None),
        ];
        for (value, expected) in cases {
            assert_eq!(bearer(value), expected, "{value:?}");
        }
    }

    #[test]
    fn writes_always_need_a_write_token_and_reads_only_when_required() {
        let open = AccessPolicy::default();
        let closed = AccessPolicy {
            read_token_required: true,
        };
        assert_eq!(open.needed(&Method::GET), None);
        assert_eq!(closed.needed(&Method::GET), Some(TokenScope::Read));
        for policy in [open, closed] {
            for method in [Method::POST, Method::DELETE, Method::PUT, Method::PATCH] {
                assert_eq!(policy.needed(&method), Some(TokenScope::Write));
            }
        }
    }
}
