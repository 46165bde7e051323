//! The request mix, compiled once: parsed methods, headers and paths, and
//! the weighted pick.

use hyper::body::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, HOST};
use hyper::{Method, Uri};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::target::Target;
use crate::template::PathTemplate;
use crate::{LoadError, RequestSpec};

/// One request of the mix, ready to be cloned into a `hyper::Request`.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) method: Method,
    /// `Host` first, then the spec's headers.
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    template: PathTemplate,
}

/// The compiled requests and their cumulative weights.
#[derive(Debug)]
pub(crate) struct Mix {
    requests: Vec<Compiled>,
    /// `cumulative[i]` is the sum of the weights of requests `0..=i`.
    cumulative: Vec<u64>,
    prefix: String,
}

impl Mix {
    pub(crate) fn compile(specs: &[RequestSpec], target: &Target) -> Result<Mix, LoadError> {
        let mut requests = Vec::with_capacity(specs.len());
        let mut cumulative = Vec::with_capacity(specs.len());
        let mut total = 0u64;
        for (index, spec) in specs.iter().enumerate() {
            let compiled = compile_one(spec, target).map_err(|reason| LoadError::Request {
                index,
                path: spec.path.clone(),
                reason,
            })?;
            requests.push(compiled);
            total += u64::from(spec.weight);
            cumulative.push(total);
        }
        if total == 0 {
            return Err(LoadError::Spec(
                "the request mix is empty or all its weights are 0".into(),
            ));
        }
        Ok(Mix {
            requests,
            cumulative,
            prefix: target.prefix.clone(),
        })
    }

    /// Picks a request index with probability proportional to its weight.
    pub(crate) fn pick(&self, rng: &mut impl Rng) -> usize {
        let total = *self
            .cumulative
            .last()
            .expect("compile refuses an empty mix");
        let ticket = rng.random_range(0..total);
        // The first request whose cumulative weight exceeds the ticket;
        // zero-weight requests share their predecessor's sum and never win.
        self.cumulative.partition_point(|&sum| sum <= ticket)
    }

    pub(crate) fn request(&self, index: usize) -> &Compiled {
        &self.requests[index]
    }

    /// The origin-form URI of request `index` as request number `seq`.
    pub(crate) fn uri(&self, index: usize, seq: u64, rng: &mut impl Rng) -> Uri {
        let mut path = String::with_capacity(self.prefix.len() + 32);
        path.push_str(&self.prefix);
        self.requests[index].template.expand(seq, rng, &mut path);
        Uri::try_from(path)
            .expect("compile checked the template; placeholders expand to digits only")
    }
}

fn compile_one(spec: &RequestSpec, target: &Target) -> Result<Compiled, String> {
    if !spec.path.starts_with('/') {
        return Err("the path must start with `/`".into());
    }
    let template = PathTemplate::parse(&spec.path)?;
    // Placeholders become digits, so one sample expansion that parses
    // proves every expansion parses.
    let mut sample = target.prefix.clone();
    template.expand(
        0,
        &mut <ChaCha8Rng as SeedableRng>::seed_from_u64(0),
        &mut sample,
    );
    Uri::try_from(sample.as_str()).map_err(|e| format!("not a valid path: {e}"))?;

    let method =
        Method::from_bytes(spec.method.as_bytes()).map_err(|_| "not a valid HTTP method")?;
    let mut headers = HeaderMap::with_capacity(spec.headers.len() + 1);
    headers.insert(HOST, target.host_header.clone());
    for (name, value) in &spec.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of `{name}` is not a valid header value"))?;
        headers.append(name, value);
    }
    Ok(Compiled {
        method,
        headers,
        body: spec.body.clone().map(Bytes::from).unwrap_or_default(),
        template,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target::parse("http://127.0.0.1:9/base").unwrap()
    }

    #[test]
    fn picks_follow_the_weights_and_skip_zero() {
        let specs = [
            RequestSpec::get("/a").weight(3),
            RequestSpec::get("/never").weight(0),
            RequestSpec::get("/b").weight(1),
        ];
        let mix = Mix::compile(&specs, &target()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut counts = [0u32; 3];
        for _ in 0..4000 {
            counts[mix.pick(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((2800..3200).contains(&counts[0]), "{counts:?}");
    }

    #[test]
    fn uris_carry_the_target_prefix() {
        let mix = Mix::compile(&[RequestSpec::get("/item/{seq}")], &target()).unwrap();
        let uri = mix.uri(0, 5, &mut ChaCha8Rng::seed_from_u64(0));
        assert_eq!(uri, "/base/item/5");
        assert_eq!(mix.request(0).headers[HOST], "127.0.0.1:9");
    }

    #[test]
    fn bad_requests_name_their_index() {
        let mut bad_header = RequestSpec::get("/");
        bad_header.headers.push(("bad name".into(), "v".into()));
        for (specs, needle) in [
            (
                vec![RequestSpec::get("/"), RequestSpec::get("nope")],
                "request 1",
            ),
            (vec![bad_header], "header name"),
            (vec![RequestSpec::get("/").weight(0)], "weights"),
            (vec![RequestSpec::get("/a b")], "valid path"),
        ] {
            let err = Mix::compile(&specs, &target()).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
