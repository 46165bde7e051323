//! Extractors whose refusals are the API's JSON errors naming the field
//! at fault, rather than axum's plain-text ones.

use crate::errors::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Query parameters, parsed strictly: an unknown parameter, a repeated
/// one or a value of the wrong type is a 400 naming the parameter.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        parse_query(query).map(ApiQuery)
    }
}

/// Parses a query string into `T`; the error names the parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path == "." {
            quoted_field(&message)
        } else {
            Some(path)
        };
        let err = ApiError::bad_request(format!("invalid query parameter: {message}"));
        match field {
            Some(f) => err.with_field(f),
            None => err,
        }
    })
}

/// The field serde's message is about (`unknown field `x`, expected …`,
/// `duplicate field `x``), when it names one.
fn quoted_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("duplicate field `"))
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split_once('`').map(|(name, _)| name.to_string())
}

/// A JSON request body as `T`; what is wrong is a 400 naming the field
/// (`what` names the body in the message).
pub fn parse_json_body<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let field = if path == "." {
            quoted_field(&message)
        } else {
            Some(path)
        };
        let err = ApiError::bad_request(format!("invalid {what}: {message}"));
        match field {
            Some(f) => err.with_field(f),
            None => err,
        }
    })?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("invalid {what}: {e}")))?;
    Ok(value)
}

/// A path parameter; one that is not valid UTF-8 once decoded is a 400.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| ApiError::bad_request(format!("invalid path: {}", e.body_text())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        name: Option<String>,
        limit: Option<u32>,
    }

    #[test]
    fn a_bad_query_names_its_parameter() {
        let cases = [
            ("limit=x", "limit"),
            ("limit=-1", "limit"),
            ("nmae=a", "nmae"),
            ("name=a&name=b", "name"),
        ];
        for (query, field) in cases {
            let e = parse_query::<Q>(query).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{query}: {e:?}");
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
        }
        assert_eq!(
            parse_query::<Q>("name=%C3%A9t%C3%A9&limit=3").unwrap(),
            Q {
                name: Some("été".into()),
                limit: Some(3)
            }
        );
        assert_eq!(
            parse_query::<Q>("").unwrap(),
            Q {
                name: None,
                limit: None
            }
        );
    }
}
