mod cap;
mod exposition;
mod hostile;
mod monitored;
mod prometheus;
mod promtool;
mod requests;
mod support;
