//! The service's base URL, checked once.

use hyper::header::HeaderValue;
use hyper::Uri;

use crate::LoadError;

/// Where requests go: `http://host:port` plus an optional path prefix.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// Host name or IP literal, without brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The `Host` header: the authority as written.
    pub(crate) host_header: HeaderValue,
    /// Prepended to every request path; empty or `/x` without a trailing `/`.
    pub(crate) prefix: String,
}

impl Target {
    pub(crate) fn parse(target: &str) -> Result<Target, LoadError> {
        let fail = |reason: &str| LoadError::Target {
            target: target.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = target
            .parse()
            .map_err(|e: hyper::http::uri::InvalidUri| fail(&e.to_string()))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(fail(&format!(
                    "scheme `{other}` is not supported (only http://)"
                )))
            }
            None => return Err(fail("needs a scheme, e.g. http://127.0.0.1:8080")),
        }
        let authority = uri.authority().ok_or_else(|| fail("needs a host"))?;
        if uri.query().is_some() {
            return Err(fail(
                "a base URL takes no query; put it in the request path",
            ));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let host_header = HeaderValue::from_str(authority.as_str())
            .map_err(|_| fail("the host is not a valid Host header"))?;
        Ok(Target {
            host,
            port: authority.port_u16().unwrap_or(80),
            host_header,
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_and_prefix_are_split() {
        let t = Target::parse("http://127.0.0.1:8080/api/").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("127.0.0.1", 8080));
        assert_eq!(t.prefix, "/api");
        assert_eq!(t.host_header, "127.0.0.1:8080");

        let t = Target::parse("http://[::1]").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.prefix.as_str()),
            ("::1", 80, "")
        );
    }

    #[test]
    fn other_schemes_and_queries_are_refused() {
        for bad in ["https://x:1", "127.0.0.1:8080", "http://x:1/?a=b", "/path"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
