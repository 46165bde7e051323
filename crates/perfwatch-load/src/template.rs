//! Path templates: `{seq}` and `{rand:A..B}` placeholders.

use std::fmt::Write;

use rand::Rng;

/// A parsed request path, expanded once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// The running request number.
    Seq,
    /// A uniform integer in `[low, high)`.
    Rand {
        low: u64,
        high: u64,
    },
}

impl PathTemplate {
    /// Parses `path`; the reason is a lowercase fragment.
    pub(crate) fn parse(path: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed `{{` at `{}`", &rest[open..]))?;
            parts.push(Part::placeholder(&rest[open + 1..open + close])?);
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(PathTemplate { parts })
    }

    /// Appends the expansion for request number `seq` to `out`.
    pub(crate) fn expand(&self, seq: u64, rng: &mut impl Rng, out: &mut String) {
        for part in &self.parts {
            // Writing an integer to a String cannot fail.
            let _ = match part {
                Part::Literal(text) => {
                    out.push_str(text);
                    Ok(())
                }
                Part::Seq => write!(out, "{seq}"),
                Part::Rand { low, high } => write!(out, "{}", rng.random_range(*low..*high)),
            };
        }
    }
}

impl Part {
    fn placeholder(inner: &str) -> Result<Part, String> {
        if inner == "seq" {
            return Ok(Part::Seq);
        }
        let Some(range) = inner.strip_prefix("rand:") else {
            return Err(format!(
                "unknown placeholder `{{{inner}}}` (known: `{{seq}}`, `{{rand:A..B}}`)"
            ));
        };
        let bad = || format!("`{{{inner}}}` needs two integers A..B with A < B");
        let (low, high) = range.split_once("..").ok_or_else(bad)?;
        let low: u64 = low.trim().parse().map_err(|_| bad())?;
        let high: u64 = high.trim().parse().map_err(|_| bad())?;
        if low >= high {
            return Err(bad());
        }
        Ok(Part::Rand { low, high })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn expand(path: &str, seq: u64) -> String {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut out = String::new();
        PathTemplate::parse(path)
            .unwrap()
            .expand(seq, &mut rng, &mut out);
        out
    }

    #[test]
    fn literals_and_seq_expand_in_place() {
        assert_eq!(expand("/a/{seq}/b?x={seq}", 42), "/a/42/b?x=42");
        assert_eq!(expand("/plain", 1), "/plain");
    }

    #[test]
    fn rand_stays_in_its_half_open_range() {
        let template = PathTemplate::parse("/{rand:3..5}").unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let mut out = String::new();
            template.expand(0, &mut rng, &mut out);
            assert!(out == "/3" || out == "/4", "{out}");
        }
    }

    #[test]
    fn malformed_placeholders_are_refused() {
        for bad in [
            "/{seq",
            "/{foo}",
            "/{rand:5..5}",
            "/{rand:a..b}",
            "/{rand:1}",
        ] {
            assert!(PathTemplate::parse(bad).is_err(), "{bad}");
        }
    }
}
