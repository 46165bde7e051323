//! The process tree of one iteration, followed across refreshes.
//!
//! A refresh walks the tree from the command's process through the
//! `children` files of every thread (or, on kernels without them, one scan
//! of `/proc`). Processes seen once stay *tracked*: when one is no longer
//! reached from the root because its parent exited and it was re-parented
//! (to init or a subreaper), the walk continues from it, so daemonised
//! descendants — including ones that called `setsid` and left the process
//! group — are still sampled and killed. A tracked process is identified by
//! pid *and* start time, so a reused pid is never mistaken for it.
//!
//! I/O accounting: a process's `/proc/<pid>/io` includes the I/O of the
//! children it reaped. A tracked process that disappears while its parent
//! was outside the tree (it was an orphan) was reaped by someone else, so
//! its last sampled I/O is added to [`Tree::final_io`]; one whose parent was
//! in the tree is counted by that parent. (If the parent exits first and
//! the orphan follows before the next sample, the orphan's I/O is lost; so
//! is all I/O of a descendant born and gone between two samples after
//! being orphaned.)

use super::procfs::{self, Io, Pid, ProcReader, Scan, Stat};
use super::signal;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
struct Tracked {
    start_time: u64,
    ppid: Pid,
    io: Option<Io>,
}

/// Totals over the members of the tree at one refresh.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Totals {
    /// CPU ticks of all members (including what they reaped).
    pub cpu_ticks: u64,
    /// Resident pages summed over members (shared pages count once per
    /// process, as in the sum of their RSS).
    pub rss_pages: u64,
    /// Threads of living members.
    pub threads: u32,
    /// Living (not zombie) members.
    pub processes: u32,
    /// I/O of the root, `None` when unreadable.
    pub root_io: Option<Io>,
    /// I/O of the other members that could be read.
    pub others_io: Io,
}

/// The followed process tree of one command.
#[derive(Debug)]
pub(crate) struct Tree {
    root: Pid,
    reader: ProcReader,
    tracked: HashMap<Pid, Tracked>,
    lost: Io,
    use_children_files: bool,
    root_exited: bool,
}

impl Tree {
    /// Follow the tree rooted at `root`.
    pub fn new(root: Pid) -> Tree {
        Tree {
            root,
            reader: ProcReader::default(),
            tracked: HashMap::new(),
            lost: Io::default(),
            use_children_files: procfs::children_files_supported(),
            root_exited: false,
        }
    }

    /// Force the `/proc` scan instead of `children` files (for tests).
    #[cfg(test)]
    pub fn scanning(mut self) -> Tree {
        self.use_children_files = false;
        self
    }

    /// Note that the root has exited as a whole (`waitid` reported it):
    /// all its threads are gone and the kernel has re-parented its
    /// children, so walks no longer look for children under it (its
    /// descendants already tracked are still followed from themselves).
    pub fn root_exited(&mut self) {
        self.root_exited = true;
    }

    /// Tracked pids other than the root, as of the last refresh.
    #[cfg(test)]
    pub fn others(&self) -> Vec<Pid> {
        let mut v: Vec<Pid> = self
            .tracked
            .keys()
            .copied()
            .filter(|&p| p != self.root)
            .collect();
        v.sort_unstable();
        v
    }

    /// The processes followed at the last refresh.
    pub fn pids(&self) -> Vec<u32> {
        self.tracked.keys().map(|&p| p as u32).collect()
    }

    /// Storage I/O of the whole tree once the root has exited: the root's
    /// own (which includes the descendants it reaped), its other tracked
    /// descendants' and the orphans' lost on the way. When the root was
    /// tracked alone, only its `io` file is read (this runs between two
    /// measured iterations). `None` when the root's I/O is unreadable.
    pub fn final_io(&mut self) -> Option<Io> {
        if self.root_exited && self.tracked.keys().all(|&p| p == self.root) {
            return self.reader.io(self.root).map(|io| io + self.lost);
        }
        let totals = self.refresh();
        totals
            .root_io
            .map(|root| root + totals.others_io + self.lost)
    }

