//! Spawns and measures commands for perfwatch: wait4 figures, process-tree I/O, resource sampling, scheduling, hooks.
