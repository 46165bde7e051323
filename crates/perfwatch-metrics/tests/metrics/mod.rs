mod cap;
mod exposition;
mod hostile;
mod prometheus;
mod promtool;
mod requests;
mod support;