    /// Walk the tree now and return totals over its members.
    pub fn refresh(&mut self) -> Totals {
        let previous = std::mem::take(&mut self.tracked);
        let scan = (!self.use_children_files).then(|| self.reader.scan());
        let mut found: HashMap<Pid, (Stat, Option<Io>)> = HashMap::new();
        self.walk(self.root, scan.as_ref(), &mut found);
        for (&pid, old) in &previous {
            let same = |st: &Stat| st.start_time == old.start_time;
            let alive = match found.get(&pid) {
                Some((st, _)) => same(st),
                None => {
                    let st = match &scan {
                        Some(s) => s.stats.get(&pid).copied(),
                        None => self.reader.stat(pid),
                    };
                    // Re-parented outside the tree: follow it from here.
                    let alive = st.as_ref().is_some_and(same);
                    if alive {
                        self.walk(pid, scan.as_ref(), &mut found);
                    }
                    alive
                }
            };
            let orphan = !previous.contains_key(&old.ppid);
            if !alive && orphan && pid != self.root {
                self.lost = self.lost + old.io.unwrap_or_default();
            }
        }
        let mut totals = Totals::default();
        for (&pid, (st, io)) in &found {
            totals.cpu_ticks += st.cpu_ticks;
            totals.rss_pages += st.rss_pages;
            if !st.is_zombie() {
                totals.processes += 1;
                totals.threads += st.threads;
            }
            if pid == self.root {
                totals.root_io = *io;
            } else {
                totals.others_io = totals.others_io + io.unwrap_or_default();
            }
            self.tracked.insert(
                pid,
                Tracked {
                    start_time: st.start_time,
                    ppid: st.ppid,
                    io: *io,
                },
            );
        }
        totals
    }

    fn walk(
        &mut self,
        from: Pid,
        scan: Option<&Scan>,
        found: &mut HashMap<Pid, (Stat, Option<Io>)>,
    ) {
        let mut stack = vec![from];
        let mut kids = Vec::new();
        while let Some(pid) = stack.pop() {
            if found.contains_key(&pid) {
                continue;
            }
            let st = match scan {
                Some(s) => s.stats.get(&pid).copied(),
                None => self.reader.stat(pid),
            };
            let Some(st) = st else { continue };
            let io = self.reader.io(pid);
            found.insert(pid, (st, io));
            if pid == self.root && self.root_exited {
                continue;
            }
            match scan {
                Some(s) => stack.extend(s.children.get(&pid).into_iter().flatten()),
                None => {
                    kids.clear();
                    self.reader.children(pid, st.threads, &mut kids);
                    stack.extend(&kids);
                }
            }
        }
    }

    /// Send `sig` to the root's process group and to every tracked process
    /// (found anew now), checking each one's start time first so that a
    /// reused pid is left alone.
    pub fn signal_all(&mut self, sig: i32) {
        signal::kill_group(self.root, sig);
        // The root is unreaped, so its pid cannot have been reused.
        signal::kill_pid(self.root, sig);
        self.refresh();
        self.signal_tracked(sig);
    }

    /// Send `sig` to every tracked process other than the root that is
    /// still the process that was tracked.
    pub fn signal_tracked(&mut self, sig: i32) {
        for (&pid, t) in &self.tracked {
            if pid == self.root {
                continue;
            }
            if self
                .reader
                .stat(pid)
                .is_some_and(|st| st.start_time == t.start_time)
            {
                signal::kill_pid(pid, sig);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// Poll `cond` up to 5 s.
    fn eventually(mut cond: impl FnMut() -> bool) -> bool {
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// A shell that starts two sleeping grandchildren, one of them in its
    /// own session, then exits when its stdin closes.
    fn spawn_family() -> std::process::Child {
        Command::new("sh")
            .args(["-c", "sleep 30 & setsid sleep 31 & read x"])
            .stdin(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap()
    }

    fn check_follows_orphans(scanning: bool) {
        let mut child = spawn_family();
        let root = child.id() as Pid;
        let mut tree = Tree::new(root);
        if scanning {
            tree = tree.scanning();
        }
        assert!(
            eventually(|| tree.refresh().processes >= 3),
            "grandchildren appear"
        );
        let others = tree.others();
        assert_eq!(others.len(), 2, "{others:?}");
        // The root exits: the grandchildren are orphans but still followed.
        drop(child.stdin.take());
        child.wait().unwrap();
        let t = tree.refresh();
        assert_eq!(t.processes, 2, "orphans still followed");
        tree.signal_tracked(libc::SIGKILL);
        assert!(eventually(|| others.iter().all(|p| !std::path::Path::new(
            &format!("/proc/{p}")
        )
        .exists()
            || ProcReader::default()
                .stat(*p)
                .is_none_or(|s| s.is_zombie()))));
        assert!(eventually(|| tree.refresh().processes == 0));
    }

    #[test]
    fn follows_orphans_with_children_files() {
        check_follows_orphans(false);
    }

    #[test]
    fn follows_orphans_by_scanning() {
        check_follows_orphans(true);
    }
}
