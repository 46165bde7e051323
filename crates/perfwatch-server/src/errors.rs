//! The one way the API answers an error: JSON `{"error": "...", "field":
//! "..."}` with a status that says whose fault it is — 4xx for what the
//! client sent (never a 500 for bad input), 5xx only when the store
//! failed.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use perfwatch_app::AppError;
use perfwatch_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, as a sentence for people.
    pub error: String,
    /// The request field at fault: a query parameter, a path parameter or
    /// the path of a field in the JSON body (`variants[0].iterations[3].wall_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answer: its status, message and, when known, the field at
/// fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
    /// The request field at fault.
    pub field: Option<String>,
    /// The session, baseline or spec the error is about, as the client
    /// gave it: [`ApiError::located`] finds the field that held it.
    subject: Option<String>,
}

impl ApiError {
    /// An error of `status` with `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
            subject: None,
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404: nothing of that name.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 500: the store or the server failed. The details go to the log;
    /// the client learns only that it was not its fault.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed to answer (its log says why)",
        )
    }

    /// The same error, naming `field` as the one at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// The same error, naming as the one at fault the first of `fields`
    /// (name, value) whose value is what the error is about; unchanged
    /// when none is.
    pub fn located(mut self, fields: &[(&str, &str)]) -> ApiError {
        if self.field.is_none() {
            if let Some(subject) = &self.subject {
                self.field = fields
                    .iter()
                    .find(|(_, value)| value == subject)
                    .map(|(name, _)| name.to_string());
            }
        }
        self
    }

    fn about(mut self, subject: &str) -> ApiError {
        self.subject = Some(subject.to_string());
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let message = e.to_string();
        match &e {
            StoreError::SessionNotFound { spec } => ApiError::not_found(message).about(spec),
            StoreError::BaselineNotFound { name } => ApiError::not_found(message).about(name),
            StoreError::TokenNotFound { .. } => ApiError::not_found(message),
            StoreError::PrefixTooShort { spec, .. } | StoreError::AmbiguousSession { spec, .. } => {
                ApiError::bad_request(message).about(spec)
            }
            StoreError::InvalidSessionId { id } => ApiError::bad_request(message).about(id),
            StoreError::InvalidBaselineName { name } | StoreError::EmptyBaseline { name } => {
                ApiError::bad_request(message).about(name)
            }
            StoreError::InvalidTokenName { .. } => ApiError::bad_request(message),
            StoreError::SessionExists { .. }
            | StoreError::IterationExists { .. }
            | StoreError::TokenExists { .. } => ApiError::new(StatusCode::CONFLICT, message),
            StoreError::BaselineExists { name } => {
                ApiError::new(StatusCode::CONFLICT, message).about(name)
            }
            StoreError::SessionInBaseline { id, .. } => {
                ApiError::new(StatusCode::CONFLICT, message).about(id)
            }
            _ => ApiError::internal(message),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::Store(e) => e.into(),
            AppError::Unknown { ref spec, .. } => {
                let spec = spec.clone();
                ApiError::not_found(e.to_string()).about(&spec)
            }
            AppError::BadDocument(d) => {
                let err = ApiError::bad_request(d.message);
                match d.field {
                    Some(field) => err.with_field(field),
                    None => err,
                }
            }
            AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, message),
            e @ (AppError::NothingToCompare(_)
            | AppError::BadRequest(_)
            | AppError::BadExport { .. }
            | AppError::Import(_)
            | AppError::NoHistory { .. }
            | AppError::Read { .. }) => ApiError::bad_request(e.to_string()),
            e @ (AppError::Record(_)
            | AppError::Thread { .. }
            | AppError::Source(_)
            | AppError::CopyMismatch(_)) => ApiError::internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.message,
            field: self.field,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"perfwatch\""),
            );
        }
        response
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_the_client_s_fault_or_the_server_s() {
        let cases = [
            (
                StoreError::SessionNotFound {
                    spec: "abcd".into(),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                StoreError::BaselineNotFound {
                    name: "main".into(),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                StoreError::PrefixTooShort {
                    spec: "ab".into(),
                    min: 4,
                },
                StatusCode::BAD_REQUEST,
            ),
            (
                StoreError::BaselineExists {
                    name: "main".into(),
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::SessionInBaseline {
                    id: "abcd".into(),
                    baselines: vec!["main".into()],
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::Corrupt {
                    location: "db".into(),
                    what: "x".into(),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (e, status) in cases {
            let text = e.to_string();
            assert_eq!(ApiError::from(e).status, status, "{text}");
        }
    }

    #[test]
    fn an_error_names_the_field_that_held_its_subject() {
        let e = ApiError::from(StoreError::BaselineNotFound {
            name: "main".into(),
        })
        .located(&[("base", "abcd"), ("baseline", "main")]);
        assert_eq!(e.field.as_deref(), Some("baseline"));
        let e = ApiError::from(StoreError::BaselineNotFound { name: "x".into() })
            .located(&[("base", "abcd")]);
        assert_eq!(e.field, None);
    }

    #[test]
    fn internal_errors_do_not_leak_their_details() {
        let e = ApiError::internal("password=hunter2 in postgres://u:hunter2@h/db");
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }
}
