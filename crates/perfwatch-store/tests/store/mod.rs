mod bad_input;
mod baselines;
mod concurrency;
mod migration;
mod resolve;
mod roundtrip;
mod series;
mod support;
