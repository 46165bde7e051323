//! How a session document reaches a server, and what its answer means.

use super::ServerUrl;

/// Sends one `perfwatch.session.v1` document to a server's
/// `POST /api/v1/sessions`. The HTTP client is [`HttpTransport`]; tests
/// inject their own.
///
/// [`HttpTransport`]: super::HttpTransport
pub trait Transport {
    /// Post `body` (JSON) to `server`; whatever happens is a [`Reply`].
    fn post_session(&self, server: &ServerUrl, body: &[u8]) -> Reply;
}

/// What came back from one post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The server answered with this status and body.
    Status {
        /// The HTTP status code.
        code: u16,
        /// The response body (an error document, for errors), possibly cut.
        body: String,
    },
    /// No answer: the server could not be reached, or did not answer in
    /// time.
    Unreachable(String),
}

/// What a reply means for the queued session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// 201: stored by the server now.
    Created,
    /// 200: the server holds this session already.
    AlreadyThere,
    /// Worth trying again later (unreachable, 5xx, 429): the session stays
    /// queued. `stop` when the other sessions for this server would fare
    /// the same (unreachable, overloaded) and are not tried now.
    Deferred {
        /// Why, in a few words.
        reason: String,
        /// Leave the rest of this server's queue for later.
        stop: bool,
    },
    /// Refused (4xx other than 429): the session stays queued, and the
    /// user has something to fix. `stop` when every other session would
    /// be refused alike (a missing, invalid or read-only token).
    Rejected {
        /// The HTTP status code.
        status: u16,
        /// The server's message (its `error`, and `field` when given).
        message: String,
        /// Leave the rest of this server's queue for later.
        stop: bool,
    },
}

impl Delivery {
    /// Whether the server holds the session now.
    pub fn accepted(&self) -> bool {
        matches!(self, Delivery::Created | Delivery::AlreadyThere)
    }

    /// Whether the rest of this server's queue should wait.
    pub fn stops(&self) -> bool {
        match self {
            Delivery::Deferred { stop, .. } | Delivery::Rejected { stop, .. } => *stop,
            Delivery::Created | Delivery::AlreadyThere => false,
        }
    }

    /// The meaning of `reply`; `token` (never shown) is cut out of
    /// anything the server said.
    pub fn of(reply: Reply, token: Option<&str>) -> Delivery {
        let (code, body) = match reply {
            Reply::Unreachable(reason) => {
                return Delivery::Deferred {
                    reason: redact(&reason, token),
                    stop: true,
                }
            }
            Reply::Status { code, body } => (code, body),
        };
        match code {
            201 => Delivery::Created,
            200 => Delivery::AlreadyThere,
            429 | 502..=504 => Delivery::Deferred {
                reason: format!("the server answered {}", status_text(code)),
                stop: true,
            },
            500..=599 => Delivery::Deferred {
                reason: format!(
                    "the server answered {}{}",
                    status_text(code),
                    message_suffix(&body, token)
                ),
                stop: false,
            },
            _ => Delivery::Rejected {
                status: code,
                message: redact(&server_message(&body), token),
                stop: matches!(code, 401 | 403 | 404 | 405),
            },
        }
    }
}

/// `401 Unauthorized`, `503 Service Unavailable`, …
pub fn status_text(code: u16) -> String {
    let reason = match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if reason.is_empty() {
        code.to_string()
    } else {
        format!("{code} {reason}")
    }
}

/// `: MESSAGE` when the body says something, else nothing.
fn message_suffix(body: &str, token: Option<&str>) -> String {
    let message = redact(&server_message(body), token);
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// Most characters of a server's message repeated in ours.
const MAX_MESSAGE: usize = 300;

/// The server's own words: `error` (with `field`) of its JSON error
/// document, or the start of a plain-text body.
fn server_message(body: &str) -> String {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
            let field = match value.get("field") {
                Some(serde_json::Value::String(f)) if !f.is_empty() => format!(" (field `{f}`)"),
                Some(v @ serde_json::Value::Array(_)) => format!(" (field {v})"),
                _ => String::new(),
            };
            return cut(&format!("{error}{field}"));
        }
    }
    cut(body.trim())
}

fn cut(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_MESSAGE {
        one_line
    } else {
        format!(
            "{}…",
            one_line.chars().take(MAX_MESSAGE - 1).collect::<String>()
        )
    }
}

/// `text` without `token` in it.
fn redact(text: &str, token: Option<&str>) -> String {
    match token.filter(|t| !t.is_empty()) {
        Some(token) => text.replace(token, "[token]"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, body: &str) -> Reply {
        Reply::Status {
            code,
            body: body.into(),
        }
    }

    #[test]
    fn each_answer_means_what_the_api_says() {
        assert_eq!(Delivery::of(status(201, ""), None), Delivery::Created);
        assert_eq!(
            Delivery::of(status(200, "{}"), None),
            Delivery::AlreadyThere
        );
        let cases: [(Reply, bool, bool); 8] = [
            // (reply, accepted, stops the server's queue)
            (Reply::Unreachable("connection refused".into()), false, true),
            (status(503, ""), false, true),
            (status(429, ""), false, true),
            (status(500, "boom"), false, false),
            (status(401, r#"{"error":"invalid token"}"#), false, true),
            (status(403, r#"{"error":"read-only token"}"#), false, true),
            (
                status(400, r#"{"error":"bad","field":"session.id"}"#),
                false,
                false,
            ),
            (status(413, ""), false, false),
        ];
        for (reply, accepted, stops) in cases {
            let shown = format!("{reply:?}");
            let d = Delivery::of(reply, None);
            assert_eq!(d.accepted(), accepted, "{shown}");
            assert_eq!(d.stops(), stops, "{shown}");
        }
    }

    #[test]
    fn the_servers_error_and_field_are_kept_and_the_token_is_not() {
        let d = Delivery::of(
            status(
                400,
                r#"{"error": "schema must be perfwatch.session.v1, token s3cret", "field": "schema"}"#,
            ),
            Some("s3cret"),
        );
        let Delivery::Rejected {
            status: code,
            message,
            ..
        } = d
        else {
            panic!("{d:?}")
        };
        assert_eq!(code, 400);
        assert_eq!(
            message,
            "schema must be perfwatch.session.v1, token [token] (field `schema`)"
        );
        let long = "x".repeat(1000);
        let Delivery::Rejected { message, .. } = Delivery::of(status(409, &long), None) else {
            unreachable!()
        };
        assert_eq!(message.chars().count(), MAX_MESSAGE);
    }
}
