//! Reusable helper threads for the per-iteration watchers (monitor,
//! stderr reader): a run spawns a thread once and hands it one job per
//! iteration instead of creating and tearing down threads every time.
//!
//! A job runs on an idle worker when there is one and on a new worker
//! otherwise, so jobs never wait for each other: concurrent supervisions
//! each get their own thread, exactly as with one thread per job. A
//! worker goes back to the idle list when its job returns; a job that
//! never returns (a stderr reader whose pipe a leftover process holds
//! open) simply keeps its worker, as it would have kept its own thread.

use std::sync::mpsc;
use std::sync::Mutex;

/// A unit of work for a worker.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// The job queues of idle workers.
static IDLE: Mutex<Vec<mpsc::Sender<Job>>> = Mutex::new(Vec::new());

/// Run `job` on an idle worker thread, or on a new one when none is idle.
pub(crate) fn run(job: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    let mut job: Job = Box::new(job);
    while let Some(queue) = take_idle() {
        match queue.send(job) {
            Ok(()) => return Ok(()),
            // That worker is gone (it cannot be, but stay correct): try
            // another.
            Err(mpsc::SendError(back)) => job = back,
        }
    }
    let (queue, jobs) = mpsc::channel::<Job>();
    let own = queue.clone();
    // Cannot fail: the receiver is alive.
    let _ = queue.send(job);
    std::thread::Builder::new()
        .name("perfwatch-worker".into())
        .spawn(move || {
            // `own` keeps the queue open, so this waits for jobs forever
            // (the thread ends with the process).
            while let Ok(job) = jobs.recv() {
                job();
                if let Ok(mut idle) = IDLE.lock() {
                    idle.push(own.clone());
                }
            }
        })?;
    Ok(())
}

fn take_idle() -> Option<mpsc::Sender<Job>> {
    IDLE.lock().ok()?.pop()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn jobs_run_one_after_another() {
        for i in 0..20 {
            let (tx, rx) = mpsc::channel();
            run(move || {
                let _ = tx.send(i);
            })
            .unwrap();
            assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(i));
        }
    }

    #[test]
    fn a_blocked_job_does_not_block_others() {
        let (release, blocked) = mpsc::channel::<()>();
        run(move || {
            let _ = blocked.recv();
        })
        .unwrap();
        let (tx, rx) = mpsc::channel();
        run(move || {
            let _ = tx.send(());
        })
        .unwrap();
        assert!(rx.recv_timeout(Duration::from_secs(10)).is_ok());
        drop(release);
    }
}
