//! Processes: spawning, waiting, signalling, following the tree, sampling.

mod child;
mod leftovers;
mod monitor;
mod pidfd;
mod procfs;
mod repeat;
mod sampler;
mod signal;
mod stderr_tail;
mod supervise;
mod tree;
mod workers;

pub(crate) use crate::spawner::monotonic_ns;
pub(crate) use child::{Child, SpawnSpec};
pub(crate) use leftovers::{become_subreaper, kill_leftovers, reap_killed, Baseline};
pub(crate) use monitor::Stop;
pub(crate) use pidfd::{PidFd, Woke};
pub(crate) use procfs::{page_size, reset_own_peak_rss};
pub(crate) use repeat::{repeat, RunFigures, Runs};
pub(crate) use sampler::Listeners;
pub(crate) use stderr_tail::{poll_readable, Ring};
pub(crate) use supervise::{supervise, Supervised, Supervision};
