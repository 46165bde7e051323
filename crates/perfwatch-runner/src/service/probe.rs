//! Readiness probes: an HTTP/1.1 `GET`, a TCP connect, a line of output.

use super::output::LineWatch;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest one HTTP or TCP attempt may take.
const ATTEMPT: Duration = Duration::from_secs(1);
/// The most bytes of a response read to find its status line.
const STATUS_LINE_MAX: usize = 1024;

/// One way of asking whether the service is ready.
#[derive(Debug)]
pub(super) enum Probe {
    /// `GET path` with this `Host` header at these addresses; 2xx is ready.
    Http {
        addrs: Vec<SocketAddr>,
        host: String,
        path: String,
    },
    /// A connection to this address is accepted.
    Tcp(SocketAddr),
    /// The line was seen.
    Line(Arc<LineWatch>),
}

impl Probe {
    /// When the service answered ready, if it does now; each attempt ends
    /// by `deadline`.
    pub fn ready(&self, deadline: Instant) -> Option<Instant> {
        let limit = deadline
            .saturating_duration_since(Instant::now())
            .clamp(Duration::from_millis(1), ATTEMPT);
        let ok = match self {
            Probe::Http { addrs, host, path } => addrs
                .iter()
                .any(|addr| http_status(addr, host, path, limit).is_some_and(|s| s / 100 == 2)),
            Probe::Tcp(addr) => TcpStream::connect_timeout(addr, limit).is_ok(),
            Probe::Line(watch) => return watch.seen_at(),
        };
        ok.then(Instant::now)
    }
}

/// The probe for a TCP connect to `127.0.0.1:port`.
pub(super) fn tcp(port: u16) -> Probe {
    Probe::Tcp(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

/// The probe for `url` (port already substituted), or why there is none.
pub(super) fn http(url: &str) -> Result<Probe, String> {
    let (host, port, path) = parse_url(url)?;
    let addrs: Vec<SocketAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("readiness URL `{url}`: {e}"))?
        .collect();
    let host = if port == 80 {
        host
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    Ok(Probe::Http { addrs, host, path })
}

/// Host (IPv6 without brackets), port and path of a plain `http://` URL.
pub(super) fn parse_url(url: &str) -> Result<(String, u16, String), String> {
    let bad = |why: &str| format!("readiness URL `{url}`: {why}");
    let rest = url
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
        .ok_or_else(|| bad("only plain http:// URLs are probed"))?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(|| bad("unclosed `[`"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port = match port {
        Some(p) => p.parse().map_err(|_| bad("bad port"))?,
        None => 80,
    };
    Ok((host.to_string(), port, path))
}

/// The status code of `GET path` at `addr`, `None` when there was no
/// well-formed answer within `limit` (per step).
fn http_status(addr: &SocketAddr, host: &str, path: &str, limit: Duration) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(addr, limit).ok()?;
    s.set_read_timeout(Some(limit)).ok()?;
    s.set_write_timeout(Some(limit)).ok()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: perfwatch\r\nConnection: close\r\n\r\n"
    );
    s.write_all(request.as_bytes()).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    while !buf.contains(&b'\n') && buf.len() < STATUS_LINE_MAX {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    parse_status(&buf)
}

/// The code of an `HTTP/1.x NNN …` status line.
fn parse_status(response: &[u8]) -> Option<u16> {
    let line = response.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let code = parts.next()?;
    (code.len() == 3).then(|| code.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_and_path() {
        let ok = |u: &str, h: &str, p: u16, path: &str| {
            assert_eq!(
                parse_url(u).unwrap(),
                (h.to_string(), p, path.to_string()),
                "{u}"
            );
        };
        ok("http://127.0.0.1:8080/health", "127.0.0.1", 8080, "/health");
        ok("HTTP://localhost", "localhost", 80, "/");
        ok("http://[::1]:9/a/b?c=d", "::1", 9, "/a/b?c=d");
        ok("http://h:1?x", "h", 1, "/?x");
        for bad in [
            "https://h/",
            "h:80/",
            "http://:80/",
            "http://h:x/",
            "http://[::1/",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_lines_give_their_code() {
        assert_eq!(parse_status(b"HTTP/1.1 204 No Content\r\n"), Some(204));
        assert_eq!(parse_status(b"HTTP/1.0 503 Busy\r\n"), Some(503));
        assert_eq!(parse_status(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse_status(b""), None);
    }
}
