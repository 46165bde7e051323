//! Where a measured command's standard input comes from and where its
//! standard output goes (`--input`, `--output`, as hyperfine spells them).
//!
//! Standard error is always captured (its tail explains a failure) and,
//! with `show_output`, echoed.

use crate::error::RunError;
use crate::plan::{Output, Plan};
use std::fs::File;
use std::io::Read;
use std::thread::JoinHandle;

/// The run's output sink, open for the whole run.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    /// The file (or pipe write end) every iteration's stdout goes to;
    /// `None`: `/dev/null`, or ours with `show_output`.
    stdout: Option<File>,
    /// The thread reading and discarding the pipe of [`Output::Pipe`].
    drain: Option<JoinHandle<()>>,
}

impl Streams {
    /// Open what `plan.output` names: the file (truncated once; every
    /// iteration appends), or a pipe with a thread draining it.
    pub fn open(plan: &Plan) -> Result<Streams, RunError> {
        match &plan.output {
            Output::Null | Output::Inherit => Ok(Streams::default()),
            Output::File(path) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(path)
                    .map_err(|e| RunError::io(format!("open --output {}", path.display()), e))?;
                Ok(Streams {
                    stdout: Some(file),
                    drain: None,
                })
            }
            Output::Pipe => {
                let (mut read, write) =
                    std::io::pipe().map_err(|e| RunError::io("create the --output pipe", e))?;
                let drain = std::thread::Builder::new()
                    .name("perfwatch-output".into())
                    .spawn(move || {
                        let mut buf = [0u8; 64 * 1024];
                        while matches!(read.read(&mut buf), Ok(n) if n > 0) {}
                    })
                    .map_err(|e| RunError::io("start the --output pipe reader", e))?;
                Ok(Streams {
                    stdout: Some(File::from(std::os::fd::OwnedFd::from(write))),
                    drain: Some(drain),
                })
            }
        }
    }

    /// The stdout every measured command gets, when not the default.
    pub fn stdout(&self) -> Option<&File> {
        self.stdout.as_ref()
    }
}

impl Drop for Streams {
    fn drop(&mut self) {
        // Our write end closed, the reader sees the end once the last
        // command's copy is gone too.
        self.stdout = None;
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
    }
}

/// A fresh handle on `plan.input` for one spawn (each command reads it
/// from the start), or `None` for `/dev/null`.
pub(crate) fn stdin(plan: &Plan) -> Result<Option<File>, RunError> {
    plan.input
        .as_ref()
        .map(|path| {
            File::open(path)
                .map_err(|e| RunError::io(format!("open --input {}", path.display()), e))
        })
        .transpose()
}
